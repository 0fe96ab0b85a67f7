"""Cells and places as the auditor reads them in the report, and findings in the order of the report.

What a person reads (the workbook, the letters to the agencies) names a cell the way the
printed report does: "表三 三、本年度办理结果（四）无法提供 1.本机关不掌握相关政府信息 — 总计",
never ``requests.unavailable_not_held.total`` (the keys stay in the data files). Findings are
listed most severe first, then by agency, then by their place in the report (from the title
through 一、总体情况 and the tables to 六、其他需要报告的事项).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from pathlib import PurePath
from typing import TYPE_CHECKING

from auditkit.formats import SECTION_KEYS, TABLES, format_spec
from auditkit.frames.keys import ALL_KEYS, FORMATS, key_label
from auditkit.precompiled import compile_re
from auditkit.render.official import RESULTS_LABEL
from auditkit.vocabulary import SEVERITY_ORDER

if TYPE_CHECKING:
    import pandas as pd

# The printed report numbers its tables after the sections that hold them (二、三、四).
TABLE_NAMES = {"active": "表二", "requests": "表三", "appeals": "表四"}
SECTION_POSITION = {key: i + 1 for i, key in enumerate(SECTION_KEYS)}  # the title and metadata come first (0)
CELL_SEPARATOR = " — "  # between a row's wording and its column's


@cache
def _results_rows(fmt: str) -> frozenset[str]:
    """The rows of 表三 printed under 三、本年度办理结果 ((一) 予以公开 to (七) 总计)."""
    keys = [r.key for r in format_spec(fmt).tables["requests"].rows]
    return frozenset(keys[keys.index("granted"):keys.index("total_handled") + 1])


def _row_spec(table: str, row: str, column: str = ""):
    """The format and row spec of a row key; a row in both formats (表二 行政许可) in the one that has the
    column (2019's 上一年项目数 is not 2021's)."""
    found = None, None
    for fmt in FORMATS:
        spec = format_spec(fmt).tables.get(table)
        if spec is not None and row in {r.key for r in spec.rows}:
            row_spec = spec.row(row)
            if not column or any(c.key == column for c in row_spec.columns):
                return fmt, row_spec
            found = found if found[0] else (fmt, row_spec)
    return found


@lru_cache(maxsize=8192)
def cell_name(key: str) -> str:
    """A cell, section or table as the report prints it.

    ``requests.unavailable_not_held.total`` -> "表三 三、本年度办理结果（四）无法提供 1.本机关不掌握相关政府信息 — 总计";
    ``active.regulations.in_force`` -> "表二 第二十条第（一）项 规章 — 现行有效件数";
    ``section.problems`` -> "五、存在的主要问题及改进情况"; an unknown key as written.
    """
    table, _, rest = key.partition(".")
    if table == "table":
        return f"{TABLE_NAMES.get(rest, '')}（{key_label(key).removesuffix('（整表）')}）整表".lstrip()
    if table not in TABLES:
        return key_label(key)  # sections and metadata: the official wording already
    row, _, col = rest.partition(".")
    fmt, spec = _row_spec(table, row, col)
    if spec is None:
        return key
    label = f"{RESULTS_LABEL}{spec.label}" if table == "requests" and row in _results_rows(fmt) else spec.label
    column = next((c.label for c in spec.columns if c.key == col), col)
    return f"{TABLE_NAMES[table]} {label}{CELL_SEPARATOR}{column}"


def cells_text(keys: Iterable[str], limit: int = 8) -> str:
    """Several cells in one line, a row's cells together: "表三 （七）总计 — 自然人、总计"; a whole row as
    "— 各列"; past ``limit`` rows "等 N 行"."""
    by_row: dict[str, list[str]] = {}
    for key in dict.fromkeys(keys):
        table, _, rest = key.partition(".")
        row, _, col = rest.partition(".")
        if table in TABLES and col:
            by_row.setdefault(f"{table}.{row}", []).append(key)
        else:
            by_row.setdefault(key, [])
    parts = []
    for row_key, cells in by_row.items():
        if not cells:
            parts.append(cell_name(row_key))
            continue
        head = cell_name(cells[0]).rpartition(CELL_SEPARATOR)[0]
        _, spec = _row_spec(*row_key.split(".", 1), cells[0].rpartition(".")[2])
        if spec is not None and len(cells) == len(spec.columns) > 1:
            parts.append(f"{head}{CELL_SEPARATOR}各列")
        else:
            parts.append(head + CELL_SEPARATOR + "、".join(cell_name(k).rpartition(CELL_SEPARATOR)[2] for k in cells))
    if len(parts) > limit:
        return "；".join(parts[:limit]) + f"；等 {len(parts)} 行"
    return "；".join(parts)


@lru_cache(maxsize=8192)
def _key_position(key: str) -> tuple[int, int]:
    table, _, rest = key.partition(".")
    if table == "section" or table == "table":
        return SECTION_POSITION.get(rest, 0), -1
    if table in TABLES:
        row, _, col = rest.partition(".")
        fmt, spec = _row_spec(table, row, col)
        if spec is None:
            return SECTION_POSITION[table], 10_000
        rows = [r.key for r in format_spec(fmt).tables[table].rows]
        columns = [c.key for c in spec.columns]
        return SECTION_POSITION[table], rows.index(row) * 100 + (columns.index(col) if col in columns else 99)
    return 0, 0  # metadata: the title and the date


def report_position(keys: Sequence[str] | None) -> tuple[int, int]:
    """Where in the report a finding's first cell is: (part, position within it); a finding without cells
    is about the report as a whole and comes first."""
    return min((_key_position(k) for k in keys or ()), default=(0, 0))


def sort_findings(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings most severe first, then by agency, the report (year, file) and the place in the report."""
    if not len(findings):
        return findings
    order = findings.assign(
        _severity=findings["severity"].map(SEVERITY_ORDER).fillna(len(SEVERITY_ORDER)),
        _agency=findings["agency"].fillna("").astype(str).replace("", "\uffff"),  # no agency: last
        _year=findings["year"].map(lambda y: y if isinstance(y, int) else 0),
        _place=findings["keys"].map(report_position),
    )
    order = order.sort_values(["_severity", "_agency", "_year", "source", "_place", "rule_id", "finding_id"],
                              kind="stable")
    return findings.loc[order.index].reset_index(drop=True)


# --------------------------------------------------------------------------- text a person reads

_KEY_PATTERN = compile_re(
    r"(?<![\w.])(" + "|".join(re.escape(k) for k in sorted(ALL_KEYS, key=len, reverse=True)) + r")(?![\w.])")
# Where the reader found a value, in its English shorthand: "page 3, table 2, row 4, col 10", "line 52".
_LOCATION_WORDS = {"page": "第{}页", "table": "第{}个表格", "row": "第{}行", "col": "第{}列", "line": "第{}行"}
_LOCATION = compile_re(r"\b(?:(?:page|table|row|col|line) \d+(?:, )?)+")
_LOCATION_ITEM = compile_re(r"(page|table|row|col|line) (\d+)(, )?")
# An absolute path (POSIX or Windows) up to the next space or Chinese punctuation.
_ABSOLUTE_PATH = compile_re(r"(?<![\w.])(?:[A-Za-z]:[\\/]|/)(?:[^\s/\\；;，,「」（）()=]+[\\/])+([^\s/\\；;，,「」（）()=]+)")


def readable_text(text: object, sources: Iterable[str] = ()) -> str:
    """Evidence as a person reads it: cell keys named as the report prints them, the reader's locations in
    Chinese, files by their name (never a path of the machine that ran the audit)."""
    if text is None:
        return ""
    out = str(text)
    for source in sorted({str(s) for s in sources if s}, key=len, reverse=True):
        out = out.replace(source, PurePath(source).name)
    out = _ABSOLUTE_PATH.sub(r"\1", out)
    out = _KEY_PATTERN.sub(lambda m: cell_name(m.group(1)), out)
    return _LOCATION.sub(_location, out)


def _location(match: re.Match[str]) -> str:
    items = _LOCATION_ITEM.findall(match.group(0))
    text = " ".join(_LOCATION_WORDS[word].format(number) for word, number, _ in items)
    return text + ("，" if items[-1][2] else "")


def file_name(source: object) -> str:
    """A report's file name without its folders."""
    return PurePath(str(source)).name if source else ""

