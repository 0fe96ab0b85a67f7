"""Readers: one per kind of document, each turning bytes into a ``Layout``.

The kind is sniffed from the content, never trusted from the extension (agencies'
sites serve PDFs named .htm and Word files named .pdf). Each reader module is
imported only when a document of its kind is read, so ``import auditkit`` stays
fast and a missing optional tool only hurts the documents that need it.

A reader is ``read(path: Path, data: bytes) -> Layout`` and raises
``ReadError`` with a one-line reason for a document it cannot read.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from auditkit.errors import ReadError, ReadReason
from auditkit.layout import Layout
from auditkit.readers.sniffing import sniff

# kind -> (module, function); the office readers slot in the same way.
READERS: dict[str, tuple[str, str]] = {
    "text": ("auditkit.readers.text", "read_text"),
    "html": ("auditkit.readers.html", "read_html"),
    "pdf": ("auditkit.readers.pdf", "read_pdf"),
    "docx": ("auditkit.readers.office", "read_docx"),
    "doc": ("auditkit.readers.office", "read_doc"),
    "rtf": ("auditkit.readers.office", "read_doc"),
    "wps": ("auditkit.readers.office", "read_doc"),
    "xlsx": ("auditkit.readers.office", "read_xlsx"),
    "xls": ("auditkit.readers.office", "read_xls"),
}

# File extensions a batch picks up when given a folder.
REPORT_SUFFIXES = {".txt", ".text", ".htm", ".html", ".shtml", ".xhtml", ".pdf", ".docx", ".doc",
                   ".wps", ".rtf", ".xlsx", ".xlsm", ".xls"}

__all__ = ["READERS", "REPORT_SUFFIXES", "read_bytes", "read_layout", "sniff"]


def read_bytes(path: Path) -> bytes:
    """The file's bytes; ``ReadError`` when it cannot be opened or holds only whitespace."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(ReadReason.UNREADABLE, f"无法打开文件 (cannot open file): {exc.strerror or exc}") from None
    _check_not_empty(data)
    return data


def _check_not_empty(data: bytes) -> None:
    if not data or data.isspace():  # isspace stops at the first other byte; strip() would copy
        raise ReadError(ReadReason.EMPTY, "空文件 (empty file)")


def read_layout(path: str | Path, data: bytes | None = None) -> Layout:
    """Read one document into a ``Layout``, choosing the reader by content."""
    path = Path(path)
    if data is None:
        data = read_bytes(path)
    else:
        _check_not_empty(data)
    kind = sniff(data, path.suffix.lower())
    module_name, func_name = READERS[kind]
    reader = getattr(importlib.import_module(module_name), func_name)
    return reader(path, data)
