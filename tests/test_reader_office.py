"""The office readers: .docx, .doc (via LibreOffice), .xlsx and .xls.

The .doc and .xls tests need LibreOffice (``soffice``); without it they fail
loudly rather than skip, except the one test that removes it on purpose.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from auditkit.errors import ReadError
from auditkit.layout import Cell, Layout, Table, TextBlock
from auditkit.readers import libreoffice, office

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "auditkit" / "data" / "samples"
TRUTH = ROOT / "tests" / "data" / "truth"
DOCX = SAMPLES / "011_pingtan-shiyanqu_2023_word.docx"
DOC = SAMPLES / "011_pingtan-shiyanqu_2023_word.doc"

APPLICANTS = ("natural_person", "commercial", "research", "nonprofit", "legal_services", "other_org", "total")
APPEAL_GROUPS = ("reconsideration", "litigation_direct", "litigation_after_reconsideration")
APPEAL_COLUMNS = ("upheld", "corrected", "other", "pending", "total")

# Each requests row key with a pattern its label cells (joined, spaces removed) match,
# and its official label cells in the 2021 format: (col A, col B, col C) where a
# repeated value means the cell is merged across those columns or down those rows.
RESULT = "三、本年度办理结果"
W, U, N, OT = "（三）不予公开", "（四）无法提供", "（五）不予处理", "（六）其他处理"
PARTIAL = "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
REQUEST_ROWS: list[tuple[str, str, tuple[str, str, str]]] = [
    ("new_received", "本年新收", ("一、本年新收政府信息公开申请数量",) * 3),
    ("carried_over", "上年结转", ("二、上年结转政府信息公开申请数量",) * 3),
    ("granted", "（一）予以公开", (RESULT, "（一）予以公开", "（一）予以公开")),
    ("partially_granted", "部分公开", (RESULT, PARTIAL, PARTIAL)),
    ("withheld_state_secret", "国家秘密", (RESULT, W, "1.属于国家秘密")),
    ("withheld_prohibited_by_law", "法律行政法规禁止", (RESULT, W, "2.其他法律行政法规禁止公开")),
    ("withheld_security_stability", "三安全一稳定", (RESULT, W, "3.危及“三安全一稳定”")),
    ("withheld_third_party_rights", "第三方合法权益", (RESULT, W, "4.保护第三方合法权益")),
    ("withheld_internal_affairs", "内部事务", (RESULT, W, "5.属于三类内部事务信息")),
    ("withheld_process_information", "过程性信息", (RESULT, W, "6.属于四类过程性信息")),
    ("withheld_enforcement_files", "行政执法案卷", (RESULT, W, "7.属于行政执法案卷")),
    ("withheld_query_matters", "行政查询事项", (RESULT, W, "8.属于行政查询事项")),
    ("unavailable_not_held", "不掌握", (RESULT, U, "1.本机关不掌握相关政府信息")),
    ("unavailable_needs_creation", "另行制作", (RESULT, U, "2.没有现成信息需要另行制作")),
    ("unavailable_unclear_after_correction", "仍不明确", (RESULT, U, "3.补正后申请内容仍不明确")),
    ("not_processed_complaint", "信访举报投诉", (RESULT, N, "1.信访举报投诉类申请")),
    ("not_processed_duplicate", "重复申请", (RESULT, N, "2.重复申请")),
    ("not_processed_publication", "公开出版物", (RESULT, N, "3.要求提供公开出版物")),
    ("not_processed_excessive", "大量反复", (RESULT, N, "4.无正当理由大量反复申请")),
    ("not_processed_confirmation", "确认或重新出具", (RESULT, N, "5.要求行政机关确认或重新出具已获取信息")),
    ("other_handling_no_correction", "逾期不补正",
     (RESULT, OT, "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请")),
    ("other_handling_fee_unpaid", "缴纳费用",
     (RESULT, OT, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请")),
    ("other_handling_other", r"其他处理3\.其他$", (RESULT, OT, "3.其他")),
    ("total_handled", "（七）总计", (RESULT, "（七）总计", "（七）总计")),
    ("carried_forward", "结转下年度", ("四、结转下年度继续办理",) * 3),
]
LINKAGE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
ORG_TYPES = ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")


def truth_cells(name: str) -> dict[str, int | float | None]:
    return json.loads((TRUTH / f"{name}.json").read_text(encoding="utf-8"))["cells"]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def find_table(layout: Layout, *needles: str) -> Table:
    hits = [t for t in layout.tables
            if all(any(needle in squash(c.text) for row in t.grid for c in row if c) for needle in needles)]
    assert len(hits) == 1, f"expected one table with {needles}, found {len(hits)}"
    return hits[0]


def requests_rows(table: Table) -> dict[str, list[Cell]]:
    """Each requests row key -> the 7 cells in its last 7 grid columns, rows found by label text."""
    out: dict[str, list[Cell]] = {}
    for r in range(table.n_rows):
        cells = table.row_cells(r)
        labels = squash("".join(c.text for c in cells if not re.fullmatch(r"\d+", c.text.strip())))
        matches = [key for key, pattern, _ in REQUEST_ROWS if re.search(pattern, labels)]
        if matches:
            assert len(matches) == 1, f"row {r} label {labels!r} matches {matches}"
            assert matches[0] not in out, f"two rows for {matches[0]}"
            numbers = table.grid[r][-7:]
            assert all(c is not None for c in numbers)
            assert len({id(c) for c in numbers}) == 7, f"row {r}: number cells are merged"
            out[matches[0]] = numbers  # type: ignore[assignment]
    assert sorted(out) == sorted(k for k, _, _ in REQUEST_ROWS), f"rows found: {sorted(out)}"
    return out


def assert_requests_match_truth(table: Table, truth: dict[str, int | float | None]) -> None:
    rows = requests_rows(table)
    for key, cells in rows.items():
        got = [int(c.text) for c in cells]
        want = [truth[f"requests.{key}.{col}"] for col in APPLICANTS]
        assert got == want, f"requests.{key}: {got} != {want}"


def appeals_numbers(layout: Layout) -> list[int]:
    table = find_table(layout, "行政复议", "未经复议直接起诉", "复议后起诉")
    last = table.grid[-1]
    assert len(last) == 15 and len({id(c) for c in last}) == 15
    return [int(c.text) for c in last if c is not None]


def appeals_truth(truth: dict[str, int | float | None]) -> list[int | float | None]:
    return [truth[f"appeals.{g}.{c}"] for g in APPEAL_GROUPS for c in APPEAL_COLUMNS]


def assert_official_requests_spans(table: Table) -> None:
    """The merged cells of the official requests table come out as one repeated Cell."""
    g = table.grid
    top = next(r for r in range(table.n_rows) if "三、本年度办理结果" in squash(g[r][0].text))
    result = g[top][0]
    assert result.text == "三、本年度办理结果"
    assert result.rowspan == 22
    assert all(g[top + i][0] is result for i in range(22))
    assert g[top + 22][0] is not result
    withheld = next(g[r][1] for r in range(table.n_rows) if g[r][1] and g[r][1].text == "（三）不予公开")
    assert withheld.rowspan == 8
    assert sum(1 for r in range(table.n_rows) if g[r][1] is withheld) == 8
    applicant = next(c for c in g[0] if c and c.text == "申请人情况")
    assert applicant.colspan == 7 and g[0][-7:] == [applicant] * 7
    org = next(c for c in g[1] if c and c.text == "法人或其他组织")
    assert org.colspan == 5 and g[1][4:9] == [org] * 5
    # A row label merged across the three label columns is one cell.
    new = next(r for r in range(table.n_rows) if "本年新收" in g[r][0].text)
    assert g[new][0] is g[new][1] is g[new][2] and g[new][0].colspan == 3


# --------------------------------------------------------------------------- the 011 report as Word


@pytest.fixture(scope="module")
def docx_layout() -> Layout:
    return office.read_docx(DOCX, DOCX.read_bytes())


@pytest.fixture(scope="module")
def doc_layout() -> Layout:
    assert shutil.which("soffice") or shutil.which("libreoffice"), \
        "LibreOffice (soffice) is required for the .doc tests: apt-get install libreoffice-writer-nogui"
    return office.read_doc(DOC, DOC.read_bytes())


def test_docx_requests_rows_equal_truth(docx_layout: Layout) -> None:
    assert docx_layout.kind == "docx"
    table = find_table(docx_layout, "申请人情况", "本年新收")
    assert_requests_match_truth(table, truth_cells(DOCX.name))


def test_docx_appeals_equal_truth(docx_layout: Layout) -> None:
    assert appeals_numbers(docx_layout) == appeals_truth(truth_cells(DOCX.name))


def test_docx_merged_cells_are_one_repeated_cell(docx_layout: Layout) -> None:
    table = find_table(docx_layout, "申请人情况", "本年新收")
    assert (table.n_rows, len(table.grid[0])) == (28, 10)
    assert_official_requests_spans(table)
    corner = table.grid[0][0]
    assert LINKAGE_NOTE in squash(corner.text)
    assert corner.rowspan == 3 and corner.colspan == 3
    assert all(table.grid[r][c] is corner for r in range(3) for c in range(3))
    assert corner.location == f"{table.location}, row 1, col 1"


def test_docx_body_order_locations_and_meta(docx_layout: Layout) -> None:
    blocks = docx_layout.blocks
    titles = [i for i, b in enumerate(blocks) if isinstance(b, TextBlock) and b.text.startswith(
        ("二、主动公开", "三、收到和处理", "四、政府信息公开行政复议"))]
    assert len(titles) == 3
    # Each section title is directly followed by its table, tables numbered in order.
    assert [blocks[i + 1].location for i in titles] == ["table 1", "table 2", "table 3"]
    assert blocks[0].location == "paragraph 1"
    assert docx_layout.meta == {"title": "平潭综合实验区2023年度政府信息公开工作年度报告"}
    fees = find_table(docx_layout, "行政事业性收费")
    assert any(c.text == "5949.088667" for row in fees.grid for c in row if c)
    # Runs are joined: the number split into its own run stays inside the sentence.
    assert any("国务院令第711号" in b.text for b in blocks if isinstance(b, TextBlock))


def test_doc_requests_and_appeals_equal_truth(doc_layout: Layout) -> None:
    assert doc_layout.kind == "doc"
    assert doc_layout.source == str(DOC)
    truth = truth_cells(DOC.name)
    table = find_table(doc_layout, "申请人情况", "本年新收")
    assert_requests_match_truth(table, truth)
    assert_official_requests_spans(table)
    assert appeals_numbers(doc_layout) == appeals_truth(truth)


def test_doc_reads_like_the_docx(doc_layout: Layout, docx_layout: Layout) -> None:
    assert doc_layout.text() == docx_layout.text()
    assert [b.location for b in doc_layout.blocks] == [b.location for b in docx_layout.blocks]


def test_word_file_sniffed_as_workbook_is_read_as_word() -> None:
    # A .doc with an Excel object inside names a "Workbook" stream (in a sub-storage), which a
    # byte-level sniff takes for an .xls; xlrd finds no workbook and the reader turns to Word.
    data = DOC.read_bytes() + "Workbook".encode("utf-16-le")
    layout = office.read_xls(DOC, data)
    assert layout.kind == "doc"
    assert appeals_numbers(layout) == appeals_truth(truth_cells(DOC.name))


def test_doc_without_libreoffice_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    monkeypatch.setenv("PATH", "")
    with pytest.raises(ReadError) as err:
        office.read_doc(DOC, DOC.read_bytes())
    assert err.value.reason == "converter_missing"
    assert "apt-get install libreoffice-writer-nogui" in err.value.message
    assert "LibreOffice" in err.value.message and "需要" in err.value.message


# --------------------------------------------------------------------------- hand-made .docx


def make_docx(body: str, *, styles: str = "", title: str | None = None,
              parts: dict[str, tuple[str, bytes]] | None = None) -> bytes:
    """A minimal .docx package around ``body`` (the inside of ``w:body``).

    ``parts`` maps a relationship id to (target relative to word/, bytes) of an embedded part.
    """
    ns = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
          'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
          'xmlns:v="urn:schemas-microsoft-com:vml" '
          'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
          'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
          'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
          'xmlns:o="urn:schemas-microsoft-com:office:office" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml",
                    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                    'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                    'officedocument.wordprocessingml.document.main+xml"/></Types>')
        zf.writestr("_rels/.rels",
                    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
                    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                    'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                    '</Relationships>')
        zf.writestr("word/document.xml", f'<?xml version="1.0"?><w:document {ns}><w:body>{body}'
                                         '</w:body></w:document>')
        if parts:
            rels = "".join(f'<Relationship Id="{rid}" Type="http://schemas.openxmlformats.org/'
                           f'officeDocument/2006/relationships/package" Target="{target}"/>'
                           for rid, (target, _) in parts.items())
            zf.writestr("word/_rels/document.xml.rels",
                        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                        f'package/2006/relationships">{rels}</Relationships>')
            for target, blob in parts.values():
                zf.writestr(f"word/{target}", blob)
        if styles:
            zf.writestr("word/styles.xml", f'<?xml version="1.0"?><w:styles {ns}>{styles}</w:styles>')
        if title is not None:
            zf.writestr("docProps/core.xml",
                        '<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/'
                        'package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                        f'<dc:title>{title}</dc:title></cp:coreProperties>')
    return buf.getvalue()


def p(*runs: str, style: str = "") -> str:
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    runs_xml = "".join(f'<w:r><w:t xml:space="preserve">{r}</w:t></w:r>' for r in runs)
    return f"<w:p>{ppr}{runs_xml}</w:p>"


def tc(content: str, *, span: int = 1, vmerge: str | None = None) -> str:
    props = (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "") + (
        "" if vmerge is None else '<w:vMerge w:val="restart"/>' if vmerge == "restart" else "<w:vMerge/>")
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{content or p()}</w:tc>"


def tbl(*rows: str) -> str:
    return "<w:tbl>" + "".join(rows) + "</w:tbl>"


def tr(*cells: str, before: int = 0) -> str:
    trpr = f'<w:trPr><w:gridBefore w:val="{before}"/></w:trPr>' if before else ""
    return f"<w:tr>{trpr}" + "".join(cells) + "</w:tr>"


def textbox(text_xml: str) -> str:
    """A text box as Word writes it: DrawingML choice plus a VML fallback holding the same text."""
    return ("<w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wp:anchor><a:graphic>"
            "<a:graphicData><wps:wsp><wps:txbx><w:txbxContent>" + text_xml +
            "</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>"
            "</mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>" + text_xml +
            "</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>")


def read(data: bytes) -> Layout:
    return office.read_docx(Path("made.docx"), data)


def test_docx_text_boxes_kept_once() -> None:
    body = (f"<w:p><w:r><w:t>全年共收到申请</w:t></w:r>{textbox(p('新收申请', '81', '件'))}</w:p>"
            + tbl(tr(tc(p("新收")), tc(f"<w:p>{textbox(p('42'))}</w:p>"))))
    layout = read(make_docx(body))
    texts = [b.text for b in layout.blocks if isinstance(b, TextBlock)]
    assert texts == ["全年共收到申请", "新收申请81件"]
    assert layout.blocks[1].location == "text box 1, paragraph 1"
    (table,) = layout.tables
    assert [c.text for c in table.row_cells(0)] == ["新收", "42"]


def test_docx_nested_table_and_layout_frame() -> None:
    inner = tbl(tr(tc(p("结果维持")), tc(p("总计"))), tr(tc(p("1")), tc(p("2"))))
    outer = tbl(tr(tc(p("行政复议")), tc(p("说明") + inner)), tr(tc(p("甲")), tc(p("乙"))))
    frame = tbl(tr(tc(p("标题在框里") + outer)))  # a one-cell table around everything
    layout = read(make_docx(frame + p("正文之后")))
    assert [type(b).__name__ for b in layout.blocks] == ["TextBlock", "Table", "Table", "TextBlock"]
    first, second = layout.tables
    assert first.location == "table 1"
    assert [c.text for c in first.row_cells(0)] == ["行政复议", "说明"]
    assert second.location == "table 2 (in table 1, row 1, col 2)"
    assert [[c.text for c in second.row_cells(r)] for r in range(2)] == [["结果维持", "总计"], ["1", "2"]]
    assert layout.blocks[0].text == "标题在框里" and layout.blocks[-1].text == "正文之后"


def test_docx_spans_grid_before_and_vmerge() -> None:
    body = tbl(
        tr(tc(p("三、本年度办理结果"), vmerge="restart"), tc(p("（三）不予公开"), span=2), tc(p("7"))),
        tr(tc("", vmerge="continue"), tc(p("1.")), tc(p("2.")), tc(p("8"))),
        tr(tc(p("x")), tc(p("y")), before=2),
    )
    (table,) = read(make_docx(body)).tables
    g = table.grid
    assert (table.n_rows, len(g[0])) == (3, 4)
    assert g[0][0] is g[1][0] and g[0][0].rowspan == 2 and g[0][0].text == "三、本年度办理结果"
    assert g[0][1] is g[0][2] and g[0][1].colspan == 2
    assert [c.text for c in table.row_cells(1)] == ["三、本年度办理结果", "1.", "2.", "8"]
    assert g[2][:2] == [None, None] and [c.text for c in table.row_cells(2)] == ["x", "y"]
    assert g[2][2].location == "table 1, row 3, col 3"


def test_docx_skips_deleted_text_and_field_codes_keeps_insertions() -> None:
    body = ("<w:p><w:r><w:t>共</w:t></w:r><w:del><w:r><w:delText>99</w:delText></w:r></w:del>"
            "<w:ins><w:r><w:t>81</w:t></w:r></w:ins>"
            "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>"
            "<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>件</w:t></w:r>"
            "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p>"
            "<w:sdt><w:sdtPr/><w:sdtContent>" + p("控件里的段落") + "</w:sdtContent></w:sdt>")
    layout = read(make_docx(body))
    assert [b.text for b in layout.blocks] == ["共81件", "控件里的段落"]


def test_docx_title_core_properties_then_heading_then_none() -> None:
    styles = '<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/></w:style>'
    body = p("前言") + p("某区2023年度报告", style="1") + p("正文")
    assert read(make_docx(body, styles=styles, title="核心属性标题")).meta == {"title": "核心属性标题"}
    assert read(make_docx(body, styles=styles, title="")).meta == {"title": "某区2023年度报告"}
    assert read(make_docx(p("无标题"))).meta == {}


def test_docx_table_pasted_as_excel_object_is_read() -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Sheet1"
    wb.active.append(["行政许可", 2629.0])
    wb.active.append(["行政处罚", 1330])
    buf = BytesIO()
    wb.save(buf)
    obj = ('<w:p><w:r><w:t>表格如下</w:t></w:r><w:r><w:object><v:shape id="s1"/>'
           '<o:OLEObject Type="Embed" ProgID="Excel.Sheet.12" ShapeID="s1" r:id="rId9"/>'
           '</w:object></w:r></w:p>')
    layout = read(make_docx(obj + p("之后"), parts={"rId9": ("embeddings/Sheet1.xlsx", buf.getvalue())}))
    assert [type(b).__name__ for b in layout.blocks] == ["TextBlock", "Table", "TextBlock"]
    (table,) = layout.tables
    assert table.location == "embedded object 1, sheet Sheet1, A1:B2"
    assert [[c.text for c in row] for row in table.grid] == [["行政许可", "2629"], ["行政处罚", "1330"]]
    assert table.grid[0][1].location == "embedded object 1, sheet Sheet1, B1"


def test_password_protected_office_files_are_named_encrypted() -> None:
    # Office saves a password-protected .docx/.xlsx as an OLE container holding EncryptedPackage.
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "EncryptionInfo".encode("utf-16-le") + bytes(500)
    for reader in (office.read_docx, office.read_doc, office.read_xlsx, office.read_xls):
        with pytest.raises(ReadError) as err:
            reader(Path("secret"), ole)
        assert err.value.reason == "encrypted", reader.__name__


def test_corrupt_docx_raises_read_error() -> None:
    data = DOCX.read_bytes()
    with pytest.raises(ReadError) as err:
        office.read_docx(DOCX, data[: len(data) // 2])
    assert err.value.reason in ("truncated", "corrupt")
    with pytest.raises(ReadError) as err:
        read(make_docx("<w:p><w:r><w:t>unclosed</w:r></w:p>"))
    assert err.value.reason == "corrupt"
    with pytest.raises(ReadError) as err:
        read(make_docx(p()))
    assert err.value.reason == "empty"


def test_legacy_word_that_is_not_word_is_refused_without_gibberish() -> None:
    # LibreOffice would import any OLE file as text: the reader refuses before converting.
    with pytest.raises(ReadError) as err:
        office.read_doc(Path("x.doc"), b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 20)
    assert err.value.reason == "corrupt"


# --------------------------------------------------------------------------- LibreOffice failures


def fake_soffice(tmp_path: Path, script: str) -> Path:
    exe = tmp_path / "soffice"
    exe.write_text("#!/bin/sh\n" + script + "\n")
    exe.chmod(0o755)
    return exe


def process_gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in state  # a zombie is dead, waiting for a parent that may never reap it


def test_conversion_timeout_kills_libreoffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pidfile = tmp_path / "pid"
    exe = fake_soffice(tmp_path, f"sleep 60 &\necho $! > {pidfile}\nwait")
    monkeypatch.setattr(libreoffice, "find_soffice", lambda: str(exe))
    started = time.monotonic()
    with pytest.raises(ReadError) as err:
        libreoffice.convert_with_libreoffice(b"{\\rtf1 x}", ".rtf", "docx", timeout=1)
    assert err.value.reason == "timeout"
    assert time.monotonic() - started < 10
    pid = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while not process_gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process_gone(pid), "the converter's child process survived the timeout"


def test_conversion_that_produces_nothing_is_corrupt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exe = fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2\nexit 0")
    monkeypatch.setattr(libreoffice, "find_soffice", lambda: str(exe))
    with pytest.raises(ReadError) as err:
        office.read_doc(DOC, DOC.read_bytes())
    assert err.value.reason == "corrupt"
    assert "source file could not be loaded" in err.value.message


# --------------------------------------------------------------------------- a batch of .doc files


def logging_soffice(tmp_path: Path) -> tuple[Path, Path]:
    """A soffice that records each run's documents, then runs the real LibreOffice."""
    real = libreoffice.find_soffice()
    assert real, "LibreOffice is missing: install libreoffice-writer-nogui (scripts/system-deps.sh)"
    log = tmp_path / "runs.log"
    exe = fake_soffice(tmp_path, f'echo "$(echo "$@" | grep -o "in[0-9]*[.][a-z]*\\|input[.][a-z]*" | tr "\\n" " ")" '
                                 f'>> {log}\nexec {real} "$@"')
    return exe, log


def test_batch_converts_its_doc_files_in_one_libreoffice_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from auditkit.batch import read_report, read_reports

    folder = tmp_path / "reports"
    folder.mkdir()
    for i in range(4):  # four different files (a byte appended after the OLE data), the same report
        (folder / f"r{i}.doc").write_bytes(DOC.read_bytes() + bytes([i]))
    (folder / "broken.doc").write_bytes(DOC.read_bytes()[:4096])  # cut short: LibreOffice makes nothing of it
    exe, log = logging_soffice(tmp_path)
    monkeypatch.setattr(libreoffice, "find_soffice", lambda: str(exe))

    batch = read_reports([folder], jobs=1, progress=False)

    runs = log.read_text().splitlines()
    # One run for the four; the cut file is refused before any conversion (its sectors run past its end).
    assert runs == ["in0.doc in1.doc in2.doc in3.doc "], runs
    assert [(f.source, f.reason) for f in batch.failures] == [(str(folder / "broken.doc"), "truncated")]
    alone = read_report(DOC).cells
    assert len(batch.reports) == 4 and all(r.cells == alone for r in batch.reports)
    assert "AUDITKIT_CONVERTED_DIR" not in os.environ  # the batch's folder is forgotten afterwards


def test_a_hung_batch_conversion_is_killed_and_each_file_converts_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from auditkit.batch import read_reports
    from auditkit.readers import legacy_batch

    folder = tmp_path / "reports"
    folder.mkdir()
    for i in range(3):
        (folder / f"r{i}.doc").write_bytes(DOC.read_bytes() + bytes([i]))
    real = libreoffice.find_soffice()
    assert real, "LibreOffice is missing: install libreoffice-writer-nogui (scripts/system-deps.sh)"
    pidfile = tmp_path / "pid"
    # The batch run (its files are named in0.doc...) hangs; single conversions run the real LibreOffice.
    exe = fake_soffice(tmp_path, f'case "$*" in *in0.doc*) sleep 60 & echo $! > {pidfile}; wait;; esac\n'
                                 f'exec {real} "$@"')
    monkeypatch.setattr(libreoffice, "find_soffice", lambda: str(exe))
    monkeypatch.setattr(legacy_batch, "CHUNK_TIMEOUT", 1.0)

    batch = read_reports([folder], jobs=1, progress=False)

    assert not batch.failures and len(batch.reports) == 3
    assert all(r.cells["requests.new_received.total"] == 81 for r in batch.reports)
    deadline = time.monotonic() + 5
    while not process_gone(int(pidfile.read_text())) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process_gone(int(pidfile.read_text())), "the hung batch conversion survived its timeout"


# --------------------------------------------------------------------------- spreadsheets


def build_workbook(truth: dict[str, int | float | None]) -> bytes:
    """The requests and appeals tables in the official 2021 layout, one sheet each."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "表3"
    ws["A1"] = "三、收到和处理政府信息公开申请情况"
    ws.merge_cells("A1:J1")  # a title line right above the table, no empty row between
    top = 2
    ws.cell(top, 1, LINKAGE_NOTE)
    ws.merge_cells(start_row=top, start_column=1, end_row=top + 2, end_column=3)
    ws.cell(top, 4, "申请人情况")
    ws.merge_cells(start_row=top, start_column=4, end_row=top, end_column=10)
    ws.cell(top + 1, 4, "自然人")
    ws.merge_cells(start_row=top + 1, start_column=4, end_row=top + 2, end_column=4)
    ws.cell(top + 1, 5, "法人或其他组织")
    ws.merge_cells(start_row=top + 1, start_column=5, end_row=top + 1, end_column=9)
    ws.cell(top + 1, 10, "总计")
    ws.merge_cells(start_row=top + 1, start_column=10, end_row=top + 2, end_column=10)
    for i, name in enumerate(ORG_TYPES):
        ws.cell(top + 2, 5 + i, name)
    first = top + 3
    for i, (key, _, labels) in enumerate(REQUEST_ROWS):
        r = first + i
        for j, label in enumerate(labels):
            ws.cell(r, 1 + j, label)
        for j, col in enumerate(APPLICANTS):
            value = truth[f"requests.{key}.{col}"]
            # Totals written as floats, the way spreadsheets often store them: 81.0 must read "81".
            ws.cell(r, 4 + j, float(value) if col == "total" else value)  # type: ignore[arg-type]
    # Merge label cells exactly as the official format: equal neighbours across, equal runs down.
    last = first + len(REQUEST_ROWS) - 1
    for c in (1, 2):
        r = first
        while r <= last:
            end = r
            while end + 1 <= last and ws.cell(end + 1, c).value == ws.cell(r, c).value:
                end += 1
            if end > r:
                for rr in range(r + 1, end + 1):
                    ws.cell(rr, c).value = None
                ws.merge_cells(start_row=r, start_column=c, end_row=end, end_column=c)
            r = end + 1
    for r in range(first, last + 1):
        labels = dict(REQUEST_ROWS_BY_ROW)[r - first]
        if labels[0] == labels[1] == labels[2]:
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
        elif labels[1] == labels[2]:
            ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=3)
    ws.cell(last + 2, 1, "注：本表数据截至2023年12月31日")

    ap = wb.create_sheet("表4")
    ap["A1"] = "四、政府信息公开行政复议、行政诉讼情况"
    # An empty row 2 separates the title from the table.
    ap.cell(3, 1, "行政复议")
    ap.merge_cells("A3:E3")
    ap.cell(3, 6, "行政诉讼")
    ap.merge_cells("F3:O3")
    for j, name in enumerate(("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")):
        ap.cell(4, 1 + j, name)
        ap.merge_cells(start_row=4, start_column=1 + j, end_row=5, end_column=1 + j)
        ap.cell(5, 6 + j, name)
        ap.cell(5, 11 + j, name)
    ap.cell(4, 6, "未经复议直接起诉")
    ap.merge_cells("F4:J4")
    ap.cell(4, 11, "复议后起诉")
    ap.merge_cells("K4:O4")
    for j, value in enumerate(appeals_truth(truth)):
        ap.cell(6, 1 + j, value)

    fees = wb.create_sheet("表2")
    fees.append(["信息内容", "本年收费金额（单位：万元）"])
    fees.append(["行政事业性收费", truth["active.fees.amount"]])
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


REQUEST_ROWS_BY_ROW = [(i, labels) for i, (_, _, labels) in enumerate(REQUEST_ROWS)]


@pytest.fixture(scope="module")
def workbook_bytes() -> bytes:
    return build_workbook(truth_cells(DOCX.name))


@pytest.fixture(scope="module")
def xlsx_layout(workbook_bytes: bytes) -> Layout:
    return office.read_xlsx(Path("made.xlsx"), workbook_bytes)


@pytest.fixture(scope="module")
def xls_bytes(workbook_bytes: bytes) -> bytes:
    assert shutil.which("soffice") or shutil.which("libreoffice"), \
        "LibreOffice (soffice) is required for the .xls tests: apt-get install libreoffice-calc-nogui"
    data = libreoffice.convert_with_libreoffice(workbook_bytes, ".xlsx", "xls")
    assert data.startswith(b"\xd0\xcf\x11\xe0")
    return data


def check_workbook_layout(layout: Layout) -> None:
    truth = truth_cells(DOCX.name)
    requests = find_table(layout, "申请人情况", "本年新收")
    assert requests.location == "sheet 表3, A2:J29"
    assert (requests.n_rows, len(requests.grid[0])) == (28, 10)
    assert_requests_match_truth(requests, truth)
    assert_official_requests_spans(requests)
    corner = requests.grid[0][0]
    assert corner.text == LINKAGE_NOTE and (corner.rowspan, corner.colspan) == (3, 3)
    assert corner.location == "sheet 表3, A2"
    assert requests.grid[3][3].location == "sheet 表3, D5"
    assert requests.grid[3][3].text == "80" and requests.grid[3][9].text == "81"
    assert appeals_numbers(layout) == appeals_truth(truth)
    appeals = find_table(layout, "行政复议", "复议后起诉")
    assert appeals.location == "sheet 表4, A3:O6"
    assert appeals.grid[0][0].colspan == 5 and appeals.grid[0][5].colspan == 10
    assert appeals.grid[1][0] is appeals.grid[2][0] and appeals.grid[1][0].rowspan == 2
    texts = {b.location: b.text for b in layout.blocks if isinstance(b, TextBlock)}
    assert texts == {
        "sheet 表3, A1": "三、收到和处理政府信息公开申请情况",
        "sheet 表3, A31": "注：本表数据截至2023年12月31日",
        "sheet 表4, A1": "四、政府信息公开行政复议、行政诉讼情况",
    }
    fees = find_table(layout, "行政事业性收费")
    assert [c.text for c in fees.row_cells(1)] == ["行政事业性收费", "5949.088667"]


def test_xlsx_official_layout(xlsx_layout: Layout) -> None:
    assert xlsx_layout.kind == "xlsx"
    check_workbook_layout(xlsx_layout)


def test_xls_saved_by_libreoffice_reads_the_same(xls_bytes: bytes, xlsx_layout: Layout) -> None:
    layout = office.read_xls(Path("made.xls"), xls_bytes)
    assert layout.kind == "xls"
    check_workbook_layout(layout)
    assert layout.text() == xlsx_layout.text()


def test_xls_falls_back_to_libreoffice_when_xlrd_fails(xls_bytes: bytes,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import xlrd

    def broken(*args: object, **kwargs: object) -> None:
        raise xlrd.XLRDError("Unsupported format, or corrupt file")

    monkeypatch.setattr(xlrd, "open_workbook", broken)
    layout = office.read_xls(Path("made.xls"), xls_bytes)
    assert layout.kind == "xls"
    check_workbook_layout(layout)


def test_spreadsheet_blocks_split_at_empty_rows() -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "S"
    ws.append(["a", 1])
    ws.append(["b", 2.5])
    ws.append([])
    ws.append([None, None, "c", 3])
    buf = BytesIO()
    wb.save(buf)
    layout = office.read_xlsx(Path("s.xlsx"), buf.getvalue())
    assert [t.location for t in layout.tables] == ["sheet S, A1:B2", "sheet S, C4:D4"]
    assert [[c.text for c in r] for r in layout.tables[0].grid] == [["a", "1"], ["b", "2.5"]]


def test_spreadsheet_header_row_held_by_a_tall_merge_stays_in_the_table() -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "S"
    ws.merge_cells("A1:A2")  # an empty corner spanning two header rows
    ws["B1"] = "法人或其他组织"
    ws.merge_cells("B1:C1")
    ws["B2"], ws["C2"] = "商业企业", "科研机构"
    ws["A3"], ws["B3"], ws["C3"] = "新收", 1, 0
    buf = BytesIO()
    wb.save(buf)
    layout = office.read_xlsx(Path("s.xlsx"), buf.getvalue())
    assert [type(b).__name__ for b in layout.blocks] == ["Table"]
    (table,) = layout.tables
    assert table.location == "sheet S, A1:C3"
    assert table.grid[0][0] is table.grid[1][0] and table.grid[0][0].text == ""
    assert table.grid[0][1] is table.grid[0][2] and table.grid[0][1].text == "法人或其他组织"


def test_corrupt_spreadsheets_raise_read_error(workbook_bytes: bytes) -> None:
    with pytest.raises(ReadError) as err:
        office.read_xlsx(Path("x.xlsx"), workbook_bytes[: len(workbook_bytes) // 2])
    assert err.value.reason in ("truncated", "corrupt")
    with pytest.raises(ReadError) as err:
        office.read_xls(Path("x.xls"), b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    assert err.value.reason == "corrupt"
