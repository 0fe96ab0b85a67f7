"""``audit.html``: one self-contained page with the audit's results, for reading and sharing offline.

The page is built from the audit folder alone (``records.jsonl``,
``findings.jsonl``, ``checks.csv``, ``summary.txt``) and the review log beside
it, so ``auditkit report DIR`` can rebuild it after reviewers have decided.
It holds: a summary with an SVG chart; the findings table, sortable and
filterable by a small inline script; every report with its three tables in the
official layout of its format, the cells of each finding highlighted, and each
finding with its evidence and current decision; the rule catalogue.

Nothing is loaded from anywhere: CSS and script are inlined, the chart is SVG
drawn here, fonts are named (system CJK fonts) and never downloaded. The page
is static HTML first: without script the tables still show and print.
Everything taken from a document is escaped, since a report is untrusted input.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditkit.queue import shown_figures
from auditkit.render.data import (
    AuditData,
    breakdown,
    decision_counts,
    listed,
    load_audit,
    report_key,
    severity_breakdown,
    split_queue,
)
from auditkit.render.official import NULL_TEXT, report_format, table_body
from auditkit.render.origin import Origins
from auditkit.render.rule_names import rule_name
from auditkit.vocabulary import (
    DECISION_COLOURS,
    DECISIONS,
    SEVERITIES,
    SEVERITY_COLOURS,
    SEVERITY_ORDER,
    SIGNOFF_STATES,
    STATUSES,
    UNDECIDED,
    china_now,
    china_time,
    css_variables,
    decision_label,
    severity_label,
    signoff_label,
    status_label,
)

if TYPE_CHECKING:
    import pandas as pd

    from auditkit.formats import RowSpec

ASSETS = Path(__file__).parent / "assets"
HTML_NAME = "audit.html"
FORMAT_NAMES = {"2021": "2021年版格式（国办公开办函〔2021〕30号）", "2019": "2019年版格式（国办公开办函〔2019〕60号）"}


def write_audit_html(out_dir: str | Path) -> Path:
    """(Re)write ``out_dir/audit.html`` from the audit folder and the current review decisions; returns its path."""
    out_dir = Path(out_dir)
    page = render_audit_html(load_audit(out_dir))
    path = out_dir / HTML_NAME
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, path)  # a reader never sees half a page
    return path


def render_audit_html(data: AuditData) -> str:
    """The whole page as a string. Readings to check by hand (the ``reading`` queue) are listed apart,
    outside the findings and their counts."""
    problems, readings = split_queue(data.findings)
    if len(readings):
        from dataclasses import replace

        data = replace(data, findings=problems, readings=len(readings))
    reports = sorted(data.reports, key=lambda r: (str(r.get("agency") or ""), r.get("year") or 0, r["source"]))
    anchors = {report_key(r["source"], r.get("sha256")): f"r{i}" for i, r in enumerate(reports, 1)}
    by_report: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in data.findings.to_dict("records"):
        by_report[report_key(row["source"], row["sha256"])].append(row)
    orphans = [k for k in by_report if k not in anchors]  # findings about a report records.jsonl lacks
    for i, k in enumerate(orphans, len(reports) + 1):
        anchors[k] = f"r{i}"

    title = "政府信息公开工作年度报告审核结果"
    generated = f"{china_now()}（北京时间）"
    parts = [
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        '<link rel="icon" href="data:,">'  # stops the browser asking the file system for a favicon
        f"<title>{escape(title)}</title><style>{_colours()}{_asset('audit.css')}</style></head><body>",
        f'<header class="top"><h1>{escape(title)}<span class="en">Audit of annual reports on government '
        f"information disclosure</span></h1><p>审核结果文件夹 {escape(data.out_dir.name)} · 生成于 {generated} · "
        f"报告文件 {len(data.reports)} 份 · 问题清单 {len(data.findings)} 条</p></header>",
        '<nav class="toc"><a href="#summary">概况 Summary</a><a href="#findings">问题清单 Findings</a>'
        '<a href="#reports">逐份报告 Reports</a><a href="#rules">审核规则 Rules</a></nav><main>',
        _log_warning(data),
        _summary(data),
        _findings_table(data),
        _readings(readings),
        _reports(data, reports, anchors, by_report, orphans),
        _rules(data),
        "</main>",
        "".join(format_template(fmt) for fmt in sorted({report_format(r.get("format"), r["cells"] or {})
                                                     for r in reports if "cells" in r})),
        f'<footer>auditkit · 本页不依赖网络，可离线打开、打印或转发 (self-contained, works offline) · {generated}</footer>',
        f"<script>{_asset('audit.js')}</script></body></html>\n",
    ]
    return "".join(parts)


# ---------------------------------------------------------------------------
# pieces


def _category(c: Any) -> str:
    from auditkit.rules.suites import CATEGORY_LABELS

    return CATEGORY_LABELS.get(str(c), str(c))


def _sev_badge(s: Any) -> str:
    return f'<span class="sev {escape(str(s))}">{escape(severity_label(s))}</span>'


def _dec_badge(d: Any) -> str:
    return f'<span class="dec {escape(str(d)) if d else "none"}">{escape(decision_label(d))}</span>'


def _colours() -> str:
    """The vocabulary's colours as the page's custom properties, which audit.css uses."""
    return ":root{" + ";".join(f"{k}:{v}" for k, v in css_variables().items()) + "}"


def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def _e(value: Any) -> str:
    """Escaped text of a value; None and NaN as empty."""
    from auditkit.findings import plain

    value = plain(value)
    return "" if value is None else escape(str(value))


def _file_name(source: Any) -> str:
    return Path(str(source)).name


def _kpi(n: Any, label: str, key: str, cls: str = "") -> str:
    return (f'<div class="kpi {cls}" data-kpi="{key}"><span class="n">{escape(str(n))}</span>'
            f'<span class="l">{label}</span></div>')


def _log_warning(data: AuditData) -> str:
    """A banner no reader can miss when the review log's chain is broken: its decisions may be forged."""
    if not data.log_warning:
        return ""
    return (f'<div class="tamper" role="alert" id="log-warning">警告：审核记录的哈希链已断开，以下审核结论可能被改动，'
            f"请勿采信 (WARNING: the review log was tampered with; the decisions shown may be forged)。"
            f"<br>{escape(data.log_warning)}</div>")


def _log_head(data: AuditData) -> str:
    """The log's head as of this page: a copy kept outside the log, to compare with ``auditkit verify-log``."""
    check = data.log_check
    if check is None or not check.ok:
        return ""
    return (f'<p class="muted" id="log-head">审核记录 {check.events} 条，链头 <code>{escape(check.last_hash)}</code>'
            "（可用 auditkit verify-log 核对 / review log head, check with auditkit verify-log）</p>")


def _summary(data: AuditData) -> str:
    f = data.findings
    sev = severity_breakdown(f)
    failed = int((f["status"] == "failed").sum())
    unverified = int((f["status"] == "unverified").sum())
    decisions = decision_counts(data)
    kpis = [
        _kpi(len(data.reports), "已读取的报告文件 files read", "reports"),
        _kpi(data.unreadable, "无法读取 unreadable", "unreadable", "bad" if data.unreadable else ""),
        _kpi(failed, "问题 findings (failed)", "failed"),
        *(_kpi(int(sev.loc[s, "failed"]), f"{severity_label(s)} {s}", f"failed-{s}", s) for s in SEVERITIES),
        (_kpi(unverified, "未能核验 unverified", "unverified") if data.readings is None
         else _kpi(data.readings, "需人工核对读数 readings to check", "readings")),
        _kpi(f"{data.reviewed} / {len(f)}", "已审核 reviewed", "reviewed"),
        _kpi(f"{data.signed_off} / {len(f)}", "已复核 signed off", "signed-off"),
    ]
    out = ['<section id="summary"><h2>概况 <span class="en">Summary</span></h2>']
    if data.summary:
        out.append(f'<div class="lead">{escape(data.summary)}</div>')
    out.append(f'<div class="kpis">{"".join(kpis)}</div>')

    out.append('<div class="grid"><div>')
    out.append(f"<h3>问题分布 <span class=\"en\">Findings by category and severity</span></h3>{_category_chart(f)}")
    out.append(f"</div><div><h3>审核进度 <span class=\"en\">Review progress</span></h3>"
               f"{_progress_chart(decisions)}")
    rows = "".join(f'<tr data-key="{escape(d or "none")}"><td>{_dec_badge(d)}</td><td class="num">{n}</td></tr>'
                   for d, n in decisions.items())
    out.append(f'<table class="data" id="by-decision"><thead><tr><th>审核结论 Decision</th><th class="num">条数</th>'
               f"</tr></thead><tbody>{rows}</tbody></table>")
    if data.orphan_decisions:
        out.append(f'<p class="muted">另有 {data.orphan_decisions} 条审核记录所对应的问题在本次审核中不再出现'
                   "（报告已更正或规则已修改）。</p>")
    out.append(_log_head(data))
    out.append("</div></div>")

    out.append('<div class="grid"><div>')
    out.append("<h3>按严重程度 <span class=\"en\">By severity</span></h3>")
    out.append(_count_table("by-severity", "严重程度 Severity", sev, lambda s: _sev_badge(s)))
    out.append("</div><div><h3>按类别 <span class=\"en\">By category</span></h3>")
    cat = breakdown(f, "category").sort_values(["failed", "total"], ascending=False)
    out.append(_count_table("by-category", "类别 Category", cat, lambda c: escape(_category(c))))
    out.append("</div></div>")

    rule = breakdown(f, "rule_id").sort_values(["failed", "total"], ascending=False)
    rule_sev = dict(zip(data.rules["rule_id"], data.rules["severity"], strict=False))
    out.append("<h3>按规则 <span class=\"en\">By rule</span></h3>")
    out.append(_count_table("by-rule", "规则 Rule", rule, lambda r: f'{_sev_badge(rule_sev.get(r, ""))} '
                            f'<a href="#rule-{escape(r)}">{_rule(r)}</a>'))

    agency = breakdown(f, "agency").sort_values(["failed", "total"], ascending=False)
    out.append("<h3>按机关 <span class=\"en\">By agency</span></h3>")
    out.append(f'<details {"open" if len(agency) <= 30 else ""}><summary>{len(agency)} 个机关有问题记录'
               "（点击展开）</summary>")
    out.append(_count_table("by-agency", "机关 Agency", agency, lambda a: escape(str(a))))
    out.append("</details>")

    if data.failures:
        rows = "".join(f"<tr><td>{_e(_file_name(x.get('source')))}</td><td><code>{_e(x.get('error'))}</code></td>"
                       f"<td>{_e(x.get('message'))}</td></tr>" for x in data.failures)
        out.append(f'<h3>无法读取或重复的文件 <span class="en">Unreadable and duplicate files</span></h3><table class="data" '
                   f'id="unreadable"><thead><tr><th>文件 File</th><th>原因 Reason</th><th>说明 Message</th></tr></thead>'
                   f"<tbody>{rows}</tbody></table>")
    out.append("</section>")
    return "".join(out)


def _count_table(table_id: str, head: str, frame: pd.DataFrame, label) -> str:
    rows = "".join(
        f'<tr data-key="{escape(str(k))}"><td>{label(k)}</td><td class="num">{int(r.failed)}</td>'
        f'<td class="num">{int(r.unverified)}</td><td class="num">{int(r.total)}</td>'
        f'<td class="num">{int(r.reviewed)}</td></tr>'
        for k, r in frame.iterrows())
    total = frame.sum(numeric_only=True)
    foot = (f'<tfoot><tr><th>合计</th><th class="num">{int(total.get("failed", 0))}</th><th class="num">'
            f'{int(total.get("unverified", 0))}</th><th class="num">{int(total.get("total", 0))}</th>'
            f'<th class="num">{int(total.get("reviewed", 0))}</th></tr></tfoot>')
    return (f'<table class="data sortable" id="{table_id}"><thead><tr><th>{head}</th>'
            '<th class="num" data-type="num">问题<br><span class="en">failed</span></th>'
            '<th class="num" data-type="num">未能核验<br><span class="en">unverified</span></th>'
            '<th class="num" data-type="num">合计<br><span class="en">total</span></th>'
            '<th class="num" data-type="num">已审核<br><span class="en">reviewed</span></th></tr></thead>'
            f"<tbody>{rows}</tbody>{foot}</table>")


def _category_chart(findings: pd.DataFrame) -> str:
    """Horizontal bars, one per category, stacked by severity (failed findings only)."""
    f = findings[findings["status"] == "failed"]
    if not len(f):
        return '<p class="muted">未发现问题 (no failed findings)</p>'
    table = f.groupby(["category", "severity"]).size().unstack(fill_value=0)
    table = table.reindex(columns=list(SEVERITIES), fill_value=0)
    table = table.loc[table.sum(axis=1).sort_values(ascending=False).index]
    left, bar_w, row_h = 130, 300, 24
    biggest = max(int(table.sum(axis=1).max()), 1)
    height = row_h * len(table) + 34
    out = [f'<svg class="chart" viewBox="0 0 {left + bar_w + 60} {height}" width="{left + bar_w + 60}" '
           f'height="{height}" role="img" aria-label="问题按类别与严重程度分布"><title>问题按类别与严重程度分布</title>']
    for i, (category, counts) in enumerate(table.iterrows()):
        y = 4 + i * row_h
        out.append(f'<text x="{left - 6}" y="{y + 15}" text-anchor="end">{escape(_category(category))}</text>')
        x = float(left)
        for s in SEVERITIES:
            n = int(counts[s])
            if n:
                w = n / biggest * bar_w
                out.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{row_h - 6}" '
                           f'fill="{SEVERITY_COLOURS[s]}"><title>{escape(_category(category))} · '
                           f"{escape(severity_label(s))} {n}</title></rect>")
                x += w
        out.append(f'<text x="{x + 5:.1f}" y="{y + 15}">{int(counts.sum())}</text>')
    y = height - 12
    x = left
    for s in SEVERITIES:
        out.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{SEVERITY_COLOURS[s]}"/>'
                   f'<text x="{x + 14}" y="{y}">{escape(severity_label(s))}</text>')
        x += 64
    out.append("</svg>")
    return "".join(out)


def _progress_chart(decisions: dict[str, int]) -> str:
    total = sum(decisions.values())
    width, h = 360, 22
    out = [f'<svg class="chart" viewBox="0 0 {width} {h + 26}" width="{width}" height="{h + 26}" role="img" '
           'aria-label="审核进度"><title>审核进度</title>']
    x = 0.0
    for d, n in decisions.items():
        if n and total:
            w = n / total * width
            out.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{h}" fill="{DECISION_COLOURS[d or UNDECIDED]}">'
                       f"<title>{escape(decision_label(d))} {n}</title></rect>")
            x += w
    done = total - decisions.get("", 0)
    pct = f"{done / total:.0%}" if total else "—"
    out.append(f'<text x="0" y="{h + 18}">已审核 {done} / {total}（{pct}）</text></svg>')
    return "".join(out)


# The findings table's columns: (header, css class, sort type); the filter selects refer to them by index.
FINDING_HEADS = (
    ("严重程度<br><span class=\"en\">Severity</span>", "", "num"),
    ("状态<br><span class=\"en\">Status</span>", "", ""),
    ("机关<br><span class=\"en\">Agency</span>", "", ""),
    ("年度<br><span class=\"en\">Year</span>", "num", "num"),
    ("类别<br><span class=\"en\">Category</span>", "", ""),
    ("规则<br><span class=\"en\">Rule</span>", "", ""),
    ("说明<br><span class=\"en\">Description</span>", "", ""),
    ("位置<br><span class=\"en\">Place</span>", "", ""),
    ("数字<br><span class=\"en\">Figures</span>", "", ""),
    ("审核<br><span class=\"en\">Review</span>", "", ""),
    ("复核<br><span class=\"en\">Sign-off</span>", "", ""),
)
COL_SEVERITY, COL_STATUS, COL_CATEGORY, COL_DECISION, COL_SIGNOFF = 0, 1, 4, 9, 10


def _findings_table(data: AuditData) -> str:
    f = data.findings
    def options(col: int, values: Iterable[str], name: str) -> str:
        opts = "".join(f'<option value="{escape(v)}">{escape(v)}</option>' for v in values)
        return f'<label>{name} <select data-col="{col}"><option value="">全部</option>{opts}</select></label>'

    present = set(f["severity"])
    filters = (
        '<div class="filters noprint"><label>搜索 <input type="search" id="f-search" placeholder="机关、规则、位置…'
        '（空格分隔多个词）" autocomplete="off"></label>'
        + options(COL_SEVERITY, [severity_label(s) for s in SEVERITIES if s in present], "严重程度")
        + options(COL_STATUS, [status_label(s) for s in STATUSES if s in set(f["status"])], "状态")
        + options(COL_CATEGORY, sorted({_category(c) for c in f["category"]}), "类别")
        + options(COL_DECISION, [decision_label(d) for d in (*DECISIONS, UNDECIDED)], "审核")
        + options(COL_SIGNOFF, [signoff_label(s) for s in SIGNOFF_STATES], "复核")
        + '<button type="button" id="f-clear">清除筛选</button>'
        f'<span class="count">显示 <b id="f-count">{len(f)}</b> / {len(f)} 条</span></div>'
    )
    heads = "".join(f'<th{f" class={c}" if c else ""}{f" data-type={t}" if t else ""}>{h}</th>'
                    for h, c, t in FINDING_HEADS) + '<th data-nosort class="go"></th>'
    rows = []
    # End tags of cells and rows are left out (valid HTML): with thousands of findings it saves a tenth.
    for r in f.itertuples(index=False):
        rows.append(
            f'<tr><td data-v="{SEVERITY_ORDER.get(r.severity, 9)}" class="{escape(r.severity)}">'
            f"{escape(severity_label(r.severity))}"
            f'<td class="st-{escape(r.status)}">{escape(status_label(r.status))}<td>{_e(r.agency)}'
            f"<td>{_e(r.year)}<td>{escape(_category(r.category))}<td>{_rule(r.rule_id, r.description)}"
            f"<td>{_e(r.description)}<td>{_e(_place(r._asdict()))}<td>{_e(shown_figures(r._asdict()))}"
            f'<td class="{escape(r.decision) or "none"}">{escape(decision_label(r.decision))}'
            f'<td class="so-{escape(getattr(r, "signoff", UNDECIDED))}">'
            f'{escape(signoff_label(getattr(r, "signoff", UNDECIDED)))}'
            f'<td class="go"><a href="#f-{escape(r.finding_id)}">详情</a>')
    return (f'<section id="findings"><h2>问题清单 <span class="en">Findings</span></h2>'
            f'<p class="muted">「{status_label("failed")}」为规则不成立；「{status_label("unverified")}」'
            "为数值系读取时按表内勾稽关系推算，规则虽成立但无法独立核验。点击表头排序；「详情」显示证据、原文出处、表格与审核意见。</p>"
            f'{filters}<div class="tablewrap"><table class="data sortable" id="findings-table"><thead><tr>{heads}'
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table></div></section>')


def _reports(data: AuditData, reports: list[dict[str, Any]], anchors: dict[tuple[str, str], str],
             by_report: dict[tuple[str, str], list[dict[str, Any]]], orphans: list[tuple[str, str]]) -> str:
    rule_basis = dict(zip(data.rules["rule_id"], data.rules["basis"], strict=False))
    out = ['<section id="reports"><h2>逐份报告 <span class="en">Reports</span></h2>',
           '<p class="muted">每份报告按其格式的官方表格样式列出表二、表三、表四，问题涉及的单元格以颜色框出'
           "（红：严重，橙：警告，蓝：提示），鼠标停留可见原文与位置。</p>"]
    # An index first: with hundreds of reports the auditor needs a sortable list to jump from.
    rows = []
    for r in reports:
        key = report_key(r["source"], r.get("sha256"))
        rows.append(_index_row(anchors[key], r.get("agency"), r.get("year"), r.get("format"), r["source"],
                               by_report.get(key, [])))
    for key in orphans:
        first = by_report[key][0]
        rows.append(_index_row(anchors[key], first["agency"], first["year"], None, key[0], by_report[key]))
    out.append('<div class="tablewrap"><table class="data sortable" id="report-index"><thead><tr><th>机关 Agency</th>'
               '<th class="num" data-type="num">年度</th><th>格式</th><th>文件 File</th>'
               + "".join(f'<th class="num" data-type="num">{severity_label(s)}</th>' for s in SEVERITIES)
               + '<th class="num" data-type="num">未能核验</th><th class="num" data-type="num">已审核</th></tr></thead>'
               f'<tbody>{"".join(rows)}</tbody></table></div>')
    origins = _PageOrigins()
    for r in reports:
        key = report_key(r["source"], r.get("sha256"))
        out.append(_report_section(r, anchors[key], by_report.get(key, []), rule_basis, origins))
    for key in orphans:
        first = by_report[key][0]
        stub = {"source": key[0], "sha256": key[1], "agency": first["agency"], "year": first["year"]}
        out.append(_report_section(stub, anchors[key], by_report[key], rule_basis, origins))
    out.append("</section>")
    return "".join(out)


def _index_row(anchor: str, agency: Any, year: Any, fmt: Any, source: Any, findings: list[dict[str, Any]]) -> str:
    failed = [x for x in findings if x["status"] == "failed"]
    counts = "".join(f'<td class="num">{sum(x["severity"] == s for x in failed) or ""}</td>' for s in SEVERITIES)
    unverified = sum(x["status"] == "unverified" for x in findings)
    reviewed = sum(bool(x["decision"]) for x in findings)
    return (f'<tr><td><a href="#{anchor}">{_e(agency) or "（未识别）"}</a></td><td class="num">{_e(year)}</td>'
            f"<td>{_e(fmt)}</td><td>{_e(_file_name(source))}</td>{counts}<td class=\"num\">{unverified or ''}</td>"
            f'<td class="num">{f"{reviewed}/{len(findings)}" if findings else ""}</td></tr>')


def _report_section(rec: dict[str, Any], anchor: str, findings: list[dict[str, Any]],
                    rule_basis: dict[str, str], origins: _PageOrigins | None = None) -> str:
    findings = sorted(findings, key=lambda x: (x["status"] != "failed", SEVERITY_ORDER.get(x["severity"], 9),
                                               x["rule_id"]))
    failed = [x for x in findings if x["status"] == "failed"]
    badges = " ".join(f"{_sev_badge(s)}×{n}" for s in SEVERITIES
                      if (n := sum(x["severity"] == s for x in failed)))
    unverified = len(findings) - len(failed)
    summary = (f'<summary>{_e(rec.get("agency")) or "（机关未识别）"} · {_e(rec.get("year")) or "年度未识别"}'
               f'<span class="meta">{_e(_file_name(rec["source"]))}</span> {badges or "<span class=muted>无问题</span>"}'
               f'{f" <span class=muted>未能核验×{unverified}</span>" if unverified else ""}</summary>')
    fmt = rec.get("format")
    meta = [("机关 Agency", _e(rec.get("agency")) or '<span class="na">未识别</span>'),
            ("年度 Year", _e(rec.get("year")) or '<span class="na">未识别</span>'),
            ("格式 Format", escape(FORMAT_NAMES.get(str(fmt), str(fmt))) if fmt else '<span class="na">未识别</span>'),
            ("发布日期 Published", _e(rec.get("published")) or '<span class="na">未载明</span>'),
            ("来源文件 Source", _e(rec["source"]) + (f' <span class="muted">({_e(rec["kind"])})</span>'
                                                     if rec.get("kind") else "")),
            ("SHA-256", f'<code>{_e(rec.get("sha256"))}</code>')]
    out = [f'<details class="report" id="{anchor}">{summary}<dl class="meta">',
           "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in meta), "</dl>"]
    if findings:
        out.append(f"<h3>问题 <span class=\"en\">Findings</span>（{len(findings)}）</h3>")
        out.extend(_finding(x, rule_basis, origins.html(rec, x) if origins else "") for x in findings)
    if "cells" in rec:
        out.append(report_tables(rec, findings))
    else:
        out.append('<p class="na">没有这份报告的读取记录（records.jsonl 中缺少），无法显示表格。</p>')
    out.append("</details>")
    return "".join(out)


def _finding(x: dict[str, Any], rule_basis: dict[str, str], origin: str = "") -> str:
    status = status_label(x["status"])
    figures = shown_figures(x)  # 应为/实际 only where a rule computes the figure; 正文/表格 where text meets table
    kv = f"；<b>数字</b> {_e(figures)}" if figures else ""
    if x.get("cells_text") and _e(x["cells_text"]):
        kv += f"；<b>单元格</b> {_e(x['cells_text'])}"
    extra = ""
    also = listed(x.get("also_rules"))
    if also:
        extra += f'<p class="kv"><b>同时违反</b> {"、".join(_rule(r) for r in also)}</p>'
    copies = listed(x.get("copies"))
    if copies:
        extra += f'<p class="kv"><b>同一报告的其他文件</b> {"、".join(escape(_file_name(c)) for c in copies)}</p>'
    # The basis is shown only where it differs from the rule's, which the catalogue lists once.
    basis = "" if x["basis"] == rule_basis.get(x["rule_id"]) else f'<p class="kv"><b>依据</b> {_e(x["basis"])}</p>'
    note = ""
    if x["decision"]:
        who = "，".join(v for v in (x["reviewer"], china_time(x["time"])) if v)
        note = f'<p class="note">审核意见：{_e(x["note"]) or "（无）"}{f"（{escape(who)}）" if who else ""}'
        state = x.get("signoff") or UNDECIDED
        if state in ("approved", "returned"):
            signed = "，".join(v for v in (x.get("signer"), china_time(x.get("signed_time"))) if v)
            note += (f'<br>复核：<span class="so-{escape(state)}">{escape(signoff_label(state))}</span>'
                     f'{f"（{escape(signed)}）" if signed else ""}'
                     + (f"，意见：{_e(x.get('signoff_note'))}" if _e(x.get("signoff_note")) else ""))
        else:
            note += f'<br>复核：<span class="so-awaiting">{escape(signoff_label("awaiting"))}</span>'
        note += "</p>"
    source = (f'<details class="origin"><summary>原文出处 <span class="en">Source</span></summary>{origin}</details>'
              if origin else "")
    return (f'<div class="finding {escape(x["severity"])}" id="f-{escape(x["finding_id"])}"><p>'
            f'{_sev_badge(x["severity"])} {"" if x["status"] == "failed" else escape(status)} '
            f'<a href="#rule-{escape(x["rule_id"])}">{_rule(x["rule_id"], x["description"])}</a> '
            f'{_dec_badge(x["decision"])} <code>{escape(x["finding_id"])}</code></p><p>{_e(x["description"])}</p>'
            f'<p class="kv"><b>位置</b> {_e(_place(x))}{kv}</p><div class="ev">{_e(x["evidence"])}</div>{source}'
            f"{extra}{basis}{note}</div>")


def _rule(rule_id: Any, description: Any = "") -> str:
    """A rule as a person reads it: its Chinese name, the id small beside it."""
    return f'{escape(rule_name(rule_id, description))} <code class="rid">{escape(str(rule_id))}</code>'


def _place(x: dict[str, Any]) -> Any:
    """The place in Chinese when the findings carry it (``place_text``), else the place as the rule wrote it."""
    text = x.get("place_text")
    return text if isinstance(text, str) and text else x.get("place")


class _PageOrigins:
    """The origins of the findings on one page: each picture embedded once; a finding citing a picture
    shown before links to it (a page of a report is often cited by several findings)."""

    def __init__(self) -> None:
        self.origins = Origins()
        self.shown: dict[str, str] = {}  # data: URI -> id of the figure that holds it

    def html(self, rec: dict[str, Any], finding: dict[str, Any]) -> str:
        if "provenance" not in rec:
            return ""
        body = self.origins.html(rec, list(finding.get("keys") or []))
        out, rest = [], body
        while (at := rest.find('<figure class="ak-origin-page"')) >= 0:
            end = rest.index("</figure>", at) + len("</figure>")
            figure = rest[at:end]
            uri = figure.split('src="', 1)[1].split('"', 1)[0]
            out.append(rest[:at])
            if uri in self.shown:
                caption = figure.split("<figcaption>", 1)[1].split("</figcaption>", 1)[0]
                out.append(f'<p class="same-page"><a href="#{self.shown[uri]}">{caption}：同上图，点击查看</a></p>')
            else:
                self.shown[uri] = fid = f"page-{len(self.shown) + 1}"
                out.append(figure.replace("<figure ", f'<figure id="{fid}" ', 1))
            rest = rest[end:]
        out.append(rest)
        return "".join(out)


def _readings(readings: pd.DataFrame) -> str:
    """The readings to check by hand against the original: not the agency's problems, not counted as such."""
    if not len(readings):
        return ""
    rows = "".join(
        f"<tr id=\"f-{escape(str(r.get('finding_id')))}\"><td>{_e(r.get('agency')) or '（未识别）'}<td>{_e(r.get('year'))}"
        f"<td>{_e(_file_name(r.get('source')))}"
        f"<td>{_e(_place(r))}<td>{_rule(r.get('rule_id'), r.get('description'))}<td>{_e(r.get('evidence'))}"
        for r in readings.to_dict("records"))
    return ('<section id="readings"><h2>需人工核对读数 <span class="en">Readings to check by hand</span></h2>'
            '<p class="muted">以下读数不能唯一确定，或由表内勾稽关系推算而来：不是机关的问题，不计入问题清单，'
            "请对照原文人工核对。</p>"
            '<div class="tablewrap"><table class="data sortable" id="readings-table"><thead><tr><th>机关</th>'
            '<th class="num">年度</th><th>文件</th><th>位置</th><th>原因</th><th>说明</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></div></section>")


# ---------------------------------------------------------------------------
# the three tables of a report, in the official layout of its format
#
# The official row and column labels are the same for every report of a format, and
# with hundreds of reports they would be most of the page. So each format's tables are
# drawn once, as a <template> whose value cells carry their index in the format's key
# list; each report carries only its values and highlights (data-v, data-h), and the
# page's script fills a copy of the template when a report is opened or printed.


def format_template(fmt: str) -> str:
    """The three tables of ``fmt`` in the official layout, value cells as ``<td data-i=N>`` slots."""
    from auditkit.formats import TABLES, format_spec

    spec = format_spec(fmt)
    slots = _Slots(spec.keys)
    out = []
    for table in TABLES:
        t = spec.tables[table]
        out.append(f'<div data-table="{table}"><div class="cap">{escape(t.title)}</div>'
                   f'<table class="fmt">{table_body(table, t, slots)}</table></div>')
    return f'<template id="tpl-{escape(fmt)}">{"".join(out)}</template>'


def report_tables(rec: dict[str, Any], findings: Iterable[dict[str, Any]]) -> str:
    """The placeholder a report's tables are drawn into: its values, highlights and missing tables."""
    import json

    from auditkit.formats import TABLES, format_spec

    fmt = report_format(rec.get("format"), rec.get("cells") or {})
    spec = format_spec(fmt)
    cells = rec.get("cells") or {}
    provenance = rec.get("provenance") or {}
    null_reason: dict[str, str] = {}
    for d in rec.get("diagnostics") or ():
        if d.get("code") in NULL_TEXT:
            for k in {d.get("key"), *(d.get("keys") or ())} - {None}:
                null_reason.setdefault(k, NULL_TEXT[d["code"]])
    hits: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for x in findings:
        for k in x.get("keys") or ():
            hits[k].append(x)
    values, marks = [], {}
    for i, key in enumerate(spec.keys):
        values.append(_value_text(cells.get(key), null_reason.get(key, "")))
        if key in hits:
            found = hits[key]
            worst = min((x["severity"] for x in found), key=lambda s: SEVERITY_ORDER.get(s, 9))
            tip = []
            prov = provenance.get(key)
            if prov:
                tip.append(f"原文「{prov.get('text', '')}」 {prov.get('location', '')}")
            tip.extend(f"{rule_name(x['rule_id'], x['description'])} {x['rule_id']}（{severity_label(x['severity'])}）"
                       for x in found)
            marks[i] = [worst, "\n".join(tip)]
    missing = " ".join(t for t in TABLES if not any(cells.get(k) is not None or k in hits for k in spec.tables[t].keys))
    marks_json = json.dumps(marks, ensure_ascii=False, separators=(",", ":"))
    # Single quotes around the JSON spare escaping each of its double quotes.
    marks_attr = escape(marks_json, quote=False).replace("'", "&#39;")
    return (f'<div class="rtables" data-fmt="{fmt}" data-v="{escape(",".join(values))}" data-h=\'{marks_attr}\''
            + (f' data-missing="{missing}"' if missing else "") + "></div>")


def _value_text(value: Any, reason: str) -> str:
    """A cell value for data-v: the number, or ``~`` and why it has none."""
    if value is None:
        return "~" + reason
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        text = repr(value)  # the shortest text that reads back as the same number: amounts keep every digit
        return format(Decimal(text), "f") if "e" in text else text
    return str(value).replace(",", "")


class _Slots:
    """Value cells as numbered slots of the format's key list (the page's script fills them)."""

    def __init__(self, keys: list[str]) -> None:
        self.index = {k: i for i, k in enumerate(keys)}

    def td(self, key: str, label: str, colspan: int = 1) -> str:
        return f'<td{f" colspan={colspan}" if colspan > 1 else ""} data-i="{self.index[key]}"></td>'

    def row_hit(self, table: str, row: RowSpec) -> bool:
        return False


def _rules(data: AuditData) -> str:
    rules = data.rules
    counts = breakdown(data.findings, "rule_id")
    checks = {}
    if data.checks is not None and "rule_id" in data.checks:
        checks = {r.rule_id: r for r in data.checks.itertuples(index=False)}
        rows = []
    for r in rules.itertuples(index=False):
        c = checks.get(r.rule_id)
        failed = int(counts.loc[r.rule_id, "failed"]) if r.rule_id in counts.index else 0
        evaluated = _e(getattr(c, "evaluated", "")) if c is not None else ""
        link = (f'<a href="#findings" data-filter-rule="{escape(r.rule_id)}" title="在问题清单中筛选此规则">{failed}</a>'
                if failed else "0")
        rows.append(f'<tr id="rule-{escape(r.rule_id)}"><td>{_rule(r.rule_id, r.description)}</td>'
                    f'<td>{escape(_category(r.category))}</td><td data-v="{SEVERITY_ORDER.get(r.severity, 9)}">'
                    f"{_sev_badge(r.severity)}</td><td>{_e(r.description)}</td><td>{_e(r.basis)}</td>"
                    f'<td class="num">{evaluated}</td><td class="num">{link}</td></tr>')
    return ('<section id="rules"><h2>审核规则 <span class="en">Rule catalogue</span></h2>'
            f'<p class="muted">共 {len(rules)} 条规则。「核对次数」为本次审核中该规则实际核对的次数。</p>'
            + "".join(f'<p class="rule-folder">{_e(f["label"])} {_e(f["rules"])} 条：<code>{_e(f["path"])}</code></p>'
                      for f in data.rule_folders) +
            '<div class="tablewrap"><table class="data sortable" id="rule-table"><thead><tr><th>规则<br>'
            '<span class="en">Rule</span></th><th>类别<br><span class="en">Category</span></th>'
            '<th data-type="num">严重程度<br><span class="en">Severity</span></th><th>说明<br><span class="en">'
            'Description</span></th><th>依据<br><span class="en">Basis</span></th><th class="num" data-type="num">'
            '核对次数<br><span class="en">checked</span></th><th class="num" data-type="num">问题<br><span class="en">'
            f'failed</span></th></tr></thead><tbody>{"".join(rows)}</tbody></table></div></section>')
