"""auditkit: read and audit annual reports on government information disclosure.

Everything a notebook or a script needs is named in ``__all__`` and imported from
here (``import auditkit``; ``auditkit.run_audit(...)``), never from the modules
inside. The names are imported lazily, on first use, so ``import auditkit`` stays
fast: pandas, PDF libraries, Great Expectations, ipywidgets and matplotlib load
only where they are used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Public name -> (module, name there).
_LAZY: dict[str, tuple[str, str]] = {
    # reading
    "read_report": ("auditkit.batch", "read_report"),
    "read_reports": ("auditkit.batch", "read_reports"),
    "Batch": ("auditkit.batch", "Batch"),
    "Report": ("auditkit.record", "Report"),
    "SAMPLES_DIR": ("auditkit.audit", "SAMPLES_DIR"),
    # auditing
    "run_audit": ("auditkit.audit", "run_audit"),
    "default_out_dir": ("auditkit.results", "default_out_dir"),
    "audit_reports": ("auditkit.audit", "audit_reports"),
    "AuditResult": ("auditkit.audit", "AuditResult"),
    "rule_catalogue": ("auditkit.rules.suites", "catalogue"),
    # an audit folder read back, and the shared results rebuilt from it
    "load_audit": ("auditkit.render.data", "load_audit"),
    "AuditData": ("auditkit.render.data", "AuditData"),
    "rebuild_report": ("auditkit.render", "rebuild_report"),
    "write_audit_html": ("auditkit.render.html", "write_audit_html"),
    "write_findings_xlsx": ("auditkit.render.xlsx", "write_findings_xlsx"),
    "export_notebook": ("auditkit.render.notebook", "export_notebook"),
    "export_decisions": ("auditkit.render.decisions", "export_decisions"),
    "write_letters": ("auditkit.letters", "write_letters"),
    # the notebooks' tables and charts
    "audit_overview": ("auditkit.render.overview", "audit_overview"),
    "AuditOverview": ("auditkit.render.overview", "AuditOverview"),
    "compare_reports": ("auditkit.compare", "compare_reports"),
    "Comparison": ("auditkit.compare", "Comparison"),
    "overview_chart": ("auditkit.render.charts", "overview_chart"),
    "comparison_chart": ("auditkit.render.charts", "comparison_chart"),
    "cjk_font": ("auditkit.render.charts", "cjk_font"),
    # reviewing
    "Reviewer": ("auditkit.review.widget", "Reviewer"),
    "ReviewSession": ("auditkit.review.widget", "ReviewSession"),
    "ReviewLog": ("auditkit.review.log", "ReviewLog"),
    # errors
    "AuditkitError": ("auditkit.errors", "AuditkitError"),
}
__all__ = [
    "SAMPLES_DIR",
    "AuditData",
    "AuditOverview",
    "AuditResult",
    "AuditkitError",
    "Batch",
    "Comparison",
    "Report",
    "ReviewLog",
    "ReviewSession",
    "Reviewer",
    "audit_overview",
    "audit_reports",
    "cjk_font",
    "compare_reports",
    "comparison_chart",
    "default_out_dir",
    "export_decisions",
    "export_notebook",
    "load_audit",
    "overview_chart",
    "read_report",
    "read_reports",
    "rebuild_report",
    "rule_catalogue",
    "run_audit",
    "write_audit_html",
    "write_findings_xlsx",
    "write_letters",
]

if TYPE_CHECKING:
    from auditkit.audit import SAMPLES_DIR, AuditResult, audit_reports, run_audit
    from auditkit.batch import Batch, read_report, read_reports
    from auditkit.compare import Comparison, compare_reports
    from auditkit.errors import AuditkitError
    from auditkit.letters import write_letters
    from auditkit.record import Report
    from auditkit.render import rebuild_report
    from auditkit.render.charts import cjk_font, comparison_chart, overview_chart
    from auditkit.render.data import AuditData, load_audit
    from auditkit.render.decisions import export_decisions
    from auditkit.render.html import write_audit_html
    from auditkit.render.notebook import export_notebook
    from auditkit.render.overview import AuditOverview, audit_overview
    from auditkit.render.xlsx import write_findings_xlsx
    from auditkit.results import default_out_dir
    from auditkit.review.log import ReviewLog
    from auditkit.review.widget import Reviewer, ReviewSession
    from auditkit.rules.suites import catalogue as rule_catalogue


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value  # looked up once
        return value
    raise AttributeError(f"module 'auditkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
