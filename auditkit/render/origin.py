"""Where a finding came from, shown as the original: the PDF page region, the HTML table row, the text lines.

A finding names cells; each cell's provenance says where its text stood in the
document ("page 2, table 1, row 3, col 2", "table 1, row 5, col 4", "line 21, col 2").
``origin_html`` turns those places into what the auditor would see if they opened
the file there:

- a PDF: the page rendered with pypdfium2 and cropped to the cited rows (found by
  the row's label on the page), the rows framed in red; the whole page when the rows
  cannot be found. Embedded as a ``data:`` URI (JPEG, downscaled), so that the page
  works offline and without the file.
- a web page, a Word or Excel file: the cited table row as the reader read it, every
  cell's text escaped into a plain table, the cited cells marked. Never the page's own
  markup: a report is untrusted input.
- a text file: the cited lines with two lines either side.
- a scan (a scanned PDF, a page image, a table pasted as a picture into a PDF or Word file), read by OCR:
  the image cut to the cited cells' rows, set upright as the reader read it, the cells framed in red
  (``auditkit.render.scan_crop``). The cells' places on the image come with the values (``Provenance.scan``), so the
  scan is not read again.

Reading the original again costs a reader's run per file, so ``Origins`` keeps each
file's layout and each image it made; renderers make one per page they draw and ask
only for the files that findings cite. Past ``max_files`` originals (a national batch)
a finding shows the cell's text as written and its place instead, so that rebuilding
``audit.html`` stays quick. A file that is gone or unreadable gives a note, never an error.
"""

from __future__ import annotations

import base64
import io
import os
import re
import zipfile  # a Word file gone or converted: its error is caught here
from collections.abc import Iterable, Mapping
from html import escape
from pathlib import Path
from typing import Any

from auditkit.errors import AuditkitError
from auditkit.precompiled import compile_re

_PAGE = compile_re(r"\bpages? (\d+)")
_TABLE_ROW = compile_re(r"\btable (\d+), row (\d+)(?:, col (\d+))?")
_LINE = compile_re(r"^line (\d+)")
MAX_FILES = int(os.environ.get("AUDITKIT_MAX_ORIGIN_FILES", "400"))  # originals opened again per page
MAX_PLACES = 3  # places shown per finding: a row total names its whole row, and one picture says it
IMAGE_WIDTH = 900  # pixels: legible Chinese at a glance, ~30-60 kB a picture
CONTEXT_LINES = 2
LONG_LINE = 240  # characters: a longer line is shown as the part around the cited text
BAND_MARGIN = 54.0  # points above and below the cited rows: the neighbouring rows for context


def parse_location(location: str) -> dict[str, int]:
    """The numbers of a provenance location: ``page``, ``table``, ``row``, ``col``, ``line`` (those present)."""
    out: dict[str, int] = {}
    if m := _PAGE.search(location or ""):
        out["page"] = int(m.group(1))
    if m := _TABLE_ROW.search(location or ""):
        out["table"], out["row"] = int(m.group(1)), int(m.group(2))
        if m.group(3):
            out["col"] = int(m.group(3))
    if m := _LINE.match(location or ""):
        out["line"] = int(m.group(1))
    return out


class Origins:
    """Renders the origin of findings of many reports, reading each original file at most once."""

    def __init__(self, max_files: int = MAX_FILES) -> None:
        self.max_files = max_files
        self._opened: set[str] = set()
        self._layouts: dict[str, Any] = {}
        self._lines: dict[str, list[str] | None] = {}
        self._images: dict[tuple, str] = {}  # (source, page, what is cropped) -> data: URI

    # -- what a renderer calls ----------------------------------------------

    def html(self, record: Mapping[str, Any], keys: Iterable[str]) -> str:
        """The origin of the cells ``keys`` of the report ``record`` (a records.jsonl record: ``source``,
        ``kind``, ``provenance``), as an HTML fragment; "" when no cell has a recorded place."""
        provenance = record.get("provenance") or {}
        places: dict[tuple, list[tuple[str, dict[str, int], str]]] = {}
        for key in keys:
            prov = provenance.get(key)
            if not prov:
                continue
            prov = prov if isinstance(prov, Mapping) else prov.to_dict()
            where = parse_location(prov.get("location", ""))
            if not where:
                continue
            group = (where.get("page"), where.get("table"), where.get("row"), where.get("line"))
            after = re.search(r"「([^」]+)」后", prov.get("location", ""))
            places.setdefault(group if "line" not in where else ("line", where["line"]), []).append(
                (key, where, after.group(1) if after and "line" in where else prov.get("text", "")))
        if not places:
            return ""
        source, kind = str(record.get("source") or ""), str(record.get("kind") or "")
        scanned = _scan_places(provenance, keys)
        if scanned and source not in self._opened and len(self._opened) >= self.max_files:
            scanned = {}  # past max_files: the text and place, as for any other original
        if scanned:
            self._opened.add(source)
            return self._scans(source, kind, scanned)
        if source not in self._opened and len(self._opened) >= self.max_files:
            return "".join(_quote(text, w, source) for (_, w, text), in ((v[0],) for v in list(places.values())[:MAX_PLACES]))
        self._opened.add(source)
        try:
            if kind == "pdf":
                return self._pdf(source, places)
            if kind == "text":
                return "".join(self._text(source, where, anchor) for _, where, anchor in
                               (v[0] for v in list(places.values())[:MAX_PLACES]))
            return "".join(self._row(source, wheres) for wheres in list(places.values())[:MAX_PLACES])
        except (AuditkitError, OSError, ValueError) as exc:
            return _note(f"无法读取原文件 {Path(source).name}，不能显示原文（{exc}）")

    # -- PDF: the page region as a picture ------------------------------------

    def _pdf(self, source: str, places: Mapping[tuple, list[tuple[str, dict[str, int], str]]]) -> str:
        by_page: dict[int, list[str]] = {}
        for wheres in places.values():
            where = wheres[0][1]
            if "page" not in where:
                continue
            labels = by_page.setdefault(where["page"], [])
            label = self._row_label(source, where)
            if label and label not in labels:
                labels.append(label)
        out = []
        for page, labels in list(by_page.items())[:MAX_PLACES]:
            uri, cropped = self._page_image(source, page, tuple(labels))
            what = "所涉行（红框）" if cropped else "整页（未能定位到所涉行）"
            out.append(f'<figure class="ak-origin-page" data-page="{page}"><img src="{uri}" alt="原文第{page}页" '
                       f'loading="lazy" style="max-width:100%;border:1px solid #ced4da">'
                       f"<figcaption>原文 {escape(Path(source).name)} 第{page}页，{what}</figcaption></figure>")
        return "".join(out)

    def _page_image(self, source: str, page: int, labels: tuple[str, ...]) -> tuple[str, bool]:
        """A data: URI of the page (1-based) cropped to the rows whose labels are given, and whether it was."""
        cache_key = (source, page, labels)
        if cache_key in self._images:
            return self._images[cache_key], bool(labels)
        import pypdfium2 as pdfium
        from PIL import ImageDraw

        pdf = pdfium.PdfDocument(source)
        try:
            pdf_page = pdf[page - 1]
            width, height = pdf_page.get_size()
            bands = _find_rows(pdf_page, labels)
            if bands:
                top = max(0.0, min(b[0] for b in bands) - BAND_MARGIN)
                bottom = min(height, max(b[1] for b in bands) + BAND_MARGIN)
                scale = IMAGE_WIDTH / width
            else:
                top, bottom, scale = 0.0, height, IMAGE_WIDTH / width
            image = pdf_page.render(scale=scale).to_pil().convert("RGB")
            image = image.crop((0, int(top * scale), image.width, int(bottom * scale)))
            draw = ImageDraw.Draw(image)
            for y0, y1 in bands:
                draw.rectangle((2, int((y0 - top) * scale) - 2, image.width - 3, int((y1 - top) * scale) + 2),
                               outline=(201, 42, 42), width=3)
        finally:
            pdf.close()
        uri = _data_uri(image)
        self._images[cache_key] = uri
        return uri, bool(bands)

    def _row_label(self, source: str, where: Mapping[str, int]) -> str:
        """The first cell of the cited row as the reader read it: what to look for on the page."""
        cells = self._row_cells(source, where)
        for cell in reversed(cells):  # the last label is the row's own; the first may span a group of rows
            text = "".join(cell.text.split())
            if text and not text.replace(".", "").isdigit():
                return text
        return ""

    # -- scans: the cited cells cut out of the image OCR read -------------------

    def _scans(self, source: str, kind: str, scanned: Mapping[tuple[int, str], list[tuple[float, ...]]]) -> str:
        out = []
        name = escape(Path(source).name)
        for (page, picture), quads in list(scanned.items())[:MAX_PLACES]:
            cache_key = (source, page, picture, tuple(quads))
            try:
                if cache_key not in self._images:
                    from auditkit.render.scan_crop import scan_image, source_image

                    image = source_image(source, kind, page, picture or None)
                    self._images[cache_key] = _data_uri(scan_image(image, quads, IMAGE_WIDTH))
            except (AuditkitError, OSError, ValueError, KeyError, RuntimeError, zipfile.BadZipFile) as exc:
                # the file changed or went since it was read (PDFium's errors are RuntimeErrors)
                out.append(_note(f"无法读取原文件 {Path(source).name} 的图像，不能显示扫描件（{exc}）"))
                continue
            where = " 中的表格图片" if picture else f" 第{page}页"
            out.append(f'<figure class="ak-origin-page" data-scan="ocr" data-page="{page}"><img src="{self._images[cache_key]}" '
                       f'alt="原文{where}（扫描件）" loading="lazy" style="max-width:100%;border:1px solid #ced4da">'
                       f"<figcaption>原文 {name}{where}，扫描件：所涉单元格（红框），按读取时摆正；"
                       f"请与读出的数值对照</figcaption></figure>")
        return "".join(out)

    # -- tables of web pages and office files: the row, escaped ----------------

    def _layout(self, source: str) -> Any:
        if source not in self._layouts:
            from auditkit.readers import read_layout

            self._layouts[source] = read_layout(Path(source))
        return self._layouts[source]

    def _row_cells(self, source: str, where: Mapping[str, int]) -> list[Any]:
        if "table" not in where:
            return []
        layout = self._layout(source)
        tables = [b for b in layout.blocks if hasattr(b, "grid")]
        for table in tables:
            m = re.search(r"table (\d+)$", table.location)
            if m and int(m.group(1)) == where["table"] and (
                    "page" not in where or _on_page(table.location, where["page"])):
                row = where["row"] - 1
                return table.row_cells(row) if 0 <= row < table.n_rows else []
        return []

    def _row(self, source: str, wheres: list[tuple[str, dict[str, int], str]]) -> str:
        where = wheres[0][1]
        cells = self._row_cells(source, where)
        if not cells:
            return "".join(_quote(text, w, source) for _, w, text in wheres[:1])
        cited = {w.get("col") for _, w, _ in wheres}
        tds, col = [], 1
        for cell in cells:
            hit = any(c is not None and col <= c < col + cell.colspan for c in cited)
            span = f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
            style = ' style="background:#ffe066;font-weight:bold;outline:2px solid #c92a2a"' if hit else ""
            tds.append(f"<td{span}{style}>{escape(cell.text) or '&nbsp;'}</td>")
            col += cell.colspan
        caption = f"原文 {escape(Path(source).name)} 表{where['table']} 第{where['row']}行"
        return (f'<figure class="ak-origin-row"><table style="border-collapse:collapse;font-size:12px" border="1" '
                f'cellpadding="3"><tr>{"".join(tds)}</tr></table><figcaption>{caption}</figcaption></figure>')

    # -- text files: the lines --------------------------------------------------

    def _text(self, source: str, where: Mapping[str, int], anchor: str = "") -> str:
        if source not in self._lines:
            from auditkit.readers import read_bytes
            from auditkit.readers.encoding import decode_bytes

            text = decode_bytes(read_bytes(Path(source)))
            self._lines[source] = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        lines = self._lines[source] or []
        n = where["line"]
        first, last = max(1, n - CONTEXT_LINES), min(len(lines), n + CONTEXT_LINES)
        rows = []
        for i in range(first, last + 1):
            line = lines[i - 1].replace("\t", "    ")
            if len(line) > LONG_LINE:  # a report written on one line: the part around the cited text
                line = _window(line, anchor if i == n else "")
            text = escape(line)
            rows.append(f'<span class="hit" style="background:#ffe066">{i:>4}  {text}</span>' if i == n
                        else f"{i:>4}  {text}")
        return (f'<figure class="ak-origin-lines"><pre style="font-size:12px;white-space:pre-wrap;margin:0">'
                f'{"<br>".join(rows)}</pre><figcaption>原文 {escape(Path(source).name)} 第{n}行</figcaption></figure>')


def _window(line: str, anchor: str, width: int = 90) -> str:
    at = line.find(anchor) if anchor else -1
    if at < 0:
        return line[:2 * width] + "…"
    start, end = max(0, at - width), min(len(line), at + len(anchor) + width)
    return ("…" if start else "") + line[start:end] + ("…" if end < len(line) else "")


def _on_page(location: str, page: int) -> bool:
    m = re.match(r"pages? (\d+)(?:-(\d+))?", location)
    return not m or int(m.group(1)) <= page <= int(m.group(2) or m.group(1))


def _find_rows(page: Any, labels: tuple[str, ...]) -> list[tuple[float, float]]:
    """Each label's band on the page, top down in points from the top edge (as the image is)."""
    if not labels:
        return []
    textpage = page.get_textpage()
    try:
        height = page.get_height()
        chars, boxes = [], []
        for i in range(textpage.count_chars()):
            ch = textpage.get_text_range(i, 1)
            if ch.strip():
                chars.append(ch)
                boxes.append(textpage.get_charbox(i))
        text = "".join(chars)
        bands = []
        for label in labels:
            at = text.find(label[:12])
            if at < 0:
                continue
            found = boxes[at:at + min(len(label), 12)]
            bands.append((height - max(b[3] for b in found) - 3, height - min(b[1] for b in found) + 3))
        return bands
    finally:
        textpage.close()


def _scan_places(provenance: Mapping[str, Any], keys: Iterable[str]) -> dict[tuple[int, str], list[tuple[float, ...]]]:
    """The cited cells that OCR read, by (page, picture): each cell's corners as fractions of that image."""
    out: dict[tuple[int, str], list[tuple[float, ...]]] = {}
    for key in keys:
        prov = provenance.get(key)
        scan = prov.get("scan") if isinstance(prov, Mapping) else getattr(prov, "scan", None)
        if not scan or len(scan.get("quad") or ()) != 8:
            continue
        quads = out.setdefault((int(scan["page"]), str(scan.get("picture") or "")), [])
        quad = tuple(float(v) for v in scan["quad"])
        if quad not in quads:
            quads.append(quad)
    return out


def _data_uri(image: Any) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=72, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _quote(text: str, where: Mapping[str, int], source: str = "") -> str:
    """The cell's text as written and its place in words, when the original is not opened again."""
    if not text:
        return ""
    place = "".join(f"{name}{where[key]}{unit}" for key, name, unit in (
        ("page", "第", "页 "), ("table", "表", " "), ("row", "第", "行 "), ("col", "第", "列 "), ("line", "第", "行"))
        if key in where)
    return (f'<figure class="ak-origin-row"><blockquote>「{escape(text)}」</blockquote><figcaption>原文 '
            f"{escape(Path(source).name)} {escape(place.strip())}</figcaption></figure>")


def _note(text: str) -> str:
    return f'<p class="ak-origin-note" style="color:#868e96">{escape(text)}</p>'
