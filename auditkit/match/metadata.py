"""Metadata: the agency, the report year and the publication date.

Read from the title (the page's, or the document's first lines), the statistics
period, the signature at the end and what the page states about itself; each
fallback leaves a ``year_guess`` or ``agency_guess`` diagnostic.
"""

from __future__ import annotations

from auditkit.errors import DiagnosticCode
from auditkit.formats import nfkc
from auditkit.layout import Layout
from auditkit.match.stream import TABLE_MARK, Stream
from auditkit.precompiled import compile_re
from auditkit.readers.text import normal_date
from auditkit.record import Diagnostic

_TITLE = compile_re(r"(?P<pre>[^\n]{0,60}?)(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*(?P<post>[^\n]{0,60}?)"
                    r"政\s*府\s*信\s*息\s*公\s*开\s*(?:工\s*作\s*)?年\s*度?\s*报\s*告")
_PERIOD = compile_re(r"统计期限自\s*((?:19|20)\d{2})\s*年")
_AGENCY_TAIL = compile_re(r"(人民政府|管委会|管理委员会|办公室|办公厅|局|委员会|委|厅|院|署|中心|实验区|示范区|新区|开发区|政府|"
                          r"街道办事处|街道|镇|乡|处|所|站|队|会)$")
_SPACE_RUN = compile_re(r"\s+")
_LEADING_WORD = compile_re(r"^(关于|标题)")
_LETTER_TAIL = compile_re(r"(?<=.{2})关于[^关于]{0,6}$")


def _clean_agency(text: str) -> str:
    text = _SPACE_RUN.sub("", nfkc(text)).strip("《》“”\"'：:-—_，,。.（）()[]【】 ")
    text = _LEADING_WORD.sub("", text)
    # A report sent under a covering letter: "…管理局关于报送2020年度…的函" names the agency before 关于.
    text = _LETTER_TAIL.sub("", text)
    return nfkc(text)


_CN_DIGITS = str.maketrans("〇零○一二三四五六七八九", "000123456789")
_CN_YEAR = compile_re(r"[〇零○一二三四五六七八九]{4}(?=\s*年)")


def _arabic_years(text: str) -> str:
    """``二〇二三年`` -> ``2023年`` so that one pattern reads both."""
    return _CN_YEAR.sub(lambda m: m.group(0).translate(_CN_DIGITS), text)


def _signature(stream: Stream) -> str | None:
    """The agency named in the signature: a short line before a date at the very end."""
    lines = [ln.strip() for ln in stream.text.strip().split("\n") if ln.strip()][-4:]
    for i in range(len(lines) - 1):
        name = _clean_agency(lines[i])
        if 3 <= len(name) <= 30 and _AGENCY_TAIL.search(name) and normal_date(_arabic_years(lines[i + 1])):
            return name
    return None


def read_metadata(layout: Layout, stream: Stream, first_section: int | None,
                  diags: list[Diagnostic]) -> tuple[str | None, int | None, str | None]:
    """Agency, report year and publication date, from the title and what the page states."""
    head_end = first_section if first_section is not None else min(len(stream.text), 600)
    head = stream.text[:head_end][:600]
    # A title broken over short lines ("淮安市洪泽区人民政府" / "2024 年政府信息公开工作年度报告").
    short_lines = [ln.strip() for ln in head.split("\n")[:6] if 0 < len(ln.strip()) <= 40]
    candidates = [layout.meta.get("title", ""), head, "".join(short_lines)]
    agency = year = None
    for text in candidates:
        m = _TITLE.search(_arabic_years(text.replace(TABLE_MARK, "")))
        if not m:
            continue
        year = int(m.group("year"))
        pre = _clean_agency(m.group("pre").split("\n")[-1] if "\n" in m.group("pre") else m.group("pre"))
        post = _clean_agency(m.group("post"))
        if not pre and "\n" in m.group("pre"):
            pre = _clean_agency(m.group("pre"))
        agency = pre or post or None
        if agency:
            break
    if year is None:
        m2 = _PERIOD.search(stream.text)
        if m2:
            year = int(m2.group(1))
            diags.append(Diagnostic(DiagnosticCode.YEAR_GUESS, f"标题中未见报告年度，按统计期限取{year}年 (report year taken "
                                    "from the statistics period)"))
    if not agency:
        agency = _signature(stream)
        if agency:
            diags.append(Diagnostic(DiagnosticCode.AGENCY_GUESS, f"标题中未见机关名称，按落款取「{agency}」 (agency taken "
                                    "from the signature at the end)"))
    if not agency and layout.meta.get("publisher"):
        agency = _clean_agency(layout.meta["publisher"])
        diags.append(Diagnostic(DiagnosticCode.AGENCY_GUESS, f"标题中未见机关名称，按发布机构取「{agency}」 (agency taken from "
                                "the page's publisher)"))
    if agency and not _AGENCY_TAIL.search(agency) and layout.meta.get("publisher"):
        diags.append(Diagnostic(DiagnosticCode.AGENCY_GUESS, f"机关名称「{agency}」不像机关全称 (agency name looks incomplete)"))
    published = layout.meta.get("published")
    published = normal_date(published) if published else None
    return agency, year, published
