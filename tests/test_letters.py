"""Letters to the agencies (``auditkit letters``), read back from the Word files: the confirmed findings of the
sample audit with their cells, sentences and figures, the deadline; dismissed findings absent; every field filled;
report text never run as template code; the user's own template."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
import zipfile
from datetime import date
from fnmatch import fnmatch
from pathlib import Path

import docx
import pytest

from auditkit.cli import main
from auditkit.errors import UsageError
from auditkit.letters import DEFAULT_TEMPLATE, add_working_days, chinese_number, reply_deadline, write_letters
from auditkit.review.log import ReviewLog
from tests.conftest import ROOT

HONGZE = "淮安市洪泽区人民政府"
PINGTAN = "平潭综合实验区"
CHENGXIANG = "城乡一体化示范区党政办公室"
LETTER_DATE = date(2026, 12, 3)  # a Thursday: 15 working days later is Thursday 24 December


def findings_of(audit: Path) -> list[dict]:
    return [json.loads(x) for x in (audit / "findings.jsonl").read_text(encoding="utf-8").splitlines()]


def decide(audit: Path) -> dict[str, list[dict]]:
    """洪泽区: two findings confirmed, its merged rows dismissed; 平潭 2023: the text-against-table figure
    confirmed (one finding: the report's five files are audited once); 城乡: nothing."""
    log = ReviewLog.for_audit(audit)
    out: dict[str, list[dict]] = {"confirmed": [], "dismissed": []}
    for f in findings_of(audit):
        if f["agency"] == HONGZE and f["rule_id"] in ("narrative.figure_qualified", "label.wording"):
            log.record(f["finding_id"], "confirmed", note="经与原文核对 属实\n请一并说明", reviewer="李四")
            out["confirmed"].append(f)
        elif f["agency"] == HONGZE and f["rule_id"] == "structure.merged_row":
            log.record(f["finding_id"], "confirmed", reviewer="李四")
            log.record(f["finding_id"], "dismissed", note="格式允许", reviewer="王五")
            out["dismissed"].append(f)
        elif f["agency"] == PINGTAN and f["year"] == 2023 and f["rule_id"] == "narrative.figure_plain" \
                and f["status"] == "failed":
            log.record(f["finding_id"], "confirmed", reviewer="李四")
            out["confirmed"].append(f)
    return out


def letter_text(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def document_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))


def test_one_letter_per_agency_with_its_confirmed_findings(audit_dir: Path) -> None:
    decided = decide(audit_dir)
    paths = write_letters(audit_dir, issuer="某市人民政府办公室", date=LETTER_DATE)
    assert [p.name for p in paths] == [f"{PINGTAN}_审核意见书.docx", f"{HONGZE}_审核意见书.docx"]
    assert all(p.parent == audit_dir / "letters" for p in paths)
    text = letter_text(paths[1])
    assert text.startswith("政府信息公开工作年度报告审核意见书")
    assert f"\n{HONGZE}：\n" in text
    assert "经审核你单位《2024年政府信息公开工作年度报告》，发现以下2个问题" in text
    # Each confirmed finding: its cells as the report prints them, the sentence quoted, the figures.
    assert "（一）正文所述数字与表格不一致" in text and "（二）标题或表格行、列名称" in text
    assert "涉及单元格：表三 一、本年新收政府信息公开申请数量 — 总计" in text
    assert "「2024年，区政府办代表区政府受理政府信息公开申请17件，均已在法定期限内予以答复。」" in text
    assert "数值：正文 17 / 表格 95" in text
    assert "涉及单元格：表三 三、本年度办理结果（三）不予公开 2.其他法律行政法规禁止公开 — 各列" in text
    assert "原文：「2.其他法律行政止公开」（第3页 第2个表格 第9行 第3列）" in text
    assert "整改要求：请核实正文所述数字与表格数字" in text
    assert "审核意见：经与原文核对 属实 请一并说明" in text  # the note, on one line
    assert "报告：《2024年政府信息公开工作年度报告》（002_huaian-hongzequ_2024.pdf）" in text
    # The dismissed finding is not in the letter.
    assert decided["dismissed"] and "合并" not in text and "（六）其他处理" not in text
    # The deadline (15 working days after the letter's date), the issuer and the date.
    assert "于2026年12月24日前完成整改并将整改情况书面回复我单位" in text
    assert text.rstrip().endswith("某市人民政府办公室\n2026年12月3日")
    # Every field filled: no tag left anywhere in the document, no key or path of this machine.
    xml = document_xml(paths[1])
    for leftover in ("{{", "}}", "{%", "%}", "requests.", "/work/", str(audit_dir)):
        assert leftover not in xml, leftover


def test_copies_of_one_report_are_one_item_naming_each_copy(audit_dir: Path) -> None:
    decided = decide(audit_dir)
    [finding] = [f for f in decided["confirmed"] if f["agency"] == PINGTAN and f["year"] == 2023]
    # Audited once on the web page; its PDF and Word attachments and the crawler's text copy are its copies.
    assert Path(finding["source"]).name == "011_pingtan-shiyanqu_2023.html" and len(finding["copies"]) == 4
    copies = sorted(Path(f).name for f in [finding["source"], *finding["copies"]])
    text = letter_text(write_letters(audit_dir, agency=PINGTAN, date=LETTER_DATE)[0])
    headings = [line for line in text.splitlines() if line.startswith(("（一）", "（二）"))]
    assert "发现以下1个问题" in text and headings == ["（一）正文明确表述的数字与表格中对应数字不一致。"]
    assert f"报告：《2023年政府信息公开工作年度报告》（{'、'.join(copies)}）" in text
    assert "「按照省政府办公厅相关工作要求设立规范性文件库，清理并集中发布现行有效行政规范性文件393件" in text
    assert "涉及单元格：表二 第二十条第（一）项 行政规范性文件 — 现行有效件数" in text
    assert "数值：正文 393 / 表格 470" in text
    assert "政府信息公开工作主管部门\n2026年12月3日" in text  # the default issuer


def test_cli_letters_names_agencies_without_a_letter(audit_dir: Path, tmp_path: Path, capsys) -> None:
    decide(audit_dir)
    out = tmp_path / "信函"
    assert main(["letters", str(audit_dir), "--out", str(out), "--issuer", "某市政务公开办", "--date", "2026-12-03",
                 "--deadline", "2026-12-31"]) == 0
    err = capsys.readouterr().err
    assert f"{CHENGXIANG}：没有已确认的问题，未生成审核意见书" in err
    assert "共生成审核意见书 2 份" in err and "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{PINGTAN}_审核意见书.docx", f"{HONGZE}_审核意见书.docx"])
    text = letter_text(out / f"{HONGZE}_审核意见书.docx")
    assert "于2026年12月31日前完成整改" in text and "某市政务公开办\n2026年12月3日" in text
    # --agency limits the letters; a name not in the audit is a usage error with a suggestion.
    assert main(["letters", str(audit_dir), "--agency", HONGZE, "--out", str(tmp_path / "one"), "--deadline", "10"]) == 0
    assert [p.name for p in (tmp_path / "one").iterdir()] == [f"{HONGZE}_审核意见书.docx"]
    capsys.readouterr()
    assert main(["letters", str(audit_dir), "--agency", "淮安市洪泽区政府"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"您是否要输入 {HONGZE}？" in err
    assert main(["letters", str(audit_dir), "--deadline", "下周"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_no_decision_no_letter(audit_dir: Path, capsys) -> None:
    assert main(["letters", str(audit_dir)]) == 0
    err = capsys.readouterr().err
    assert "共生成审核意见书 0 份" in err and f"{HONGZE}：没有已确认的问题" in err
    assert not list((audit_dir / "letters").iterdir())
    assert not (audit_dir / "review.sqlite").exists()  # reading decisions created no log


def test_report_text_is_never_template_code(audit_dir: Path) -> None:
    # An agency name and a note holding template tags and XML are written as text, never run.
    hostile = "{{ 7*7 }}{% for x in range(3) %}X{% endfor %}<w:t>&amp;'\"机关\x07"
    lines = findings_of(audit_dir)
    for f in lines:
        if f["agency"] == HONGZE:
            f["agency"] = hostile
            f["evidence"] = "「{{ config }}{%p endfor %}」"
    (audit_dir / "findings.jsonl").write_text("".join(json.dumps(f, ensure_ascii=False) + "\n" for f in lines),
                                              encoding="utf-8")
    target = next(f for f in lines if f["agency"] == hostile)
    ReviewLog.for_audit(audit_dir).record(target["finding_id"], "confirmed", note="{{ issuer }}{% raw %}", reviewer="x")
    [path] = write_letters(audit_dir, date=LETTER_DATE)
    text = letter_text(path)
    shown = hostile.replace("\x07", "")
    assert f"\n{shown}：\n" in text
    assert "「{{ config }}{%p endfor %}」" in text and "审核意见：{{ issuer }}{% raw %}" in text
    assert "49" not in text and "XXX" not in text
    assert path.name.endswith("_审核意见书.docx") and "/" not in path.name and "<" not in path.name


def test_the_users_own_template(audit_dir: Path, tmp_path: Path, capsys) -> None:
    decide(audit_dir)
    own = tmp_path / "own.docx"
    d = docx.Document()
    for line in ("通知 致{{ agency }}：共{{ count }}项，{{ years }}", "{%p for f in findings %}",
                 "{{ f.number }}|{{ f.severity }}|{{ f.category }}|{{ f.cells }}|{{ f.files }}", "{%p endfor %}",
                 "{{ issuer }} {{ date }} 限{{ deadline }}（{{ working_days }}个工作日）"):
        d.add_paragraph(line)
    d.save(str(own))
    [path] = write_letters(audit_dir, tmp_path / "out", template=own, agency=HONGZE, issuer="甲", date=LETTER_DATE)
    lines = letter_text(path).splitlines()
    assert lines == [f"通知 致{HONGZE}：共2项，2024年度",
                     "1|警告|文字与表格一致|表三 一、本年新收政府信息公开申请数量 — 总计|002_huaian-hongzequ_2024.pdf",
                     "2|警告|标题与用语|表三 三、本年度办理结果（三）不予公开 2.其他法律行政法规禁止公开 — 各列|"
                     "002_huaian-hongzequ_2024.pdf",
                     "甲 2026年12月3日 限2026年12月24日（15个工作日）"]
    # A misspelt field, a reach into Python, a file that is not Word: one line each, exit 2.
    for bad, says in (("{{ agnecy }}", "信函模板有误"), ("{{ ''.__class__.__mro__ }}", "信函模板有误")):
        d = docx.Document()
        d.add_paragraph(bad)
        d.save(str(own))
        assert main(["letters", str(audit_dir), "--template", str(own), "--out", str(tmp_path / "bad")]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and says in err and "Traceback" not in err
    own.write_text("not a word file", encoding="utf-8")
    assert main(["letters", str(audit_dir), "--template", str(own)]) == 2
    assert "不是可用的 Word 模板" in capsys.readouterr().err
    assert main(["letters", str(audit_dir), "--template", str(tmp_path / "none.docx")]) == 2
    assert "信函模板不存在" in capsys.readouterr().err


@pytest.mark.libreoffice
def test_a_letter_opens_in_a_word_processor(audit_dir: Path, tmp_path: Path) -> None:
    decide(audit_dir)
    [path] = write_letters(audit_dir, agency=HONGZE, date=LETTER_DATE)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)], check=True, capture_output=True,
                   timeout=180)
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(tmp_path / path.with_suffix(".pdf").name))
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    text = "".join(text.split())  # the word processor spaces digits from Chinese: compare without white space
    assert HONGZE in text and "2026年12月24日" in text and "区政府办代表区政府受理政府信息公开申请17件" in text


def test_reply_deadline_counts_working_days_or_takes_a_date() -> None:
    assert add_working_days(LETTER_DATE, 1) == date(2026, 12, 4) and add_working_days(LETTER_DATE, 2) == date(2026, 12, 7)
    assert reply_deadline(LETTER_DATE) == (date(2026, 12, 24), 15)
    assert reply_deadline(LETTER_DATE, "5") == (date(2026, 12, 10), 5)
    assert reply_deadline(LETTER_DATE, "2027-01-15") == (date(2027, 1, 15), None)
    for bad in ("2026-12-01", "0", "明天"):
        with pytest.raises(UsageError):
            reply_deadline(LETTER_DATE, bad)
    assert [chinese_number(n) for n in (1, 10, 12, 20, 21, 99)] == ["一", "十", "十二", "二十", "二十一", "九十九"]


def test_the_shipped_template_is_what_the_script_builds(tmp_path: Path) -> None:
    script = ROOT / "scripts" / "build_letter_template.py"
    subprocess.run([sys.executable, str(script), str(tmp_path / "letter.docx")], check=True, timeout=120)
    with zipfile.ZipFile(tmp_path / "letter.docx") as built, zipfile.ZipFile(DEFAULT_TEMPLATE) as shipped:
        assert built.namelist() == shipped.namelist()
        for name in built.namelist():
            assert built.read(name) == shipped.read(name), name
    # ... and the wheel carries it.
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]
    relative = DEFAULT_TEMPLATE.relative_to(ROOT / "auditkit").as_posix()
    assert any(fnmatch(relative, g) for g in globs["auditkit"])
