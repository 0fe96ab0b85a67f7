"""What an audit hands to people: ``audit.html``, ``findings.xlsx`` and notebooks exported to HTML.

Every output here opens offline: nothing is loaded from another host, so an
auditor can mail the file or open it on a machine without internet.

- ``auditkit.render.html``: ``write_audit_html`` / ``rebuild_report`` (audit folder -> audit.html)
- ``auditkit.render.xlsx``: ``write_findings_xlsx`` (audit folder -> findings.xlsx)
- ``auditkit.render.notebook``: ``export_notebook`` (run a notebook, export one offline HTML file)
- ``auditkit.render.offline``: ``outside_references`` (what in an HTML page would reach another host)

Submodules are imported on use, so ``import auditkit`` stays fast.
"""
