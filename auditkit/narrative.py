"""Figures the report's text states, and how much of a text repeats an earlier one.

``extract_figures`` finds the application, appeal and document counts a report
states in words ("共收到政府信息公开申请81件", "行政复议案件2件", "现行有效行政规范性
文件393件"), each with the sentence as written, so that a rule can hold them
against the tables. It is deliberately narrow: a figure is taken only where a
pattern real reports use names what is counted and the unit is 件/起/宗, so the
counts of website posts (信息1251条) and approximations (7700余条) never enter.

A figure is *plain* when the report states it as its own total; it is
*qualified* when the wording says it is a part or someone else's count
("区政府办代表区政府受理…", "其中…", "累计…"), which rules treat more leniently.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

APPLICANT_WORDS: dict[str, str] = {
    "自然人": "natural_person",
    "商业企业": "commercial",
    "企业": "commercial",
    "科研机构": "research",
    "社会公益组织": "nonprofit",
    "公益组织": "nonprofit",
    "法律服务机构": "legal_services",
    "法人或其他组织": "legal_person",
    "法人和其他组织": "legal_person",
    "法人及其他组织": "legal_person",
}

# What each metric counts, in the words an auditor reads.
METRIC_LABELS: dict[str, str] = {
    "received": "本年新收申请数",
    "handled": "本年办结申请数",
    "granted": "予以公开",
    "partially_granted": "部分公开",
    "granted_or_partial": "予以公开及部分公开",
    "withheld": "不予公开",
    "unavailable": "无法提供",
    "not_processed": "不予处理",
    "other_handling": "其他处理",
    "carried_over": "上年结转申请数",
    "carried_forward": "结转下年度继续办理申请数",
    "reconsideration": "行政复议案件数",
    "litigation": "行政诉讼案件数",
    "appeals": "行政复议和行政诉讼案件数",
    "regulations.issued": "本年制发规章件数",
    "regulations.repealed": "本年废止规章件数",
    "regulations.in_force": "现行有效规章件数",
    "normative_documents.issued": "本年制发规范性文件件数",
    "normative_documents.repealed": "本年废止规范性文件件数",
    "normative_documents.in_force": "现行有效规范性文件件数",
}
APPLICANT_LABELS = {
    "natural_person": "自然人", "commercial": "商业企业", "research": "科研机构", "nonprofit": "社会公益组织",
    "legal_services": "法律服务机构", "other_org": "其他组织", "legal_person": "法人或其他组织", "total": "总计",
}
OUTCOME_LABELS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结",
                  "total": "总计"}

_ORG_COLUMNS = ("commercial", "research", "nonprofit", "legal_services", "other_org")
_OUTCOME_ROWS = {
    "granted": ("granted",),
    "partially_granted": ("partially_granted",),
    "granted_or_partial": ("granted", "partially_granted"),
    "withheld": ("withheld",),
    "unavailable": ("unavailable",),
    "not_processed": ("not_processed",),
    "other_handling": ("other_handling",),
}
_BASE_ROWS = {"received": "new_received", "handled": "total_handled", "carried_over": "carried_over",
              "carried_forward": "carried_forward"}
_APPEAL_GROUPS = {
    "reconsideration": ("reconsideration",),
    "litigation": ("litigation_direct", "litigation_after_reconsideration"),
    "appeals": ("reconsideration", "litigation_direct", "litigation_after_reconsideration"),
}


@dataclass(frozen=True)
class StatedFigure:
    """One figure the text states: what it counts, its value, and the sentence as written."""

    metric: str  # "received", "received.natural_person", "reconsideration.upheld", "regulations.in_force", ...
    value: int
    section: str
    sentence: str
    plain: bool
    qualifier: str | None = None  # why the figure is not plain, in Chinese

    @property
    def label(self) -> str:
        base, _, part = self.metric.partition(".")
        if base in ("regulations", "normative_documents"):
            return METRIC_LABELS[self.metric]
        text = METRIC_LABELS[base]
        if part:
            text += "（" + (APPLICANT_LABELS.get(part) or OUTCOME_LABELS.get(part, part)) + "）"
        return text


def metric_terms(metric: str, fmt: str | None) -> list[tuple[str, str, str]] | None:
    """The table cells a metric sums, as (table, row-or-group, column) terms.

    Rows named by group (``withheld``, ``other_handling``, …) are resolved by the
    caller, which knows each format's rows and merged rows. ``None`` when the
    format has no such figure (the 2019 format has no 现行有效件数).
    """
    base, _, part = metric.partition(".")
    if base in ("regulations", "normative_documents"):
        if fmt == "2019":
            column = {"issued": "new_made"}.get(part)
            return [("active", base, column)] if column else None
        return [("active", base, part)]
    if base in _APPEAL_GROUPS:
        return [("appeals", g, part or "total") for g in _APPEAL_GROUPS[base]]
    columns = [part] if part and part != "legal_person" else list(_ORG_COLUMNS) if part else ["total"]
    rows = (_BASE_ROWS[base],) if base in _BASE_ROWS else _OUTCOME_ROWS[base]
    return [("requests", r, c) for r in rows for c in columns]


# ---------------------------------------------------------------------------
# Text preparation

_DIGIT_GAP = re.compile(r"(?<=\d)[,，](?=\d{3})")
_SPACES = re.compile(r"[ \t\u3000\xa0]+")
# Full-width digits to ASCII. Not NFKC: that also turns ① into 1 and invents counts.
_WIDE_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_WIDE_DIGIT = re.compile("[０-９]")


def _clean(sentence: str) -> str:
    """A sentence in the form the patterns expect: ASCII digits, no spaces, no thousands commas."""
    # Each step only when needed: most sentences have no full-width digits and no spaces.
    text = sentence.translate(_WIDE_DIGITS) if _WIDE_DIGIT.search(sentence) else sentence
    if " " in text or "\u3000" in text or "\xa0" in text or "\t" in text:
        text = _SPACES.sub("", text)
    return _DIGIT_GAP.sub("", text)


# ---------------------------------------------------------------------------
# Patterns. Each yields (metric, match); the number is group "n". Gaps between
# the verb and the count may not cross a clause boundary or another number.

_GAP = r"[^,，。;；:：\d]{0,%d}?"
_N = r"(?P<n>\d+)"
_TOTAL = r"(?:共计|总计|合计|共|为|数量为|数量|数为|数)?"
_NOT_APPLICATION = re.compile(r"复议|诉讼|举报|投诉|信访|咨询|留言|来信|热线")
_CHANGE = re.compile(r"增|减|较|比|同比|环比|占")

_PATTERN_LIST: list[tuple[str, re.Pattern[str]]] = [
    # 共收到政府信息公开申请81件 / 接收…各类政府信息公开申请共计81件 / 受理政府信息公开申请17件
    ("received", re.compile(r"(?P<verb>收到|接收|受理|新收|接到|收悉|登记)(?P<gap>" + _GAP % 30
                            + r")申请(?:公开)?(?:件)?" + _TOTAL + _N + r"件")),
    # 办结依申请公开81件 / 共办理依申请公开件51件 / 答复政府信息公开申请N件
    ("handled", re.compile(r"(?P<verb>办结|办理|答复|处理)(?P<gap>" + _GAP % 20 + r")(?:申请|依申请公开)(?:件)?"
                           + _TOTAL + _N + r"件")),
    # 共办结148件 (only in a sentence about applications; see _needs_context)
    ("handled", re.compile(r"(?P<verb>办结|答复办结|已办结)" + _TOTAL + _N + r"件")),
    # 1件公开申请已办结
    ("handled", re.compile(_N + r"件(?:政府信息)?(?:公开)?申请(?:已|均已|全部)办结")),
    # 结转至2026年6件 / 结转下年度继续办理2件
    ("carried_forward", re.compile(r"(?<![上去])(?<!上一)(?<!上年)(?<!\d年)(?<!年度)结转(?P<to>至|到)?"
                                   r"(?P<when>下一?年度?|次年|(?P<y>\d{4})年度?)?"
                                   r"(?:继续办理)?(?:的)?(?:申请)?" + _TOTAL + _N + r"件")),
    # 上年结转1件 / 2021年结转申请1件
    ("carried_over", re.compile(r"(?:上年度?|上一年度?|去年|(?P<y>\d{4})年度?)结转(?:的)?(?:政府信息公开)?(?:申请)?"
                                + _TOTAL + _N + r"件")),
    # 予以公开及部分公开42件
    ("granted_or_partial", re.compile(r"(?:予以)?公开(?:及|和|与|、)部分公开(?:的)?" + _TOTAL + _N + r"件")),
    ("granted", re.compile(r"(?<![不部分])(?:予以公开|同意公开)(?![及和与、])(?:的)?" + _TOTAL + _N + r"件")),
    ("partially_granted", re.compile(r"(?<![及和与、])部分公开(?:的)?" + _TOTAL + _N + r"件")),
    ("withheld", re.compile(r"不予公开(?:的)?" + _TOTAL + _N + r"件")),
    ("unavailable", re.compile(r"无法提供(?:的)?" + _TOTAL + _N + r"件")),
    ("not_processed", re.compile(r"不予处理(?:的)?" + _TOTAL + _N + r"件")),
    ("other_handling", re.compile(r"其他处理(?:的)?" + _TOTAL + _N + r"件")),
    # 行政复议案件2件、行政诉讼案件7件 / 行政复议36起
    ("appeals", re.compile(r"行政复议(?:和|、|及|与)行政诉讼(?:案件)?(?P<each>各)?" + _TOTAL + _N + r"(?:件|起|宗)")),
    ("reconsideration", re.compile(r"行政复议(?:案件|申请)?" + _TOTAL + _N + r"(?:件|起|宗)")),
    ("litigation", re.compile(r"行政诉讼(?:案件)?" + _TOTAL + _N + r"(?:件|起|宗)")),
    # 现行有效行政规范性文件393件 / 本年度制发的规范性文件77件 / 废止规章2件
    ("in_force", re.compile(r"现行有效(?:的)?(?P<doc>行政规范性文件|规范性文件|政府规章|规章)" + _TOTAL + _N + r"件")),
    ("issued", re.compile(r"(?:制发|印发|出台|制定)(?:的)?(?P<doc>行政规范性文件|规范性文件|政府规章|规章)" + _TOTAL
                          + _N + r"件")),
    ("repealed", re.compile(r"废止(?:的)?(?P<doc>行政规范性文件|规范性文件|政府规章|规章)" + _TOTAL + _N + r"件")),
]
# A pattern is tried only on sentences holding one of its literal words (most hold none).
_GATE_WORDS = {
    "received": ("收到", "接收", "受理", "新收", "接到", "收悉", "登记"), "handled": ("办结", "办理", "答复", "处理"),
    "carried_forward": ("结转",), "carried_over": ("结转",), "granted_or_partial": ("部分公开",),
    "granted": ("予以公开", "同意公开"), "partially_granted": ("部分公开",), "withheld": ("不予公开",),
    "unavailable": ("无法提供",), "not_processed": ("不予处理",), "other_handling": ("其他处理",),
    "appeals": ("行政复议",), "reconsideration": ("行政复议",), "litigation": ("行政诉讼",),
    "in_force": ("现行有效",), "issued": ("制发", "印发", "出台", "制定"), "repealed": ("废止",),
}
_PATTERNS = [(metric, pattern, frozenset(_GATE_WORDS[metric]), "gap" in pattern.groupindex)
             for metric, pattern in _PATTERN_LIST]
_GATE = re.compile("|".join(sorted({w for ws in _GATE_WORDS.values() for w in ws} | {"行政诉讼"}, key=len,
                                   reverse=True)))
_OUTCOME_METRICS = frozenset(("granted", "partially_granted", "granted_or_partial", "withheld", "unavailable",
                              "not_processed", "other_handling"))
_LONG_DIGITS = re.compile(r"\d{7,}")
# Sentences worth reading: a count in 件/起/宗, or a statement that no appeal happened.
_COUNT_AT = re.compile("[0-9０-９][ \t\u3000\xa0]*(?=[件起宗])")  # a digit, maybe spaces, then 件/起/宗
_NO_APPEAL = re.compile(r"(?:未发生|没有发生|未出现|未收到|没有收到|无)[^。]{0,40}?行政(?:复议|诉讼)")
_BOUNDARY = re.compile(r"[。！!？?\n]")
_ZERO_APPEALS = re.compile(r"(?:未发生|没有发生|未出现|未收到|没有收到|无)(?:因|涉及)?(?:政府信息公开(?:工作)?)?"
                           r"(?:引起|引发|产生)?(?:的)?(?:政府信息公开)?(?:方面)?(?:的)?"
                           r"(?P<what>行政复议(?:(?:和|、|及|或)行政诉讼)?|行政诉讼)")
_APPLICANT = re.compile(r"(?P<who>自然人|商业企业|科研机构|社会公益组织|公益组织|法律服务机构|法人或其他组织|法人和其他组织"
                        r"|法人及其他组织|企业)(?:提出|提交)?(?:的)?(?:申请)?" + _TOTAL + _N + r"件")
_APPEAL_OUTCOME = re.compile(r"(?P<what>维持|纠正|尚未审结|未审结|其他结果)(?:原行政行为|的)?" + _TOTAL + _N + r"(?:件|起|宗)")
_OUTCOME_WORDS = {"维持": "upheld", "纠正": "corrected", "尚未审结": "pending", "未审结": "pending",
                  "其他结果": "other"}
_BREAKDOWNS = ((_APPLICANT, ("received", "handled")), (_APPEAL_OUTCOME, ("reconsideration", "litigation")))
# A subject that is a part of the reporting body, or speaks for it.
_SUBUNIT = re.compile(r"代表|本级|下属|所属|各(?:单位|部门)|[\u4e00-\u9fff]{1,10}(?:局|委|办|厅|中心|街道|镇|乡)")
_SELF = re.compile(r"^(?:我|本)(?:局|委|办|厅|中心|机关|单位|区|县|市|镇|乡|街道)")
_CUMULATIVE = re.compile(r"累计|历年")


def _doc_key(word: str) -> str:
    return "regulations" if "规章" in word else "normative_documents"


_CLAUSE_CUT = re.compile(r"[,，;；:：。]")
_LEADING_TIME = re.compile(r"^\d{4}年(?:度)?|^(?:全年|今年|本年度?)")


def _clause_prefix(text: str, start: int, cuts: list[int]) -> str:
    """The words from the start of the clause up to ``start`` (the subject, usually)."""
    cut = bisect.bisect_left(cuts, start) - 1
    prefix = text[cuts[cut] + 1 if cut >= 0 else 0:start]
    return _LEADING_TIME.sub("", prefix)


@lru_cache(maxsize=4096)
def _qualifier_of(prefix: str) -> str | None:
    if _CUMULATIVE.search(prefix):
        return "累计数，可能跨年度"
    if prefix and not _SELF.match(prefix) and _SUBUNIT.search(prefix):
        return f"表述主体为「{prefix}」，可能仅为部分单位的数字"
    return None


def _approximate(text: str, start: int, end: int) -> bool:
    before, after = text[max(0, start - 2):start], text[end:end + 2]
    return before.endswith(("约", "近", "逾", "超过")) or after.startswith(("余", "多", "左右", "以上"))


def _candidates(text: str) -> list[int]:
    """Positions worth reading: a count in 件/起/宗 (digits just before), or "no appeal" wording."""
    out = [m.end() for m in _COUNT_AT.finditer(text)]  # the unit's position: a digit, maybe spaces, before it
    if "行政复议" in text or "行政诉讼" in text:
        out += [m.start() for m in _NO_APPEAL.finditer(text)]
    return sorted(out)


def extract_figures(sections: dict[str, str], year: int | None = None) -> list[StatedFigure]:
    """Every figure the report's text states that a table also gives, with its sentence.

    ``year`` is the report year, used to read "结转至2026年" as a carry-forward.
    """
    out: list[StatedFigure] = []
    for section, text in sections.items():
        if not text:
            continue
        hits = _candidates(text)
        if not hits:
            continue
        # Only the sentences holding a count are read closely.
        ends = [m.end() for m in _BOUNDARY.finditer(text)] + [len(text)]
        start, k = 0, 0
        for end in ends:
            if k < len(hits) and hits[k] < end:
                sentence = text[start:end].strip()
                # No pattern can match a sentence without one of their words (all CJK: NFKC-stable).
                if sentence and _GATE.search(sentence):
                    out.extend(_figures_in(sentence, section, year))
                while k < len(hits) and hits[k] < end:
                    k += 1
            start = end
            if k >= len(hits):
                break
    return out


def _figures_in(sentence: str, section: str, year: int | None) -> list[StatedFigure]:
    text = _clean(sentence)
    # Flattened table text (long digit runs) is the tables' business, not the narrative's.
    if _LONG_DIGITS.search(text):
        return []
    present = set(_GATE.findall(text))
    application = "申请" in text
    cuts: list[int] = []
    found: list[tuple[int, int, str, int, str | None]] = []  # (start, end, metric, value, qualifier)
    taken: set[int] = set()  # positions of digits already read as a figure

    def qualifier(start: int) -> str | None:
        if not cuts:
            cuts.extend(m.start() for m in _CLAUSE_CUT.finditer(text))
            cuts.append(len(text) + 1)  # a sentinel: the list is computed once even without cuts
        return _qualifier_of(_clause_prefix(text, start, cuts))

    for metric, pattern, words, has_gap in _PATTERNS:
        if present.isdisjoint(words):
            continue
        for m in pattern.finditer(text):
            ns, ne = m.span("n")
            if ns in taken or ne - 1 in taken or _approximate(text, ns, ne):
                continue
            if has_gap:
                gap = m.group("gap")
                if gap and _CHANGE.search(gap):
                    continue
            name = metric
            if metric == "received" or metric == "handled":
                if _NOT_APPLICATION.search(m.group(0)):
                    continue
                if metric == "handled" and not application:
                    continue
            elif metric in _OUTCOME_METRICS:
                if not application:
                    continue
            elif metric == "carried_forward":
                y = m.group("y")
                if y and year is not None and int(y) != year + 1:
                    continue
                if not m.group("when") and not m.group("to") and not application:
                    continue
            elif metric == "carried_over":
                y = m.group("y")
                if y and (year is None or int(y) != year - 1):
                    continue
            elif metric == "in_force" or metric == "issued" or metric == "repealed":
                name = f"{_doc_key(m.group('doc'))}.{metric}"
            q = qualifier(m.start())
            if metric == "appeals" and m.group("each"):
                value = int(m.group("n"))
                found += [(m.start(), m.end(), "reconsideration", value, q), (m.start(), m.end(), "litigation", value, q)]
            else:
                found.append((m.start(), m.end(), name, int(m.group("n")), q))
            taken.update(range(ns, ne))

    if "行政复议" in present or "行政诉讼" in present:
        for m in _ZERO_APPEALS.finditer(text):
            q = qualifier(m.start())
            if "行政复议" in m.group("what"):
                found.append((m.start(), m.end(), "reconsideration", 0, q))
            if "行政诉讼" in m.group("what"):
                found.append((m.start(), m.end(), "litigation", 0, q))

    # Breakdowns ("涉及自然人80件、商业企业1件", "其中维持1件") belong to the figure before them.
    for pattern, bases in _BREAKDOWNS:
        based = [f for f in found if f[2] in bases]
        if not based:
            continue
        based.sort()
        for m in pattern.finditer(text):
            ns, ne = m.span("n")
            if ns in taken or ne - 1 in taken or _approximate(text, ns, ne):
                continue
            before = [f for f in based if f[1] <= m.start()]
            if not before:
                continue
            base = before[-1]
            if pattern is _APPLICANT:
                part = APPLICANT_WORDS[m.group("who")]
            else:
                part = _OUTCOME_WORDS[m.group("what")]
            found.append((m.start(), m.end(), f"{base[2]}.{part}", int(m.group("n")), base[4]))
            taken.update(range(ns, ne))
    found.sort(key=lambda f: f[:3])
    return [StatedFigure(metric, value, section, sentence, q is None, q) for _, _, metric, value, q in found]


# ---------------------------------------------------------------------------
# Repetition

def _keep(cp: np.ndarray) -> np.ndarray:
    """Letters, digits and CJK: what wording is made of (punctuation and spaces are not)."""
    low = cp | 0x20
    return (((cp >= 0x4E00) & (cp <= 0x9FFF)) | ((cp >= 0x30) & (cp <= 0x39)) | ((low >= 0x61) & (low <= 0x7A))
            | ((cp >= 0xFF10) & (cp <= 0xFF19)) | ((cp >= 0x3400) & (cp <= 0x4DBF)))


_FNV = np.uint32(0x01000193)


def shingles_many(texts: Sequence[str], n: int = 4) -> list[np.ndarray]:
    """Distinct character n-grams of each text, as sorted 32-bit hashes; punctuation and spaces
    dropped, digits folded (so "2023年" and "2024年" match). One vectorised pass over all texts."""
    if not texts:
        return []
    cp = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    keep = _keep(cp)
    # Where each text's kept characters start and end in the folded stream.
    starts = np.concatenate(([0], np.cumsum([len(t) for t in texts])))
    bounds = np.concatenate(([0], np.cumsum(keep, dtype=np.int32)))[starts]
    folded = cp[keep]
    folded = np.where(((folded >= 0x30) & (folded <= 0x39)) | (folded >= 0xFF10) & (folded <= 0xFF19), 0x30, folded)
    m = len(folded) - n + 1
    out: list[np.ndarray] = [np.zeros(0, dtype=np.uint32)] * len(texts)
    if m <= 0:
        return out
    h = folded[:m].astype(np.uint32)
    for k in range(1, n):
        h = h * _FNV ^ folded[k:k + m]  # a 32-bit hash; collisions among a report's grams are negligible
    for t in range(len(texts)):
        a, b = int(bounds[t]), int(bounds[t + 1]) - n + 1  # grams that start and end inside text t
        if b > a:
            g = np.sort(h[a:b])
            out[t] = g[np.concatenate(([True], g[1:] != g[:-1]))]
    return out


def shingles(text: str, n: int = 4) -> np.ndarray:
    """Distinct character n-grams of one text (see ``shingles_many``)."""
    return shingles_many([text or ""], n)[0]


def containment(a: np.ndarray, b: np.ndarray) -> float | None:
    """Share of the sorted distinct n-grams ``a`` found in ``b``; None when either is too short."""
    if len(a) < 20 or len(b) < 20:
        return None
    i = np.searchsorted(b, a)
    i[i >= len(b)] = 0
    return float((b[i] == a).sum()) / len(a)


def similarity(text: str, earlier: str, n: int = 4) -> float | None:
    """Share of ``text``'s character 4-grams that also occur in ``earlier`` (0..1).

    This is the overlap a reader sees as copied wording ("内容雷同"); texts too
    short to compare give ``None``.
    """
    return containment(shingles(text, n), shingles(earlier, n))
