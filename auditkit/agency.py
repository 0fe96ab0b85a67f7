"""Agencies: one name across years, department or government, when the report is due, last year's record.

- ``normalise_agency``: the comparable form of a name, so that 平潭综合实验区管委会 this
  year and 平潭综合实验区 last year are one agency (the store adds the auditor's aliases).
- ``agency_kind`` and ``publication_deadline``: 条例第四十九条 gives a government's
  工作部门 until 31 January and a people's government until 31 March of the next year.
- ``Prior``: the same agency's record of the year before, found in the batch or the
  report store; the frames compare a report with it (carry-over, in force, repetition).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from functools import lru_cache

from auditkit.precompiled import compile_re, dataclass
from auditkit.record import Report

# ---------------------------------------------------------------------------
# Names

_PUNCT = compile_re(r"[\s\u3000\xa0()（）\[\]【】〔〕《》<>\"'“”‘’·•、，,.。:：;；\-—_/]+")
# A zone's 管委会 and a place's 人民政府 are how the place itself reports.
_GOVERNMENT_SUFFIX = compile_re(r"(?:管理委员会|人民政府)$")
_PLACE_END = compile_re(r"(?:省|市|县|区|旗|盟|州|镇|乡|实验区|开发区|新区|示范区|高新区|自治州|自治县|自治旗)$")


@lru_cache(maxsize=65536)
def normalise_agency(name: str | None) -> str:
    """The comparable form of an agency name.

    NFKC, no spaces or punctuation, 管委会 spelt out, and a trailing 管理委员会 or
    人民政府 dropped after a place name (平潭综合实验区管委会 -> 平潭综合实验区,
    淮安市洪泽区人民政府 -> 淮安市洪泽区). Offices (…办公室) and departments keep
    their names: they publish their own reports.
    """
    if not name:
        return ""
    n = _PUNCT.sub("", unicodedata.normalize("NFKC", name))
    n = n.replace("管委会", "管理委员会")
    stripped = _GOVERNMENT_SUFFIX.sub("", n)
    if stripped != n and _PLACE_END.search(stripped):
        n = stripped
    return n


# ---------------------------------------------------------------------------
# Kind and deadline

_GOVERNMENT = compile_re(r"(?:人民政府|政府|管委会|管理委员会|实验区|示范区|开发区|新区|自治州|自治县|自治旗)$")
_DEPARTMENT = compile_re(r"(?:局|委员会|委|办公室|办公厅|办|厅|署|部|院|中心|处|所|站|队|会|行|室|社|馆)$")
_PLACE = compile_re(r"(?:省|市|县|区|旗|盟|州|镇|乡|街道)$")
_SPACE_RUN = compile_re(r"\s+")


@lru_cache(maxsize=65536)
def agency_kind(name: str | None) -> str:
    """"government" (people's government at county level and above, or a zone's 管委会),
    "department" (a 工作部门: 局, 委, 办…), or "unknown"."""
    if not name:
        return "unknown"
    n = _SPACE_RUN.sub("", name)
    if _GOVERNMENT.search(n) or (_PLACE.search(n) and not _DEPARTMENT.search(n)):
        return "government"
    if _DEPARTMENT.search(n):
        return "department"
    return "unknown"


def publication_deadline(year: int | None, kind: str) -> dt.date | None:
    """条例 第四十九条: departments by 31 January, governments by 31 March of the next year."""
    if year is None:
        return None
    return dt.date(year + 1, 1, 31) if kind == "department" else dt.date(year + 1, 3, 31)


# The deadline each kind was held to, as the auditor reads it in the evidence.
DEADLINE_RULES = {"government": "按人民政府计，应于次年3月31日前公布",
                  "department": "按政府工作部门计，应于次年1月31日前公布",
                  "unknown": "机关类型未能识别，按较宽的次年3月31日计"}


# ---------------------------------------------------------------------------
# Last year's record


@dataclass
class Prior:
    """An earlier record of the same agency, from this batch or the report store."""

    report: Report
    origin: str  # "batch" or "store"

    def describe(self) -> str:
        where = "本批" if self.origin == "batch" else "报告库"
        return f"上年报告（{where}）：{self.report.source}，sha256 {self.report.sha256 or '无'}，{self.report.year}年度"
