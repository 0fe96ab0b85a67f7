"""The torture set: every case, what it exhibits, and how it is made.

A case is a document made from a truth (a truth file of tests/data/truth, or a seeded
random report that keeps the format's arithmetic) and the values a faithful reading
gives: the truth's cells, except those the document cannot show (columns cut off at
the page edge are null) or shows otherwise (a wrong 总计 the agency wrote is what the
document says; run-together digits whose one reading that adds up everywhere is not
what the agency wrote determine that reading: it, or null with a diagnostic, is right).
Everything is deterministic: the same code makes the same cases.

``build_cases(folder)`` writes them all; the LibreOffice conversions are batched, one
soffice run per kind of conversion.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from auditkit.formats import format_spec
from tests.official_pages import random_truth
from tests.torture.cms_html import CmsStyle, cms_page
from tests.torture.crawler import (
    crawler_text,
    false_fit_row,
    fitting_readings,
    layout_text,
    no_fit_row,
    one_digit_row,
    set_row,
)
from tests.torture.drawn_pdf import PdfStyle, draw_pdf
from tests.torture.model import (
    Doc,
    Value,
    ValueText,
    full_width,
    lead_column,
    load_truth,
    mixed,
    plain,
    relabel,
    report_doc,
    signed,
    spaced,
    thousands,
    with_unit,
)
from tests.torture.word import WordStyle, docx_bytes

# Which LibreOffice filter prints which source to PDF.
_PDF_FILTERS = {".html": "pdf:writer_web_pdf_Export", ".docx": "pdf:writer_pdf_Export"}


@dataclass
class Case:
    """One document of the torture set and what reading it must give."""

    name: str
    exhibits: str  # what the document shows that a reader may stumble on
    path: Path
    format: str
    agency: str
    year: int
    expected: dict[str, Value | None]  # every key of the format
    hidden: dict[str, Value] = field(default_factory=dict)  # values the document cannot show (expected null)
    # What the agency wrote where the copy's digits determine another value (expected): that
    # value, or null with a diagnostic, is right; what the agency wrote cannot be read.
    written: dict[str, Value] = field(default_factory=dict)


@dataclass
class _Made:
    doc: Doc
    data: bytes
    suffix: str  # of the written file: .pdf, .html, .docx, .txt
    print_pdf: bool = False  # the case is the file printed to PDF by LibreOffice
    hidden: set[str] = field(default_factory=set)  # keys the document cannot show
    determined: dict[str, Value] = field(default_factory=dict)  # values the copy determines otherwise


@dataclass(frozen=True)
class Spec:
    name: str
    exhibits: str
    make: Callable[[], _Made]
    shows: Callable[[Case], list[str]] | None = None  # what is wrong if the file does not exhibit it


# ---------------------------------------------------------------- truths


def _random(fmt: str, seed: int) -> dict[str, Any]:
    return random_truth(fmt, random.Random(seed), 2020 if fmt == "2019" else 2023)


class _Busy(random.Random):
    """A random source that makes ``random_truth`` draw only its larger counts (10 to 5000):
    every cell several digits wide, so a digit lost at a cell's edge changes the number."""

    def random(self) -> float:
        return 0.86 + 0.14 * super().random()


def _dense(fmt: str, seed: int) -> dict[str, Any]:
    return random_truth(fmt, _Busy(seed), 2020 if fmt == "2019" else 2023)


T000, T002, T007, T008 = ("000_seed-chengxiang_2023.txt", "002_huaian-hongzequ_2024.pdf",
                          "007_pingtan-shiyanqu_2025.txt", "008_pingtan-shiyanqu_2019.txt")
T009, T010, T011 = "009_pingtan-shiyanqu_2022.txt", "010_pingtan-shiyanqu_2023.txt", "011_pingtan-shiyanqu_2023.html"
T016, T019 = "016_pingtan-caizhengjinrongju_2022.txt", "019_pingtan-shichangjianguanju_2021.txt"


def _distinct_appeals(truth: dict[str, Any]) -> dict[str, Any]:
    """``truth`` with 15 different appeals figures (each group adding up): a column read one
    place off can never give the right number by chance."""
    cells = dict(truth["cells"])
    for g, group in enumerate(("reconsideration", "litigation_direct", "litigation_after_reconsideration")):
        parts = [3 + 4 * g + i for i in range(4)]
        for col, v in zip(("upheld", "corrected", "other", "pending", "total"), [*parts, sum(parts)], strict=True):
            cells[f"appeals.{group}.{col}"] = v
    return {**truth, "cells": cells}


# ---------------------------------------------------------------- makers


Truth = dict[str, Any] | Callable[[], dict[str, Any]]  # a truth, or how to make it when the case is built


def _made(truth: Truth) -> dict[str, Any]:
    return truth() if callable(truth) else truth


@dataclass(frozen=True)
class Writing:
    """How a document writes its values and labels, whatever its kind."""

    text: ValueText = plain  # a value's text
    blank: str = ""  # a null value's text: empty, or a placeholder such as — or /
    notes: bool = False  # a note full of figures under the requests and appeals tables
    label: Callable[[Doc], Doc] | None = None  # labels rewritten (spread out, say)

    def doc(self, truth: Truth) -> Doc:
        doc = report_doc(_made(truth), self.text, self.blank, self.notes)
        return self.label(doc) if self.label else doc


PLAIN = Writing()


def _pdf(truth: Truth, style: PdfStyle, w: Writing = PLAIN) -> Callable[[], _Made]:
    def make() -> _Made:
        doc = w.doc(truth)
        data, hidden = draw_pdf(doc, style)
        return _Made(doc, data, ".pdf", hidden=hidden)
    return make


def _word(truth: Truth, style: WordStyle, w: Writing = PLAIN, printed: bool = False) -> Callable[[], _Made]:
    def make() -> _Made:
        doc = w.doc(truth)
        return _Made(doc, docx_bytes(doc, style), ".docx", print_pdf=printed)
    return make


def _html(truth: Truth, style: CmsStyle, w: Writing = PLAIN, printed: bool = False) -> Callable[[], _Made]:
    def make() -> _Made:
        doc = w.doc(truth)
        return _Made(doc, cms_page(doc, style), ".html", print_pdf=printed)
    return make


def _crawl(truth: Truth, row_lines: bool = False, w: Writing = PLAIN, layout: bool = False,
           determined: Callable[[dict[str, Any]], dict[str, Value]] | None = None) -> Callable[[], _Made]:
    """A crawler copy; ``determined``: the values its run-together digits determine otherwise
    than the agency wrote them."""
    def make() -> _Made:
        made = _made(truth)
        doc = w.doc(made)
        text = layout_text(doc) if layout else crawler_text(doc, row_lines)
        return _Made(doc, text.encode("utf-8"), ".txt", determined=determined(made) if determined else {})
    return make


def _appeals_determined(truth: dict[str, Any]) -> dict[str, Value]:
    """The appeals row of a crawler copy (its fifteen cells run together) whose digits have exactly
    one reading that adds up in every group, not the one the agency wrote (a group's 总计 is
    wrong): the values where the two differ. The document determines that reading: the appeals
    groups have no identity but their own sums and the text states no figure to check them, so
    nothing in the document tells it from a report that is right (the samples' truth
    convention: one valid split determines the value)."""
    keys = _appeals_row(truth["format"])
    written = [truth["cells"][k] for k in keys]
    fits = list(fitting_readings("".join(str(v) for v in written), 5, 3))
    if len(fits) != 1 or fits[0] == written:
        return {}
    return {k: v for k, v, w in zip(keys, fits[0], written, strict=True) if v != w}


# ---------------------------------------------------------------- what a file must show


def _pdf_pages(path: Path) -> list[str]:
    """Each page's text with all white space removed."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return ["".join(pdf[i].get_textpage().get_text_range().split()) for i in range(len(pdf))]
    finally:
        pdf.close()


def _crosses_pages(first: str = "本年新收", last: str = "结转下年度") -> Callable[[Case], list[str]]:
    """The requests table starts on one page and ends on a later one."""
    def shows(case: Case) -> list[str]:
        pages = _pdf_pages(case.path)
        at = [next((i for i, t in enumerate(pages) if word in t), -1) for word in (first, last)]
        return [] if 0 <= at[0] < at[1] else [f"requests table not across pages ({first} p{at[0]}, {last} p{at[1]})"]
    return shows


def _head_on_pages(n: int, text: str = "申请人情况") -> Callable[[Case], list[str]]:
    """The requests header on ``n`` pages: 2 when it repeats, 1 when it does not."""
    def shows(case: Case) -> list[str]:
        found = sum(text in t for t in _pdf_pages(case.path))
        return [] if found == n else [f"{text} on {found} pages, not {n}"]
    return shows


def _both(*checks: Callable[[Case], list[str]]) -> Callable[[Case], list[str]]:
    return lambda case: [p for check in checks for p in check(case)]


def _cut(min_hidden: int, *fragments: str) -> Callable[[Case], list[str]]:
    """Some values are off the paper, and the labels' beginnings with them."""
    def shows(case: Case) -> list[str]:
        text = "".join(_pdf_pages(case.path))
        problems = [] if len(case.hidden) >= min_hidden else [f"only {len(case.hidden)} values cut off"]
        return problems + [f"{f!r} not on the paper" for f in fragments if f not in text]
    return shows


def _turned(case: Case) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(case.path))
    try:
        turned = [pdf[i].get_rotation() for i in range(len(pdf))]
    finally:
        pdf.close()
    return [] if all(r == 90 for r in turned) else [f"page rotations {turned}"]


def _determines(n: int) -> Callable[[Case], list[str]]:
    """The copy's digits determine ``n`` values other than the agency wrote."""
    def shows(case: Case) -> list[str]:
        return [] if len(case.written) == n else [f"{len(case.written)} values determined otherwise, not {n}"]
    return shows


def _holds(*needles: str, encoding: str = "utf-8") -> Callable[[Case], list[str]]:
    def shows(case: Case) -> list[str]:
        data = case.path.read_bytes()
        return [f"{n!r} not in the file" for n in needles if n.encode(encoding) not in data]
    return shows


def _spread_row_labels(doc: Doc) -> Doc:
    """Row labels of four characters or more typed ``本 年 新 收 …``."""
    return relabel(doc, lambda p: spaced(p.text) if p.rowspan == 1 and len(p.text) >= 4 and p.colspan < 4 else p.text)


def _requests_row(fmt: str, row: str) -> list[str]:
    return list(format_spec(fmt).tables["requests"].row_keys(row))


def _appeals_row(fmt: str) -> list[str]:
    return list(format_spec(fmt).tables["appeals"].keys)


def _with_rows(truth: dict[str, Any], rows: dict[str, list[int]]) -> dict[str, Any]:
    for row, values in rows.items():
        keys = _appeals_row(truth["format"]) if row == "appeals" else _requests_row(truth["format"], row)
        truth = set_row(truth, keys, values)
    return truth


def _one_digit_rows(seed: int, fmt: str, wrong_total_rows: tuple[str, ...] = ()) -> dict[str, Any]:
    """A random report whose requests rows are single digits: digits as many as cells."""
    rng = random.Random(seed)
    truth = _random(fmt, seed)
    rows = {r.key: one_digit_row(rng, total_right=r.key not in wrong_total_rows)
            for r in format_spec(fmt).tables["requests"].rows}
    return _with_rows(truth, rows)


def _false_fits(seed: int, fmt: str, rows: tuple[str, ...], appeals: bool = False) -> dict[str, Any]:
    rng = random.Random(seed)
    changed = {row: false_fit_row(rng)[0] for row in rows}
    if appeals:
        changed["appeals"] = false_fit_row(rng, group=5, groups=3)[0]
    return _with_rows(_random(fmt, seed), changed)


def _signed_changes(truth: dict[str, Any]) -> dict[str, Any]:
    """A 2019-format report whose 本年增/减 column holds decreases (-12) and increases."""
    changes = {"licensing": -12, "other_services": 5, "penalties": -3, "coercion": 0, "fees": -1}
    cells = dict(truth["cells"])
    cells.update({f"active.{row}.change": v for row, v in changes.items()})
    return {**truth, "cells": cells}


def _partial_blanks(truth: dict[str, Any]) -> dict[str, Any]:
    """Rows with some cells left blank and others filled: blank must never shift a number."""
    cells = dict(truth["cells"])
    blanks = {"granted": ("commercial", "research", "legal_services", "other_org"),
              "withheld_third_party_rights": ("natural_person", "nonprofit"),
              "unavailable_not_held": ("research", "nonprofit", "legal_services", "other_org", "total"),
              "carried_forward": ("commercial",)}
    for row, columns in blanks.items():
        cells.update({f"requests.{row}.{col}": None for col in columns})
    cells.update({"appeals.litigation_direct.corrected": None, "appeals.litigation_direct.other": None})
    return {**truth, "cells": cells}


def _no_fits(seed: int, fmt: str, rows: tuple[str, ...]) -> dict[str, Any]:
    rng = random.Random(seed)
    return _with_rows(_random(fmt, seed), {row: no_fit_row(rng) for row in rows})


def _specs() -> list[Spec]:
    t = load_truth
    r19, r21 = _random("2019", 19), _random("2021", 21)
    big21 = _random("2021", 7)  # another random report (now and then a large count)
    d19, d21 = _dense("2019", 5), _dense("2021", 6)  # every cell 10 to 5000
    spread = "本年新收政府信息公开申请数量"
    signed19 = _signed_changes(d19)
    gaps = _partial_blanks(d21)
    return [
        # LibreOffice prints a web page to PDF (as agencies save their pages)
        Spec("lo-html-pdf-2019", "2019 format, official layout printed by LibreOffice", _html(r19, CmsStyle(), printed=True)),
        Spec("lo-html-pdf-units", "cells written 0件 / 5949.088667万元, printed by LibreOffice",
             _html(t(T011), CmsStyle(), Writing(with_unit), printed=True)),
        Spec("lo-html-pdf-fullwidth", "full-width digits １２, blank cells, printed by LibreOffice",
             _html(t(T002), CmsStyle(), Writing(full_width, blank="—"), printed=True)),
        Spec("lo-html-pdf-thousands", "thousands separators 1,234 and 9,116.36, printed by LibreOffice",
             _html(t(T016), CmsStyle(), Writing(thousands), printed=True)),
        Spec("lo-html-pdf-cms", "<td> labels with <br>, values in per-digit <span>s, nested layout, printed",
             _html(t(T010), CmsStyle(nested=True, labels_th=False, br_span=True), printed=True)),
        Spec("lo-html-pdf-split", "requests table cut into two <table>s inside 三、本年度办理结果, printed",
             _html(t(T009), CmsStyle(split_requests_at=12), printed=True)),
        Spec("lo-html-pdf-split-short-rows", "requests table in two <table>s, the second without the merged label "
             "columns (its rows shorter), printed", _html(d21, CmsStyle(split_requests_at=10, split_rewrites_spans=False),
                                                         printed=True)),
        Spec("lo-html-pdf-unruled-partial-blanks", "borderless tables printed by LibreOffice, rows with some cells "
             "blank", _html(gaps, CmsStyle(borders=False), printed=True)),
        Spec("lo-html-pdf-unruled-blanks", "borderless tables printed by LibreOffice: blank cells, a note with "
             "figures under the tables", _html(t(T002), CmsStyle(borders=False), Writing(notes=True), printed=True)),
        Spec("lo-html-pdf-unruled-spread", "borderless tables printed by LibreOffice, <td> row labels 本 年 新 收 …, "
             "a value row at the foot of a page", _html(t(T011), CmsStyle(borders=False, labels_th=False),
                                                      Writing(label=_spread_row_labels), printed=True)),
        # Word files, read as .docx and printed to PDF by LibreOffice
        *[Spec(f"word-{name}{'-pdf' if printed else ''}", what + (", printed by LibreOffice" if printed else ""),
               _word(truth, style, Writing(text), printed), shows if printed else None)
          for name, what, truth, style, text, shows in (
              ("repeat-head", "header rows repeated (w:tblHeader), vMerge labels across the page break",
               t(T011), WordStyle(filler=1), plain, _both(_crosses_pages(), _head_on_pages(2))),
              ("no-repeat-head", "table across a page break, header not repeated", t(T019),
               WordStyle(repeat_head=False, filler=2), plain, _both(_crosses_pages(), _head_on_pages(1))),
              ("landscape", "landscape section", t(T009), WordStyle(landscape=True), plain, _crosses_pages()),
              ("vertical-lines", "column headers one character per line", t(T010),
               WordStyle(vertical_head="lines", filler=1), plain, None),
              ("vertical-turned", "column headers and 三、本年度办理结果 turned (w:textDirection tbRl); "
               "LibreOffice wraps 3-digit numbers in the narrowed columns", t(T007), WordStyle(vertical_head="turned"),
               plain, None),
              ("spread-labels", "row labels typed 本 年 新 收 …", t(T000), WordStyle(spread_labels=True), plain, None),
              ("mixed-values", "cells written 0件, １２, 1,234 in one table", big21, WordStyle(),
               mixed(plain, with_unit, full_width, thousands), None),
              ("grid-before", "rows under a merged label skip its columns (w:gridBefore), no vMerge", t(T011),
               WordStyle(grid_before=True), plain, None),
              ("signed-2019", "2019 format, 本年增/减 written -12 and +5", signed19, WordStyle(), signed, None),
              ("dense-2019", "2019 format, every cell 2-4 digits, across a page break", d19, WordStyle(filler=2), plain,
               _crosses_pages()),
          )
          for printed in (False, True)],
        # PDFs drawn as other producers draw them (thin rulings, text placed per cell)
        Spec("wps-repeat-head", "split across pages, header row repeated", _pdf(t(T011), PdfStyle()),
             _both(_crosses_pages(), _head_on_pages(2))),
        Spec("wps-continued-caption", "continued table headed 续表, header repeated", _pdf(d21, PdfStyle(
            continued_caption=True, value_width=34)), _both(_crosses_pages(), _head_on_pages(2))),
        Spec("wps-no-repeat-head", "split across pages, header not repeated", _pdf(t(T002), PdfStyle(repeat_head=False)),
             _both(_crosses_pages(), _head_on_pages(1))),
        Spec("wps-landscape", "landscape pages, wide value columns",
             _pdf(t(T016), PdfStyle(landscape=True, value_width=56, appeals_width=48))),
        Spec("wps-rotated", "landscape pages as portrait paper turned by /Rotate 90, header repeated",
             _pdf(d21, PdfStyle(landscape=True, rotated=True, value_width=56, appeals_width=48)), _turned),
        Spec("wps-vertical-head", "column headers and 三、本年度办理结果 one character per line",
             _pdf(t(T019), PdfStyle(vertical_head=True, value_width=26, label_widths=(24, 70, 160)))),
        Spec("wps-spread-spaces", "row labels 本 年 新 收 … with space characters",
             _pdf(t(T010), PdfStyle(spread_labels="spaces", label_widths=(50, 60, 190)))),
        Spec("wps-spread-gaps", "row labels spread by character spacing (no space characters)",
             _pdf(d21, PdfStyle(spread_labels="gaps", label_widths=(50, 60, 200), value_width=26)),
             lambda case: [] if spread in "".join(_pdf_pages(case.path)) else ["labels not on the paper"]),
        Spec("wps-clip-right", "web page printed to PDF: right-hand columns cut off at the paper's edge, "
             "one column cut through its numbers", _pdf(d21, PdfStyle(value_width=60)), _cut(40)),
        Spec("wps-clip-both", "table wider than the paper: labels cut to …信息公开申请数量, right-hand columns cut",
             _pdf(d21, PdfStyle(value_width=60, shift=-128)), _cut(10, "信息公开申请数量")),
        Spec("wps-wrapped-numbers", "value columns so narrow that 3-4 digit numbers wrap onto two lines",
             _pdf(d21, PdfStyle(value_width=15, appeals_width=15, label_widths=(40, 60, 150)))),
        Spec("wps-right-aligned", "numbers right-aligned against the cell's right ruling",
             _pdf(d19, PdfStyle(value_align="right", value_width=28))),
        Spec("wps-unruled", "no ruling lines at all: a table only by where its text stands, across pages",
             _pdf(d21, PdfStyle(rulings="", value_width=34)), _crosses_pages()),
        Spec("wps-rect-rulings", "rulings as thin filled rectangles, a running head and page numbers",
             _pdf(t(T016), PdfStyle(rulings="rects", page_furniture=True))),
        Spec("wps-units", "cells written 0件 / 万元", _pdf(t(T007), PdfStyle(value_width=36), Writing(with_unit))),
        Spec("wps-fullwidth-2019", "2019 format, full-width digits", _pdf(r19, PdfStyle(), Writing(full_width))),
        Spec("wps-thousands", "thousands separators 1,234",
             _pdf(d21, PdfStyle(value_width=40, label_widths=(40, 60, 130)), Writing(thousands))),
        Spec("wps-rowspan-break", "（三）不予公开 and 三、本年度办理结果 merged cells running over a page break "
             "(the label's text split between the pages), header not repeated",
             _pdf(r21, PdfStyle(repeat_head=False, break_before=(("requests", 8),))), _crosses_pages()),
        Spec("wps-rowspan-break-retold", "merged label cells over a page break, their text written again on the "
             "next page, header repeated", _pdf(d19, PdfStyle(repeat_span_text=True, break_before=(("requests", 9),))),
             _both(_crosses_pages(), _head_on_pages(2))),
        Spec("wps-unruled-blanks", "no rulings, blank cells, a note with figures under the tables, page numbers",
             _pdf(t(T002), PdfStyle(rulings="", page_furniture=True), Writing(notes=True))),
        Spec("wps-unruled-placeholders", "no rulings, null cells written /, right-aligned numbers",
             _pdf(t(T019), PdfStyle(rulings="", value_align="right"), Writing(blank="/"))),
        Spec("wps-unruled-partial-blanks", "no rulings, rows with some cells blank and others filled",
             _pdf(gaps, PdfStyle(rulings="", value_width=34))),
        Spec("wps-unruled-spread-spaces", "no rulings, row labels 本 年 新 收 … with space characters",
             _pdf(t(T010), PdfStyle(rulings="", spread_labels="spaces", label_widths=(50, 60, 190)))),
        Spec("wps-unruled-spread-gaps", "no rulings, row labels spread by character spacing (no space characters)",
             _pdf(big21, PdfStyle(rulings="", spread_labels="gaps", label_widths=(50, 60, 200), value_width=26))),
        Spec("wps-signed-2019", "2019 format, 本年增/减 written -12 and +5", _pdf(signed19, PdfStyle(), Writing(signed))),
        Spec("wps-wrong-totals", "ruled table whose 总计 cells the agency got wrong (read as written)",
             _pdf(partial(_false_fits, 37, "2021", ("new_received", "granted", "total_handled"), appeals=True), PdfStyle())),
        Spec("wps-appeals-header-block", "表四 header drawn as one block without inner rulings, 15 numbers in cells",
             _pdf(_distinct_appeals(t(T016)), PdfStyle(header_block=True))),
        Spec("wps-appeals-15", "ruled 表四: one header block, one row of 15 different numbers in own cells",
             _pdf(_distinct_appeals(t(T000)), PdfStyle(vertical_head=True, appeals_width=30))),
        Spec("wps-appeals-lead-cell", "ruled 表四: header drawn as one block over a spare left column, the row of 15 "
             "numbers in own cells after an empty leading cell", _pdf(_distinct_appeals(t(T010)), PdfStyle(header_block=True),
                                                                     Writing(label=lead_column("appeals")))),
        Spec("wps-appeals-lead-label", "ruled 表四 with a left column: 项目 over the header, 数量 before the 15 numbers",
             _pdf(_distinct_appeals(t(T016)), PdfStyle(vertical_head=True, appeals_width=30),
                  Writing(label=lead_column("appeals", "项目", "数量")))),
        # Web pages as other CMSs write them
        Spec("cms-nested-th", "tables nested in layout tables, <th> labels", _html(t(T011), CmsStyle(nested=True))),
        Spec("cms-td-br-span", "<td><strong> labels broken by <br>, values in per-digit <span>s inside <p>",
             _html(t(T016), CmsStyle(labels_th=False, br_span=True))),
        Spec("cms-split", "requests table cut into two <table>s inside the merged label cells",
             _html(t(T019), CmsStyle(split_requests_at=9))),
        Spec("cms-split-repeat-head", "2019 format, requests table in two <table>s, the second repeating the header",
             _html(r19, CmsStyle(split_requests_at=14, repeat_head_on_split=True))),
        Spec("cms-split-short-rows", "requests table in two <table>s, the second without the merged label columns",
             _html(d19, CmsStyle(split_requests_at=11, split_rewrites_spans=False))),
        Spec("cms-ghost-short-rows", "Word's HTML: an empty cell closing each row, the table split with short rows",
             _html(d21, CmsStyle(ghost_cells=True, split_requests_at=8, split_rewrites_spans=False))),
        Spec("cms-appeals-lead-cell", "表四 with an empty leading <td> before the 15 values and an empty corner <th>",
             _html(_distinct_appeals(t(T019)), CmsStyle(), Writing(label=lead_column("appeals")))),
        Spec("cms-placeholders", "null cells written —, a note with figures", _html(t(T002), CmsStyle(),
                                                                              Writing(blank="—", notes=True))),
        Spec("cms-wrong-totals", "总计 cells the agency got wrong, read as written",
             _html(partial(_no_fits, 38, "2021", ("carried_over", "withheld_state_secret", "carried_forward")), CmsStyle())),
        Spec("cms-partial-blanks", "rows with some cells blank (empty <td>) and others filled", _html(gaps, CmsStyle())),
        Spec("cms-signed-2019", "2019 format, 本年增/减 written -12 and +5", _html(signed19, CmsStyle(), Writing(signed))),
        Spec("cms-gbk", "2019 format, GBK bytes, charset declared", _html(t(T008), CmsStyle(charset="gbk")),
             _holds("政府信息公开", encoding="gbk")),
        Spec("cms-gbk-undeclared", "GBK bytes, no charset declared", _html(big21, CmsStyle(charset="gbk", declared=None))),
        Spec("cms-gbk-misdeclared", "GBK bytes declared as UTF-8", _html(d21, CmsStyle(charset="gbk", declared="utf-8"))),
        Spec("cms-spread-mixed", "<td> row labels 本 年 新 收 …, cells 0件, １２, 1,234",
             _html(t(T010), CmsStyle(labels_th=False),
                   Writing(mixed(plain, with_unit, full_width, thousands), label=_spread_row_labels)),
             _holds("本 年 新 收")),
        # Crawler text copies: cells run together
        Spec("crawler-flat-010", "whole text on one line, cells run together", _crawl(t(T010))),
        Spec("crawler-flat-2019", "2019 format, whole text on one line", _crawl(r19)),
        Spec("crawler-rows-016", "a line per table row, cells run together", _crawl(t(T016), row_lines=True)),
        Spec("crawler-units", "cells written 0件 run together (80件1件0件…)", _crawl(d21, w=Writing(with_unit))),
        Spec("crawler-fullwidth", "full-width digits run together", _crawl(big21, row_lines=True, w=Writing(full_width))),
        Spec("crawler-placeholders", "null cells written — run together with their neighbours, notes with figures",
             _crawl(t(T019), w=Writing(blank="—", notes=True))),
        Spec("crawler-partial-blanks", "rows with some cells blank, run together (the blanks leave no trace)",
             _crawl(_partial_blanks(r21), row_lines=True)),
        Spec("crawler-signed-2019", "2019 format, 本年增/减 -12 and +5 run together with their neighbours",
             _crawl(_signed_changes(r19), w=Writing(signed))),
        Spec("crawler-layout-text", "pdftotext -layout copy: cells apart by spaces, merged labels on their middle "
             "row, long labels broken onto the next line", _crawl(t(T011), layout=True)),
        Spec("crawler-layout-2019", "2019 format pdftotext -layout copy with blank cells", _crawl(t(T008), layout=True)),
        Spec("crawler-one-digit-cells", "every requests row single digits: as many digits as cells (one reading)",
             _crawl(partial(_one_digit_rows, 31, "2021"))),
        Spec("crawler-wrong-total-exact", "single-digit rows, two of them with a wrong 总计 (one reading, not adding up)",
             _crawl(partial(_one_digit_rows, 32, "2021", ("granted", "withheld_third_party_rights")), row_lines=True)),
        Spec("crawler-wrong-total-nofit", "rows whose 总计 the agency got wrong: no reading adds up",
             _crawl(partial(_no_fits, 33, "2021", ("new_received", "granted", "total_handled")))),
        Spec("crawler-wrong-total-false-fit", "wrong 总计 whose digits also read as another row that adds up",
             _crawl(partial(_false_fits, 34, "2021", ("new_received", "partially_granted", "carried_forward")))),
        Spec("crawler-wrong-total-false-fit-2019", "2019 format: wrong 总计 with a false fitting reading, rows per line",
             _crawl(partial(_false_fits, 35, "2019", ("granted", "unavailable_not_held")), row_lines=True)),
        # The agency wrote the last group 10, 2, 0, 2, 142 (142 for 14); run together
        # (…01001110003310202142) the row's one reading that adds up in every group is …1, 0, 20,
        # 21, 42. No identity of the table and no figure of the text can contradict it: the copy
        # determines 1, 0, 20, 21, 42, which is expected (or null with a diagnostic).
        Spec("crawler-appeals-wrong-total", "appeals row: one group's 总计 wrong, digits with a false fitting reading "
             "that nothing in the document contradicts (the reading it determines, or null, is right)",
             _crawl(partial(_false_fits, 36, "2021", (), appeals=True), determined=_appeals_determined),
             _determines(5)),
    ]


SPECS = _specs()
NAMES = [s.name for s in SPECS]


# ---------------------------------------------------------------- building


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    assert found, "LibreOffice is missing: install libreoffice-writer-nogui (scripts/system-deps.sh)"
    return found


def print_to_pdf(sources: list[Path], folder: Path) -> None:
    """Print ``sources`` (all of one suffix) to PDFs beside them, in one LibreOffice run."""
    if not sources:
        return
    out = folder / f"printed{sources[0].suffix}"
    out.mkdir(exist_ok=True)
    profile = (folder / "lo-profile").as_uri()
    subprocess.run([_soffice(), f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                    _PDF_FILTERS[sources[0].suffix], "--outdir", str(out), *map(str, sources)],
                   check=True, capture_output=True, timeout=600)
    for src in sources:
        printed = out / f"{src.stem}.pdf"
        assert printed.exists(), f"LibreOffice did not print {src.name}"
        printed.rename(src.with_suffix(src.suffix + ".pdf"))


def build_cases(folder: Path, names: list[str] | None = None) -> list[Case]:
    """Write the cases (all, or those named) into ``folder``; return them in SPECS order."""
    folder.mkdir(parents=True, exist_ok=True)
    specs = [s for s in SPECS if names is None or s.name in names]
    made = {s.name: s.make() for s in specs}
    to_print: dict[str, list[Path]] = {}
    cases = []
    for spec in specs:
        m = made[spec.name]
        path = folder / f"{spec.name}{m.suffix}"
        path.write_bytes(m.data)
        if m.print_pdf:
            to_print.setdefault(m.suffix, []).append(path)
            path = path.with_suffix(path.suffix + ".pdf")
        expected = {k: (None if k in m.hidden else m.determined.get(k, v)) for k, v in m.doc.expected.items()}
        cases.append(Case(spec.name, spec.exhibits, path, m.doc.format, m.doc.agency, m.doc.year, expected,
                          hidden={k: m.doc.expected[k] for k in sorted(m.hidden)},
                          written={k: m.doc.expected[k] for k in sorted(m.determined)}))
    for sources in to_print.values():
        print_to_pdf(sources, folder)
    return cases
