"""The reviewer: one finding at a time, with the report's table, a decision and a note.

Two layers, so that the logic is tested without a kernel or a browser:

- ``ReviewSession`` (plain Python): the findings, the filters (severity,
  category, rule, agency, review status), the position, the progress, and the
  decisions, which it writes to and reads back from a ``ReviewLog``. Decisions
  are keyed by ``finding_id``, so after the audit runs again the same findings
  show the decisions already taken.
- ``Reviewer`` (ipywidgets): draws a session. Every widget action calls one
  session method and redraws; nothing else happens in callbacks.

Keyboard: every control is a native, focusable element (``<select>``,
``<textarea>``, ``<button>``) in reading order, so Tab / Shift+Tab, Enter and
Space work everywhere ipywidgets renders. In JupyterLab (and the classic
notebook) the reviewer also installs shortcuts that apply while the focus is
inside it and not in a text field: 1 确认, 2 排除, 3 待跟进, → or J next,
← or K previous, U next undecided, N to the note; Esc leaves the note.
Keys the reviewer handles do not reach JupyterLab's own shortcuts.

ipywidgets is imported here only; ``import auditkit`` does not load it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditkit.errors import ReviewError, SuiteError, UsageError
from auditkit.queue import shown_figures
from auditkit.record import Report
from auditkit.render.data import listed
from auditkit.render.rule_names import rule_name
from auditkit.review.log import ReviewLog
from auditkit.review.profile import remember_reviewer, remembered_reviewer
from auditkit.review.table import CSS, render_for_keys
from auditkit.vocabulary import (
    APPROVED,
    AWAITING_SIGNOFF,
    DECISION_COLOURS,
    DECISION_LABELS,
    RETURNED,
    REVIEW_STATE_LABELS,
    REVIEW_STATES,
    SEVERITIES,
    SEVERITY_COLOURS,
    SEVERITY_LABELS,
    SIGNOFF_COLOURS,
    SIGNOFF_LABELS,
    SIGNOFF_STATE_LABELS,
    SIGNOFF_STATES,
    UNDECIDED,
    UNDECIDED_LABEL,
    china_time,
    severity_label,
    status_label,
)

if TYPE_CHECKING:
    import pandas as pd

    from auditkit.audit import AuditResult

FILTERS = ("severity", "category", "rule_id", "agency", "status", "signoff")
FILTER_LABELS = {"severity": "严重程度", "category": "类别", "rule_id": "规则", "agency": "机关", "status": "审核结论",
                 "signoff": "复核"}
UNKNOWN_AGENCY = "（机关未识别）"
ALL = "*"  # the filter dropdowns' value for "全部"
DECIDED_COLUMNS = {"agency": "机关", "year": "年度", "rule_name": "规则", "place": "位置", "decision_label": "结论",
                   "note": "备注", "reviewer": "编制人", "time_cst": "时间（北京时间）", "signoff_label": "复核",
                   "signer": "复核人", "signoff_note": "复核意见"}
# Shortcut key -> CSS class of the control it acts on (see KEYS_JS).
SHORTCUTS = {"1": "ak-confirm", "2": "ak-dismiss", "3": "ak-follow-up", "a": "ak-approve", "r": "ak-return",
             "ArrowRight": "ak-next", "j": "ak-next", "ArrowLeft": "ak-prev", "k": "ak-prev", "u": "ak-next-undecided"}


def rule_versions(directory: str | Path | None = None) -> dict[str, str]:
    """rule_id -> a short hash of the rule as written in its suite, recorded with each decision so
    that a decision taken on an older wording of a rule can be told apart. Empty when the suites
    cannot be read (the reviewer still works)."""
    from auditkit.rules.suites import load_specs

    try:
        specs = load_specs(directory)
    except (SuiteError, OSError):
        return {}
    return {r.rule_id: hashlib.sha256(json.dumps(r.raw(), sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:12]
            for s in specs for r in s.rules}


def _text_of(row: Mapping[str, Any], column: str) -> str:
    value = row.get(column)
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _shown(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class ReviewSession:
    """Findings under review: filters, position, progress and decisions (no widgets)."""

    def __init__(self, findings: pd.DataFrame, log: ReviewLog, reports: Iterable[Report] | Mapping[str, Report] = (),
                 reviewer: str = "", versions: Mapping[str, str] | None = None) -> None:
        self.findings = findings.reset_index(drop=True)
        self.log = log
        self.reviewer = reviewer
        reports = reports.values() if isinstance(reports, Mapping) else reports
        self.reports: dict[str, Report] = {}
        for r in reports:
            self.reports[r.source] = r
            if r.sha256:
                self.reports[r.sha256] = r
        self.versions = dict(versions) if versions is not None else rule_versions()
        self._agency = [a if isinstance(a, str) and a else UNKNOWN_AGENCY for a in self.findings["agency"]]
        self.filters: dict[str, str | None] = dict.fromkeys(FILTERS)
        self.decisions: dict[str, dict[str, Any]] = {}
        self.signoffs: dict[str, dict[str, Any]] = {}
        self.refresh()
        self.order: list[int] = list(range(len(self.findings)))
        self.position = 0

    # -- decisions ---------------------------------------------------------

    def refresh(self) -> None:
        """Read the current decisions from the log again (another reviewer may have written), and check
        the log's chain: ``log_warning`` says when the decisions read may have been forged."""
        self.log_check = self.log.verify()
        self.decisions = {row["finding_id"]: row for row in self.log.current_rows()}
        self.signoffs = self.log.signoff_rows()

    @property
    def log_warning(self) -> str:
        """What is wrong with the review log, naming its first bad event; "" when its chain holds."""
        return "" if self.log_check.ok else self.log_check.line()

    def log_warning_html(self) -> str:
        """A red banner over the reviewer when the log's chain is broken."""
        if not self.log_warning:
            return ""
        return ('<div class="ak-log-warning" role="alert" style="border:3px solid #c92a2a;background:#fff5f5;'
                'color:#c92a2a;font-weight:700;padding:8px 12px;margin:4px 0">警告：审核记录的哈希链已断开，'
                "已有的审核结论可能被改动 (WARNING: the review log was tampered with)。<br>"
                f"{escape(self.log_warning)}</div>")

    def status_of(self, finding_id: str) -> str:
        """The finding's current decision, or ``undecided``."""
        event = self.decisions.get(finding_id)
        return event["decision"] if event else UNDECIDED

    def decide(self, decision: str, note: str = "", reviewer: str | None = None) -> dict[str, Any]:
        """Record a decision on the current finding and return the stored event."""
        row = self.current
        if row is None:
            raise ReviewError("没有可审核的问题 (no finding selected)")
        name = (reviewer if reviewer is not None else self.reviewer).strip()
        if not name:
            raise ReviewError("请先填写审核人姓名 (reviewer name is required)")
        if decision == "dismissed" and not note.strip():
            raise ReviewError("排除（误报）须在备注中写明理由 (dismissing a finding needs a reason in the note)")
        event = self.log.record(row["finding_id"], decision, note=note.strip(), reviewer=name,
                                rule_version=self.versions.get(row["rule_id"]), report_sha256=row["sha256"] or None)
        self.decisions[row["finding_id"]] = event
        self.signoffs[row["finding_id"]] = {"state": AWAITING_SIGNOFF, "event_id": event["event_id"], "signer": "",
                                            "signed_time": "", "signoff_note": ""}
        return event

    def sign_off(self, outcome: str, note: str = "", signer: str | None = None) -> dict[str, Any]:
        """复核: approve the current finding's decision (``approved``) or send it back (``returned``, with a
        note). The signer must be someone other than who decided."""
        row = self.current
        if row is None:
            raise ReviewError("没有可复核的问题 (no finding selected)")
        name = (signer if signer is not None else self.reviewer).strip()
        if not name:
            raise ReviewError("请先填写审核人姓名 (reviewer name is required)")
        fid = row["finding_id"]
        seen = self.signoffs.get(fid)
        event = self.log.sign_off(fid, outcome, note=note, reviewer=name,
                                  decision_event=seen["event_id"] if seen else None)
        self.signoffs[fid] = {**(seen or {}), "state": outcome, "signer": event["reviewer"],
                              "signed_time": event["time"], "signoff_note": event["note"]}
        return event

    def signoff_of(self, finding_id: str) -> str:
        """Where the finding stands at the second level: ``undecided``, ``awaiting``, ``approved`` or ``returned``."""
        row = self.signoffs.get(finding_id)
        return row["state"] if row else UNDECIDED

    def history(self, finding_id: str | None = None) -> list[dict[str, Any]]:
        row = self.current
        fid = finding_id or (row["finding_id"] if row is not None else None)
        return self.log.history(fid) if fid else []

    # -- filters -----------------------------------------------------------

    def _values(self, field: str) -> list[Any]:
        if field == "agency":
            return self._agency
        if field == "status":
            return [self.status_of(f) for f in self.findings["finding_id"]]
        if field == "signoff":
            return [self.signoff_of(f) for f in self.findings["finding_id"]]
        return list(self.findings[field])

    def options(self, field: str) -> list[tuple[str, str | None]]:
        """(label, value) pairs for a filter, "全部" (None) first, each with its count."""
        from collections import Counter

        from auditkit.rules.suites import CATEGORY_LABELS

        counts = Counter(self._values(field))
        if field == "status":
            keys = list(REVIEW_STATES)
        elif field == "signoff":
            keys = list(SIGNOFF_STATES)
        elif field == "severity":
            keys = [s for s in SEVERITIES if s in counts]
        else:
            keys = sorted(counts)
        label = {"severity": SEVERITY_LABELS, "category": CATEGORY_LABELS, "status": REVIEW_STATE_LABELS,
                 "signoff": SIGNOFF_STATE_LABELS,
                 "rule_id": {r: f"{rule_name(r)} {r}" for r in counts}}.get(field, {})
        return [(f"全部 ({len(self.findings)})", None)] + [
            (f"{label.get(k, k)} ({counts.get(k, 0)})", k) for k in keys]

    def set_filters(self, **filters: str | None) -> None:
        """Change filters (None = all). The current finding stays selected if it still matches."""
        unknown = set(filters) - set(FILTERS)
        if unknown:
            raise KeyError(f"unknown filter(s): {', '.join(sorted(unknown))}")
        keep = self.current_index
        self.filters.update(filters)
        columns = {f: self._values(f) for f, v in self.filters.items() if v is not None}
        self.order = [i for i in range(len(self.findings))
                      if all(columns[f][i] == self.filters[f] for f in columns)]
        self.position = self.order.index(keep) if keep in self.order else 0

    # -- navigation --------------------------------------------------------

    @property
    def current_index(self) -> int | None:
        return self.order[self.position] if self.order else None

    @property
    def current(self) -> dict[str, Any] | None:
        i = self.current_index
        return None if i is None else self.findings.iloc[i].to_dict()

    def go_to(self, position: int) -> None:
        if self.order:
            self.position = max(0, min(position, len(self.order) - 1))

    def next(self) -> bool:
        """Move to the next finding; False at the end."""
        if self.position + 1 < len(self.order):
            self.position += 1
            return True
        return False

    def previous(self) -> bool:
        if self.position > 0:
            self.position -= 1
            return True
        return False

    def next_undecided(self) -> bool:
        """Move to the next undecided finding after the current one, wrapping round; False if none."""
        n = len(self.order)
        for step in range(1, n + 1):
            pos = (self.position + step) % n
            if self.status_of(self.findings.at[self.order[pos], "finding_id"]) == UNDECIDED:
                self.position = pos
                return True
        return False

    # -- progress ----------------------------------------------------------

    def progress(self) -> tuple[int, int]:
        """(decided, total) among the findings the filters select."""
        ids = self.findings["finding_id"]
        decided = sum(1 for i in self.order if ids.iat[i] in self.decisions)
        return decided, len(self.order)

    def signoff_progress(self) -> tuple[int, int]:
        """(signed off, total) among the findings the filters select: decisions a second person approved."""
        ids = self.findings["finding_id"]
        return sum(1 for i in self.order if self.signoff_of(ids.iat[i]) == APPROVED), len(self.order)

    def progress_text(self) -> str:
        decided, total = self.progress()
        signed, _ = self.signoff_progress()
        return f"编制 {decided} / {total} 已审核 · 复核 {signed} / {total} 已通过"

    def table(self) -> pd.DataFrame:
        """Every finding with its current decision (empty where undecided), for a summary or export."""
        import pandas as pd

        cur = pd.DataFrame(list(self.decisions.values()),
                           columns=["finding_id", "decision", "note", "reviewer", "time", "rule_version"])
        out = self.findings.merge(cur, on="finding_id", how="left")
        out["decision_label"] = out["decision"].map(DECISION_LABELS).fillna(UNDECIDED_LABEL)
        out["time_cst"] = out["time"].map(china_time)
        out["rule_name"] = [f"{rule_name(r, d)}（{r}）" for r, d in zip(out["rule_id"], out["description"], strict=True)]
        signed = [self.signoffs.get(f) or {} for f in out["finding_id"]]
        out["signoff"] = [x.get("state", UNDECIDED) for x in signed]
        out["signoff_label"] = out["signoff"].map(SIGNOFF_STATE_LABELS)
        out["signer"] = [x.get("signer", "") for x in signed]
        out["signoff_note"] = [x.get("signoff_note", "") for x in signed]
        out["signed_time"] = [china_time(x.get("signed_time")) for x in signed]
        return out

    def decisions_by_severity(self) -> pd.DataFrame:
        """How many findings of each severity (rows) stand at each decision (columns), with totals."""
        import pandas as pd

        table = self.table()
        counts = pd.crosstab(table["severity"], table["decision_label"], margins=True, margins_name="合计")
        rows = [s for s in (*SEVERITIES, "合计") if s in counts.index]
        columns = [c for c in (*REVIEW_STATE_LABELS.values(), "合计") if c in counts.columns]
        return (counts.reindex(index=rows, columns=columns).rename(index=SEVERITY_LABELS)
                .rename_axis(index="严重程度", columns="结论"))

    def decided_table(self) -> pd.DataFrame:
        """The decided findings: where, which rule, the decision, its note, who and when (China Standard Time),
        and its sign-off."""
        table = self.table()
        return (table[table["decision"].notna()][list(DECIDED_COLUMNS)].rename(columns=DECIDED_COLUMNS)
                .reset_index(drop=True))

    # -- what the reviewer shows -------------------------------------------

    def report_of(self, row: Mapping[str, Any]) -> Report | None:
        return self.reports.get(row.get("sha256") or "") or self.reports.get(row.get("source") or "")

    def card_html(self) -> str:
        """The current finding: the rule (its Chinese name, the id small beside it), where, the figures, the
        evidence, where it came from in the original, the basis, its decision and its sign-off."""
        from auditkit.rules.suites import CATEGORY_LABELS

        row = self.current
        if row is None:
            return "<p><b>没有符合筛选条件的问题。</b></p>"
        sev = row["severity"]
        badge = (f'<span style="background:{SEVERITY_COLOURS.get(sev, "#495057")};color:white;padding:1px 6px;'
                 f'border-radius:3px">{escape(severity_label(sev))}</span>')
        where = f'{escape(row["agency"] or UNKNOWN_AGENCY)} · {escape(_shown(row["year"]))}年 · ' \
                f'<span title="{escape(row["source"])}">{escape(Path(row["source"]).name)}</span>'
        facts = [("位置", _text_of(row, "place_text") or row["place"])]
        if _text_of(row, "cells_text"):
            facts.append(("单元格", _text_of(row, "cells_text")))
        facts.append(("数字", shown_figures(row)))  # 应为/实际 only where a rule computes the figure
        also = listed(row.get("also_rules"))
        if also:
            facts.append(("同时违反", "、".join(f"{rule_name(r)}（{r}）" for r in also)))
        copies = listed(row.get("copies"))
        if copies:
            facts.append(("同一报告的其他文件", "、".join(Path(c).name for c in copies)))
        facts_html = "".join(f"<tr><th style='text-align:left;padding-right:8px;white-space:nowrap'>{escape(k)}</th>"
                             f"<td>{escape(str(v) if v not in (None, '', '—') else '—')}</td></tr>"
                             for k, v in facts if k == "位置" or v not in (None, "", "—"))
        status = self.status_of(row["finding_id"])
        event = self.decisions.get(row["finding_id"])
        if event:
            decided = (f'编制：<b style="color:{DECISION_COLOURS[status]}">{escape(REVIEW_STATE_LABELS[status])}</b>'
                       f'（{escape(event["reviewer"])}，{escape(china_time(event["time"]))}'
                       + (f'，备注：{escape(event["note"])}' if event["note"] else "") + "）")
            if event.get("rule_version") and self.versions.get(row["rule_id"]) not in (None, event["rule_version"]):
                decided += "<br><i>注意：此结论作出后规则已修改，请重新审核。</i>"
            n = len(self.history(row["finding_id"]))
            if n > 1:
                decided += f"（共 {n} 条审核记录）"
        else:
            decided = f'编制：<b style="color:{DECISION_COLOURS[UNDECIDED]}">{UNDECIDED_LABEL}</b>'
        return (
            f'<div class="ak-card" data-finding-id="{escape(row["finding_id"])}">'
            f'<div style="font-size:14px;margin-bottom:4px">{badge} <b>{escape(rule_name(row["rule_id"], row["description"]))}'
            f'</b> <code style="font-size:11px;color:#868e96">{escape(row["rule_id"])}</code> · '
            f'{escape(CATEGORY_LABELS.get(row["category"], row["category"]))} · '
            f'{escape(status_label(row["status"]))} · {where}</div>'
            f'<div style="margin:4px 0">{escape(row["description"])}</div>'
            f'<table style="font-size:13px;margin:4px 0">{facts_html}</table>'
            f'<div style="margin:6px 0"><b>证据：</b>'
            f'<blockquote class="ak-evidence" style="margin:2px 0 2px 0;padding:4px 8px;border-left:3px solid #e8590c;'
            f'background:#fff9db;white-space:pre-wrap">{escape(row["evidence"] or "—")}</blockquote></div>'
            f'{self.origin_html(row)}'
            f'<div style="font-size:12px;color:#495057"><b>依据：</b>{escape(row["basis"] or "—")}</div>'
            f'<div class="ak-decision" data-decision="{status}" style="margin-top:6px">{decided}</div>'
            f'{self.signoff_html(row["finding_id"])}'
            f'<div style="font-size:11px;color:#868e96">finding_id {escape(row["finding_id"])}</div></div>'
        )

    def signoff_html(self, finding_id: str) -> str:
        """The second level: waiting for a sign-off, approved or sent back (by whom, when, why)."""
        state = self.signoff_of(finding_id)
        if state == UNDECIDED:
            return ""
        text = f'复核：<b style="color:{SIGNOFF_COLOURS[state]}">{escape(SIGNOFF_STATE_LABELS[state])}</b>'
        signed = self.signoffs.get(finding_id) or {}
        if state in (APPROVED, RETURNED):
            text += (f'（{escape(signed.get("signer", ""))}，{escape(china_time(signed.get("signed_time")))}'
                     + (f'，意见：{escape(signed["signoff_note"])}' if signed.get("signoff_note") else "") + "）")
        if state == RETURNED:
            text += " —— 请编制人重新审核"
        return f'<div class="ak-signoff" data-signoff="{state}">{text}</div>'

    def origin_html(self, row: Mapping[str, Any]) -> str:
        """Where the finding came from in the original file, one click away (a closed ``<details>``)."""
        from auditkit.render.origin import Origins

        report = self.report_of(row)
        if report is None:
            return ""
        if not hasattr(self, "_origins"):
            self._origins = Origins()
        record = {"source": report.source, "kind": report.kind, "provenance": report.provenance}
        body = self._origins.html(record, list(row["keys"] or []))
        if not body:
            return ""
        return (f'<details class="ak-origin" style="margin:4px 0"><summary style="cursor:pointer;color:#1971c2">'
                f"原文出处（{escape(Path(report.source).name)}）</summary>{body}</details>")

    def report_html(self) -> str:
        """The report's table(s) behind the current finding, in the official layout, its cells highlighted."""
        row = self.current
        if row is None:
            return ""
        report = self.report_of(row)
        if report is None:
            return CSS + '<p class="ak-null">（未找到该报告的读取记录，无法显示表格）</p>'
        return render_for_keys(report, list(row["keys"] or []))


KEYS_JS = """
(function () {
  if (window.__akReviewKeys) { return; }
  window.__akReviewKeys = true;
  var MAP = __MAP__;
  var FOCUSABLE = 'button, input, select, textarea, summary, a[href], [contenteditable="true"]';
  // A click anywhere inside the reviewer that lands on no control (the report table, the evidence) keeps
  // the focus in the reviewer: JupyterLab would otherwise take it for the notebook, and J/K would move cells.
  var hold = function (e) {
    var root = e.target && e.target.closest ? e.target.closest('.ak-review') : null;
    if (!root || e.target.closest(FOCUSABLE)) { return; }
    if (!root.hasAttribute('tabindex')) { root.setAttribute('tabindex', '-1'); }
    setTimeout(function () { root.focus({preventScroll: true}); }, 0);
  };
  document.addEventListener('mouseup', hold, true);
  document.addEventListener('keydown', function (e) {
    var root = e.target && e.target.closest ? e.target.closest('.ak-review') : null;
    if (!root) { return; }
    var tag = e.target.tagName;
    var typing = tag === 'TEXTAREA' || tag === 'SELECT' || (tag === 'INPUT' && e.target.type !== 'checkbox');
    var stop = function () { e.preventDefault(); e.stopPropagation(); };
    if (typing) {
      if (e.key === 'Escape') { var b = root.querySelector('button.ak-confirm'); if (b) { b.focus(); stop(); } }
      // A list box keeps its own keys (arrows choose an option); JupyterLab must not move cells meanwhile.
      else if (tag === 'SELECT') { e.stopPropagation(); }
      return;
    }
    if (e.altKey || e.ctrlKey || e.metaKey) { return; }
    var cls = MAP[e.key];
    var btn = cls ? root.querySelector('button.' + cls) : null;
    if (e.key === 'n') { var t = root.querySelector('.ak-note textarea'); if (t) { t.focus(); stop(); } }
    else if (btn) { if (!btn.disabled) { btn.click(); } stop(); }
    // Any other key (Enter or Space on a button, Tab) keeps its native effect but never reaches
    // JupyterLab, whose command-mode keys would otherwise edit the notebook (A, B, D D, M, arrows...).
    else { e.stopPropagation(); }
  }, true);
})();
""".replace("__MAP__", json.dumps(SHORTCUTS))


class Reviewer:
    """The ipywidgets reviewer over a ``ReviewSession``; display it as the last line of a cell.

    Top down: who reviews and the progress of both levels; the filters; the finding; the note and the
    decisions (编制), the sign-off (复核) and the way to the next finding; then the report's table. The
    controls stay above the table, so that deciding never needs a scroll."""

    def __init__(self, session: ReviewSession, auto_advance: bool = True, readings: pd.DataFrame | None = None) -> None:
        import ipywidgets as w

        self.session = session
        self.auto_advance = auto_advance
        wide = {"description_width": "initial"}
        if not session.reviewer:
            session.reviewer = remembered_reviewer()
        # Text fields sync when they lose focus, not per keystroke: a button's click is a message of its
        # own that would overtake keystrokes still queued behind a busy kernel, and a decision would be
        # recorded with half its note. Leaving the field (a click, Tab, Esc) sends the text first.
        self.reviewer = w.Text(value=session.reviewer, description="审核人", placeholder="请输入姓名（会记住）",
                               continuous_update=False, style=wide,
                               layout=w.Layout(width="260px")).add_class("ak-reviewer")
        # A Dropdown whose value is None shows no selection at all, so "全部" is the value ALL here.
        self._relabelling = False
        self.filters = {
            f: w.Dropdown(options=self._options(f), value=ALL,
                          description=FILTER_LABELS[f], style=wide,
                          layout=w.Layout(width="auto", max_width="340px")).add_class(f"ak-filter-{f}")
            for f in FILTERS
        }
        self.progress = w.HTML().add_class("ak-progress")
        self.alert = w.HTML().add_class("ak-alert")
        self.card = w.HTML().add_class("ak-card-view")
        self.report = w.HTML().add_class("ak-report-view")
        self.note = w.Textarea(description="备注", placeholder="为何确认、排除或待跟进（排除时必填）", style=wide,
                               continuous_update=False,
                               layout=w.Layout(width="640px", height="3.6em")).add_class("ak-note")
        self.buttons = {
            "confirmed": w.Button(description="确认", button_style="success", icon="check",
                                  tooltip="确认此问题 (快捷键 1)").add_class("ak-confirm"),
            "dismissed": w.Button(description="排除（误报）", button_style="", icon="times",
                                  tooltip="排除：不是问题、误报，须写明理由 (快捷键 2)").add_class("ak-dismiss"),
            "follow_up": w.Button(description="待跟进", button_style="warning", icon="flag",
                                  tooltip="需要进一步核实 (快捷键 3)").add_class("ak-follow-up"),
        }
        self.signoff_note = w.Textarea(description="复核意见", placeholder="退回时必填", style=wide,
                                       continuous_update=False,
                                       layout=w.Layout(width="640px", height="3.6em")).add_class("ak-signoff-note")
        self.signoff_buttons = {
            APPROVED: w.Button(description="复核通过", button_style="info", icon="check-circle",
                               tooltip="第二人复核：同意此结论 (快捷键 A)").add_class("ak-approve"),
            RETURNED: w.Button(description="退回修改", button_style="danger", icon="undo",
                               tooltip="第二人复核：退回编制人，须写明意见 (快捷键 R)").add_class("ak-return"),
        }
        self.prev = w.Button(description="上一条", icon="arrow-left", tooltip="上一条 (← 或 K)").add_class("ak-prev")
        self.next = w.Button(description="下一条", icon="arrow-right", tooltip="下一条 (→ 或 J)").add_class("ak-next")
        self.next_undecided = w.Button(description="下一条未审核", icon="forward",
                                       tooltip="跳到下一条未审核的问题 (U)").add_class("ak-next-undecided")
        self.message = w.HTML().add_class("ak-message")
        help_text = ("键盘：Tab / Shift+Tab 在控件间移动，Enter 或空格按下按钮；焦点在审核器内（不在输入框中）时："
                     "1 确认、2 排除、3 待跟进、A 复核通过、R 退回、→/J 下一条、←/K 上一条、U 下一条未审核、N 写备注，"
                     "输入框中按 Esc 返回。")

        for name, button in self.buttons.items():
            button.on_click(lambda _b, name=name: self._decide(name))
        for name, button in self.signoff_buttons.items():
            button.on_click(lambda _b, name=name: self._sign(name))
        self.prev.on_click(lambda _b: self._move(self.session.previous))
        self.next.on_click(lambda _b: self._move(self.session.next))
        self.next_undecided.on_click(lambda _b: self._move(self.session.next_undecided, "没有未审核的问题了。"))
        for f, dd in self.filters.items():
            dd.observe(lambda change, f=f: self._filter(f, change["new"]), names="value")
        self.reviewer.observe(lambda change: self._name(change["new"]), names="value")

        row = w.Layout(flex_flow="row wrap", align_items="center")
        self.readings = w.HTML(_readings_html(readings)).add_class("ak-readings")
        # Children in reading order are also the Tab order.
        self.widget = w.VBox([
            self.alert,
            w.HBox([self.reviewer, self.progress], layout=row),
            w.HBox(list(self.filters.values()), layout=row),
            self.card,
            self.note,
            w.HBox([*self.buttons.values(), w.HTML("&nbsp;"), self.prev, self.next, self.next_undecided], layout=row),
            w.HBox([self.signoff_note, *self.signoff_buttons.values()], layout=row),
            self.message,
            self.report,
            self.readings,
            w.HTML(f'<div style="font-size:11px;color:#868e96">{escape(help_text)}</div>'),
        ]).add_class("ak-review")
        self.render()

    @classmethod
    def from_audit(cls, audit: AuditResult | str | Path, reviewer: str = "", log: ReviewLog | None = None,
                   auto_advance: bool = True) -> Reviewer:
        """A reviewer over an audit: an ``AuditResult`` or the folder ``run_audit`` wrote. The review
        log is ``review.sqlite`` in that folder unless ``log`` is given. Readings to check by hand
        (the ``reading`` queue) are listed apart, not reviewed as problems."""
        from auditkit.findings import FINDING_COLUMNS
        from auditkit.render.data import EXTRA_FINDING_COLUMNS, split_queue

        if isinstance(audit, str | Path):
            from auditkit.render.data import load_audit

            data = load_audit(audit)
            # The decisions come from the log; the folder's findings are taken without the columns it joined.
            findings = data.findings[[c for c in data.findings.columns
                                      if c in FINDING_COLUMNS or c in EXTRA_FINDING_COLUMNS]]
            reports = [Report.from_record(r) for r in data.reports]
            out: Path | None = Path(audit)
        else:
            findings, reports, out = audit.findings, audit.reports, audit.out
        if log is None:
            if out is None:
                raise UsageError("审核结果没有输出文件夹，请传入 log=ReviewLog(path) (audit has no output folder)")
            log = ReviewLog.for_audit(out)
        problems, readings = split_queue(findings)
        return cls(ReviewSession(problems, log, reports, reviewer=reviewer), auto_advance=auto_advance,
                   readings=readings)

    # -- callbacks: one session call each, then redraw -----------------------

    def _decide(self, decision: str) -> None:
        self._record(lambda: self.session.decide(decision, self.note.value, reviewer=self.reviewer.value),
                     ("status", "signoff"), f"已记录：{DECISION_LABELS[decision]}")

    def _sign(self, outcome: str) -> None:
        self._record(lambda: self.session.sign_off(outcome, self.signoff_note.value, signer=self.reviewer.value),
                     ("signoff",), f"已记录复核：{SIGNOFF_LABELS[outcome]}")

    def _record(self, write: Callable[[], dict[str, Any]], filters: tuple[str, ...], said: str) -> None:
        """Write one review event; once it is stored, the filters' counts, who and when, and the next finding."""
        try:
            event = write()
        except ReviewError as exc:
            self._say(str(exc).split(" (")[0], error=True)
            return
        for field in filters:
            self._relabel(field)
        self._say(f"{said}（{event['reviewer']}，{china_time(event['time'])}）")
        if self.auto_advance:
            self.session.next()
        self.render(keep_message=True)

    def _name(self, name: str) -> None:
        self.session.reviewer = name
        remember_reviewer(name)

    def _move(self, step: Any, at_end: str = "") -> None:
        moved = step()
        self.render()
        if not moved and at_end:
            self._say(at_end)

    def _filter(self, field: str, value: str) -> None:
        if self._relabelling:
            return
        self.session.set_filters(**{field: None if value == ALL else value})
        self.render()

    def _options(self, field: str) -> list[tuple[str, str]]:
        return [(label, ALL if v is None else v) for label, v in self.session.options(field)]

    def _relabel(self, field: str) -> None:
        """Refresh a filter's counts; new options reset a Dropdown's value, so put it back quietly."""
        dd = self.filters[field]
        keep = dd.value
        self._relabelling = True
        try:
            dd.options = self._options(field)
            dd.value = keep
        finally:
            self._relabelling = False

    def _say(self, text: str, error: bool = False) -> None:
        colour = "#c92a2a" if error else "#2b8a3e"
        self.message.value = f'<span style="color:{colour}">{escape(text)}</span>' if text else ""

    def render(self, keep_message: bool = False) -> None:
        """Redraw from the session."""
        s = self.session
        decided, total = s.progress()
        signed, _ = s.signoff_progress()
        counts = dict.fromkeys(REVIEW_STATES, 0)
        levels = dict.fromkeys(SIGNOFF_STATES, 0)
        for i in s.order:
            fid = s.findings.at[i, "finding_id"]
            counts[s.status_of(fid)] += 1
            levels[s.signoff_of(fid)] += 1
        detail = " · ".join(f"{REVIEW_STATE_LABELS[k]} {n}" for k, n in counts.items())
        second = " · ".join(f"{SIGNOFF_STATE_LABELS[k]} {levels[k]}" for k in (AWAITING_SIGNOFF, RETURNED))
        where = f"第 {s.position + 1} / {total} 条" if total else "无"
        self.progress.value = (f'<b style="font-size:15px">编制 {decided} / {total} 已审核</b>'
                               f'<span style="color:#495057"> · {detail}</span><br>'
                               f'<b style="font-size:15px">复核 {signed} / {total} 已通过</b>'
                               f'<span style="color:#495057"> · {second} · {where}</span>')
        self.alert.value = s.log_warning_html()
        self.card.value = s.card_html()
        self.report.value = s.report_html()
        row = s.current
        event = s.decisions.get(row["finding_id"]) if row else None
        self.note.value = event["note"] if event else ""
        self.signoff_note.value = ""
        for b in self.buttons.values():
            b.disabled = row is None
        state = s.signoff_of(row["finding_id"]) if row else UNDECIDED
        for b in self.signoff_buttons.values():
            b.disabled = state not in (AWAITING_SIGNOFF, APPROVED)  # something to sign, not sent back already
        self.prev.disabled = s.position <= 0 or not total
        self.next.disabled = s.position + 1 >= total
        self.next_undecided.disabled = not total
        if not keep_message:
            self._say("")

    def focus_order(self) -> list[Any]:
        """The focusable controls in the order Tab visits them (the order of the widget tree)."""
        import ipywidgets as w

        out: list[Any] = []

        def walk(widget: Any) -> None:
            if isinstance(widget, w.Box):
                for child in widget.children:
                    walk(child)
            elif isinstance(widget, w.Button | w.Dropdown | w.Text | w.Textarea) and widget.tabbable is not False:
                out.append(widget)

        walk(self.widget)
        return out

    def _ipython_display_(self) -> None:
        from IPython.display import Javascript, display

        display(self.widget)
        display(Javascript(KEYS_JS))  # keyboard shortcuts; a front end without JavaScript output ignores it


def _readings_html(readings: pd.DataFrame | None) -> str:
    """The readings to check by hand against the original (the ``reading`` queue), listed apart from the
    problems under review: which report, which cells, why."""
    if readings is None or not len(readings):
        return ""
    rows = "".join(
        f"<tr><td>{escape(str(r.get('agency') or UNKNOWN_AGENCY))}</td><td>{escape(_shown(r.get('year')))}</td>"
        f"<td>{escape(Path(str(r.get('source'))).name)}</td>"
        f"<td>{escape(_text_of(r, 'place_text') or str(r.get('place') or ''))}</td>"
        f"<td>{escape(rule_name(r.get('rule_id'), r.get('description')))}</td>"
        f"<td>{escape(str(r.get('evidence') or ''))}</td></tr>"
        for r in readings.to_dict("records"))
    return (f'<details class="ak-readings-list" style="margin-top:8px"><summary><b>需人工核对读数</b>（{len(readings)} 项：'
            "读数不能唯一确定或由勾稽关系推算，不是机关的问题，不计入审核问题；请对照原文核对）</summary>"
            '<table style="font-size:12px;border-collapse:collapse" border="1" cellpadding="3"><tr><th>机关</th>'
            f"<th>年度</th><th>文件</th><th>位置</th><th>原因</th><th>说明</th></tr>{rows}</table></details>")
