"""Copies of one report in a batch: which file is a copy of which, so that a report is audited once.

Today a copy is a byte-identical file (the same SHA-256, whatever its name or folder):
the first file in the batch's order is read and audited, every later one is listed as
a duplicate naming it. Copies that are not byte-identical (the same report as HTML,
PDF and Word) are for a later step to group; it belongs here.
"""

from __future__ import annotations

from auditkit.record import Report


class Copies:
    """The reports of a batch seen so far, by content."""

    def __init__(self) -> None:
        self.first: dict[str, str] = {}  # sha256 -> source of the first report with it

    def original_of(self, report: Report) -> str | None:
        """The source of an earlier report this one is a byte-identical copy of (itself when the same file
        was given twice); None for the first."""
        if not report.sha256:
            return None
        if report.sha256 in self.first:
            return self.first[report.sha256]
        self.first[report.sha256] = report.source
        return None
