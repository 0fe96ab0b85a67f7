"""Telling a document's kind from its bytes: PDF, Word, Excel, RTF, HTML, a page image or plain text.

Also what the Office readers and the batch's conversion check in an OLE2 container
(Word 97, WPS, Excel 97) before reading it: which streams it holds and whether it
is encrypted. The kind is never trusted from the extension, which only breaks ties.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from auditkit.errors import ReadError, ReadReason

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Stream names, UTF-16-LE as the OLE directory stores them.
WORD_STREAM = "WordDocument".encode("utf-16-le")
WORKBOOK_STREAM = "Workbook".encode("utf-16-le")
BOOK_STREAM = "Book".encode("utf-16-le")  # Excel 5/95
WORKBOOK_STREAMS = (WORKBOOK_STREAM, BOOK_STREAM)
ENCRYPTED_PACKAGE_STREAM = "EncryptedPackage".encode("utf-16-le")
# The streams of an encrypted OOXML package (Word and Excel save password-protected files as OLE).
ENCRYPTED_STREAMS = ("EncryptionInfo".encode("utf-16-le"), ENCRYPTED_PACKAGE_STREAM)
# Page images (scans, photos): PNG, JPEG, TIFF (little- and big-endian), read by OCR.
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")


def sniff(data: bytes, suffix: str = "") -> str:
    """The kind of document ``data`` holds, from its bytes; the suffix only breaks ties."""
    head = data[:2048]
    if head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        import zipfile  # here: importing it (and the bz2, lzma, shutil it brings) costs ~4 ms; few files are ZIPs

        try:
            names = zipfile.ZipFile(BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            raise ReadError(ReadReason.TRUNCATED, "压缩包结构损坏 (corrupt or truncated ZIP/Office file)") from None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise ReadError(ReadReason.UNSUPPORTED, "ZIP 文件不是 Word/Excel 文档 (ZIP archive, not a report)")
    if head.startswith(OLE_MAGIC):
        # Word 97, WPS and Excel 97 all live in OLE2 containers; the stream names tell.
        # A Word file may embed a workbook, so its own WordDocument stream decides first.
        if WORD_STREAM in data:
            return "wps" if suffix == ".wps" else "doc"
        if WORKBOOK_STREAM in data or BOOK_STREAM in data[:65536]:
            return "xls"
        if ENCRYPTED_PACKAGE_STREAM in data:
            raise ReadError(ReadReason.ENCRYPTED, "文件已加密 (encrypted Office file)")
        return "wps" if suffix == ".wps" else "doc"
    if suffix in (".doc", ".wps") and (head.startswith(b"MIME-Version") or b"<w:wordDocument" in head):
        return "doc"  # Word's web archive (MHT) or Word 2003 XML saved as .doc
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(IMAGE_MAGIC):
        return "image"
    lowered = head.lower()
    if b"<html" in lowered or b"<!doctype html" in lowered or b"<table" in lowered or b"<body" in lowered \
            or b"<div" in lowered or (b"<p" in lowered and b">" in lowered):
        return "html"
    return "text"


def is_encrypted_ole(data: bytes) -> bool:
    """A password-protected Office file (Word and Excel save those as OLE containers)."""
    return data.startswith(OLE_MAGIC) and any(name in data for name in ENCRYPTED_STREAMS)


def ole_truncated(data: bytes) -> bool:
    """An OLE2 container (Word 97, WPS, Excel 97) cut short: its allocation table names sectors
    past the end of the file, or lies there itself. Readers of these files go on with what is
    left (xlrd warns into its log; LibreOffice imports a part), so it is checked before."""
    import struct

    if not data.startswith(OLE_MAGIC) or len(data) < 512:
        return data.startswith(OLE_MAGIC)
    shift = struct.unpack_from("<H", data, 30)[0]
    if shift not in (9, 12):
        return False  # not a header this check understands: the reader decides
    size = 1 << shift
    n_fat = struct.unpack_from("<I", data, 44)[0]
    # sectors in the file (a last one short of its size counts: some writers do not pad it)
    n_sectors = -(-(len(data) - (512 if shift == 9 else size)) // size)
    start = 512 if shift == 9 else size  # sector 0 begins after the header's sector

    def sector(k: int) -> int:
        return start + k * size

    fat_sectors = [k for k in struct.unpack_from("<109I", data, 76) if k < 0xFFFFFFFA][:n_fat]
    if len(fat_sectors) < min(n_fat, 109):
        return True
    if n_fat > 109:
        return False  # a table continued in DIFAT sectors: rare in reports; the reader decides
    highest = -1
    for k in fat_sectors:
        if k >= n_sectors:
            return True  # the table itself lies past the end
        entries = struct.unpack_from(f"<{size // 4}I", data, sector(k))
        used = [i for i, e in enumerate(entries) if e != 0xFFFFFFFF]  # FREESECT
        if used:
            highest = max(highest, fat_sectors.index(k) * (size // 4) + used[-1])
    return highest >= n_sectors


def legacy_word_kind(path: Path, data: bytes) -> str:
    """Which legacy Word file ``data`` is ("rtf", "wps" or "doc"): it chooses the converter's filter."""
    if data.lstrip()[:5] == b"{\\rtf":
        return "rtf"
    return "wps" if path.suffix.lower() == ".wps" else "doc"
