"""The audit on the real parse of the bundled samples: every listed defect found, nothing critical on
clean reports, carry-over across years, one-cell mutations caught, files written, the store kept."""

from __future__ import annotations

import copy
import csv
import json
import re
from pathlib import Path

import pytest

from auditkit import rule_catalogue
from auditkit.audit import SAMPLES_DIR, audit_reports, run_audit
from auditkit.cli import audit_status
from auditkit.formats import format_spec
from auditkit.record import Report

TRUTH = Path(__file__).resolve().parent / "data" / "truth"
# Truth defect kind -> the category of rule that must report it.
KIND_CATEGORY = {"arithmetic": "arithmetic", "narrative_mismatch": "narrative", "label_variant": "label",
                 "missing": "completeness"}


@pytest.fixture(scope="module")
def batch():
    from auditkit.batch import read_reports

    b = read_reports([SAMPLES_DIR], jobs=2, progress=False)
    assert len(b.reports) == 12, [f.line() for f in b.failures]
    return b


@pytest.fixture(scope="module")
def audit(batch):
    return audit_reports(batch.reports)


def truth(report: Report) -> dict:
    return json.loads((TRUTH / f"{Path(report.source).name}.json").read_text(encoding="utf-8"))


def where_keys(where: str) -> list[str]:
    """Key prefixes a truth defect names: 'requests.x.* / requests.y.*', 'appeals (section heading)'."""
    if "(section heading)" in where:
        return [f"section.{where.split()[0]}"]
    return [k.rstrip("*").rstrip(".") for k in re.findall(r"[a-z_]+(?:\.[a-z_*]+)+", where)]


def names_cells(keys: list[str], prefixes: list[str]) -> bool:
    return any(k == p or k.startswith(p + ".") for k in keys for p in prefixes)


def of(audit, report: Report):
    """The failed findings of a report: a copy of a report audited on another file has those of that file."""
    f = audit.findings
    mine = (f.source == report.source) | f.copies.map(lambda copies: report.source in copies)
    return f[mine & (f.status == "failed")]


def test_every_listed_defect_is_found_on_its_cells(batch, audit) -> None:
    checked = 0
    for report in batch.reports:
        found = of(audit, report)
        for defect in truth(report)["defects"]:
            category = KIND_CATEGORY.get(defect["kind"])
            if category is None:
                continue
            prefixes = where_keys(defect["where"])
            assert prefixes, defect
            of_kind = found[found.category == category]
            for prefix in prefixes:  # every cell (or row) the defect names, by a rule of its kind
                hits = of_kind[of_kind["keys"].map(lambda ks, p=prefix: names_cells(ks, [p]))]
                assert len(hits), f"{Path(report.source).name}: {prefix} not found: {defect}"
            checked += 1
    assert checked >= 10


def test_no_critical_finding_on_reports_without_such_defects(batch, audit) -> None:
    clean = [r for r in batch.reports if not any(d["kind"] in KIND_CATEGORY for d in truth(r)["defects"])]
    assert {Path(r.source).name for r in clean} >= {"007_pingtan-shiyanqu_2025.txt", "016_pingtan-caizhengjinrongju_2022.txt"}
    for r in clean:
        f = of(audit, r)
        assert not len(f[f.severity == "critical"]), f[f.severity == "critical"][["rule_id", "place", "keys"]]


def test_narrative_findings_name_sentence_and_table(batch, audit) -> None:
    [r] = [r for r in batch.reports if r.source.endswith("009_pingtan-shiyanqu_2022.txt")]
    f = of(audit, r)
    received = f[(f.rule_id == "narrative.figure_plain") & (f.place == "文字所述「本年新收申请数」")].iloc[0]
    assert (received.severity, received.actual, received.expected, received.difference) == ("critical", 75, 74, 1)
    assert "全区收到政府信息公开申请75件" in received.evidence
    [hz] = [r for r in batch.reports if r.source.endswith("002_huaian-hongzequ_2024.pdf")]
    sub = of(audit, hz)
    sub = sub[sub.category == "narrative"].iloc[0]
    assert sub.severity == "warning" and sub.actual == 17 and "代表区政府" in sub.evidence


def test_39_arithmetic_checks_on_a_2021_report(batch, audit) -> None:
    from auditkit.frames import build_frames

    [r] = [r for r in batch.reports if r.source.endswith("016_pingtan-caizhengjinrongju_2022.txt")]
    frames = build_frames([r])
    assert len(frames["requests_columns"].data) * 2 + len(frames["requests_rows"].data) == 39
    checks = audit_reports([r]).checks.set_index("rule_id")
    n = checks.loc[["arithmetic.requests_balance", "arithmetic.requests_outcomes",
                    "arithmetic.requests_row_total"], ["evaluated", "skipped"]].sum()
    assert n.evaluated + n.skipped == 39


def test_recovered_cells_are_unverified_not_passed(batch, audit) -> None:
    [r] = [r for r in batch.reports if r.source.endswith("009_pingtan-shiyanqu_2022.txt")]
    recovered = {k for d in r.diagnostics if d.code == "recovered_by_arithmetic" for k in (d.keys or [d.key])}
    assert recovered
    f = audit.findings
    unverified = f[(f.source == r.source) & (f.status == "unverified")]
    assert set(unverified.severity) == {"info"}
    rows = unverified[unverified.rule_id == "arithmetic.requests_row_total"]
    assert len(rows) == 1 and set(rows.iloc[0]["keys"]) <= recovered
    checks = audit.checks.set_index("rule_id")
    assert checks.loc["arithmetic.requests_row_total", "unverified"] > 0


def test_null_cells_are_skipped_with_a_reason(batch, audit) -> None:
    [r] = [r for r in batch.reports if r.source.endswith("007_pingtan-shiyanqu_2025.txt")]
    skipped = audit.skipped[audit.skipped.source == r.source]
    row = skipped[skipped.rule_id == "arithmetic.requests_row_total"].iloc[0]
    assert "requests.granted.natural_person" in row["keys"] and "数字" in row.reason
    assert audit.counts["skipped"] == int(audit.checks.skipped.sum()) > 0


# --------------------------------------------------------------------------- carry-over


def pingtan(batch, name: str) -> Report:
    [r] = [r for r in batch.reports if r.source.endswith(name)]
    return copy.deepcopy(r)


def test_carry_over_between_consecutive_samples(batch, audit) -> None:
    checks = audit.checks.set_index("rule_id")
    # 009 (2022) -> 2023, whose five files (010 and the four 011) are one report audited once: 7 columns
    assert checks.loc["carry_over.requests", "evaluated"] == 7
    assert checks.loc["carry_over.requests", "failed"] == 0
    assert checks.loc["carry_over.in_force", "evaluated"] + checks.loc["carry_over.in_force", "skipped"] == 2
    f = audit.findings
    assert not len(f[f.category == "carry_over"])


def test_broken_pair_is_caught_and_the_prior_named(batch) -> None:
    last, this = pingtan(batch, "009_pingtan-shiyanqu_2022.txt"), pingtan(batch, "011_pingtan-shiyanqu_2023.html")
    this.cells["requests.carried_over.natural_person"] = 2
    this.cells["active.regulations.in_force"] = 3
    f = audit_reports([this, last]).findings
    # One wrong cell (上年结转 自然人) breaks this year's column balance and its row's total by the same 2 as the
    # carry-over from last year: one defect, one finding naming the three rules.
    co = f[f.rule_id.eq("carry_over.requests") | f.also_rules.map(lambda rules: "carry_over.requests" in rules)]
    assert len(co) == 1
    co = co.iloc[0]
    assert co.rule_id == "arithmetic.requests_balance"
    assert co.also_rules == ["arithmetic.requests_row_total", "carry_over.requests"]  # its row's total too
    assert co.severity == "critical" and "requests.carried_over.natural_person" in co["keys"]
    assert abs(co.difference) == 2
    assert "009_pingtan-shiyanqu_2022.txt" in co.evidence and last.sha256 in co.evidence and "2022" in co.evidence
    inf = f[f.rule_id == "carry_over.in_force"].iloc[0]
    assert inf.severity == "warning" and "active.regulations.in_force" in inf["keys"]


def test_in_force_across_the_2020_format_change_is_info(batch) -> None:
    last, this = pingtan(batch, "008_pingtan-shiyanqu_2019.txt"), pingtan(batch, "019_pingtan-shichangjianguanju_2021.txt")
    last.year, last.agency = 2020, this.agency
    f = audit_reports([this, last]).findings
    change = f[f.rule_id == "carry_over.format_change"]
    assert len(change) == 1 and change.iloc[0].severity == "info"  # a note: one per report, every place
    assert change.iloc[0]["keys"] == ["active.regulations.in_force", "active.normative_documents.in_force"]
    assert change.iloc[0].place == "规章、行政规范性文件"
    assert not len(f[f.rule_id == "carry_over.in_force"])


def test_carry_over_from_the_store_across_a_renamed_agency(batch, tmp_path: Path) -> None:
    from auditkit.store import ReportStore

    last, this = pingtan(batch, "009_pingtan-shiyanqu_2022.txt"), pingtan(batch, "011_pingtan-shiyanqu_2023.html")
    last.agency = "平潭综合实验区管委会办公室"
    store = tmp_path / "store.sqlite"
    audit_reports([last], store=store, remember=True)  # last year's audit keeps its records
    this.cells["requests.carried_over.total"] = 4
    assert not len(audit_reports([this], store=store).findings.query("category == 'carry_over'"))  # unknown
    with ReportStore(store) as s:
        s.add_alias("平潭综合实验区管委会办公室", "平潭综合实验区")
    f = audit_reports([this], store=store).findings
    # The one wrong cell breaks its row, its column and the carry-over by the same amount: one finding.
    [co] = f[f.also_rules.map(lambda rules: "carry_over.requests" in rules)].to_dict("records")
    assert co["also_rules"] == ["arithmetic.requests_row_total", "carry_over.requests"]
    assert "requests.carried_over.total" in co["keys"] and "报告库" in co["evidence"]
    assert last.sha256 in co["evidence"] and "表三各行总计" in co["evidence"]


def test_repetition_against_last_year(batch) -> None:
    last, this = pingtan(batch, "009_pingtan-shiyanqu_2022.txt"), pingtan(batch, "011_pingtan-shiyanqu_2023.html")
    assert not len(audit_reports([this, last]).findings.query("category == 'repetition'"))
    this.sections["problems"] = last.sections["problems"].replace("2022", "2023").replace("2023年", "2024年")
    rep = audit_reports([this, last]).findings.query("category == 'repetition'")
    assert list(rep["keys"]) == [["section.problems"]] and rep.iloc[0].actual > 0.5


# --------------------------------------------------------------------------- completeness, values


def test_gaps_and_impossible_values(batch) -> None:
    from auditkit.record import Diagnostic

    r = pingtan(batch, "016_pingtan-caizhengjinrongju_2022.txt")
    r.sections["problems"] = "无。"
    blank = "requests.granted.research"
    r.cells[blank] = None
    r.diagnostics.append(Diagnostic("blank_cell", "blank", key=blank, found=""))
    appeals = format_spec("2021").tables["appeals"].keys
    for k in appeals:
        r.cells[k] = None
    r.diagnostics.append(Diagnostic("missing_table", "no table 4", key=appeals[0], keys=appeals))
    r.cells["active.penalties.decisions"] = -1
    result = audit_reports([r])
    f = result.findings.set_index("rule_id")
    assert f.loc["completeness.problems_empty", "severity"] == "warning"
    assert f.loc["completeness.problems_empty", "keys"] == ["section.problems"]
    assert f.loc["completeness.blank_cell", "keys"] == [blank]
    assert f.loc["completeness.missing_table", "severity"] == "critical"
    assert f.loc["completeness.missing_table", "keys"] == ["table.appeals"]
    assert "completeness.missing_row" not in f.index  # a missing table is one finding, not five rows
    assert f.loc["structure.non_negative", "keys"] == ["active.penalties.decisions"]
    assert f.loc["structure.non_negative", "severity"] == "critical"
    # the blank cell is not taken for 0: the checks through it are skipped, with the reason
    skipped = result.skipped.set_index("rule_id")
    assert "单元格空白" in skipped.loc["arithmetic.requests_row_total", "reason"]


# --------------------------------------------------------------------------- timeliness


def test_late_publication(batch) -> None:
    dept = pingtan(batch, "016_pingtan-caizhengjinrongju_2022.txt")
    dept.published = "2023-02-15"  # a 局: due by 31 January
    zone = pingtan(batch, "009_pingtan-shiyanqu_2022.txt")
    zone.published = "2023-03-30"  # a government (实验区): due by 31 March
    f = audit_reports([dept, zone]).findings
    late = f[f.rule_id == "timeliness.deadline"]
    assert list(late.source) == [dept.source] and late.iloc[0].difference == "逾期15天"


def test_a_report_without_agency_or_year_is_flagged_not_silently_skipped(batch) -> None:
    # A title lost in conversion: the reader finds neither; the checks that need them cannot run.
    nameless = pingtan(batch, "010_pingtan-shiyanqu_2023.txt")
    nameless.agency, nameless.year = None, None
    named = pingtan(batch, "016_pingtan-caizhengjinrongju_2022.txt")
    f = audit_reports([nameless, named]).findings
    flagged = f[f.rule_id.isin(["structure.agency_unknown", "structure.year_unknown"])]
    assert sorted(flagged.rule_id) == ["structure.agency_unknown", "structure.year_unknown"]
    assert set(flagged.source) == {nameless.source} and set(flagged.severity) == {"warning"}
    assert {k for keys in flagged["keys"] for k in keys} == {"meta.agency", "meta.year"}


# --------------------------------------------------------------------------- mutations


def clean_reports(batch) -> list[Report]:
    """Reports whose requests and appeals tables were read whole, directly, with no listed defect there."""
    out = []
    for r in batch.reports:
        keys = [k for t in ("requests", "appeals") for k in format_spec(r.format).tables[t].keys]
        recovered = any(d.code == "recovered_by_arithmetic" for d in r.diagnostics)
        listed = any(d["kind"] == "arithmetic" for d in truth(r)["defects"])
        if all(r.cells.get(k) is not None for k in keys) and not recovered and not listed:
            out.append(r)
    return out


def test_every_single_cell_mutation_is_caught(batch) -> None:
    clean = clean_reports(batch)
    assert clean, "no sample with both tables read whole"
    mutants, mutated = [], []
    for r in clean:
        assert not len(audit_reports([r]).failed("critical").query("category == 'arithmetic'"))
        for key in (k for t in ("requests", "appeals") for k in format_spec(r.format).tables[t].keys):
            m = copy.deepcopy(r)
            m.cells[key] = m.cells[key] + 1
            m.source, m.sha256 = f"mutant/{Path(r.source).name}/{key}", f"{r.sha256}:{key}"
            m.agency = f"{r.agency}-{Path(r.source).name}-{key}"  # no copies, no priors among mutants
            mutants.append(m)
            mutated.append(key)
    result = audit_reports(mutants)  # one batch, one validation run per suite
    f = result.failed("critical")
    f = f[f.category == "arithmetic"]
    by_source = f.groupby("source")["keys"].agg(lambda ks: {k for keys in ks for k in keys})
    missed = [(m.source, key) for m, key in zip(mutants, mutated, strict=True)
              if key not in by_source.get(m.source, set())]
    assert not missed, missed[:10]
    assert len(mutants) >= 190


def test_gx_flags_exactly_what_the_rules_mean(batch) -> None:
    """The GX run against the same rules evaluated in plain pandas, on the samples and some damage."""
    from auditkit.frames import build_frames
    from auditkit.rules.plain import evaluate_plain
    from auditkit.rules.validate import validate
    from auditkit.store import resolve_priors

    reports = [copy.deepcopy(r) for r in batch.reports]
    reports[0].cells["requests.granted.total"] += 3
    reports[5].cells["appeals.reconsideration.upheld"] = -1
    reports[6].published, reports[10].published = "2024-04-02", "2023-02-01"
    reports[11].sections["problems"] = "无"
    frames = build_frames(reports, resolve_priors(reports))
    plain = evaluate_plain(frames)
    outcomes = validate(frames)
    assert sum(len(o.failed_rows) for o in outcomes) > 20
    for o in outcomes:
        assert sorted(o.failed_rows.tolist()) == sorted(plain[o.rule.rule_id].tolist()), o.rule.rule_id


# --------------------------------------------------------------------------- run_audit


def test_run_audit_writes_results_and_keeps_records(tmp_path: Path) -> None:
    out, store = tmp_path / "out", tmp_path / "store.sqlite"
    result = run_audit([], out, store=store)  # no paths: the bundled samples
    # 12 files, 8 reports: the 2023 report of 平潭综合实验区 is five files, audited once on its web page
    assert result.counts["reports"] == 8 and result.counts["copies"] == 4 and not result.failures
    records = [json.loads(x) for x in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) == 12 and all("cells" in r for r in records)
    lines = (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(result.findings)
    assert json.loads(lines[0])["finding_id"] == result.findings.iloc[0].finding_id
    raw = (out / "findings.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 with a BOM
    rows = list(csv.DictReader((out / "findings.csv").open(encoding="utf-8-sig")))
    assert len(rows) == len(result.findings) and rows[0]["description"]
    assert (out / "checks.csv").exists() and "严重" in (out / "summary.txt").read_text(encoding="utf-8")
    assert audit_status(result) == 0 and audit_status(result, "critical") == 3
    assert "共审核年度报告 8 份" in result.summary

    from auditkit.store import ReportStore

    with ReportStore(store) as s:
        assert s.count() == 12
    again = run_audit([], tmp_path / "out2", store=store)  # same files: no duplicates, same ids
    with ReportStore(store) as s:
        assert s.count() == 12
    assert list(again.findings.finding_id) == list(result.findings.finding_id)
    assert result.findings.finding_id.is_unique


def test_unreadable_input_sets_exit_1(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = run_audit([empty], tmp_path / "out", store=tmp_path / "s.sqlite")
    assert result.counts["unreadable"] == 1 and audit_status(result) == 1
    assert "无法读取" in result.summary
    rec = json.loads((tmp_path / "out" / "records.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert rec["error"] == "empty"


def test_rule_catalogue() -> None:
    cat = rule_catalogue()
    assert {"rule_id", "category", "severity", "description", "basis"} <= set(cat.columns)
    assert cat.rule_id.is_unique and len(cat) >= 25
