"""The reviewer without a kernel or a browser: filters, navigation, progress, decisions written to
a real review log, the report table it draws, and decisions re-attaching after the audit runs again.

Widgets are driven as a front end would: setting ``.value`` fires the observers, ``.click()`` fires
``on_click``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from auditkit.audit import run_audit
from auditkit.findings import FINDING_COLUMNS, findings_frame
from auditkit.record import Report
from auditkit.render.data import load_audit
from auditkit.review.log import ReviewLog
from auditkit.review.table import render_for_keys, render_table
from auditkit.review.widget import ALL, Reviewer, ReviewSession, rule_versions
from auditkit.vocabulary import UNDECIDED

# A small batch with both formats, several agencies and findings of every severity.
BATCH = ("000_seed-chengxiang_2023.txt", "008_pingtan-shiyanqu_2019.txt", "019_pingtan-shichangjianguanju_2021.txt",
         "002_huaian-hongzequ_2024.pdf")


@pytest.fixture(autouse=True)
def _own_user_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test its own per-user folder: the name a reviewer typed in one test is not remembered in the next."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "user-data"))


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory, samples_dir: Path) -> Path:
    """One audit of the batch, written to a folder; tests copy it so that each has its own log."""
    base = tmp_path_factory.mktemp("audit")
    docs = base / "reports"
    docs.mkdir()
    for name in BATCH:
        shutil.copy(samples_dir / name, docs / name)
    out = base / "out"
    result = run_audit([docs], out, store=base / "store.sqlite", jobs=1)
    assert len(result.findings) >= 8 and not result.failures
    return out


@pytest.fixture
def out(audited: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "out"
    shutil.copytree(audited, dest)
    return dest


@pytest.fixture
def reviewer(out: Path) -> Reviewer:
    return Reviewer.from_audit(out, reviewer="审核员甲")


def findings_and_reports(out: Path) -> tuple:
    data = load_audit(out)
    return data.findings[list(FINDING_COLUMNS)], [Report.from_record(r) for r in data.reports]


def ids(session: ReviewSession) -> list[str]:
    return [session.findings.at[i, "finding_id"] for i in session.order]


def test_loads_the_audit_and_starts_at_the_first_finding(reviewer: Reviewer, out: Path) -> None:
    from auditkit.render.data import split_queue

    findings, reports = findings_and_reports(out)
    findings, readings = split_queue(findings)  # the readings to check by hand are listed apart
    s = reviewer.session
    assert len(s.findings) == len(findings) and len(reports) == len(BATCH) and len(readings) > 0
    assert s.position == 0 and s.current["finding_id"] == findings.at[0, "finding_id"]
    assert reviewer.progress.value.startswith(f'<b style="font-size:15px">编制 0 / {len(findings)} 已审核</b>')
    assert f'data-finding-id="{findings.at[0, "finding_id"]}"' in reviewer.card.value
    assert reviewer.prev.disabled and not reviewer.next.disabled
    for dd in reviewer.filters.values():  # every filter shows "全部 (n)", not an empty box
        assert dd.index == 0 and dd.label == f"全部 ({len(findings)})"


def test_filters_by_each_field_and_combine(reviewer: Reviewer) -> None:
    s = reviewer.session
    f = s.findings
    for field in ("severity", "category", "rule_id", "agency"):
        options = s.options(field)
        assert options[0][1] is None
        assert sum(int(re.search(r"\((\d+)\)$", label).group(1)) for label, _ in options[1:]) == len(f)
        for _label, value in options[1:]:
            reviewer.filters[field].value = value
            assert reviewer.filters[field].label == _label
            expected = [fid for fid, v in zip(f["finding_id"], s._values(field), strict=True) if v == value]
            assert ids(s) == expected and expected
        reviewer.filters[field].value = ALL
        assert len(s.order) == len(f) and s.filters[field] is None

    reviewer.filters["severity"].value = "warning"
    agency = f.loc[f["severity"] == "warning", "agency"].iloc[0]
    reviewer.filters["agency"].value = agency
    assert ids(s) == list(f.loc[(f["severity"] == "warning") & (f["agency"] == agency), "finding_id"])
    assert reviewer.progress.value.startswith(f'<b style="font-size:15px">编制 0 / {len(s.order)} 已审核</b>')
    with pytest.raises(KeyError):
        s.set_filters(colour="red")


def test_a_filter_that_matches_nothing_disables_the_decisions(reviewer: Reviewer) -> None:
    reviewer.filters["status"].value = "dismissed"
    assert reviewer.session.order == [] and reviewer.session.current is None
    assert "没有符合筛选条件的问题" in reviewer.card.value
    assert all(b.disabled for b in reviewer.buttons.values()) and reviewer.next.disabled
    assert reviewer.progress.value.startswith('<b style="font-size:15px">编制 0 / 0 已审核</b>')


def test_navigation_stops_at_both_ends_and_keeps_the_finding_across_filters(reviewer: Reviewer) -> None:
    s = reviewer.session
    n = len(s.order)
    for i in range(1, n):
        reviewer.next.click()
        assert s.position == i
    assert reviewer.next.disabled
    reviewer.next.click()
    assert s.position == n - 1
    reviewer.prev.click()
    assert s.position == n - 2 and not reviewer.next.disabled
    s.go_to(-5)
    assert s.position == 0 and not s.previous()
    s.go_to(999)
    assert s.position == n - 1

    # The selected finding stays selected when a filter still includes it.
    s.go_to(3)
    fid, sev = s.current["finding_id"], s.current["severity"]
    reviewer.filters["severity"].value = sev
    assert s.current["finding_id"] == fid


def test_decisions_go_to_the_review_log_with_reviewer_note_and_versions(reviewer: Reviewer, out: Path) -> None:
    s = reviewer.session
    first = s.current
    reviewer.note.value = "表内数字与正文核对一致，确属错误"
    reviewer.buttons["confirmed"].click()
    assert s.position == 1  # moved on
    assert "已记录：确认（审核员甲，" in reviewer.message.value
    second = s.current
    reviewer.buttons["follow_up"].click()

    log = ReviewLog.for_audit(out)  # a fresh handle on the same file: the events are on disk
    current = log.current().set_index("finding_id")
    assert current.at[first["finding_id"], "decision"] == "confirmed"
    assert current.at[first["finding_id"], "note"] == "表内数字与正文核对一致，确属错误"
    assert current.at[first["finding_id"], "reviewer"] == "审核员甲"
    assert current.at[first["finding_id"], "report_sha256"] == first["sha256"]
    assert current.at[first["finding_id"], "rule_version"] == rule_versions()[first["rule_id"]]
    assert current.at[second["finding_id"], "decision"] == "follow_up"
    assert current.at[second["finding_id"], "note"] == ""
    assert reviewer.progress.value.startswith(f'<b style="font-size:15px">编制 2 / {len(s.order)} 已审核</b>')

    # Deciding again appends: the current decision changes, the history keeps both.
    reviewer.prev.click()
    reviewer.prev.click()
    assert s.current["finding_id"] == first["finding_id"]
    assert reviewer.note.value == "表内数字与正文核对一致，确属错误"  # the note of the current decision
    assert 'data-decision="confirmed"' in reviewer.card.value
    reviewer.note.value = "复核：系文字笔误，不影响数据"
    reviewer.buttons["dismissed"].click()
    history = log.history(first["finding_id"])
    assert [e["decision"] for e in history] == ["confirmed", "dismissed"]
    assert log.current().set_index("finding_id").at[first["finding_id"], "decision"] == "dismissed"
    assert s.progress() == (2, len(s.order))


def test_status_filter_and_next_undecided(reviewer: Reviewer) -> None:
    s = reviewer.session
    reviewer.buttons["confirmed"].click()
    reviewer.note.value = "格式允许"
    reviewer.buttons["dismissed"].click()
    n = len(s.findings)
    assert [label for label, _ in reviewer.filters["status"].options][:3] == [f"全部 ({n})", f"未审核 ({n - 2})", "确认 (1)"]
    reviewer.filters["status"].value = "confirmed"
    assert len(s.order) == 1 and s.status_of(s.current["finding_id"]) == "confirmed"
    reviewer.buttons["follow_up"].click()  # counts follow the decisions; the chosen filter stays
    assert reviewer.filters["status"].value == "confirmed" and s.filters["status"] == "confirmed"
    assert reviewer.filters["status"].label == "确认 (0)" and len(s.order) == 1
    reviewer.filters["status"].value = UNDECIDED
    assert len(s.order) == len(s.findings) - 2
    reviewer.filters["status"].value = ALL

    s.go_to(0)
    reviewer.next_undecided.click()
    assert s.position == 2  # 0 and 1 are decided
    for _ in range(len(s.order)):
        if s.status_of(s.current["finding_id"]) == UNDECIDED:
            reviewer.buttons["follow_up"].click()
        else:
            s.next()
    assert s.progress() == (len(s.order), len(s.order))
    reviewer.next_undecided.click()
    assert "没有未审核的问题了" in reviewer.message.value


def test_no_decision_without_a_reviewer_name(out: Path) -> None:
    r = Reviewer.from_audit(out)
    r.buttons["confirmed"].click()
    assert "请先填写审核人姓名" in r.message.value
    assert ReviewLog.for_audit(out).current().empty and r.session.position == 0
    r.reviewer.value = "  审核员乙 "
    r.buttons["confirmed"].click()
    assert ReviewLog.for_audit(out).current()["reviewer"].tolist() == ["审核员乙"]


def test_decisions_reattach_after_the_audit_runs_again(out: Path, tmp_path: Path) -> None:
    r = Reviewer.from_audit(out, reviewer="审核员甲")
    decided = {}
    for decision in ("confirmed", "dismissed", "follow_up"):
        decided[r.session.current["finding_id"]] = decision
        r.note.value = f"note {decision}"
        r.buttons[decision].click()
    before = set(r.session.findings["finding_id"])

    reports = out.parent / "reports2"
    reports.mkdir()
    for rec in findings_and_reports(out)[1]:
        shutil.copy(rec.source, reports / Path(rec.source).name)  # the same documents, read afresh
    (out / "findings.jsonl").unlink()
    result = run_audit([reports], out, store=tmp_path / "store2.sqlite", jobs=1)

    again = Reviewer.from_audit(result, reviewer="审核员丙")  # the AuditResult itself, log beside its output
    assert again.session.log.path == out / "review.sqlite"
    assert set(again.session.findings["finding_id"]) == before
    for fid, decision in decided.items():
        assert again.session.status_of(fid) == decision
    again.filters["status"].value = "dismissed"
    assert ids(again.session) == [fid for fid, d in decided.items() if d == "dismissed"]
    assert 'data-decision="dismissed"' in again.card.value and "note dismissed" in again.card.value
    assert again.note.value == "note dismissed"
    assert again.session.progress() == (1, 1)


def test_report_table_highlights_the_cells_of_the_finding(reviewer: Reviewer) -> None:
    s = reviewer.session
    seen_tables = set()
    for i in range(len(s.findings)):
        s.go_to(i)
        row = s.current
        html = s.report_html()
        table_keys = {k for k in row["keys"] if k.split(".")[0] in ("active", "requests", "appeals")}
        lit = set(re.findall(r'<td class="ak-hl"[^>]*? data-key="([^"]+)"', html))
        report = s.report_of(row)
        assert lit == {k for k in table_keys if k in report.cells}
        seen_tables |= set(re.findall(r'data-table="(\w+)"', html))
        if any(k.startswith("meta.") for k in row["keys"]):
            assert "报告信息" in html and "ak-hl" in html
    assert seen_tables >= {"active", "requests"}


def test_tables_follow_the_official_layout(out: Path) -> None:
    _, reports = findings_and_reports(out)
    by_format = {r.format: r for r in reports}
    r21, r19 = by_format["2021"], by_format["2019"]
    html = render_table(r21, "requests", ["requests.granted.total"])
    # 三、本年度办理结果 spans （一） to （七）总计: 22 rows in the 2021 format, 20 in 2019.
    assert '<th rowspan="22">三、本年度办理结果</th>' in html
    assert '<th rowspan="20">三、本年度办理结果</th>' in render_table(r19, "requests")
    assert '<th rowspan="8">（三）不予公开</th>' in html
    assert '<th colspan="5">法人或其他组织</th>' in html
    assert len(re.findall(r"<td", html)) == 25 * 7
    keys = re.findall(r'data-key="([^"]+)"', html)
    assert keys[:7] == [f"requests.new_received.{c}" for c in
                        ("natural_person", "commercial", "research", "nonprofit", "legal_services", "other_org", "total")]
    appeals = render_table(r21, "appeals")
    assert '<th colspan="10">行政诉讼</th>' in appeals and len(re.findall(r"<td", appeals)) == 15
    active19 = render_table(r19, "active")
    assert "第二十条第（九）项" in active19 and "政府集中采购" in active19


def test_document_text_is_escaped(out: Path) -> None:
    _, reports = findings_and_reports(out)
    report = reports[0]
    report.provenance.clear()
    report.sections["overview"] = "<script>alert(1)</script>"
    report.agency = "<img src=x onerror=alert(1)>"
    html = render_for_keys(report, ["section.overview", "meta.agency"])
    assert "<script>" not in html and "<img" not in html and "&lt;script&gt;" in html
    row = {"finding_id": "f1", "source": report.source, "sha256": report.sha256, "agency": report.agency,
           "year": 2023, "rule_id": "x.y", "category": "narrative", "severity": "info", "status": "failed",
           "description": "d", "place": "<b>p</b>", "keys": [], "expected": 1, "actual": 2, "difference": 1,
           "evidence": "「<script>x</script>」", "basis": "b"}
    s = ReviewSession(findings_frame([row]), ReviewLog(out / "escape.sqlite"), [report], versions={})
    card = s.card_html()
    assert "<script>" not in card and "<b>p</b>" not in card and "&lt;script&gt;x" in card


def test_tab_order_is_reading_order(reviewer: Reviewer) -> None:
    order = [getattr(w, "description", "") for w in reviewer.focus_order()]
    assert order == ["审核人", "严重程度", "类别", "规则", "机关", "审核结论", "复核", "备注", "确认", "排除（误报）",
                     "待跟进", "上一条", "下一条", "下一条未审核", "复核意见", "复核通过", "退回修改"]
    classes = [c for w in reviewer.focus_order() for c in w._dom_classes if c.startswith("ak-")]
    assert {"ak-confirm", "ak-dismiss", "ak-follow-up", "ak-prev", "ak-next", "ak-next-undecided", "ak-note"} <= set(classes)


def test_import_auditkit_does_not_load_widgets() -> None:
    code = ("import sys, auditkit, auditkit.review.widget; "
            "print(sorted(m for m in ('ipywidgets', 'pandas', 'great_expectations') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_text_fields_sync_before_a_click_can_overtake_them(reviewer: Reviewer) -> None:
    # A click is its own message; per-keystroke updates queued behind a busy kernel would arrive after it
    # and the decision would carry half its note. Fields sync when left, which precedes the click.
    assert reviewer.note.continuous_update is False and reviewer.reviewer.continuous_update is False


def test_summary_tables_of_the_decisions(reviewer: Reviewer) -> None:
    s = reviewer.session
    first = s.current
    reviewer.note.value = "核实无误"
    reviewer.buttons["confirmed"].click()
    reviewer.note.value = "读取误差"
    reviewer.buttons["dismissed"].click()
    counts = s.decisions_by_severity()
    assert counts.at["合计", "合计"] == len(s.findings)
    assert counts.loc["合计", "确认"] == 1 and counts.loc["合计", "排除（误报）"] == 1
    assert counts.loc["合计", "未审核"] == len(s.findings) - 2
    assert list(counts.columns) == ["未审核", "确认", "排除（误报）", "合计"]  # the vocabulary's order
    assert set(counts.index) - {"合计"} <= {"严重", "警告", "提示"}
    decided = s.decided_table()
    assert list(decided.columns) == ["机关", "年度", "规则", "位置", "结论", "备注", "编制人", "时间（北京时间）", "复核",
                                     "复核人", "复核意见"]
    row = decided[decided["规则"].str.endswith(f"（{first['rule_id']}）")].iloc[0]
    assert (row["结论"], row["备注"], row["编制人"], row["复核"]) == ("确认", "核实无误", "审核员甲", "待复核")
    assert len(decided) == 2


# -- issue 14: the reviewer that respects the auditor's time ------------------------------------------------


def test_dismissing_needs_a_reason(reviewer: Reviewer, out: Path) -> None:
    s = reviewer.session
    first = s.current["finding_id"]
    reviewer.note.value = "   "
    reviewer.buttons["dismissed"].click()
    assert "排除（误报）须在备注中写明理由" in reviewer.message.value
    assert ReviewLog.for_audit(out).events() == [] and s.current["finding_id"] == first
    reviewer.note.value = "表格为合并单元格，读取误差"
    reviewer.buttons["dismissed"].click()
    assert ReviewLog.for_audit(out).decision_of(first)["note"] == "表格为合并单元格，读取误差"


def test_two_level_sign_off_in_the_reviewer(reviewer: Reviewer, out: Path) -> None:
    s = reviewer.session
    first = s.current["finding_id"]
    reviewer.note.value = "核实无误"
    reviewer.buttons["confirmed"].click()
    s.previous()
    reviewer.render()
    assert 'data-signoff="awaiting"' in reviewer.card.value and "复核 0 / " in reviewer.progress.value
    # The preparer cannot sign their own decision.
    reviewer.signoff_buttons["approved"].click()
    assert "不能复核本人作出的结论" in reviewer.message.value and s.signoff_of(first) == "awaiting"
    # A second person sends it back: a note is required.
    reviewer.reviewer.value = "复核员乙"
    reviewer.signoff_buttons["returned"].click()
    assert "退回须写明理由" in reviewer.message.value
    reviewer.signoff_note.value = "依据不足，请补充"
    reviewer.signoff_buttons["returned"].click()
    assert s.signoff_of(first) == "returned"
    log = ReviewLog.for_audit(out)
    assert log.open_items()["returned"] == [first]
    # The preparer decides again; the second person approves.
    s.previous()
    reviewer.reviewer.value = "审核员甲"
    reviewer.render()
    assert 'data-signoff="returned"' in reviewer.card.value and "依据不足，请补充" in reviewer.card.value
    assert all(b.disabled for b in reviewer.signoff_buttons.values())  # sent back: nothing to sign until re-decided
    reviewer.note.value = "已补充：表三总计比各列之和多 1"
    reviewer.buttons["confirmed"].click()
    s.previous()
    reviewer.reviewer.value = "复核员乙"
    reviewer.render()
    reviewer.signoff_buttons["approved"].click()
    assert s.signoff_of(first) == "approved" and s.signoff_progress()[0] == 1
    assert "复核 1 / " in reviewer.progress.value
    assert [(e["kind"], e["decision"]) for e in log.trail(first)] == [
        ("decision", "confirmed"), ("signoff", "returned"), ("decision", "confirmed"), ("signoff", "approved")]
    reviewer.filters["signoff"].value = "approved"
    assert [s.findings.at[i, "finding_id"] for i in s.order] == [first]
    row = s.decided_table().iloc[0]
    assert (row["复核"], row["复核人"]) == ("已复核", "复核员乙")


def test_the_reviewer_name_is_remembered_per_user(out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home-data"))
    first = Reviewer.from_audit(out)
    assert first.reviewer.value == ""
    first.reviewer.value = "审核员丙"
    assert (tmp_path / "home-data" / "auditkit" / "reviewer.json").is_file()
    assert not any(p.name == "reviewer.json" for p in out.rglob("*"))  # never in the results folder
    again = Reviewer.from_audit(out)
    assert again.reviewer.value == "审核员丙" and again.session.reviewer == "审核员丙"
    assert Reviewer.from_audit(out, reviewer="另一人").reviewer.value == "另一人"  # a name given wins


def test_times_are_shown_in_china_standard_time(reviewer: Reviewer, out: Path) -> None:
    from datetime import UTC, datetime, timedelta

    reviewer.note.value = "核实无误"
    reviewer.buttons["confirmed"].click()
    event = ReviewLog.for_audit(out).events()[0]
    stored = datetime.fromisoformat(event["time"])
    assert stored.utcoffset() == timedelta(0) and abs(datetime.now(UTC) - stored) < timedelta(minutes=1)  # stored: UTC
    shown = (stored + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    assert shown in reviewer.message.value
    reviewer.session.previous()
    reviewer.render()
    assert shown in reviewer.card.value
    assert reviewer.session.decided_table().iloc[0]["时间（北京时间）"] == shown


def test_the_controls_are_above_the_report_table(reviewer: Reviewer) -> None:
    children = list(reviewer.widget.children)
    report = children.index(reviewer.report)
    rows = [i for i, c in enumerate(children) if hasattr(c, "children") and reviewer.buttons["confirmed"] in c.children]
    assert children.index(reviewer.note) < report and rows and rows[0] < report
    assert children.index(reviewer.card) < report and children.index(reviewer.message) < report


def test_keyboard_script_keeps_focus_in_the_reviewer_on_a_click() -> None:
    from auditkit.review.widget import KEYS_JS

    # A click on the table (no control) focuses the reviewer itself, so J/K stay with it.
    assert "addEventListener('mouseup'" in KEYS_JS and "root.focus(" in KEYS_JS and "tabindex" in KEYS_JS


def test_readings_are_listed_apart_from_the_review_queue(out: Path) -> None:
    import json

    path = out / "findings.jsonl"
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    for x in rows:  # the queue column as the findings will carry it
        x["queue"] = "reading" if x["rule_id"] == "structure.unreadable" or x["status"] == "unverified" else "problem"
    readings = sum(x["queue"] == "reading" for x in rows)
    assert readings
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in rows), encoding="utf-8")
    r = Reviewer.from_audit(out, reviewer="审核员甲")
    assert len(r.session.findings) == len(rows) - readings
    assert set(r.session.findings["queue"]) == {"problem"}
    assert "需人工核对读数" in r.readings.value and f"（{readings} 项" in r.readings.value


def test_where_a_finding_came_from_is_one_click_away(reviewer: Reviewer) -> None:
    s = reviewer.session
    kinds = {}
    for i in range(len(s.findings)):
        s.go_to(i)
        row = s.current
        report = s.report_of(row)
        card = s.card_html()
        if '<details class="ak-origin"' in card:
            kinds.setdefault(report.kind, card)
    assert {"pdf", "text"} <= set(kinds)
    assert "data:image/jpeg;base64," in kinds["pdf"] and "原文 002_huaian-hongzequ_2024.pdf 第" in kinds["pdf"]
    assert 'class="ak-origin-lines"' in kinds["text"] and 'class="hit"' in kinds["text"]
