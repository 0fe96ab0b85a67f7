"""Letters to the agencies: one Word document per agency (审核意见书 / 整改通知) with its confirmed findings.

``write_letters(audit_dir)`` reads an audit folder and its review log (the findings an auditor
confirmed, ``确认``; dismissed and follow-up ones are left out) and fills a Word template for
each agency: the reports concerned, each problem with its place and the table cells named as
the report prints them, the sentences and figures quoted, what to correct, the auditor's note,
the basis, and a reply deadline. Agencies with no confirmed finding get no letter
(``agencies_without_letter`` names them and why).

The template is a ``.docx`` with docxtpl fields (Jinja2 tags) that a user can edit in Word;
``DEFAULT_TEMPLATE`` is the bundled one (built by ``scripts/build_letter_template.py``).
Its fields:

- ``agency``, ``issuer``, ``date`` (落款日期), ``deadline`` (the reply date, "2026年12月24日"),
  ``working_days`` (15 when the deadline was given as working days, else ""),
  ``report_titles`` (《2023年政府信息公开工作年度报告》…), ``count``, ``years``;
- ``findings``: a list, each with ``number`` (1, 2, …), ``heading`` ("（一）正文明确表述的数字…"),
  ``description``, ``severity``, ``category``, ``report``, ``files``, ``place``, ``cells``,
  ``quote``, ``figures``, ``correction``, ``note``, ``basis``, ``reviewer``.

Everything taken from a report or the review log is plain text: it is escaped into the XML and
never read as template code (an agency named ``{{ 7*7 }}`` is written as such), and the
template runs in Jinja2's sandbox with every field required (a misspelt field is an error,
not a blank).
"""

from __future__ import annotations

import re
import tempfile
from datetime import date as Date
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditkit.errors import UsageError
from auditkit.precompiled import compile_re, dataclass

if TYPE_CHECKING:
    import pandas as pd

    from auditkit.render.data import AuditData

DEFAULT_TEMPLATE = Path(__file__).parent / "templates" / "letter.docx"
LETTERS_DIR = "letters"
DEFAULT_WORKING_DAYS = 15
DEFAULT_ISSUER = "政府信息公开工作主管部门"
CONFIRMED = "confirmed"
CHINA_TIME = timezone(timedelta(hours=8), "CST")
NO_AGENCY = "（未识别机关）"
QUOTED_PARTS = 6  # a quote of cells longer than this is cut in the letter

# What the agency is asked to do, by the rule's category; a rule of its own where the category says too little.
CORRECTIONS = {
    "arithmetic": "请逐项核对表中数字，使各项之间的勾稽关系成立；更正后重新公布年度报告。",
    "narrative": "请核实正文所述数字与表格数字，以准确数字统一表述；更正后重新公布年度报告。",
    "carry_over": "请与上年度报告核对衔接数字；数字有误的予以更正，口径调整的在报告中说明原因。",
    "timeliness": "请按《中华人民共和国政府信息公开条例》第四十九条规定的时限公布年度报告。",
    "structure": "请按年度报告格式逐格填写数字，确保数字清晰、可以唯一识别；更正后重新公布年度报告。",
    "label": "请按国办公开办函〔2021〕30号规定的格式规范各部分标题及表格行、列名称。",
    "completeness": "请按年度报告格式补齐缺失的内容；没有发生的事项填写“0”，不得留空或以符号代替。",
    "repetition": "请结合本年度工作实际重新撰写相关部分，不得照搬上年报告内容。",
    "plausibility": "请核实相关数字及其对应的答复、处理情况，并在回复中予以说明。",
}
RULE_CORRECTIONS = {
    "timeliness.date_unknown": "请在年度报告中载明公布日期，并在回复中说明实际公布日期。",
    "timeliness.deadline": "请在回复中说明逾期公布的原因，今后严格按法定时限公布年度报告。",
    "structure.merged_row": "请将合并填报的行按格式分项填报；更正后重新公布年度报告。",
    "structure.agency_unknown": "请在年度报告标题中写明机关全称。",
    "structure.year_unknown": "请在年度报告标题中写明报告年度。",
    "structure.format_year": "请按报告年度适用的年度报告格式重新编制并公布年度报告。",
    "structure.format_unknown": "请按国办公开办函〔2021〕30号规定的格式编制年度报告。",
}
DEFAULT_CORRECTION = "请核实上述问题并予以整改。"
_XML_ILLEGAL = compile_re(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FILE_ILLEGAL = compile_re(r'[\\/:*?"<>|\x00-\x1f]+')
_CHINESE_DIGITS = "〇一二三四五六七八九"


@dataclass(frozen=True)
class LetterPlan:
    """The letters an audit folder gives: one context per agency with confirmed findings, and the
    agencies (with why) that get none."""

    letters: dict[str, dict[str, Any]]  # agency -> its findings and reports (the template's fields less the dates)
    without_letter: list[tuple[str, str]]  # (agency, why no letter)


def write_letters(audit_dir: str | Path, out_dir: str | Path | None = None, *, template: str | Path | None = None,
                  agency: str | None = None, deadline: Date | int | str | None = None, issuer: str | None = None,
                  date: Date | str | None = None) -> list[Path]:
    """Write one letter per agency with confirmed findings into ``out_dir`` (default ``audit_dir/letters``).

    ``template``: a .docx with docxtpl fields (default ``DEFAULT_TEMPLATE``). ``agency``: only this agency.
    ``deadline``: the reply date (a date or "YYYY-MM-DD") or a number of working days after ``date``
    (Monday to Friday; public holidays are not known), default 15. ``issuer``: the supervising office
    that signs. ``date``: the letter's date, default today (China Standard Time).
    Returns the letters' paths; raises ``UsageError`` for a bad template, date or agency name.
    """
    from docxtpl import DocxTemplate

    audit_dir = Path(audit_dir)
    template_path = Path(template) if template else DEFAULT_TEMPLATE
    if not template_path.is_file():
        raise UsageError(f"信函模板不存在：{template_path} (no such template)")
    letter_date = _as_date(date, "--date") if date else datetime.now(CHINA_TIME).date()
    due, working_days = reply_deadline(letter_date, deadline)
    plan = plan_letters(audit_dir, agency=agency)
    out = Path(out_dir) if out_dir else audit_dir / LETTERS_DIR
    out.mkdir(parents=True, exist_ok=True)
    common = {"issuer": _plain(issuer) or DEFAULT_ISSUER, "date": chinese_date(letter_date), "deadline": chinese_date(due),
              "working_days": working_days or ""}
    written: list[Path] = []
    names: set[str] = set()
    for name, fields in plan.letters.items():
        doc = _load_template(template_path, DocxTemplate)
        _render(doc, {**fields, **common}, template_path)
        path = out / _file_name(name, names)
        tmp = tempfile.NamedTemporaryFile(dir=out, prefix=".letter-", suffix=".docx", delete=False)
        try:
            with tmp:
                doc.save(tmp)
            Path(tmp.name).replace(path)  # never half a letter where Word may have the old one open
        except BaseException:
            Path(tmp.name).unlink(missing_ok=True)
            raise
        written.append(path)
    return written


def agencies_without_letter(audit_dir: str | Path, agency: str | None = None) -> list[tuple[str, str]]:
    """The agencies of an audit that ``write_letters`` writes no letter to, each with why (in Chinese)."""
    return plan_letters(audit_dir, agency=agency).without_letter


def plan_letters(audit_dir: str | Path, agency: str | None = None) -> LetterPlan:
    """What each agency's letter says (its confirmed findings, deduplicated across copies of one report)."""
    from auditkit.render.data import load_audit

    data = load_audit(audit_dir)
    findings = data.findings.assign(agency=data.findings["agency"].fillna("").astype(str))
    agencies = sorted({a for a in findings["agency"] if a})
    if agency is not None:
        if agency not in agencies:
            raise UsageError(_unknown_agency(agency, agencies))
        findings = findings[findings["agency"] == agency]
        agencies = [agency]
    confirmed = findings[findings["decision"] == CONFIRMED]
    letters: dict[str, dict[str, Any]] = {}
    without: list[tuple[str, str]] = []
    for name in agencies:
        own = confirmed[confirmed["agency"] == name]
        if len(own):
            letters[name] = _letter_fields(name, own, data)
        else:
            without.append((name, "没有已确认的问题"))
    unknown = confirmed[confirmed["agency"] == ""] if agency is None else confirmed.iloc[0:0]
    if len(unknown):
        files = "、".join(sorted({Path(str(s)).name for s in unknown["source"]}))
        without.append((NO_AGENCY, f"报告未识别机关名称，其 {len(unknown)} 项已确认的问题须另行处理（{files}）"))
    return LetterPlan(letters, without)


# --------------------------------------------------------------------------- one letter's fields


def _letter_fields(agency: str, findings: pd.DataFrame, data: AuditData) -> dict[str, Any]:
    from auditkit.queue import shown_figures
    from auditkit.render.places import cells_text, readable_text, sort_findings
    from auditkit.rules.suites import CATEGORY_LABELS
    from auditkit.vocabulary import severity_label

    sources = {str(s) for s in data.findings["source"]} | {str(r.get("source")) for r in data.reports}
    ordered = sort_findings(findings)
    # By report (year), then most severe first and in the order of the report.
    ordered = ordered.assign(_year=ordered["year"].map(_year_of)).sort_values("_year", kind="stable")
    items: dict[tuple, dict[str, Any]] = {}
    for row in ordered.to_dict("records"):
        year = _year_of(row["year"])
        keys = list(row["keys"] or [])
        # The same problem in copies of one report (a web page and its PDF) is one item naming every copy.
        same = (year, row["rule_id"], tuple(sorted(keys)), row["place"], str(row["expected"]), str(row["actual"]))
        file = Path(str(row["source"])).name
        # The other files of the report, audited once on this one (``copies``; none in an older audit folder).
        copies = [Path(str(c)).name for c in row.get("copies") or [] if c] if isinstance(row.get("copies"), list) else []
        if same in items:
            items[same]["files"] += [f for f in (file, *copies) if f not in items[same]["files"]]
            continue
        items[same] = {
            "year": year, "files": sorted({file, *copies}), "severity": severity_label(row["severity"]),
            "category": CATEGORY_LABELS.get(row["category"], _plain(row["category"])),
            "description": _plain(row["description"]), "place": _plain(readable_text(row["place"], sources)),
            "cells": _plain(cells_text(keys)) if any(k.split(".")[0] in ("active", "requests", "appeals") for k in keys)
            else "",
            "quote": _shortened(_plain(readable_text(row["evidence"], sources))),
            # Worded as in every other display (``figures_text``, queue.py): "正文 393 / 表格 470".
            "figures": _plain(readable_text(shown_figures(row), sources)),
            "correction": RULE_CORRECTIONS.get(row["rule_id"]) or CORRECTIONS.get(row["category"], DEFAULT_CORRECTION),
            "note": _plain(row["note"]), "reviewer": _plain(row["reviewer"]), "basis": _plain(row["basis"]),
        }
    findings_out = []
    for number, item in enumerate(items.values(), 1):
        files = item["files"]
        item["report"] = f"{report_title(item['year'])}（{'、'.join(files)}）"
        item["files"] = "、".join(files)
        item["number"] = number
        item["heading"] = f"（{chinese_number(number)}）{first_sentence(item['description'])}"
        findings_out.append(item)
    years = sorted({i["year"] for i in findings_out}, key=lambda y: (y is None, y))
    return {"agency": _plain(agency), "findings": findings_out, "count": len(findings_out),
            "years": "、".join(f"{y}年度" for y in years if y is not None),
            "report_titles": "".join(report_title(y) for y in years)}


def first_sentence(text: str) -> str:
    """The rule's statement of the problem without the explanation that may follow it."""
    head, stop, _ = text.partition("。")
    return head + stop


def report_title(year: int | None) -> str:
    """《2023年政府信息公开工作年度报告》 (the year unknown: without it)."""
    return f"《{year}年政府信息公开工作年度报告》" if year else "《政府信息公开工作年度报告》"


# --------------------------------------------------------------------------- dates


def reply_deadline(start: Date, deadline: Date | int | str | None = None) -> tuple[Date, int | None]:
    """The reply date, and the number of working days it was counted as (None for a date as given):
    ``N`` working days after ``start`` are Monday to Friday (public holidays are not known)."""
    if deadline is None or (isinstance(deadline, str) and not deadline.strip()):
        deadline = DEFAULT_WORKING_DAYS
    if isinstance(deadline, str) and deadline.strip().isdigit():
        deadline = int(deadline.strip())
    if isinstance(deadline, int) and not isinstance(deadline, bool):
        if deadline < 1:
            raise UsageError(f"回复期限应为正整数个工作日或日期：{deadline} (deadline: working days or a date)")
        return add_working_days(start, deadline), deadline
    due = _as_date(deadline, "--deadline")
    if due <= start:
        raise UsageError(f"回复期限 {due.isoformat()} 不晚于落款日期 {start.isoformat()} (deadline before the letter's date)")
    return due, None


def add_working_days(start: Date, days: int) -> Date:
    """``days`` working days (Monday to Friday) after ``start``."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def chinese_date(day: Date) -> str:
    """2026年12月3日 (the date as official documents write it, in Arabic numerals)."""
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 21 -> 二十一 (up to 99; larger numbers as digits)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else _CHINESE_DIGITS[tens]) + "十" if tens else "") + (_CHINESE_DIGITS[ones] if ones else "")


def _as_date(value: Date | str | Any, option: str) -> Date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, Date):
        return value
    try:
        return Date.fromisoformat(str(value).strip())
    except ValueError:
        raise UsageError(f"{option} 应写作 YYYY-MM-DD 的日期：{value} (a date such as 2026-12-31)") from None


# --------------------------------------------------------------------------- template and files


def _load_template(path: Path, template_class: type) -> Any:
    try:
        doc = template_class(str(path))
        doc.init_docx()  # opens the package now, so a file that is not Word fails here, in one line
    except Exception as exc:  # python-docx raises several kinds (zip, package, XML) for a file that is not .docx
        raise UsageError(f"{path}: 不是可用的 Word 模板 (not a .docx template): {type(exc).__name__}: {exc}") from None
    return doc


def _render(doc: Any, fields: dict[str, Any], template_path: Path) -> None:
    from jinja2 import StrictUndefined, TemplateError
    from jinja2.sandbox import SandboxedEnvironment

    # Autoescape: report text goes into the XML as text. The sandbox: a template received from
    # elsewhere cannot reach Python's internals. StrictUndefined: a misspelt field is an error.
    env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
    try:
        doc.render(fields, jinja_env=env, autoescape=True)
    except TemplateError as exc:
        raise UsageError(f"{template_path.name}: 信函模板有误 (template error): {exc}") from None


def _file_name(agency: str, taken: set[str]) -> str:
    stem = _FILE_ILLEGAL.sub("_", agency).strip(" ._") or "机关"
    stem = f"{stem[:80]}_审核意见书"
    name, n = f"{stem}.docx", 1
    while name in taken:
        n += 1
        name = f"{stem}_{n}.docx"
    taken.add(name)
    return name


def _unknown_agency(name: str, agencies: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, agencies, n=1, cutoff=0.5)
    hint = f"，您是否要输入 {close[0]}？" if close else f"（本次审核的机关：{'、'.join(agencies) or '无'}）"
    return f"本次审核中没有机关「{name}」{hint}"


def _plain(value: Any) -> str:
    """Text for the letter: no characters XML forbids, white space as single spaces."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return " ".join(_XML_ILLEGAL.sub("", str(value)).split())


def _shortened(quote: str, parts: int = QUOTED_PARTS) -> str:
    """A quote of many cells cut after its first ``parts`` (the workbook has them all)."""
    pieces = quote.split("；")
    if len(pieces) <= parts:
        return quote
    total = re.fullmatch(r"等(\d+)格", pieces[-1].strip())  # the findings already cut it: "…；等21格"
    return "；".join(pieces[:parts]) + f"；……（共 {total.group(1) if total else len(pieces)} 处，详见审核底稿）"


def _year_of(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
