"""How large a document auditkit reads: refused before it is read, with the limit named.

Annual reports are small: the bundled samples are 6–240 KB, a report's tables hold a
few dozen rows and its PDF a handful of pages. A file far beyond that is not a report,
or is one wrapped in something else, and reading it costs tens of times its size in
memory (a 200 MB text file took ~6 GB, a 14 MB spreadsheet of a million rows 5.4 GB,
each multiplied by ``--jobs``). So before reading:

- the file's size, by what its first bytes say it is: text and web pages 20 MB (a long
  CMS page is ~120 KB: 150x room; reading one costs ~30x its size in memory), PDF 100 MB
  (scanned pages with pictures are the largest real reports, a few MB), Word, Excel,
  WPS and RTF 50 MB (pictures again);
- a ``.docx``/``.xlsx``, unpacked: 200 MB in all (a ZIP of repeated XML packs 100:1);
- an ``.xlsx``: 5,000 rows in any sheet (a report's three tables are ~40 rows;
  counted by streaming the sheet, never by loading it);
- a PDF: 300 pages (reports run 3–30).

Each limit can be changed with an environment variable (inherited by worker processes),
e.g. ``AUDITKIT_MAX_PDF_MB=300``; ``Limits.from_env()`` reads them.
"""

from __future__ import annotations

import os
from dataclasses import fields
from io import BytesIO

from auditkit.errors import ReadError, ReadReason, UsageError
from auditkit.precompiled import compile_re, dataclass
from auditkit.readers.sniffing import IMAGE_MAGIC

MB = 1024 * 1024
ENV_PREFIX = "AUDITKIT_MAX_"
# What the first bytes say a file is, for its size limit.
SIZE_CLASSES = {"text": "text_mb", "pdf": "pdf_mb", "office": "office_mb"}
SIZE_CLASS_LABELS = {"text": "文本与网页 (text/html)", "pdf": " PDF", "office": " Word/Excel/WPS/RTF"}
_ROW_TAG = compile_re(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")


@dataclass(frozen=True)
class Limits:
    """The limits in force; each field has an environment variable, ``AUDITKIT_MAX_`` + its name in capitals."""

    text_mb: float = 20
    pdf_mb: float = 100
    office_mb: float = 50
    unpacked_mb: float = 200  # a .docx/.xlsx, all its parts unpacked
    sheet_rows: int = 5000
    pdf_pages: int = 300

    @classmethod
    def from_env(cls) -> Limits:
        """The defaults, changed by any ``AUDITKIT_MAX_*`` variable set; ``UsageError`` for a value that is not
        a positive number."""
        values = {}
        for f in fields(cls):
            name = ENV_PREFIX + f.name.upper()
            text = os.environ.get(name, "").strip()
            if not text:
                continue
            try:
                value = float(text) if f.type == "float" else int(text)
            except ValueError:
                value = 0
            if value <= 0:
                raise UsageError(f"{name}={text!r}: 应为正数 (must be a positive number)")
            values[f.name] = value
        return cls(**values)

    @staticmethod
    def variable(field: str) -> str:
        return ENV_PREFIX + field.upper()


def size_class(head: bytes, suffix: str = "") -> str:
    """``text``, ``pdf`` or ``office``: what the first bytes of a file say it is (as ``sniff`` would tell)."""
    if head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(IMAGE_MAGIC):
        return "pdf"  # page images: scans, held to the limit of scanned PDFs
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")) or head.lstrip().startswith(b"{\\rtf") \
            or (suffix in (".doc", ".wps") and head.startswith(b"MIME-Version")):
        return "office"
    return "text"


def max_bytes(kind: str, limits: Limits) -> int:
    """The size limit, in bytes, of a file of this size class."""
    return int(getattr(limits, SIZE_CLASSES[kind]) * MB)


def too_large(size: int, kind: str, limits: Limits) -> ReadError:
    field = SIZE_CLASSES[kind]
    limit = getattr(limits, field)
    return ReadError(ReadReason.TOO_LARGE,
                     f"文件过大：{size / MB:.1f} MB，超过{SIZE_CLASS_LABELS[kind]} 文件的上限 {limit:g} MB，未读取 "
                     f"(too large: over the {limit:g} MB limit for {kind} files; {Limits.variable(field)})")


def check_document(kind: str, data: bytes, limits: Limits) -> None:
    """Refuse a document of this kind (as ``sniff`` tells it) that holds more than any report: a ZIP that
    unpacks too large, a sheet with too many rows, a PDF with too many pages."""
    if kind in ("docx", "xlsx"):
        _check_unpacked(data, limits)
    if kind == "xlsx":
        _check_sheet_rows(data, limits)
    elif kind == "pdf":
        _check_pages(data, limits)
    elif kind == "image":
        _check_frames(data, limits)


def _check_unpacked(data: bytes, limits: Limits) -> None:
    import zipfile  # here, not at the top: most documents are no ZIP (start-up)

    try:
        total = sum(info.file_size for info in zipfile.ZipFile(BytesIO(data)).infolist())
    except zipfile.BadZipFile:
        return  # sniff has said it opens; the reader reports what is wrong with it
    if total > limits.unpacked_mb * MB:
        raise ReadError(ReadReason.TOO_LARGE,
                        f"文件解压后过大：{total / MB:.0f} MB，超过上限 {limits.unpacked_mb:g} MB，未读取 "
                        f"(unpacks to more than {limits.unpacked_mb:g} MB; {Limits.variable('unpacked_mb')})")


def sheet_rows(data: bytes, stop_after: int | None = None) -> dict[str, int]:
    """Rows in each worksheet of an .xlsx, counted on the XML as it is unpacked (memory stays small);
    a count stops at ``stop_after`` + 1."""
    import zipfile

    counts: dict[str, int] = {}
    with zipfile.ZipFile(BytesIO(data)) as archive:
        for name in sorted(n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")):
            count, tail = 0, b""
            with archive.open(name) as fh:
                while chunk := fh.read(1 << 20):
                    window = tail + chunk
                    # A tag cut at the chunk's end is counted with the next chunk, never twice.
                    cut = max(0, len(window) - 64)
                    count += sum(1 for m in _ROW_TAG.finditer(window) if m.start() < cut)
                    tail = window[cut:]
                    if stop_after is not None and count > stop_after:
                        break
                else:
                    count += len(_ROW_TAG.findall(tail))
            counts[name.rsplit("/", 1)[-1]] = count
    return counts


def _check_sheet_rows(data: bytes, limits: Limits) -> None:
    import zipfile

    try:
        counts = sheet_rows(data, stop_after=limits.sheet_rows)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return  # the reader reports a damaged workbook in its own words
    for name, count in counts.items():
        if count > limits.sheet_rows:
            raise ReadError(ReadReason.TOO_LARGE,
                            f"工作表 {name} 超过 {limits.sheet_rows} 行，不是年度报告的表格，未读取 "
                            f"(a sheet with more than {limits.sheet_rows} rows; {Limits.variable('sheet_rows')})")


def _check_frames(data: bytes, limits: Limits) -> None:
    """A TIFF of more pages than any report (each page is OCR'd: seconds of CPU): refused as a PDF would be."""
    from PIL import Image

    try:
        frames = getattr(Image.open(BytesIO(data)), "n_frames", 1)
    except Exception:  # damaged: the image reader says so
        return
    if frames > limits.pdf_pages:
        raise ReadError(ReadReason.TOO_LARGE,
                        f"图像共 {frames} 页，超过上限 {limits.pdf_pages} 页，不是年度报告，未读取 "
                        f"(an image of {frames} pages, over the {limits.pdf_pages}-page limit; "
                        f"{Limits.variable('pdf_pages')})")


def _check_pages(data: bytes, limits: Limits) -> None:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except Exception:  # damaged or encrypted: the PDF reader says which
        return
    try:
        pages = len(pdf)
    finally:
        pdf.close()
    if pages > limits.pdf_pages:
        raise ReadError(ReadReason.TOO_LARGE,
                        f"PDF 共 {pages} 页，超过上限 {limits.pdf_pages} 页，不是年度报告，未读取 "
                        f"(a PDF of {pages} pages, over the {limits.pdf_pages}-page limit; "
                        f"{Limits.variable('pdf_pages')})")
