"""The two national formats (2019 and 2021) as data, built from the spec file.

``auditkit/data/report-format.json`` is a copy of ``../shared/spec/report-format.json``
(the contract). This module adds what matching needs and the spec does not say:
each row's leaf label and parent group, the order of rows, the wording variants
real reports use, and a normaliser that makes labels comparable.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import field
from functools import cache, cached_property, lru_cache
from pathlib import Path

from auditkit.precompiled import compile_re, dataclass

DATA_DIR = Path(__file__).parent / "data"
TABLES = ("active", "requests", "appeals")
SECTION_KEYS = ("overview", "active", "requests", "appeals", "problems", "other")
SECTION_NUMERALS = ("一", "二", "三", "四", "五", "六")
APPLICANT_COLUMNS = ("natural_person", "commercial", "research", "nonprofit", "legal_services", "other_org")
APPEAL_GROUPS = ("reconsideration", "litigation_direct", "litigation_after_reconsideration")
APPEAL_COLUMNS = ("upheld", "corrected", "other", "pending", "total")

# Wording variants real reports use, beyond what normalisation absorbs. Keys and
# values are compared after ``norm``; a match through a variant is still reported
# as a ``label_variant`` when the text differs from the official wording.
ROW_VARIANTS: dict[str, tuple[str, ...]] = {
    "normative_documents": ("规范性文件", "行政规范性文件"),
    "withheld_security_stability": ("危及三安全一稳定", "危及国家安全公共安全经济安全社会稳定"),
    "new_received": ("本年新收政府信息公开申请数量", "本年新收政府信息公开申请数"),
    "carried_over": ("上年结转政府信息公开申请数量", "上年结转政府信息公开申请数"),
    "total_handled": ("总计", "合计"),
}
COLUMN_VARIANTS: dict[str, tuple[str, ...]] = {
    "total": ("总计", "合计"),
    "other_org": ("其他",),
}

_NUMBERING = compile_re(
    r"^(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}[、.．]|\d{1,2}[、.．)）])"
)
# What labels are compared without: spaces and punctuation (a regular expression's character class).
DROPPED_CLASS = r"\s\u3000\xa0\"'“”‘’「」『』《》〈〉,，.。、;；:：!！?？·•…\-—_~()（）\[\]【】/"
_DROP = compile_re(f"[{DROPPED_CLASS}]+")
_LEAF_NUMBERING = compile_re(r"\s*(\d{1,2})\s*[.、．]")


def nfkc(text: str) -> str:
    """Full-width digits and punctuation to their plain forms (NFKC)."""
    return unicodedata.normalize("NFKC", text)


def strip_numbering(text: str) -> str:
    """Drop leading list numbering such as ``（三）``, ``三、``, ``1.`` or ``1、``."""
    text = text.strip()
    while True:
        stripped = _NUMBERING.sub("", nfkc(text).strip(), count=1)
        if stripped == nfkc(text).strip():
            return stripped
        text = stripped


@lru_cache(maxsize=65536)
def norm(text: str) -> str:
    """Comparable form of a label: NFKC, no numbering, no spaces or punctuation."""
    return _DROP.sub("", strip_numbering(nfkc(text)))


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a table in a national format."""

    key: str
    label: str  # official wording, e.g. "本年制发件数" or "法人或其他组织 商业企业"
    unit: str

    @property
    def leaf(self) -> str:
        return self.label.split()[-1]

    @property
    def signed(self) -> bool:
        """A change from the year before (2019 本年增/减): the one kind of cell that may be negative."""
        return "增/减" in self.label

    @property
    def is_count(self) -> bool:
        """A number of things (件): a whole number."""
        return self.unit == "件"


@dataclass(frozen=True)
class RowSpec:
    """One row of a table in a national format, with its columns."""

    key: str
    label: str  # official wording, parent and leaf joined by a space
    leaf: str  # the row's own label, e.g. "1.属于国家秘密"
    parent: str | None  # the group label, e.g. "（三）不予公开"
    columns: tuple[ColumnSpec, ...]

    def cell_key(self, table: str, column: str) -> str:
        return f"{table}.{self.key}.{column}"

    @cached_property  # (specs are frozen: what is derived from them is worked out once)
    def numbering(self) -> str | None:
        """The leaf's own numbering digits (``"2"`` for ``2.其他…``), if any."""
        m = _LEAF_NUMBERING.match(nfkc(self.leaf))
        return m.group(1) if m else None

    def names(self) -> tuple[str, ...]:
        """Normalised names a report may use for this row (official first)."""
        return self._names

    @cached_property
    def _names(self) -> tuple[str, ...]:
        out = [norm(self.leaf)]
        for v in ROW_VARIANTS.get(self.key, ()):
            if norm(v) not in out:
                out.append(norm(v))
        return tuple(out)


@dataclass(frozen=True)
class GroupSpec:
    """A parent row (e.g. （六）其他处理) whose sub-rows a report may merge into one."""

    key: str
    label: str
    children: tuple[str, ...]


@dataclass(frozen=True)
class TableSpec:
    """One table of a national format: its rows and the groups of rows a report may merge."""

    key: str
    title: str
    rows: tuple[RowSpec, ...]
    groups: tuple[GroupSpec, ...] = ()

    @property
    def keys(self) -> list[str]:
        return list(self._keys)

    @cached_property
    def _keys(self) -> tuple[str, ...]:
        return tuple(r.cell_key(self.key, c.key) for r in self.rows for c in r.columns)

    def row(self, key: str) -> RowSpec:
        """The row with this key; ``KeyError`` when the table has none (a group key, say)."""
        return self._rows_by_key[key]

    @cached_property
    def _rows_by_key(self) -> dict[str, RowSpec]:
        return {r.key: r for r in self.rows}

    def row_keys(self, key: str) -> tuple[str, ...]:
        """The cell keys of one row, in column order."""
        return self._row_keys[key]

    @cached_property
    def _row_keys(self) -> dict[str, tuple[str, ...]]:
        return {r.key: tuple(r.cell_key(self.key, c.key) for c in r.columns) for r in self.rows}

    @cached_property
    def label_names(self) -> frozenset[str]:
        """The rows' normalised names of four characters or more (what tells the tables apart)."""
        return frozenset(n for r in self.rows for n in r.names() if len(n) >= 4)

    def column_labels(self) -> list[ColumnSpec]:
        seen: dict[str, ColumnSpec] = {}
        for r in self.rows:
            for c in r.columns:
                seen.setdefault(c.label, c)
        return list(seen.values())


@dataclass(frozen=True)
class FormatSpec:
    """A national format (2019 or 2021): its tables, and the regulation it rests on."""

    name: str  # "2021" or "2019"
    basis: str
    tables: dict[str, TableSpec] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        return list(self._keys)

    @cached_property
    def _keys(self) -> tuple[str, ...]:
        return tuple(k for t in TABLES for k in self.tables[t].keys)

    def units(self) -> dict[str, str]:
        return {r.cell_key(t.key, c.key): c.unit for t in self.tables.values() for r in t.rows for c in r.columns}


@dataclass(frozen=True)
class SectionSpec:
    """One numbered section of a report in a national format."""

    key: str
    title: str  # "一、总体情况"
    numeral: str
    words: str  # "总体情况"


def _split_row_label(table: str, label: str) -> tuple[str | None, str]:
    """Split the spec's row wording into (parent, leaf)."""
    if table == "requests" and " " in label:
        parent, leaf = label.split(" ", 1)
        return parent, leaf
    if table == "appeals" and " " in label:
        parent, leaf = label.split(" ", 1)
        return parent, leaf
    if table == "active":
        article, leaf = label.split(" ", 1)
        return article, leaf
    return None, label


def _common_prefix(keys: list[str]) -> str:
    """``withheld`` for ``withheld_state_secret``, ``withheld_query_matters``, …"""
    parts = [k.split("_") for k in keys]
    common = []
    for words in zip(*parts, strict=False):
        if len(set(words)) > 1:
            break
        common.append(words[0])
    return "_".join(common)


@cache
def spec_json() -> dict:
    return json.loads((DATA_DIR / "report-format.json").read_text(encoding="utf-8"))


@cache
def sections() -> tuple[SectionSpec, ...]:
    out = []
    for s in spec_json()["sections"]:
        numeral, words = s["title"].split("、", 1)
        out.append(SectionSpec(s["key"], s["title"], numeral, words))
    return tuple(out)


@cache
def formats() -> dict[str, FormatSpec]:
    titles = {s.key: s.title for s in sections()}
    out: dict[str, FormatSpec] = {}
    for name, fmt in spec_json()["formats"].items():
        rows: dict[str, dict[str, list]] = {t: {} for t in TABLES}
        labels: dict[tuple[str, str], str] = {}
        for cell in fmt["cells"]:
            table, row, col = cell["key"].split(".")
            rows[table].setdefault(row, []).append(ColumnSpec(col, cell["col"], cell["unit"]))
            labels[(table, row)] = cell["row"]
        tables: dict[str, TableSpec] = {}
        for table in TABLES:
            specs = []
            for row, cols in rows[table].items():
                parent, leaf = _split_row_label(table, labels[(table, row)])
                specs.append(RowSpec(row, labels[(table, row)], leaf, parent, tuple(cols)))
            groups: dict[str, list[str]] = {}
            if table == "requests":
                for r in specs:
                    if r.parent and r.parent.startswith("（"):
                        groups.setdefault(r.parent, []).append(r.key)
            group_specs = tuple(
                GroupSpec(_common_prefix(children), label, tuple(children))
                for label, children in groups.items() if len(children) > 1
            )
            tables[table] = TableSpec(table, titles[table], tuple(specs), group_specs)
        out[name] = FormatSpec(name, fmt["basis"], tables)
    return out


def format_spec(name: str) -> FormatSpec:
    return formats()[name]


def all_keys(name: str) -> list[str]:
    return format_spec(name).keys


# Words that only one format's tables use: they tell the format apart.
FORMAT_MARKERS: dict[str, tuple[str, ...]] = {
    "2021": ("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额", "申请人无正当理由逾期不补正",
             "逾期未按收费通知要求缴纳费用"),
    "2019": ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "其他对外管理服务事项",
             "政府集中采购", "采购总金额"),
}
