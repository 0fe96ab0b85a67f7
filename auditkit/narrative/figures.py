"""Figures the report's text states, each with the sentence as written.

``extract_figures`` finds what a report says in words that its tables also say:

- counts: "共收到政府信息公开申请81件", "予以公开及部分公开42件" (（一）+（二）),
  "因本机关不掌握等原因无法提供31件" (all of （四）), "本机关不掌握相关政府信息5件" (its first row),
  "行政复议案件2件", "现行有效行政规范性文件393件", applicant types ("其中自然人80件、法人或其他组织1件")
  and appeal outcomes ("其中维持1件") after the figure they break down;
- shares: "予以公开35件，占28.6%" (of 办结, 新收, or 新收 + 上年结转: reports use all three);
- claims in words that some cells are 0: "均维持 / 均获维持", "均已结案", "零败诉", "均已办结",
  "均在法定期限内予以答复", "办结率100%", "未发生行政复议、行政诉讼", "未收到政府信息公开申请";
- changes against last year: "较上年增加12件", "同比增长20.3%", "回落5%", "与上年持平".

It is deliberately narrow: a count is taken only where a pattern real reports use names what is
counted and the unit is 件/起/宗, so website posts (信息1251条), interpretations (解读82篇),
interviews (在线访谈12期) and approximations (7700余条) never enter, and a change or share is
taken only next to a figure (or the words of one) that is taken.

A figure is *plain* when the report states it as its own; it is *qualified* when the wording
says it is a part or someone else's count ("区政府办代表区政府受理…", "累计…"), which rules
treat more leniently. A figure about another year ("2022年收到申请75件" in a 2023 report) is
not this year's and is left out.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

from auditkit.narrative.metrics import (
    APPEAL_METRICS,
    APPLICANT_WORDS,
    SUB_ROW_LABELS,
    StatedFigure,
)
from auditkit.precompiled import compile_re, dataclass

# ---------------------------------------------------------------------------
# Text preparation

_DIGIT_GAP = compile_re(r"(?<=\d)[,，](?=\d{3}(?!\d))")
_DIGIT_OR_STOP = compile_re(r"\d|[。；;]")
_SPACES = compile_re(r"[ \t\u3000\xa0]+")
# Full-width digits to ASCII. Not NFKC: that also turns ① into 1 and invents counts.
_WIDE = str.maketrans("０１２３４５６７８９％．", "0123456789%.")
_WIDE_CHAR = compile_re("[０-９％．]")


def _clean(sentence: str) -> str:
    """A sentence in the form the patterns expect: ASCII digits, no spaces, no thousands commas."""
    # Each step only when needed: most sentences have no full-width digits and no spaces.
    text = sentence.translate(_WIDE) if _WIDE_CHAR.search(sentence) else sentence
    if " " in text or "\u3000" in text or "\xa0" in text or "\t" in text:
        text = _SPACES.sub("", text)
    return _DIGIT_GAP.sub("", text)


# ---------------------------------------------------------------------------
# Count patterns. Each yields (metric, match); the number is group "n". Gaps between
# the verb and the count may not cross a clause boundary or another number.

_GAP = r"[^,，。;；:：\d]{0,%d}?"
_N = r"(?P<n>\d+)"
_TOTAL = r"(?:共计|总计|合计|累计|共|为|数量为|数量|数为|数|达|有)?"
# Words of other things applied for or received: never information-disclosure applications.
_NOT_APPLICATION = compile_re(r"复议|诉讼|举报|投诉|信访|咨询|留言|来信|热线|建议|提案|许可|审批|政务服务|服务事项|办件|不动产"
                              r"|户籍|社保|医保|补贴|救助|专利|商标|执照|资质|备案")
_CHANGE = compile_re(r"增|减|较|比|同比|环比|占")


def _row(words: str) -> str:
    """A sub-row's wording, then the count: "本机关不掌握相关政府信息5件" (not "…等原因无法提供5件")."""
    return r"(?<!等)(?:" + words + r")(?:的|情形|情况|类)?(?:的)?(?:申请)?" + _TOTAL + _N + r"件"


_PATTERN_LIST: list[tuple[str, str, tuple[str, ...]]] = [
    # 共收到政府信息公开申请81件 / 接收…各类政府信息公开申请共计81件 / 受理政府信息公开申请17件
    ("received", r"(?P<verb>收到|接收|受理|新收|接到|收悉)(?P<gap>" + _GAP % 30
     + r")申请(?:公开)?(?:件|事项)?(?:数量|总数|总量)?" + _TOTAL + _N + r"件",
     ("收到", "接收", "受理", "新收", "接到", "收悉")),
    # 政府信息公开申请数量为140件 (no verb: the year's applications)
    ("received", r"(?:^|(?<=[，,；;：:]))(?:\d{4}年度?|全年|本年度?|今年)?(?:本机关|本单位|我局|我委|我办|我区|全区|全县|全市)?"
     r"(?:收到的)?(?P<verb>政府信息公开|依申请公开)申请(?:的)?(?:数量|总数|总量|件数|数)(?:共|共计|合计|为|达)?" + _N + r"件",
     ("政府信息公开", "依申请公开")),
    # 办结依申请公开81件 / 共办理依申请公开件51件 / 答复政府信息公开申请N件
    ("handled", r"(?<!继续)(?<!不予)(?<!其他)(?P<verb>办结|办理|答复|处理)(?P<gap>" + _GAP % 20 + r")(?:申请|依申请公开)(?:件)?"
     + _TOTAL + _N + r"件", ("办结", "办理", "答复", "处理")),
    # 共办结148件 / 已答复81件 (only in a sentence about applications; see _needs_context)
    ("handled", r"(?P<verb>办结|答复办结|已办结|办理完毕|已答复|答复|予以答复)" + _TOTAL + _N + r"件",
     ("办结", "办理完毕", "答复")),
    # 1件公开申请已办结
    ("handled", _N + r"件(?:政府信息)?(?:公开)?申请(?:已|均已|全部)办结", ("办结",)),
    # 结转至2026年6件 / 结转下年度继续办理2件
    ("carried_forward", r"(?<![上去])(?<!上一)(?<!上年)(?<!\d年)(?<!年度)结转(?P<to>至|到)?"
     r"(?P<when>下一?年度?|次年|(?P<y>\d{4})年度?)?(?:继续办理)?(?:的)?(?:政府信息公开)?(?:申请)?" + _TOTAL + _N + r"件",
     ("结转",)),
    # 上年结转1件 / 2021年结转申请1件
    ("carried_over", r"(?:上年度?|上一年度?|去年|(?P<y>\d{4})年度?)结转(?:的)?(?:政府信息公开)?(?:申请)?"
     + _TOTAL + _N + r"件", ("结转",)),
    # 予以公开及部分公开42件 / 予以公开（含部分公开）42件
    ("granted_or_partial", r"(?:(?:予以|同意|全部)?公开(?:及|和|与|、|或|或者)部分公开(?:的)?(?:申请)?"
     r"|(?:予以|同意)?公开[（(]含部分公开[)）])" + _TOTAL + _N + r"件", ("部分公开",)),
    ("granted", r"(?<![不部分])(?:予以公开|同意公开|全部公开)(?![及和与、或（(])(?:的)?(?:申请)?" + _TOTAL + _N + r"件",
     ("予以公开", "同意公开", "全部公开")),
    ("partially_granted", r"(?<![及和与、或])(?<!或者)(?<!含)部分公开(?:的)?(?:申请)?" + _TOTAL + _N + r"件",
     ("部分公开",)),
    ("withheld", r"不予公开(?:的)?(?:申请)?" + _TOTAL + _N + r"件", ("不予公开",)),
    ("unavailable", r"无法提供(?:的)?(?:申请)?" + _TOTAL + _N + r"件", ("无法提供",)),
    ("not_processed", r"不予处理(?:的)?(?:申请)?" + _TOTAL + _N + r"件", ("不予处理",)),
    ("other_handling", r"其他处理(?:的)?(?:申请)?" + _TOTAL + _N + r"件", ("其他处理",)),
    # The rows of （三）–（六） one by one, as the format words them.
    ("withheld_state_secret", _row(r"属于国家秘密"), ("国家秘密",)),
    ("withheld_prohibited_by_law", _row(r"(?:其他)?法律(?:、)?行政法规禁止公开"), ("禁止公开",)),
    ("withheld_security_stability", _row(r"危及[“\"]?三安全一稳定[”\"]?"), ("三安全一稳定",)),
    ("withheld_third_party_rights", _row(r"保护第三方合法权益"), ("第三方合法权益",)),
    ("withheld_internal_affairs", _row(r"(?:属于)?三类内部事务信息"), ("内部事务信息",)),
    ("withheld_process_information", _row(r"(?:属于)?四类过程性信息"), ("过程性信息",)),
    ("withheld_enforcement_files", _row(r"(?:属于)?行政执法案卷"), ("行政执法案卷",)),
    ("withheld_query_matters", _row(r"(?:属于)?行政查询事项"), ("行政查询事项",)),
    ("unavailable_not_held", _row(r"本机关不掌握(?:相关)?(?:的)?(?:政府)?信息"), ("不掌握",)),
    ("unavailable_needs_creation", _row(r"(?:没有现成信息)?需要另行制作"), ("另行制作",)),
    ("unavailable_unclear_after_correction", _row(r"补正后(?:申请内容)?仍不明确"), ("仍不明确",)),
    ("not_processed_complaint", _row(r"信访举报投诉类"), ("信访举报投诉",)),
    ("not_processed_duplicate", _row(r"(?<!大量反复)重复申请"), ("重复申请",)),
    ("not_processed_publication", _row(r"(?:要求)?提供公开出版物"), ("公开出版物",)),
    ("not_processed_excessive", _row(r"(?:无正当理由)?大量反复申请"), ("大量反复申请",)),
    ("not_processed_confirmation", _row(r"(?:要求行政机关)?确认或重新出具已获取信息"), ("重新出具",)),
    ("other_handling_no_correction", _row(r"(?:申请人)?(?:无正当理由)?逾期不补正"), ("逾期不补正",)),
    ("other_handling_fee_unpaid", _row(r"(?:申请人)?逾期未按收费通知要求缴纳费用"), ("缴纳费用",)),
    # 行政复议案件2件、行政诉讼案件7件 / 行政复议36起
    ("appeals", r"行政复议(?:和|、|及|与)行政诉讼(?:案件)?(?P<each>各)?" + _TOTAL + _N + r"(?:件|起|宗)", ("行政复议",)),
    ("reconsideration", r"行政复议(?:案件|申请)?" + _TOTAL + _N + r"(?:件|起|宗)", ("行政复议",)),
    ("litigation", r"行政诉讼(?:案件)?" + _TOTAL + _N + r"(?:件|起|宗)", ("行政诉讼",)),
    # 现行有效行政规范性文件393件 / 本年度制发的规范性文件77件 / 废止规章2件
    ("in_force", r"现行有效(?:的)?(?P<doc>行政规范性文件|规范性文件|政府规章|规章)" + _TOTAL + _N + r"件", ("现行有效",)),
    ("issued", r"(?:制发|印发|出台|制定)(?:的)?(?P<doc>行政规范性文件|规范性文件|政府规章|规章)" + _TOTAL + _N + r"件",
     ("制发", "印发", "出台", "制定")),
    ("repealed", r"废止(?:的)?(?P<doc>行政规范性文件|规范性文件|政府规章|规章)" + _TOTAL + _N + r"件", ("废止",)),
]
# (metric, pattern source, words, has a gap group); each pattern compiled on first use (``compile_re``): a
# report's sentences name few of the metrics, and compiling them all costs every process ~4 ms.
_PATTERNS = [(metric, source, frozenset(words), "(?P<gap>" in source) for metric, source, words in _PATTERN_LIST]
_GATE_WORDS = {w for _, _, words in _PATTERN_LIST for w in words} | {"行政诉讼"}
_GATE = compile_re("|".join(sorted(_GATE_WORDS, key=lambda w: (-len(w), w))))  # a fixed order: the store knows it
_REQUEST_METRICS = frozenset(("granted", "partially_granted", "granted_or_partial", "withheld", "unavailable",
                              "not_processed", "other_handling", *SUB_ROW_LABELS))
_LONG_DIGITS = compile_re(r"\d{7,}")

# Sentences worth reading: a count in 件/起/宗, a percentage, or words of a claim.
_WORTH = compile_re(r"[0-9０-９][ \t\u3000\xa0]*[件起宗%％]|维持|败诉|纠错|结案|审结|办结|答复|回复|持平|结转"
                    r"|未发生|没有发生|未出现|未收到|没有收到|行政复议|行政诉讼")
_BOUNDARY = compile_re(r"[。！!？?\n]")

_ZERO_APPEALS = compile_re(r"(?:未发生|没有发生|未出现|没有出现|未收到|没有收到|无)(?:因|涉及)?(?:政府信息公开(?:工作)?)?"
                           r"(?:引起|引发|产生)?(?:的)?(?:政府信息公开)?(?:方面)?(?:的)?(?:被申请)?"
                           r"(?P<what>行政复议(?:(?:和|、|及|或|与)(?:提起)?行政诉讼)?|行政诉讼)"
                           r"(?!(?:案件)?(?:中)?(?:的)?(?:被)?(?:败诉|纠错|撤销|确认违法))"  # no lost case is no count
                           r"|(?P<what2>行政复议(?:和|、|及|与)行政诉讼|行政复议|行政诉讼)(?:案件)?(?:数量)?"
                           r"(?:均为|均是|都为|都是|为)(?:0|零)(?![.\d])(?:件|起)?")
_LOST = compile_re(r"[^，,。；;]{0,12}?(?:败诉|纠错|撤销|确认违法)")
_ZERO_REQUESTS = compile_re(r"(?:未|没有)(?:收到|受理|接到)(?:任何)?(?:(?:的)?政府信息公开|依申请公开)?申请(?!人)")
_APPLICANT = compile_re(r"(?P<who>自然人|个人|公民|商业企业|科研机构|社会公益组织|公益组织|法律服务机构"
                        r"|法人或者其他组织|法人或其他组织|法人和其他组织|法人及其他组织|法人|企业)"
                        r"(?:提出|提交)?(?:的)?(?:申请)?" + _TOTAL + _N + r"件")
_APPEAL_OUTCOME = compile_re(r"(?P<what>维持|纠正|纠错|败诉|尚未审结|未审结|审理中|其他结果)(?:原行政行为|原具体行政行为|的)?"
                             + _TOTAL + _N + r"(?:件|起|宗)")
_OUTCOME_WORDS = {"维持": "upheld", "纠正": "corrected", "纠错": "corrected", "败诉": "corrected",
                  "尚未审结": "pending", "未审结": "pending", "审理中": "pending", "其他结果": "other"}
_BREAKDOWNS = ((_APPLICANT, ("received", "handled")), (_APPEAL_OUTCOME, ("reconsideration", "litigation")))
# A subject that is a part of the reporting body, or speaks for it.
_SUBUNIT = compile_re(r"代表|本级|下属|所属|各(?:单位|部门)|[\u4e00-\u9fff]{1,10}(?:局|委|办|厅|中心|街道|镇|乡)")
_SELF = compile_re(r"^(?:我|本)(?:局|委|办|厅|中心|机关|单位|区|县|市|镇|乡|街道)")
_CUMULATIVE = compile_re(r"累计|历年")

# Shares: right after a count, "，占28.6%", "（占比28.6%）", "，占办结总数的28.6%".
_SHARE = compile_re(r"[，,、]?(?:[（(](?:占比?|比例)?(?:为)?|占比(?:为|达)?|所占(?:比例|比重)?(?:为|达)?"
                    r"|占[^，,。；;：:\d%％()（）]{0,12}?(?:的)?(?:比例|比重)?(?:为|达)?|比例(?:为|达)?)(?P<p>\d+(?:\.\d+)?)%")
# Claims: words saying some cells are 0.
_IN_TIME = (r"(?:在法定(?:的)?(?:期限|时限)(?:内|之内)|在规定(?:的)?(?:期限|时限)(?:内|之内)|按照法定(?:期限|时限)|按期|按时"
            r"|及时|依法依规|依法|规范)*")
_CLAIMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("upheld", compile_re(r"(?:均|全部|都|皆)(?:已|已经)?(?:获|被|予以|得到|获得)?(?:依法)?维持|(?:结果)?均为(?:结果)?维持")),
    ("closed", compile_re(r"(?:均|全部|都|皆)(?:已|已经)?" + _IN_TIME + r"(?:结案|审结|办结|办理完毕|处理完毕|终结)(?!率)"
                          r"|已全部(?:结案|审结|办结|办理完毕|处理完毕)")),
    ("answered", compile_re(r"(?:均|全部|都|皆)(?:已|已经)?" + _IN_TIME + r"(?:予以|进行|作出|给予)?(?:答复|回复)(?!率)"
                            r"|已全部(?:予以)?(?:答复|回复)")),
    # 办结率100%: every application done (an on-time rate, 按时办结率, speaks of those done only)
    ("rate", compile_re(r"(?<![按时期])(?:办结率|答复率)(?:为|达到|达)?100(?:\.0+)?%")),
    ("no_loss", compile_re(r"零败诉|无败诉|无一(?:起|件)?败诉|未(?:发生|出现)?败诉|没有(?:发生|出现)?败诉"
                           r"|(?:未发生|没有发生|未出现|无)(?:因政府信息公开(?:工作)?(?:引起|引发)?的)?"
                           r"(?:行政复议(?:和|、|及|与))?(?:行政诉讼)?(?:案件)?(?:中)?(?:的)?败诉"
                           r"|败诉率(?:为)?(?:零|0(?:\.0+)?%?)(?![.\d])")),
    ("no_correction", compile_re(r"零纠错|无纠错|无被纠错|未被纠错|没有被纠错|未被(?:复议机关|法院)?撤销"
                                 r"|纠错率(?:为)?(?:零|0(?:\.0+)?%?)(?![.\d])")),
    ("no_carry", compile_re(r"无结转|没有结转|未有结转|不存在结转")),
)
# A plan, not a claim about the year: "下一步将确保所有申请均按期答复".
_INTENT = compile_re(r"确保|力争|争取|努力|做到|要求|应当|必须|计划|下一步|下步|今后|将继续|将进一步|将全力|将切实|将严格")
_NEGATED = compile_re(r"(?:未|没|没有|不|尚未|未能|并非|非|不是)$")
_APPLICATION_CLAIMS = ("answered", "rate", "no_carry")
# Changes against last year, after a figure or the words of one.
_CHANGE_PHRASE = compile_re(
    r"(?P<cmp>(?:较|比|与|同)(?:上年度?|上一年度?|去年|上年同期|去年同期|(?P<y>\d{4})年度?)(?:同期)?"
    r"(?:的(?P<was>\d+)(?:件|起|宗))?(?:相比|相较)?|同比)"  # 较上年的120件增加20件: last year's figure said too
    r"[，,]?(?P<subj>[^，,。；;\d]{0,16}?)(?:共|分别|总共)?"  # 与上年相比，政府信息公开申请增加20件
    r"(?P<dir>增加|增长|上升|提高|提升|多|减少|下降|回落|降低|少|持平)(?:了)?"
    r"(?:(?P<n>\d+(?:\.\d+)?)(?P<unit>件|起|宗|%|个百分点|倍|成))?"
    r"(?:[，,、](?:同比)?(?:增长|增幅|上升|涨幅|下降|降幅|减少|回落|减幅|增加)(?:了|为|达)?(?P<n2>\d+(?:\.\d+)?)(?P<unit2>%|个百分点))?")
_PLUS = ("增加", "增长", "上升", "提高", "提升", "多")
_CHANGE_SUBJECT = (  # the words before a change with no figure of its own: what changed
    ("reconsideration", compile_re(r"行政复议")),
    ("litigation", compile_re(r"行政诉讼")),
    ("handled", compile_re(r"办结")),
    ("received", compile_re(r"申请")),
)
_OTHER_UNITS = compile_re(r"信息|条|篇|期|访谈|解读|网站|微博|微信|新媒体|发布|建议|提案|咨询|留言|来信|热线|主动公开")
_CLAUSE_CUT = compile_re(r"[,，;；:：。（）()]")
_LEADING_TIME = compile_re(r"^\d{4}年(?:度)?|^(?:全年|今年|本年度?)")
_CLAUSE_TIME = compile_re(r"(?:在|截至|截止)?(?:(?P<y>\d{4})年(?:度)?|(?P<last>上一?年度?|去年|上年同期|去年同期)"
                          r"|(?P<this>本年度?|今年|全年))(?!(?:的)?结转)")  # "上年结转…" is a figure, not a time


def _doc_key(word: str) -> str:
    return "regulations" if "规章" in word else "normative_documents"


@lru_cache(maxsize=4096)
def _qualifier_of(prefix: str) -> str | None:
    if _CUMULATIVE.search(prefix):
        return "累计数，可能跨年度"
    if prefix and not _SELF.match(prefix) and _SUBUNIT.search(prefix):
        return f"表述主体为「{prefix}」，可能仅为部分单位的数字"
    return None


def _approximate(text: str, start: int, end: int) -> bool:
    before, after = text[max(0, start - 2):start], text[end:end + 2]
    return before.endswith(("约", "近", "逾", "超过", "将近", "接近")) or after.startswith(("余", "多", "左右", "以上", "上下"))


@dataclass
class _Hit:
    """A figure found in a sentence, before it becomes a StatedFigure."""

    start: int
    end: int
    metric: str
    value: float
    qualifier: str | None
    kind: str = "count"
    decimals: int = 0
    wording: str = ""


class _Sentence:
    """One sentence being read: its clean text, clause cuts, and the year each clause speaks of."""

    def __init__(self, text: str, year: int | None) -> None:
        self.text = text
        self.year = year
        self.cuts = [m.start() for m in _CLAUSE_CUT.finditer(text)]
        self._times: list[tuple[int, int, int]] | None = None  # (start, end, year) of time words at clause starts

    def clause_start(self, pos: int) -> int:
        k = bisect.bisect_right(self.cuts, pos - 1) - 1
        return self.cuts[k] + 1 if k >= 0 else 0

    def prefix(self, start: int) -> str:
        """The words from the start of the clause up to ``start`` (the subject, usually)."""
        return _LEADING_TIME.sub("", self.text[self.clause_start(start):start])

    def qualifier(self, start: int) -> str | None:
        return _qualifier_of(self.prefix(start))

    def other_year(self, start: int) -> bool:
        """Is the figure at ``start`` about another year than the report's ("2022年，收到申请75件")?"""
        if self.year is None:
            return False
        if self._times is None:
            self._times = []
            for cut in [-1, *self.cuts]:
                m = _CLAUSE_TIME.match(self.text, cut + 1)
                if m:
                    y = (int(m.group("y")) if m.group("y") else self.year - 1 if m.group("last") else self.year)
                    self._times.append((m.start(), m.end(), y))
        said = self.year
        for s, e, y in self._times:
            if s > start:
                break
            if e <= start:  # a year the pattern itself reads (2022年结转…) is not a clause's time
                said = y
        return said != self.year


def extract_figures(sections: dict[str, str], year: int | None = None) -> list[StatedFigure]:
    """Every figure the report's text states that a table also gives, with its sentence.

    ``year`` is the report year: it reads "结转至2026年" as a carry-forward and tells this
    year's figures from last year's.
    """
    out: list[StatedFigure] = []
    for section, text in sections.items():
        if not text or not _WORTH.search(text):
            continue
        ends = [m.end() for m in _BOUNDARY.finditer(text)] + [len(text)]
        start = 0
        about_requests = False  # did the sentence before speak of applications?
        stated: set[str] = set()  # what the section already stated as the report's own figure
        for end in ends:
            sentence = text[start:end]
            if _WORTH.search(sentence):
                sentence = sentence.strip()
                if sentence:
                    for f in _figures_in(sentence, section, year, about_requests):
                        # another body's share of a figure already given ("其中区本级受理…") is a part
                        if f.kind == "count" and not f.plain and f.metric in stated:
                            continue
                        if f.plain and f.kind == "count":
                            stated.add(f.metric)
                        out.append(f)
            about_requests = "申请" in sentence
            start = end
    return out


def _counts(s: _Sentence, present: set[str], requests: bool) -> list[_Hit]:
    text = s.text
    found: list[_Hit] = []
    taken: set[int] = set()  # positions of digits already read as a figure
    for metric, source, words, has_gap in _PATTERNS:
        if present.isdisjoint(words):
            continue
        for m in compile_re(source).finditer(text):
            ns, ne = m.span("n")
            if ns in taken or ne - 1 in taken or _approximate(text, ns, ne):
                continue
            if "其中" in text[:m.start()] and s.qualifier(m.start()) is not None:
                continue  # "其中区本级受理申请40件": another body's part of the figure, not the report's
            if has_gap:
                gap = m.group("gap")
                if gap and _CHANGE.search(gap):
                    continue
            name = metric
            if metric == "received" or metric == "handled":
                if _NOT_APPLICATION.search(m.group(0)):
                    continue
                if metric == "handled" and not requests:
                    continue
            elif metric in _REQUEST_METRICS:
                if not requests:
                    continue
            elif metric == "carried_forward":
                y = m.group("y")
                if y and s.year is not None and int(y) != s.year + 1:
                    continue
                if not m.group("when") and not m.group("to") and not requests:
                    continue
            elif metric == "carried_over":
                y = m.group("y")
                if y and (s.year is None or int(y) != s.year - 1):
                    continue
            elif metric == "in_force" or metric == "issued" or metric == "repealed":
                name = f"{_doc_key(m.group('doc'))}.{metric}"
            if s.other_year(m.start()):
                continue
            q = s.qualifier(m.start())
            value = int(m.group("n"))
            if metric == "appeals" and m.group("each"):
                found += [_Hit(m.start(), m.end(), "reconsideration", value, q),
                          _Hit(m.start(), m.end(), "litigation", value, q)]
            else:
                found.append(_Hit(m.start(), m.end(), name, value, q))
            taken.update(range(ns, ne))
    # The same figure named twice in a sentence: the later one is a part ("其中网上受理申请100件")
    # or another year's; the first is the figure.
    found.sort(key=lambda h: h.start)
    seen: set[str] = set()
    kept = []
    for h in found:
        if h.metric not in seen:
            kept.append(h)
            seen.add(h.metric)
    return kept


def _zeros(s: _Sentence, present: set[str], requests: bool, found: list[_Hit]) -> list[_Hit]:
    """Statements that a count is 0: "未发生…行政复议、行政诉讼", "未收到政府信息公开申请"."""
    text, out = s.text, []
    have = {h.metric for h in found}
    if "行政复议" in present or "行政诉讼" in present:
        for m in _ZERO_APPEALS.finditer(text):
            if s.other_year(m.start()) or (m.group("what2") and _NEGATED.search(text[max(0, m.start() - 3):m.start()])):
                continue  # "并非行政复议…为0" says nothing
            if _LOST.match(text, m.end()):
                continue  # "未发生行政复议和行政诉讼败诉案件": no case lost, not no case
            what = m.group("what") or m.group("what2")
            q = s.qualifier(m.start())
            for metric, word in (("reconsideration", "行政复议"), ("litigation", "行政诉讼")):
                if word in what and metric not in have:
                    out.append(_Hit(m.start(), m.end(), metric, 0, q))
                    have.add(metric)
    if "申请" in text and "received" not in have:
        m = _ZERO_REQUESTS.search(text)
        if m and not s.other_year(m.start()):
            out.append(_Hit(m.start(), m.end(), "received", 0, s.qualifier(m.start())))
    return out


def _breakdowns(s: _Sentence, found: list[_Hit]) -> list[_Hit]:
    """Breakdowns ("涉及自然人80件、商业企业1件", "其中维持1件") belong to the figure before them."""
    text, out = s.text, []
    taken = {p for h in found for p in range(h.start, h.end)}
    for pattern, bases in _BREAKDOWNS:
        based = sorted((h for h in found if h.metric in bases and h.value), key=lambda h: h.start)
        if not based:
            continue
        for m in pattern.finditer(text):
            ns, ne = m.span("n")
            if ns in taken or _approximate(text, ns, ne):
                continue
            before = [h for h in based if h.end <= m.start()]
            if not before:
                continue
            base = before[-1]
            if pattern is _APPLICANT:
                part = APPLICANT_WORDS[m.group("who")]
            else:
                part = _OUTCOME_WORDS[m.group("what")]
                if m.group("what") == "败诉" and base.metric != "litigation":
                    continue
            metric = f"{base.metric}.{part}"
            if any(h.metric == metric for h in out):
                continue
            out.append(_Hit(m.start(), m.end(), metric, int(m.group("n")), base.qualifier))
            taken.update(range(ns, ne))
    return out


def _shares(s: _Sentence, counts: list[_Hit]) -> list[_Hit]:
    """A percentage right after a count is its share: "予以公开35件，占28.6%"."""
    text, out = s.text, []
    for h in counts:
        if h.kind != "count":
            continue
        m = _SHARE.match(text, h.end)
        if not m or _approximate(text, *m.span("p")):
            continue
        p = m.group("p")
        decimals = len(p.partition(".")[2])
        out.append(_Hit(m.start("p"), m.end(), h.metric, float(p), h.qualifier, "share", decimals,
                        text[h.end:m.end()].lstrip("，,、（(")))
    return out


def _subject(s: _Sentence, pos: int, found: list[_Hit]) -> tuple[str | None, list[_Hit]]:
    """What a claim at ``pos`` speaks of: "appeals" or "requests", and the figures it follows.

    The figures of the same part of the sentence (up to a "；") before the claim; without any,
    the words before it (行政复议 / 行政诉讼 / 申请).
    """
    text = s.text
    seg_start = max(text.rfind("；", 0, pos), text.rfind(";", 0, pos)) + 1
    before = [h for h in found if seg_start <= h.start < pos and h.kind == "count"]
    if before:
        last = before[-1]
        domain = "appeals" if last.metric.partition(".")[0] in APPEAL_METRICS else "requests"
        return domain, [h for h in before if (h.metric.partition(".")[0] in APPEAL_METRICS) == (domain == "appeals")]
    words = text[seg_start:pos]
    at_appeal = max(words.rfind("复议"), words.rfind("诉讼"))
    at_request = words.rfind("申请")
    if at_appeal < 0 and at_request < 0:
        return None, []
    if at_appeal > at_request or (at_appeal >= 0 and words.rfind("复议申请") + 2 == at_request):
        return "appeals", []
    return "requests", []


def _about_all_requests(claim: str, figures: list[_Hit], before: str) -> bool:
    """Does a claim that applications are done speak of all of them?

    Not of those carried over from last year ("上年结转的4件已全部办结"); and "均按期答复" after the
    sentence itself gives a carry-forward speaks of those answered, not of the carried ones."""
    own = [h for h in figures if "." not in h.metric]  # the figures, not their breakdowns
    if own and own[-1].metric == "carried_over":
        return False
    if not own and "结转" in before:  # "上年结转的申请已全部办结"
        return False
    if claim == "answered" and any(h.metric == "carried_forward" and h.value for h in own):
        return False
    return True


def _appeal_groups(s: _Sentence, pos: int, figures: list[_Hit]) -> tuple[str, ...]:
    """The appeal groups a claim covers: those of the figures before it, else those its words name."""
    named = {h.metric.partition(".")[0] for h in figures if h.value}
    if named:
        out = set()
        for m in named:
            out |= {"reconsideration", "litigation"} if m == "appeals" else {m}
        return tuple(sorted(out, key=("reconsideration", "litigation").index))
    seg_start = max(s.text.rfind("；", 0, pos), s.text.rfind(";", 0, pos)) + 1
    words = s.text[seg_start:pos]
    groups = tuple(g for g, w in (("reconsideration", "复议"), ("litigation", "诉讼")) if w in words)
    return groups or ("reconsideration", "litigation")


def _claims(s: _Sentence, requests: bool, found: list[_Hit]) -> list[_Hit]:
    """Words saying some cells are 0: 均维持, 均已结案, 零败诉, 均已办结, 均按期答复, 办结率100%."""
    text, out = s.text, []
    for claim, pattern in _CLAIMS:
        for m in pattern.finditer(text):
            if _NEGATED.search(text[max(0, m.start() - 4):m.start()]) or s.other_year(m.start()):
                continue
            if _INTENT.search(text, 0, m.start()):
                continue
            domain, figures = _subject(s, m.start(), found)
            q = figures[-1].qualifier if figures else s.qualifier(m.start())
            wording = m.group(0)
            metrics: list[str] = []
            if claim == "upheld":
                if domain == "appeals" or (domain is None and ("复议" in text or "诉讼" in text)):
                    metrics = [f"{g}.not_upheld" for g in _appeal_groups(s, m.start(), figures)]
            elif claim == "closed":
                if domain == "appeals":
                    metrics = [f"{g}.pending" for g in _appeal_groups(s, m.start(), figures)]
                elif domain == "requests":
                    metrics = ["carried_forward"]
            elif claim in _APPLICATION_CLAIMS:
                if domain == "requests" or (domain is None and requests):
                    metrics = ["carried_forward"]
            seg_start = max(text.rfind("；", 0, m.start()), text.rfind(";", 0, m.start())) + 1
            if metrics == ["carried_forward"] and not _about_all_requests(claim, figures, text[seg_start:m.start()]):
                metrics = []
            elif claim == "no_loss":
                metrics = ["litigation.corrected"]
            elif claim == "no_correction":
                metrics = [f"{g}.corrected" for g in _appeal_groups(s, m.start(), figures)]
            for metric in metrics:
                if not any(h.metric == metric and h.kind == "claim" for h in out):
                    out.append(_Hit(m.start(), m.end(), metric, 0, q, "claim", 0, wording))
    return out


def _changes(s: _Sentence, found: list[_Hit]) -> list[_Hit]:
    """Changes against last year: "较上年增加12件", "同比增长20.3%", "与上年持平"."""
    text, out = s.text, []
    counts = sorted((h for h in found if h.kind == "count"), key=lambda h: h.start)
    for m in _CHANGE_PHRASE.finditer(text):
        y = m.group("y")
        if y and (s.year is None or int(y) != s.year - 1):
            continue
        direction = m.group("dir")
        readings: list[tuple[str, float, int]] = []  # (kind, signed value, decimals)
        if direction == "持平":
            if text[max(0, m.start("dir") - 2):m.start("dir")].endswith("基本"):
                continue
            readings.append(("change", 0.0, 0))
        else:
            sign = 1.0 if direction in _PLUS else -1.0
            for n, unit in ((m.group("n"), m.group("unit")), (m.group("n2"), m.group("unit2"))):
                if n is None or unit not in ("件", "起", "宗", "%"):
                    continue  # 个百分点, 倍, 成: not a count's change
                if _approximate(text, m.start("n") if n == m.group("n") else m.start("n2"),
                                m.end("n") if n == m.group("n") else m.end("n2")):
                    continue
                kind = "change_share" if unit == "%" else "change"
                readings.append((kind, sign * float(n), len(n.partition(".")[2]) if unit == "%" else 0))
        if not readings:
            continue
        # What changed: the words between the comparison and the change, else the figure just before
        # (same clause or the one after it, nothing counted between), else the words before it.
        metric, q = None, None
        subj = m.group("subj")
        if subj:
            if _OTHER_UNITS.search(subj.replace("政府信息公开", "").replace("依申请公开", "申请")):
                continue
            metric = next((name for name, words in _CHANGE_SUBJECT if words.search(subj)
                           and not (name == "received" and _NOT_APPLICATION.search(subj))), None)
            if metric is None:
                continue
            q = s.qualifier(m.start())
        before = [h for h in counts if h.end <= m.start()] if metric is None else []
        if before:
            h = before[-1]
            between = text[h.end:m.start()]
            if not _DIGIT_OR_STOP.search(between) and between.count("，") + between.count(",") <= 1:
                metric, q = h.metric, h.qualifier
        if metric is None:  # ... or the words of one in the clause before the comparison
            prefix = text[s.clause_start(m.start()):m.start()]
            if _OTHER_UNITS.search(prefix.replace("政府信息公开", "").replace("依申请公开", "申请")):
                continue
            for name, words in _CHANGE_SUBJECT:
                if words.search(prefix) and not (name == "received" and _NOT_APPLICATION.search(prefix)):
                    metric, q = name, s.qualifier(m.start())
                    break
        if metric is None or s.other_year(m.start()):
            continue
        for kind, value, decimals in readings:
            out.append(_Hit(m.start(), m.end(), metric, value, q, kind, decimals, m.group(0)))
    return out


def _figures_in(sentence: str, section: str, year: int | None, after_requests: bool = False) -> list[StatedFigure]:
    text = _clean(sentence)
    # Flattened table text (long digit runs) is the tables' business, not the narrative's.
    if _LONG_DIGITS.search(text):
        return []
    s = _Sentence(text, year)
    present = set(_GATE.findall(text))
    requests = "申请" in text or after_requests
    found = _counts(s, present, requests)
    found += _zeros(s, present, requests, found)
    found += _breakdowns(s, found)
    found += _shares(s, found)
    found += _claims(s, requests, found)
    found += _changes(s, found)
    found.sort(key=lambda h: (h.start, h.metric))
    return [StatedFigure(h.metric, h.value, section, sentence, h.qualifier is None, h.qualifier, h.kind, h.decimals,
                         h.wording) for h in found]
