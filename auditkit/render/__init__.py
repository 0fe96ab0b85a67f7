"""What an audit hands to people: ``audit.html``, ``findings.xlsx``, charts and notebooks exported to HTML.

Every output here opens offline: nothing is loaded from another host, so an
auditor can mail the file or open it on a machine without internet.

- ``rebuild_report`` (here): an audit folder's audit.html and findings.xlsx, (re)written with the decisions so far
- ``auditkit.render.data``: ``load_audit`` (an audit folder read back, findings joined with their decisions)
- ``auditkit.render.html``: ``write_audit_html`` (audit folder -> audit.html)
- ``auditkit.render.xlsx``: ``write_findings_xlsx`` (audit folder -> findings.xlsx)
- ``auditkit.render.official``: the three tables of a format in their official layout
- ``auditkit.render.notebook``: ``export_notebook`` (run a notebook, export one offline HTML file)
- ``auditkit.render.offline``: ``outside_references`` (what in an HTML page would reach another host)

Submodules are imported on use, so ``import auditkit`` stays fast.
"""

from __future__ import annotations

from pathlib import Path


def rebuild_report(out_dir: str | Path) -> list[Path]:
    """(Re)write ``out_dir``'s shared results, audit.html and findings.xlsx, from the audit folder and
    the review decisions taken so far; returns their paths. Raises ``NotAnAuditFolder`` for a folder
    ``run_audit`` did not write."""
    from auditkit.render.html import write_audit_html
    from auditkit.render.xlsx import write_findings_xlsx

    return [write_audit_html(out_dir), write_findings_xlsx(out_dir)]
