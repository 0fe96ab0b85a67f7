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
import os
import stat
from pathlib import Path

from auditkit.errors import ReadError, ReadReason
from auditkit.layout import Layout
from auditkit.readers.limits import SIZE_CLASSES, Limits, check_document, max_bytes, size_class, too_large
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
    "image": ("auditkit.readers.pdf", "read_image"),  # page images: OCR (the ocr extra), then the PDF stages
}

# File extensions a batch picks up when given a folder.
REPORT_SUFFIXES = {".txt", ".text", ".htm", ".html", ".shtml", ".xhtml", ".pdf", ".docx", ".doc",
                   ".wps", ".rtf", ".xlsx", ".xlsm", ".xls", ".png", ".jpg", ".jpeg", ".tif", ".tiff"}

__all__ = ["READERS", "REPORT_SUFFIXES", "Limits", "read_bytes", "read_layout", "sniff", "worth_opening"]


def read_bytes(path: Path, limits: Limits | None = None) -> bytes:
    """The file's bytes; ``ReadError`` when it is not a regular file (a FIFO, a device, a folder: never
    waited on), cannot be opened, is larger than the limit for its kind, or holds only whitespace."""
    limits = limits or Limits.from_env()
    try:
        # Non-blocking: opening a FIFO for reading would otherwise wait for a writer, and hang the batch.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise ReadError(ReadReason.UNREADABLE, f"无法打开文件 (cannot open file): {exc.strerror or exc}") from None
    info = os.fstat(fd)
    kind = _file_kind(info.st_mode)
    if kind:
        os.close(fd)
        raise ReadError(ReadReason.UNREADABLE, f"不是普通文件，未读取 (not a regular file: {kind})")
    with os.fdopen(fd, "rb") as fh:
        try:
            head = fh.read(4096)
            size_kind = size_class(head, path.suffix.lower())
            cap = max_bytes(size_kind, limits)
            # Read at most one byte past the limit: a file that grows, or reports no size, is still bounded.
            # First what its size says (and a byte more): asking for the whole limit at once makes
            # Python allocate the limit (20 MB for a web page) for every file.
            want = max(0, min(cap + 1, info.st_size + 1) - len(head))
            rest = fh.read(want)
            data = head + rest
            if len(rest) == want and len(data) <= cap:  # longer than it said: read on, up to the limit
                data += fh.read(cap + 1 - len(data))
        except OSError as exc:
            raise ReadError(ReadReason.UNREADABLE, f"无法读取文件 (cannot read file): {exc.strerror or exc}") from None
    if len(data) > cap:
        raise too_large(os.stat(path).st_size if path.exists() else len(data), size_kind, limits)
    _check_not_empty(data)
    return data


def _file_kind(mode: int) -> str:
    """What a file that is not a regular file is, in words; "" for a regular file."""
    for test, name in ((stat.S_ISDIR, "文件夹 a folder"), (stat.S_ISFIFO, "命名管道 a FIFO"),
                       (stat.S_ISCHR, "字符设备 a character device"), (stat.S_ISBLK, "块设备 a block device"),
                       (stat.S_ISSOCK, "套接字 a socket")):
        if test(mode):
            return name
    return "" if stat.S_ISREG(mode) else "其他 something else"


def worth_opening(path: str | Path, limits: Limits | None = None) -> bool:
    """A regular file (after links) no larger than the largest size limit, checked without opening it:
    what a step that looks into files ahead of reading them may open (a FIFO would block it)."""
    limits = limits or Limits.from_env()
    try:
        info = os.stat(path)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size <= max(max_bytes(k, limits) for k in SIZE_CLASSES)


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
    check_document(kind, data, Limits.from_env())  # more rows or pages than any report: refused before reading
    module_name, func_name = READERS[kind]
    reader = getattr(importlib.import_module(module_name), func_name)
    return reader(path, data)
