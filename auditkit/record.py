"""The canonical report record of ../shared/spec/README.md, and its diagnostics.

``Report.to_record()`` gives exactly the spec's JSON object, plus keys a
consumer of the contract may ignore: ``kind`` (the document kind read),
``provenance`` (for every cell, the text as written and where it stands) and
``figures`` (the figures the text states, read when the report was read).
"""

from __future__ import annotations

import copy
from dataclasses import field, fields
from typing import Any

from auditkit.precompiled import dataclass

Number = int | float


@dataclass
class Diagnostic:
    """Something the reader or matcher wants the auditor to know about a value or label.

    ``code`` is one of ``auditkit.errors.DiagnosticCode``, the one list of codes and
    what each means. A ``DiagnosticCode`` is a ``str``: a record read back from JSON
    holds the same code as a plain string, equal to the member.
    """

    code: str  # a DiagnosticCode
    message: str
    key: str | None = None
    found: str | None = None
    location: str | None = None
    values: dict[str, Any] | None = None
    candidates: list[Any] | None = None
    keys: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The fields that are set, in order, containers copied (as ``dataclasses.asdict`` would,
        at a fifth of its cost: it runs for every diagnostic of every record written)."""
        out: dict[str, Any] = {}
        for name in _DIAGNOSTIC_FIELDS:
            value = getattr(self, name)
            if value is not None:
                out[name] = copy.deepcopy(value) if isinstance(value, dict | list) else value
        return out


_DIAGNOSTIC_FIELDS = tuple(f.name for f in fields(Diagnostic))


@dataclass
class Provenance:
    """Where a cell value came from: the text as written and its place in the document.

    ``scan``: a value read by OCR, its cell's place on the image read (``layout.ScanPlace.to_dict``:
    ``page``, ``quad``, and ``picture`` for a Word file's picture), to show the auditor that part of the
    image; written to the record only when present."""

    text: str
    location: str
    scan: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "location": self.location, **({"scan": self.scan} if self.scan else {})}


@dataclass
class Report:
    """One report as read: its metadata, table cells, section texts, and what the auditor should know."""

    source: str
    sha256: str
    kind: str
    format: str | None
    agency: str | None
    year: int | None
    published: str | None
    cells: dict[str, Number | None]
    sections: dict[str, str]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    provenance: dict[str, Provenance] = field(default_factory=dict)
    # The figures the text states (``auditkit.narrative.read_figures``), worked out in the read
    # worker so that a batch's validation need not read every text again; keys starting with
    # "_" are the process's own (the n-grams the repetition check compares…) and are not written.
    figures: dict[str, Any] | None = None

    def to_record(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "sha256": self.sha256,
            "format": self.format,
            "agency": self.agency,
            "year": self.year,
            "published": self.published,
            "cells": dict(self.cells),
            "sections": dict(self.sections),
            "diagnostics": [d.to_dict() for d in self.diagnostics],
            "kind": self.kind,
            "provenance": {k: p.to_dict() for k, p in self.provenance.items()},
            **({"figures": {k: v for k, v in self.figures.items() if not k.startswith("_")}}
               if self.figures is not None else {}),
        }

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> Report:
        return cls(
            source=rec["source"],
            sha256=rec.get("sha256", ""),
            kind=rec.get("kind", ""),
            format=rec.get("format"),
            agency=rec.get("agency"),
            year=rec.get("year"),
            published=rec.get("published"),
            cells=dict(rec.get("cells", {})),
            sections=dict(rec.get("sections", {})),
            diagnostics=[Diagnostic(**d) for d in rec.get("diagnostics", [])],
            provenance={k: Provenance(**p) for k, p in rec.get("provenance", {}).items()},
            figures=rec.get("figures"),
        )

    def diagnostics_for(self, key: str) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.key == key or (d.keys and key in d.keys)]
