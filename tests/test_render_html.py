"""audit.html from a real audit of the bundled samples: offline, complete, numbers equal to findings.csv."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lxml import html as lxml_html

from auditkit.errors import NotAnAuditFolder
from auditkit.formats import format_spec
from auditkit.render.html import write_audit_html
from auditkit.render.offline import outside_references
from auditkit.render.rule_names import rule_name
from tests.conftest import read_findings_csv, read_problems_csv

MAX_BYTES_300 = 5_000_000


def records(audit: Path) -> list[dict]:
    return [json.loads(x) for x in (audit / "records.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]


def kpi(doc, key: str) -> str:
    return doc.xpath(f'//*[@data-kpi="{key}"]/span[@class="n"]')[0].text_content().strip()


def count_rows(doc, table_id: str) -> dict[str, list[int]]:
    out = {}
    for tr in doc.xpath(f'//table[@id="{table_id}"]/tbody/tr'):
        out[tr.get("data-key")] = [int(td.text_content()) for td in tr.xpath("td")[1:]]
    return out


def test_page_is_written_and_references_no_other_host(audit_dir: Path) -> None:
    path = write_audit_html(audit_dir)
    assert path == audit_dir / "audit.html"
    page = path.read_text(encoding="utf-8")
    assert outside_references(page) == []
    # Stricter than the parser for our own page: no URL scheme or protocol-relative path anywhere.
    for needle in ("http:", "https:", "src=\"//", "href=\"//", "url(//", "@import"):
        assert needle not in page, needle
    doc = lxml_html.fromstring(page.encode("utf-8"))
    for script in doc.xpath("//script"):
        assert script.get("src") is None
        assert "//" not in script.text_content()
    assert not doc.xpath("//link[@rel='stylesheet'] | //iframe | //img[not(starts-with(@src, 'data:'))]")


def test_checker_finds_every_kind_of_outside_reference() -> None:
    # The offline tests rely on this checker: it must catch each way a page can reach out.
    page = ('<link rel="stylesheet" href="https://cdn.example/x.css"><img src="//img.example/a.png">'
            '<img srcset="a.png 1x, http://img.example/b.png 2x"><a href="https://gov.example">x</a>'
            '<div style="background:url(\'http://bg.example/c.png\')"></div>'
            '<style>/* http://only.a.comment */ @import "https://font.example/f.css"; p{src:url(//f.example/x.woff)}</style>'
            '<svg><image xlink:href="https://svg.example/i.png"/></svg><meta http-equiv="refresh" content="0; url=http://r.example">'
            '<script src="https://js.example/a.js"></script><script>fetch("https://api.example")</script>'
            '<script type="application/json">{"u": "https://data.only"}</script>'
            '<img src="data:image/png;base64,AAAA"><a href="#here">ok</a><img src="local.png">')
    found = outside_references(page)
    for host in ("cdn.example", "img.example/a", "img.example/b", "gov.example", "bg.example", "font.example",
                 "f.example", "svg.example", "r.example", "js.example", "api.example"):
        assert any(host in f for f in found), host
    assert not any("only.a.comment" in f or "data.only" in f or "local.png" in f for f in found)
    assert len(found) == 11
    assert not any("gov.example" in f for f in outside_references(page, links=False))
    trusted = 'fetch("https://api.example")'
    assert not any("api.example" in f for f in outside_references(page, trusted=[trusted]))


def test_summary_numbers_equal_findings_csv(audit_dir: Path) -> None:
    doc = lxml_html.fromstring(write_audit_html(audit_dir).read_bytes())
    csv = read_problems_csv(audit_dir)
    recs = records(audit_dir)
    assert int(kpi(doc, "reports")) == sum("error" not in r for r in recs) == 12
    assert int(kpi(doc, "unreadable")) == sum("error" in r for r in recs)
    failed = csv[csv["status"] == "failed"]
    assert int(kpi(doc, "failed")) == len(failed) > 0
    everything = read_findings_csv(audit_dir)
    assert int(kpi(doc, "readings")) == (everything["queue"] == "reading").sum() > 0
    for sev in ("critical", "warning", "info"):
        assert int(kpi(doc, f"failed-{sev}")) == (failed["severity"] == sev).sum()
    assert kpi(doc, "reviewed") == f"0 / {len(csv)}"
    by_sev = count_rows(doc, "by-severity")
    for sev, (n_failed, n_unverified, n_total, n_reviewed) in by_sev.items():
        sel = csv[csv["severity"] == sev]
        assert (n_failed, n_unverified, n_total, n_reviewed) == ((sel["status"] == "failed").sum(),
                                                                 (sel["status"] == "unverified").sum(), len(sel), 0)
    for key, column in (("by-category", "category"), ("by-rule", "rule_id"), ("by-agency", "agency")):
        rows = count_rows(doc, key)
        expected = csv.groupby(column).size().to_dict()
        assert {k: v[2] for k, v in rows.items()} == expected, key
        assert {k: v[0] for k, v in rows.items()} == failed.groupby(column).size().reindex(
            list(expected), fill_value=0).to_dict()
    # The chart draws one bar segment per (category, severity) of failed findings.
    bars = doc.xpath('(//section[@id="summary"]//svg)[1]//rect[title]')
    assert len(bars) == failed.groupby(["category", "severity"]).ngroups
    # The findings table holds every finding, the rule catalogue every rule.
    assert len(doc.xpath('//table[@id="findings-table"]/tbody/tr')) == len(csv)
    from auditkit import rule_catalogue

    assert len(doc.xpath('//table[@id="rule-table"]/tbody/tr')) == len(rule_catalogue())


def test_each_report_has_its_tables_findings_and_highlighted_cells(audit_dir: Path) -> None:
    doc = lxml_html.fromstring(write_audit_html(audit_dir).read_bytes())
    findings = [json.loads(x) for x in (audit_dir / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    sections = doc.xpath('//details[@class="report"]')
    reports = [r for r in records(audit_dir) if "error" not in r]
    assert len(sections) == len(reports)
    by_file = {r["source"]: r for r in reports}
    for section in sections:
        source = section.xpath('.//dt[starts-with(., "来源文件")]/following-sibling::dd[1]')[0].text.strip()
        rec = by_file[source]
        box = section.xpath('.//div[@class="rtables"]')[0]
        keys = format_spec(rec["format"]).keys
        values = box.get("data-v").split(",")
        assert len(values) == len(keys)
        for key, value in zip(keys, values, strict=True):
            cell = rec["cells"][key]
            assert (value.startswith("~") if cell is None else float(value) == float(cell)), key
        mine = [f for f in findings if f["source"] == rec["source"] and f["queue"] != "reading"]
        marked = {keys[int(i)] for i in json.loads(box.get("data-h"))}
        assert marked == {k for f in mine for k in f["keys"] if k in keys}
        assert {a.get("id") for a in section.xpath('.//div[starts-with(@class, "finding ")]')} == {
            f"f-{f['finding_id']}" for f in mine}
    # Each format in use is drawn once, in the official layout: 25 (2021) or 23 (2019) request rows.
    for fmt, rows in (("2021", 25), ("2019", 23)):
        tpl = doc.xpath(f'//template[@id="tpl-{fmt}"]')[0]
        assert len(tpl.xpath('.//div[@data-table="requests"]//tbody/tr')) == rows
        slots = sorted(int(td.get("data-i")) for td in tpl.xpath(".//td[@data-i]"))
        assert slots == list(range(len(format_spec(fmt).keys)))


def test_decisions_notes_and_unreadable_files_are_shown(audit_dir: Path) -> None:
    from auditkit.review.log import ReviewLog

    csv = read_problems_csv(audit_dir)
    first, second = csv["finding_id"].iloc[0], csv["finding_id"].iloc[1]
    log = ReviewLog.for_audit(audit_dir)
    log.record(first, "dismissed", note="表格实为合并单元格 <b>误读</b>", reviewer="张三")
    log.record(second, "confirmed", note="初判", reviewer="李四")
    log.record(second, "follow_up", note="已函询机关", reviewer="李四")
    log.record("0000000000000000", "confirmed", note="旧问题")  # a finding that no longer occurs
    with (audit_dir / "records.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"source": "/in/坏文件.pdf", "error": "encrypted", "message": "文件已加密 (encrypted)"},
                            ensure_ascii=False) + "\n")
    page = write_audit_html(audit_dir).read_text(encoding="utf-8")
    doc = lxml_html.fromstring(page.encode("utf-8"))
    assert kpi(doc, "reviewed") == f"2 / {len(csv)}"
    assert kpi(doc, "unreadable") == "1"
    assert count_rows(doc, "by-decision") == {"confirmed": [0], "dismissed": [1], "follow_up": [1],
                                              "none": [len(csv) - 2]}
    rows = {tr.xpath("td")[-1].xpath(".//a")[0].get("href"): tr for tr in doc.xpath('//table[@id="findings-table"]/tbody/tr')}
    assert rows[f"#f-{first}"].xpath("td")[9].text_content() == "排除（误报）"
    assert rows[f"#f-{second}"].xpath("td")[9].text_content() == "待跟进"
    note = doc.xpath(f'//div[@id="f-{second}"]//p[@class="note"]')[0].text_content()
    assert "已函询机关" in note and "李四" in note and "初判" not in note
    assert "表格实为合并单元格 &lt;b&gt;误读&lt;/b&gt;" in page  # notes are text, never markup
    assert "1 条审核记录所对应的问题在本次审核中不再出现" in page
    unreadable = doc.xpath('//table[@id="unreadable"]/tbody/tr')[0].text_content()
    assert "坏文件.pdf" in unreadable and "encrypted" in unreadable


def test_document_text_is_escaped(audit_dir: Path) -> None:
    # A report is untrusted input: an agency name that is markup must arrive as text.
    evil = '<img src=x onerror="alert(1)">局'
    for name in ("records.jsonl", "findings.jsonl"):
        path = audit_dir / name
        lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
        for x in lines:
            if "agency" in x:
                x["agency"] = evil
        path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    page = write_audit_html(audit_dir).read_text(encoding="utf-8")
    assert "onerror=" not in page.replace("onerror=&quot;", "")
    doc = lxml_html.fromstring(page.encode("utf-8"))
    # The only pictures are the pages findings cite, drawn here as data: URIs; none from the report's text.
    assert all(img.get("src", "").startswith("data:image/jpeg;base64,") and not img.get("onerror")
               for img in doc.xpath("//img"))
    assert evil in doc.xpath('//table[@id="findings-table"]/tbody/tr[1]/td[3]')[0].text_content()


def test_not_an_audit_folder(tmp_path: Path) -> None:
    with pytest.raises(NotAnAuditFolder, match=r"findings\.jsonl"):
        write_audit_html(tmp_path)


def build_many(audit: Path, dest: Path, n: int) -> tuple[int, int]:
    """An audit folder of ``n`` reports: the samples' records and findings repeated under new agency names."""
    recs = [r for r in records(audit) if "error" not in r]
    findings = [json.loads(x) for x in (audit / "findings.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    dest.mkdir(parents=True)
    out_r, out_f = [], []
    for i in range(n):
        base = recs[i % len(recs)]
        sha = hashlib.sha256(f"{base['sha256']}{i}".encode()).hexdigest()
        rec = dict(base, agency=f"{base['agency']}第{i:03d}分局", sha256=sha,
                   source=f"reports/{i:03d}_{Path(base['source']).name}")
        out_r.append(rec)
        for f in findings:
            if f["source"] == base["source"] and f["sha256"] == base["sha256"]:
                out_f.append(dict(f, agency=rec["agency"], sha256=sha, source=rec["source"],
                                  finding_id=hashlib.sha256((f["finding_id"] + sha).encode()).hexdigest()[:16]))
    (dest / "records.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in out_r), encoding="utf-8")
    (dest / "findings.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in out_f),
                                         encoding="utf-8")
    shutil.copy(audit / "checks.csv", dest / "checks.csv")
    return len(out_r), len(out_f)


def test_300_reports_stay_under_5_mb(sample_audit_dir: Path, tmp_path: Path) -> None:
    n_reports, n_findings = build_many(sample_audit_dir, tmp_path / "many", 300)
    assert n_reports == 300 and n_findings >= 300
    started = time.perf_counter()
    path = write_audit_html(tmp_path / "many")
    seconds = time.perf_counter() - started
    size = path.stat().st_size
    print(f"\naudit.html for {n_reports} reports, {n_findings} findings: {size / 1e6:.2f} MB in {seconds:.1f} s")
    assert size < MAX_BYTES_300
    doc = lxml_html.fromstring(path.read_bytes())
    assert len(doc.xpath('//details[@class="report"]')) == 300
    many = [json.loads(x) for x in (tmp_path / "many" / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(many) == n_findings
    assert len(doc.xpath('//table[@id="findings-table"]/tbody/tr')) == sum(f["queue"] != "reading" for f in many)


def test_import_auditkit_does_not_load_the_renderers() -> None:
    code = "import sys, auditkit; print(sorted(m for m in sys.modules if m.startswith(('auditkit.render', 'pandas'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# -- issue 14: sign-off, where a finding came from, readings apart, rules named in Chinese ----------------


def test_sign_off_is_shown_beside_each_decision(audit_dir: Path) -> None:
    from auditkit.review.log import ReviewLog

    csv = read_problems_csv(audit_dir)
    first, second = csv["finding_id"].iloc[0], csv["finding_id"].iloc[1]
    log = ReviewLog.for_audit(audit_dir)
    log.record(first, "confirmed", note="核实无误", reviewer="张三")
    log.sign_off(first, "approved", reviewer="李四")
    log.record(second, "follow_up", note="待函询", reviewer="张三")
    doc = lxml_html.fromstring(write_audit_html(audit_dir).read_bytes())
    assert kpi(doc, "signed-off") == f"1 / {len(csv)}"
    rows = {tr.xpath("td")[-1].xpath(".//a")[0].get("href"): tr for tr in doc.xpath('//table[@id="findings-table"]/tbody/tr')}
    assert rows[f"#f-{first}"].xpath("td")[10].text_content() == "已复核"
    assert rows[f"#f-{second}"].xpath("td")[10].text_content() == "待复核"
    note = doc.xpath(f'//div[@id="f-{first}"]//p[@class="note"]')[0].text_content()
    assert "复核：已复核" in note and "李四" in note


def test_each_finding_links_to_where_it_came_from(audit_dir: Path) -> None:
    page = write_audit_html(audit_dir).read_text(encoding="utf-8")
    doc = lxml_html.fromstring(page.encode("utf-8"))
    kinds = {r["source"]: r.get("kind") for r in records(audit_dir) if "error" not in r}
    found: dict[str, list] = {}
    for div in doc.xpath('//div[contains(@class,"finding")][details[@class="origin"]]'):
        report = div.xpath("ancestor::details[@class='report']")[0]
        source = report.xpath(".//dl[@class='meta']/dd")[4].text_content().split(" (")[0].strip()
        found.setdefault(kinds.get(source, "?"), []).append(div)
    assert {"pdf", "html", "text"} <= set(found)
    pictures = doc.xpath('//figure[@class="ak-origin-page"]/img')
    assert pictures and all(img.get("src").startswith("data:image/jpeg;base64,") for img in pictures)
    # Each picture is embedded once; the page stays small enough to mail.
    sources = [img.get("src") for img in pictures]
    assert len(sources) == len(set(sources)) and sum(map(len, sources)) < 600_000
    row = found["html"][0].xpath('.//figure[@class="ak-origin-row"]//td')
    assert row and any("font-weight:bold" in (td.get("style") or "") for td in row)
    assert found["text"][0].xpath('.//figure[@class="ak-origin-lines"]//span[@class="hit"]')
    assert not outside_references(page, links=False)


def test_readings_are_listed_apart_and_not_counted(audit_dir: Path) -> None:
    path = audit_dir / "findings.jsonl"
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    for x in rows:
        x["queue"] = "reading" if x["rule_id"] == "structure.unreadable" else "problem"
        x["also_rules"] = ["arithmetic.requests_outcomes"] if x["rule_id"] == "arithmetic.requests_row_total" else []
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in rows), encoding="utf-8")
    readings = [x for x in rows if x["queue"] == "reading"]
    assert readings
    doc = lxml_html.fromstring(write_audit_html(audit_dir).read_bytes())
    assert len(doc.xpath('//table[@id="findings-table"]/tbody/tr')) == len(rows) - len(readings)
    assert len(doc.xpath('//table[@id="readings-table"]/tbody/tr')) == len(readings)
    assert doc.xpath('//section[@id="readings"]/h2')[0].text_content().startswith("需人工核对读数")
    assert rule_name("structure.unreadable") in doc.xpath('//table[@id="readings-table"]')[0].text_content()
    merged = [d for d in doc.xpath('//div[contains(@class,"finding")]') if "同时违反" in d.text_content()]
    assert merged and rule_name("arithmetic.requests_outcomes") in merged[0].text_content()


def test_rules_are_named_in_chinese_with_the_id_beside(audit_dir: Path) -> None:
    doc = lxml_html.fromstring(write_audit_html(audit_dir).read_bytes())
    cell = doc.xpath('//table[@id="findings-table"]/tbody/tr[1]/td[6]')[0]
    assert cell.xpath("code[@class='rid']") and any("\u4e00" <= ch <= "\u9fff" for ch in cell.text_content())
    assert "审阅" not in doc.text_content() and "实为" not in doc.text_content().replace("表格实为", "")


def test_past_the_limit_of_originals_a_finding_quotes_the_cell(audit_dir: Path) -> None:
    from auditkit.render.origin import Origins

    pdf = next(r for r in records(audit_dir) if r.get("kind") == "pdf")
    key = next(k for k, p in pdf["provenance"].items() if p["location"].startswith("page"))
    opened = Origins().html(pdf, [key])
    assert "data:image/jpeg;base64," in opened
    quoted = Origins(max_files=0).html(pdf, [key])  # a national batch: no original opened again
    assert "data:" not in quoted and f"「{pdf['provenance'][key]['text']}」" in quoted and "第" in quoted
