"""CSV files for spreadsheets: UTF-8 with a BOM, and no text a spreadsheet would run as a formula.

A spreadsheet opening a CSV takes a cell that starts with ``=``, ``+``, ``-`` or ``@``
(Excel also after a tab or carriage return) as a formula: a report whose title is
``=HYPERLINK("http://…","点此")`` would become a live link in the auditor's sheet. As
OWASP recommends (CSV Injection), such text is written with a leading apostrophe, which
makes it text. The full-width forms ``＝＋－＠`` are treated alike: LibreOffice 7 reads them
as text, but Excel with an East Asian input method may convert them, and the prefix costs
nothing. Only text is prefixed: a number stays a number (``-3`` is a number, not a formula;
the text ``"-1+1"`` is prefixed).

Every CSV auditkit writes goes through ``write_rows`` or ``write_frame``; ``restore``
undoes ``neutralise`` for auditkit's own reading back of a CSV it wrote.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
PREFIX = "'"
ENCODING = "utf-8-sig"  # the BOM makes Excel read the file as UTF-8


def looks_like_formula(text: str) -> bool:
    """True for text a spreadsheet could run, or that would look like a neutralised value when read back."""
    return text.startswith(FORMULA_STARTS) or (text.startswith(PREFIX) and looks_like_formula(text[1:]))


def neutralise(value: Any) -> Any:
    """``value`` as a spreadsheet cannot run it: text that starts like a formula gets a leading ``'``.

    Text that already starts with ``'`` and then such a character gets one more, so that
    ``restore`` can tell the two apart; other values are returned as they are."""
    if isinstance(value, str) and looks_like_formula(value):
        return PREFIX + value
    return value


def restore(value: Any) -> Any:
    """The value ``neutralise`` was given (for reading back a CSV auditkit wrote)."""
    if isinstance(value, str) and value.startswith(PREFIX) and looks_like_formula(value[1:]):
        return value[1:]
    return value


def write_rows(path: str | Path, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Path:
    """Write ``header`` and ``rows`` to ``path``, every text cell neutralised."""
    path = Path(path)
    with path.open("w", encoding=ENCODING, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([neutralise(v) for v in header])
        for row in rows:
            writer.writerow([neutralise(v) for v in row])
    return path


def write_frame(df: pd.DataFrame, path: str | Path, index: bool = False) -> Path:
    """``df.to_csv`` with every text cell (index and header too) neutralised; numbers stay numbers."""
    safe = df.copy()
    for col in safe.columns:
        if safe[col].dtype == object or str(safe[col].dtype) in ("str", "string"):
            safe[col] = safe[col].astype(object).map(neutralise)
    safe.columns = [neutralise(c) for c in safe.columns]
    if index:
        safe.index = safe.index.map(neutralise)
        safe.index.names = [neutralise(n) for n in safe.index.names]
    path = Path(path)
    safe.to_csv(path, index=index, encoding=ENCODING)
    return path


def read_frame(path: str | Path) -> pd.DataFrame:
    """A CSV written by ``write_frame``, its text as it was before neutralising."""
    import pandas as pd

    df = pd.read_csv(path, encoding=ENCODING)
    for col in df.columns:
        if df[col].dtype == object or str(df[col].dtype) in ("str", "string"):
            df[col] = df[col].map(restore)
    df.columns = [restore(c) for c in df.columns]
    return df
