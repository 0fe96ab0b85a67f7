"""The reader's own check before a record leaves it: no value cut out of a number that had a cell
of its own.

Digits are split only where they ran together (crawler copies, or one grid cell holding a whole
row's digits); a number written in its own cell, or apart from its neighbours on a line, is read
as written or not at all. Every value read from a grid table names its cell in its provenance, so
this is checked value by value: the provenance text is the cell's text (NFKC; or one of the numbers
standing apart in it) and the value is what that text says — unless the cell is one whose digits
ran together. A value that fails is a bug in auditkit; it is made null with a ``self_check``
diagnostic rather than handed on.
"""

from __future__ import annotations

from auditkit.digits import Value, parse_number
from auditkit.errors import DiagnosticCode
from auditkit.formats import nfkc
from auditkit.layout import Cell, Table
from auditkit.record import Diagnostic, Provenance


def cells_by_location(tables: list[Table]) -> dict[str, Cell]:
    """Every cell of the tables by its location (what a value's provenance names)."""
    return {c.location: c for t in tables for r in range(t.n_rows) for c in t.row_cells(r)}


def split_own_cells(cells: dict[str, Value], provenance: dict[str, Provenance], by_location: dict[str, Cell],
                    run_together: set[str]) -> list[str]:
    """Keys whose value is not what the grid cell it names says: cut out of a number that had its own cell."""
    bad = []
    for key, value in cells.items():
        prov = provenance.get(key)
        if value is None or prov is None:
            continue
        cell = by_location.get(prov.location)
        if cell is None or cell.location in run_together:
            continue  # a flattened table's run of digits, or a grid cell whose digits ran together
        text = nfkc(cell.text).strip()
        kind, written = parse_number(prov.text)
        if (prov.text == text or prov.text in text.split()) and kind == "number" and written == value \
                and not cell.cut:
            continue
        bad.append(key)
    return bad


def self_check_diagnostic(key: str, prov: Provenance, value: Value) -> Diagnostic:
    """Why a value that failed the check is null: a bug to report."""
    return Diagnostic(DiagnosticCode.SELF_CHECK, f"内部自检未通过：{value} 不是「{prov.text}」所在单元格写的数，已留空；"
                      "请报告此问题 (internal check failed: the value is not what its own cell says; left null — a bug, please "
                      "report it)", key=key, found=prov.text, location=prov.location)
