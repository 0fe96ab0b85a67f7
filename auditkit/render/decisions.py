"""The decisions export: one CSV row per finding under review, with everything a colleague needs to read it.

``review.csv`` (UTF-8 with BOM for Excel, CSV-injection-safe through ``auditkit.csvfile``)
carries the context of each decision, not only its id: the agency, the report and year,
the rule by its Chinese name with its id, the place, what the rule says, the figures,
the decision with its note, who took it and when (China Standard Time), and the sign-off
(复核) with who, when and why. Findings not yet decided are listed too ("未审核"), so
that the export also says what is still open. Readings to check by hand (the ``reading``
queue) are not decisions about the agency and are left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditkit.queue import shown_figures
from auditkit.render.data import load_audit, split_queue
from auditkit.render.places import file_name, readable_text, sort_findings
from auditkit.render.rule_names import rule_name
from auditkit.vocabulary import china_time, decision_label, severity_label, signoff_label

DECISIONS_NAME = "review.csv"
# (header, how a finding row gives the value)
COLUMNS: tuple[tuple[str, Any], ...] = (
    ("机关", lambda r, s: r["agency"] or ""),
    ("报告文件", lambda r, s: file_name(r["source"])),
    ("年度", lambda r, s: r["year"] if r["year"] is not None else ""),
    ("规则", lambda r, s: rule_name(r["rule_id"], r["description"])),
    ("规则编号", lambda r, s: r["rule_id"]),
    ("严重程度", lambda r, s: severity_label(r["severity"])),
    ("位置", lambda r, s: readable_text(r.get("place_text") or r["place"], s)),
    ("问题说明", lambda r, s: r["description"]),
    ("数字", lambda r, s: readable_text(shown_figures(r), s)),
    ("审核结论", lambda r, s: decision_label(r["decision"])),
    ("审核意见", lambda r, s: r["note"]),
    ("编制人", lambda r, s: r["reviewer"]),
    ("审核时间（北京时间）", lambda r, s: china_time(r["time"])),
    ("复核", lambda r, s: signoff_label(r.get("signoff"))),
    ("复核人", lambda r, s: r.get("signer") or ""),
    ("复核意见", lambda r, s: r.get("signoff_note") or ""),
    ("复核时间（北京时间）", lambda r, s: china_time(r.get("signed_time"))),
    ("finding_id", lambda r, s: r["finding_id"]),
)


def export_decisions(out_dir: str | Path, path: str | Path | None = None) -> Path:
    """Write the decisions of the audit folder ``out_dir`` with their context to ``path`` (default
    ``out_dir/review.csv``); returns the path. Warns (``ReviewLogWarning``) when the log's chain is broken."""
    import warnings

    from auditkit.csvfile import write_rows
    from auditkit.review.log import ReviewLogWarning

    data = load_audit(out_dir)
    if data.log_warning:
        warnings.warn(data.log_warning, ReviewLogWarning, stacklevel=2)
    problems, _ = split_queue(data.findings)
    sources = {str(r["source"]) for r in data.reports} | set(problems["source"].astype(str))
    rows = sort_findings(problems).to_dict("records")
    target = Path(path) if path is not None else Path(out_dir) / DECISIONS_NAME
    return write_rows(target, [h for h, _ in COLUMNS], ([get(r, sources) for _, get in COLUMNS] for r in rows))
