"""Copies of one report in a batch: which file is a copy of which, so that a report is audited once.

Two kinds of copy:

- a byte-identical file (the same SHA-256, whatever its name or folder): the first file in
  the batch's order is read and audited, every later one is listed as a duplicate naming it
  (``Copies``, used while the batch is read);
- the same report in another form (a web page and its PDF or Word attachment, a crawler's
  text copy): the same agency and year and the same figures in the cells both files read
  (``group_copies``). The report is audited once, on its most legible file (its whole text, then
  fewest cells it could not read, most values, metadata); the others are listed as its copies. Copies
  that disagree on a cell both read are a finding of their own (``consistency.copies_disagree``,
  frame ``copies``), and a publication date one file lacks is taken from another, with a
  diagnostic that says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import field, replace
from pathlib import PurePath

from auditkit.errors import DiagnosticCode
from auditkit.precompiled import dataclass
from auditkit.record import Diagnostic, Report

# Two files of one agency and year are one report when they agree on most of the cells both read:
# a corrected re-publication differs in a few cells, another report (a department's) in most.
MIN_SHARED_CELLS = 20
MIN_AGREEMENT = 0.9
TEXT_SHARE = 0.5  # a copy with less than this share of the longest copy's text is not the one audited
# Diagnostics that leave a cell without a value because the file could not be read there.
UNREADABLE_CODES = frozenset({"ambiguous_digits", "no_valid_split", "unparsed_value", "not_a_count",
                              "extra_values", "cut_off", "self_check"})


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


@dataclass
class CopyGroup:
    """The files of one report: the one audited and its copies, and the cells on which they disagree."""

    audited: int  # index in the batch of the file audited
    copies: list[int]  # the other files of the report, in batch order
    # copy index -> [(cell key, value in the audited file, value in the copy)]
    differences: dict[int, list[tuple[str, float, float]]] = field(default_factory=dict)

    @property
    def members(self) -> list[int]:
        return sorted([self.audited, *self.copies])


def unreadable_cells(report: Report) -> int:
    """How many cells the file holds no value for because they could not be read (not blank ones)."""
    keys: set[str] = set()
    for d in report.diagnostics:
        if d.code in UNREADABLE_CODES:
            keys.update(d.keys or ([d.key] if d.key else []))
    return sum(1 for k in keys if report.cells.get(k, 0) is None)


def text_length(report: Report) -> int:
    return sum(len(t or "") for t in report.sections.values())


def _legibility(report: Report, order: int, longest: int) -> tuple:
    """Smaller is better: the whole text (a copy with less than half the longest text lost the sentences the
    narrative rules read), then fewest unreadable cells, most values, a publication date, first in the batch."""
    values = sum(v is not None for v in report.cells.values())
    return (text_length(report) < TEXT_SHARE * longest, unreadable_cells(report), -values, report.published is None,
            order)


def _agreement(a: Report, b: Report) -> tuple[int, list[str]]:
    """Cells both files read, and those among them whose values differ."""
    both = [k for k, v in a.cells.items() if v is not None and b.cells.get(k) is not None]
    return len(both), [k for k in both if a.cells[k] != b.cells[k]]


def _same_report(a: Report, b: Report) -> bool:
    shared, differ = _agreement(a, b)
    return shared >= MIN_SHARED_CELLS and len(differ) <= (1 - MIN_AGREEMENT) * shared


def group_copies(reports: Sequence[Report]) -> list[CopyGroup]:
    """The reports of a batch that are files of one report (same agency, year and format, the same figures
    in the cells both read), each group with the file to audit; a report in one file has no group."""
    from auditkit.agency import normalise_agency  # here: ``Copies`` alone serves `auditkit parse`, which need not load it

    by_report: dict[tuple[str, int, str | None], list[int]] = {}
    for i, r in enumerate(reports):
        if r.agency and r.year is not None and r.cells:
            by_report.setdefault((normalise_agency(r.agency), r.year, r.format), []).append(i)
    groups = []
    for members in by_report.values():
        longest = max(text_length(reports[i]) for i in members)
        left = sorted(members, key=lambda i: _legibility(reports[i], i, longest))
        while len(left) > 1:
            best = left[0]  # the most legible file left leads a group of the files that agree with it
            same = [i for i in left[1:] if _same_report(reports[best], reports[i])]
            if same:
                group = CopyGroup(best, sorted(same))
                for i in group.copies:
                    differ = _agreement(reports[best], reports[i])[1]
                    if differ:
                        group.differences[i] = [(k, reports[best].cells[k], reports[i].cells[k]) for k in differ]
                groups.append(group)
            left = [i for i in left[1:] if i not in same]
    return sorted(groups, key=lambda g: g.members[0])


def copies_of(reports: Sequence[Report], groups: Sequence[CopyGroup]) -> dict[int, list[str]]:
    """For every file of a group, the sources of the other files of its report."""
    out: dict[int, list[str]] = {}
    for g in groups:
        for i in g.members:
            out[i] = [reports[j].source for j in g.members if j != i]
    return out


def with_copies_metadata(report: Report, copies: Sequence[Report]) -> Report:
    """The audited file's record with a publication date it lacks taken from a copy that states one, and a
    diagnostic saying from which file; the record itself unchanged when nothing is missing."""
    if report.published:
        return report
    donor = next((c for c in copies if c.published), None)
    if donor is None:
        return report
    note = Diagnostic(DiagnosticCode.TAKEN_FROM_COPY,
                      f"本文件未载明公布日期，取自同一报告的另一文件 {PurePath(donor.source).name}：{donor.published} "
                      f"(publication date taken from a copy of this report)",
                      key="meta.published", found=donor.published, location=donor.source)
    return replace(report, published=donor.published, diagnostics=[*report.diagnostics, note])
