"""Reading a document never reaches the network (issue 11: what holds today).

Documents carry every kind of remote reference there is, all pointing at a local HTTP
server that counts the requests it gets: Word relationships with ``TargetMode="External"``
(a linked picture, a hyperlink, an attached template), an external entity (XXE) and an
``xi:include`` in the document XML, the same in a workbook's sheet, a web page's pictures,
style sheets, scripts, frames and an entity in its DOCTYPE, an RTF picture linked by URL
(converted by LibreOffice), a PDF link. Each is read (the workbook with a DOCTYPE is refused
by the reader, the PDF holds no report), then audited and rendered: the server must have
been asked nothing.
"""

from __future__ import annotations

import threading
import urllib.request
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from auditkit import read_reports
from tests.conftest import SAMPLES


class Counter(BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Counter.requests.append(self.path)
        body = b'<!ENTITY leak "leaked">' if self.path.endswith(".dtd") else b"leaked"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Counter)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    # The counter counts: a request made on purpose is seen.
    assert urllib.request.urlopen(f"{base}/probe").read() == b"leaked"
    assert Counter.requests == ["/probe"]
    Counter.requests.clear()
    yield base
    httpd.shutdown()


def _xml_attack(xml: str, base: str, root_tag: str) -> str:
    """``xml`` with a DOCTYPE declaring external entities, one used in the text, and an xi:include."""
    head, rest = xml.split("?>", 1) if xml.startswith("<?xml") else ("", xml)
    doctype = (f'<!DOCTYPE {root_tag} [<!ENTITY xxe SYSTEM "{base}/xxe"><!ENTITY % dtd SYSTEM "{base}/param.dtd">'
               "%dtd;]>")
    # The entity inside the first text node, the include just after the root element opens.
    rest = rest.replace("<w:t>", "<w:t>&xxe;", 1).replace("<t>", "<t>&xxe;", 1)
    end_of_root = rest.index(">", rest.index(f"<{root_tag}")) + 1
    include = f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{base}/xinclude.xml"/>'
    return (head + "?>" if head else "") + doctype + rest[:end_of_root] + include + rest[end_of_root:]


def _rewrite_zip(source: Path, target: Path, change: dict[str, callable], add: dict[str, str]) -> Path:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename in change:
                data = change[info.filename](data.decode("utf-8")).encode("utf-8")
            out.writestr(info, data)
        for name, text in add.items():
            out.writestr(name, text)
    return target


def hostile_docx(folder: Path, base: str) -> Path:
    rels = (f'<Relationship Id="rIdX1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"'
            f' Target="{base}/linked.png" TargetMode="External"/>'
            f'<Relationship Id="rIdX2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            f'hyperlink" Target="{base}/link" TargetMode="External"/>'
            f'<Relationship Id="rIdX3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            f'attachedTemplate" Target="{base}/template.dotx" TargetMode="External"/>')
    return _rewrite_zip(
        SAMPLES / "011_pingtan-shiyanqu_2023_word.docx", folder / "linked.docx",
        {"word/document.xml": lambda x: _xml_attack(x, base, "w:document"),
         "word/_rels/document.xml.rels": lambda x: x.replace("</Relationships>", rels + "</Relationships>")},
        {})


def hostile_xlsx(folder: Path, base: str) -> Path:
    from openpyxl import Workbook

    plain = folder / "plain.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["平潭综合实验区2023年政府信息公开工作年度报告"])
    ws.append(["（一）予以公开", 33])
    wb.save(plain)
    rels = (f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rIdX1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            f'externalLinkPath" Target="{base}/book.xlsx" TargetMode="External"/></Relationships>')
    return _rewrite_zip(plain, folder / "linked.xlsx",
                        {"xl/worksheets/sheet1.xml": lambda x: _xml_attack(x, base, "worksheet")},
                        {"xl/worksheets/_rels/sheet1.xml.rels": rels})


def hostile_html(folder: Path, base: str) -> Path:
    page = (SAMPLES / "011_pingtan-shiyanqu_2023.html").read_bytes().decode("utf-8", "replace")
    remote = (f'<img src="{base}/img.png"><img srcset="{base}/set.png 2x"><link rel="stylesheet" href="{base}/a.css">'
              f'<script src="{base}/a.js"></script><iframe src="{base}/frame"></iframe>'
              f'<object data="{base}/object"></object><style>@import "{base}/import.css";'
              f' body{{background:url({base}/bg.png)}}</style><meta http-equiv="refresh" content="0; url={base}/go">')
    page = page.replace("<body", remote + "<body", 1) if "<body" in page else remote + page
    doctype = f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "{base}/html-xxe">]>'
    path = folder / "remote.html"
    path.write_text(doctype + page, encoding="utf-8")
    return path


def hostile_rtf(folder: Path, base: str) -> Path:
    text = (SAMPLES / "000_seed-chengxiang_2023.txt").read_text(encoding="utf-8")
    body = "".join(f"\\u{ord(ch)}?" if ord(ch) > 127 else ("\\par\n" if ch == "\n" else ch) for ch in text)
    field = (f'{{\\field{{\\*\\fldinst INCLUDEPICTURE "{base}/rtf.png" \\\\d}}{{\\fldrslt }}}}'
             f'{{\\field{{\\*\\fldinst INCLUDETEXT "{base}/rtf.txt"}}{{\\fldrslt }}}}')
    path = folder / "linked.rtf"
    path.write_text("{\\rtf1\\ansi\\deff0 " + field + body + "}", encoding="ascii")
    return path


def hostile_pdf(folder: Path, base: str) -> Path:
    from reportlab.pdfgen import canvas

    extra = folder / "uri.pdf"
    c = canvas.Canvas(str(extra))
    c.drawString(72, 720, "link")
    c.linkURL(f"{base}/pdf-link", (72, 700, 200, 740))
    c.showPage()
    c.save()
    return extra


def test_no_document_reaches_the_network(server: str, tmp_path: Path) -> None:
    from auditkit.audit import run_audit

    folder = tmp_path / "reports"
    folder.mkdir()
    made = [hostile_docx(folder, server), hostile_xlsx(folder, server), hostile_html(folder, server),
            hostile_rtf(folder, server), hostile_pdf(folder, server)]
    (folder / "plain.xlsx").unlink()
    batch = read_reports(folder, jobs=1, progress=False)
    assert len(batch.reports) + len(batch.failures) == len(made)
    read = {Path(r.source).name for r in batch.reports}
    assert {"linked.docx", "remote.html", "linked.rtf"} <= read, batch.failures  # read as reports, their references left alone
    docx = next(r for r in batch.reports if r.source.endswith("linked.docx"))
    assert docx.cells["requests.total_handled.total"] == 81
    assert not any("leaked" in (s or "") for r in batch.reports for s in (r.agency, *r.sections.values()))
    run_audit([folder], tmp_path / "out", store=tmp_path / "store.sqlite")  # audit.html and the workbook too
    assert Counter.requests == []
