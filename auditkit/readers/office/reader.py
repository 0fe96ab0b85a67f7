"""The Office readers' entry points: each checks for encryption, chooses the library
or the LibreOffice conversion a file needs, and turns any failure into a one-line
``ReadError``.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from auditkit.errors import ReadError, ReadReason
from auditkit.layout import Block, Layout
from auditkit.readers.legacy_batch import preconverted
from auditkit.readers.libreoffice import convert_with_libreoffice
from auditkit.readers.office.docx import docx_layout
from auditkit.readers.office.spreadsheet import xls_layout, xlsx_layout
from auditkit.readers.sniffing import (
    OLE_MAGIC,
    WORD_STREAM,
    WORKBOOK_STREAMS,
    is_encrypted_ole,
    legacy_word_kind,
    ole_truncated,
)


def _guard(kind: str, func: Callable[[], Layout]) -> Layout:
    """Run a reader body, turning any unexpected failure into a one-line ``ReadError``."""
    try:
        return func()
    except ReadError:
        raise
    except zipfile.BadZipFile:
        raise ReadError(ReadReason.TRUNCATED, "压缩包结构损坏 (corrupt or truncated Office file)") from None
    except (EOFError, zipfile.LargeZipFile) as exc:
        raise ReadError(ReadReason.TRUNCATED, f"文件不完整 (truncated {kind} file): {exc}") from None
    except MemoryError:
        raise ReadError(ReadReason.UNSUPPORTED, f"文件过大，无法读取 (the {kind} file is too large to read)") from None
    except Exception as exc:  # a reader must never let a traceback reach the user
        detail = str(exc).splitlines()[0][:200] if str(exc) else ""
        raise ReadError(ReadReason.CORRUPT, f"无法读取 {kind} 文件 (cannot read {kind} file): "
                                            f"{type(exc).__name__}{': ' + detail if detail else ''}") from None


def _encrypted_error() -> ReadError:
    return ReadError(ReadReason.ENCRYPTED, "文件已加密，需要密码 (the file is password-protected)")


def _check_ole(data: bytes) -> None:
    """Refuse an encrypted or cut-short OLE2 file before any reader makes do with part of it."""
    if is_encrypted_ole(data):
        raise _encrypted_error()
    if ole_truncated(data):
        raise ReadError(ReadReason.TRUNCATED, "文件不完整，结尾缺失 (truncated file: its sectors run past the end)")


def read_docx(path: Path, data: bytes) -> Layout:
    """Read a .docx into text blocks and span-expanded tables, in body order."""
    if is_encrypted_ole(data):  # Word saves password-protected .docx as an OLE container
        raise _encrypted_error()
    return _guard("docx", lambda: docx_layout(path, data, "docx", _embedded_blocks, _picture_blocks))


def read_doc(path: Path, data: bytes) -> Layout:
    """Read a Word 97 .doc, .rtf or WPS file by converting it to .docx with LibreOffice."""
    kind = legacy_word_kind(path, data)
    _check_ole(data)
    if kind == "doc" and data.startswith(OLE_MAGIC) and WORD_STREAM not in data:
        # Without this check LibreOffice imports any OLE file as plain text and returns gibberish.
        raise ReadError(ReadReason.CORRUPT, "OLE 文件中没有 Word 正文流，文件损坏或不是 Word 文档 "
                                            "(no WordDocument stream: damaged or not a Word file)")

    def run() -> Layout:
        # WPS Writer files are Word-97-compatible OLE; LibreOffice's Works filter is the fallback.
        suffixes = {"rtf": [".rtf"], "wps": [".doc", ".wps"]}.get(kind, [".doc"])
        converted = preconverted(data) or b""  # converted with the rest of its batch (legacy_batch)
        for i, suffix in enumerate(suffixes if not converted else ()):
            try:
                converted = convert_with_libreoffice(data, suffix, "docx")
                break
            except ReadError as exc:
                if exc.reason != ReadReason.CORRUPT or i == len(suffixes) - 1:
                    raise
        return docx_layout(path, converted, kind, _embedded_blocks, _picture_blocks)

    return _guard(kind, run)


def read_xlsx(path: Path, data: bytes) -> Layout:
    """Read every sheet of an .xlsx: tables split at empty rows, merged cells as spans."""
    if is_encrypted_ole(data):
        raise _encrypted_error()
    return _guard("xlsx", lambda: xlsx_layout(path, data, "xlsx"))


def read_xls(path: Path, data: bytes) -> Layout:
    """Read an Excel 97 .xls with xlrd (merged cells need formatting_info), else via LibreOffice."""
    _check_ole(data)

    def run() -> Layout:
        import io

        import xlrd

        try:
            book = xlrd.open_workbook(file_contents=data, formatting_info=True, logfile=io.StringIO())
        except xlrd.XLRDError as exc:
            if "encrypt" in str(exc).lower():
                raise _encrypted_error() from None
            book = None
        except Exception:  # xlrd fails on some BIFF variants and damaged streams: let LibreOffice try
            book = None
        if book is None:
            if data.startswith(OLE_MAGIC) and WORD_STREAM in data:
                # A Word file holding an embedded Excel object carries a "Workbook" stream name
                # too, so a byte-level sniff can take it for a workbook: read it as Word.
                return read_doc(path, data)
            if data.startswith(OLE_MAGIC) and not any(name in data for name in WORKBOOK_STREAMS):
                # LibreOffice would import any OLE file as CSV text: refuse what holds no workbook.
                raise ReadError(ReadReason.CORRUPT, "OLE 文件中没有工作簿流，文件损坏或不是 Excel 文件 "
                                                    "(no Workbook stream: damaged or not an Excel file)")
            return xlsx_layout(path, convert_with_libreoffice(data, ".xls", "xlsx"), "xls")
        return xls_layout(path, book)

    return _guard("xls", run)


def _picture_blocks(images: list[tuple[bytes, float | None]]) -> list[Block]:
    """Blocks of pictures in a Word file that show ruled tables (tables pasted as pictures), OCR'd as the
    pages of one document, with the ``ocr`` extra; nothing for other pictures (a logo, a seal, a photo)."""
    from auditkit.readers import ocr

    if not ocr.available():
        return []
    from auditkit.readers.pdf.reader import read_contents

    try:
        contents = ocr.picture_contents(images)
    except ReadError:
        return []  # an unreadable picture must not cost the document its other content
    return read_contents(Path("pictures"), contents).blocks if contents else []


def _embedded_blocks(data: bytes) -> list[Block]:
    """Blocks of an object embedded in a Word file: an .xlsx package or an Excel 97 OLE object
    (read by ``read_xls``, which hands a Word file among them to ``read_doc``); nothing for others."""
    try:
        if data.startswith(b"PK\x03\x04"):
            with zipfile.ZipFile(BytesIO(data)) as zf:
                if "xl/workbook.xml" not in zf.namelist():
                    return []
            return xlsx_layout(Path("embedded.xlsx"), data, "xlsx").blocks
        if data.startswith(OLE_MAGIC) and any(name in data for name in WORKBOOK_STREAMS):
            return read_xls(Path("embedded.xls"), data).blocks
    except (ReadError, zipfile.BadZipFile):
        pass  # an unreadable object must not cost the document its other content
    return []
