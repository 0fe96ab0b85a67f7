"""Rules as a person names them: a short Chinese name for each bundled rule (the id stays, small, beside it).

The suites describe each rule in a sentence; tables, the reviewer and the decisions
export need a name that fits a column. A rule without a name here (a user's rule)
is named by the first clause of its description.
"""

from __future__ import annotations

import re

RULE_NAMES = {
    "arithmetic.appeals_total": "复议诉讼总计与分项之和不符",
    "arithmetic.requests_balance": "申请收结数不平衡",
    "arithmetic.requests_outcomes": "办理结果总计与分项之和不符",
    "arithmetic.requests_row_total": "申请总计与各类申请人之和不符",
    "carry_over.requests": "上年结转数与上年报告不衔接",
    "carry_over.in_force": "现行有效件数与上年不衔接",
    "carry_over.format_change": "上年格式不同，无法衔接核对",
    "completeness.blank_cell": "单元格留空",
    "completeness.dash_cell": "单元格以符号代替数字",
    "completeness.missing_row": "表格行缺失",
    "completeness.missing_table": "缺少整张表格",
    "completeness.missing_section": "缺少规定部分",
    "completeness.problems_empty": "「存在的主要问题」为空",
    "label.wording": "标题或行列名称不规范",
    "narrative.figure_plain": "正文数字与表格不一致",
    "narrative.figure_qualified": "正文数字与表格口径可能不同",
    "narrative.share": "正文比例与表格不一致",
    "narrative.claim": "正文定性表述与表格不符",
    "narrative.change": "正文同比增减与表格不符",
    "plausibility.not_held_share": "「本机关不掌握」占比过高",
    "plausibility.litigation_corrected": "行政诉讼有结果纠正",
    "repetition.sections": "文字与上年报告雷同",
    "timeliness.deadline": "公布晚于法定时限",
    "timeliness.date_unknown": "未载明公布日期",
    "structure.unreadable": "数字无法唯一识别",
    "structure.non_negative": "数量为负数",
    "structure.whole_counts": "件数不是整数",
    "structure.format_year": "格式与报告年度不符",
    "structure.format_unknown": "未能识别报告格式",
    "structure.agency_unknown": "未能识别发布机关",
    "structure.year_unknown": "未能识别报告年度",
    "structure.merged_row": "应分项填报的行被合并",
}
_CLAUSE = re.compile(r"[：:，,。；;（(]")


def rule_name(rule_id: object, description: object = "") -> str:
    """The Chinese name of a rule; for a rule not named here, its description's first clause."""
    name = RULE_NAMES.get(str(rule_id))
    if name:
        return name
    first = _CLAUSE.split(str(description or "").strip(), maxsplit=1)[0].strip()
    if not first:
        return str(rule_id)
    return first if len(first) <= 20 else first[:19] + "…"
