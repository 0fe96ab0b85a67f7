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
import zipfile
from io import BytesIO
from pathlib import Path

from auditkit.errors import ReadError, ReadReason
from auditkit.layout import Layout

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

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _utf16(name: bytes) -> bytes:
    return b"".join(bytes([c, 0]) for c in name)


def sniff(data: bytes, suffix: str = "") -> str:
    """The kind of document ``data`` holds, from its bytes; the suffix only breaks ties."""
    head = data[:2048]
    if head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            raise ReadError(ReadReason.TRUNCATED, "压缩包结构损坏 (corrupt or truncated ZIP/Office file)") from None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise ReadError(ReadReason.UNSUPPORTED, "ZIP 文件不是 Word/Excel 文档 (ZIP archive, not a report)")
    if head.startswith(_OLE_MAGIC):
        # Word 97, WPS and Excel 97 all live in OLE2 containers; the stream names tell.
        # A Word file may embed a workbook, so its own WordDocument stream decides first.
        if _utf16(b"WordDocument") in data:
            return "wps" if suffix == ".wps" else "doc"
        if _utf16(b"Workbook") in data or _utf16(b"Book") in data[:65536]:
            return "xls"
        if _utf16(b"EncryptedPackage") in data:
            raise ReadError(ReadReason.ENCRYPTED, "文件已加密 (encrypted Office file)")
        return "wps" if suffix == ".wps" else "doc"
    if suffix in (".doc", ".wps") and (head.startswith(b"MIME-Version") or b"<w:wordDocument" in head):
        return "doc"  # Word's web archive (MHT) or Word 2003 XML saved as .doc
    if head.startswith(b"{\\rtf"):
        return "rtf"
    lowered = head.lower()
    if b"<html" in lowered or b"<!doctype html" in lowered or b"<table" in lowered or b"<body" in lowered \
            or b"<div" in lowered or (b"<p" in lowered and b">" in lowered):
        return "html"
    return "text"


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
