"""The PDF reader on the real sample reports, on generated PDFs, and on broken files."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from auditkit.errors import ReadError
from auditkit.layout import Cell, Layout, Table, TextBlock
from auditkit.readers.pdf import read_pdf

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "auditkit" / "data" / "samples"
TRUTH = ROOT / "tests" / "data" / "truth"
PDF_002 = SAMPLES / "002_huaian-hongzequ_2024.pdf"
PDF_011 = SAMPLES / "011_pingtan-shiyanqu_2023_print.pdf"
SAMPLE_PDFS = [PDF_002, PDF_011]

APPLICANTS = ["natural_person", "commercial", "research", "nonprofit", "legal_services", "other_org", "total"]
# requests row key -> how its most specific label starts in the document
REQUEST_ROWS = {
    "new_received": "一、本年新收",
    "carried_over": "二、上年结转",
    "granted": "（一）予以公开",
    "partially_granted": "（二）部分公开",
    "withheld_state_secret": "1.属于国家秘密",
    "withheld_prohibited_by_law": "2.其他法律行政",
    "withheld_security_stability": "3.危及",
    "withheld_third_party_rights": "4.保护第三方",
    "withheld_internal_affairs": "5.属于三类内部事务",
    "withheld_process_information": "6.属于四类过程性",
    "withheld_enforcement_files": "7.属于行政执法案卷",
    "withheld_query_matters": "8.属于行政查询",
    "unavailable_not_held": "1.本机关不掌握",
    "unavailable_needs_creation": "2.没有现成信息",
    "unavailable_unclear_after_correction": "3.补正后申请",
    "not_processed_complaint": "1.信访举报投诉",
    "not_processed_duplicate": "2.重复申请",
    "not_processed_publication": "3.要求提供公开出版物",
    "not_processed_excessive": "4.无正当理由",
    "not_processed_confirmation": "5.要求行政机关确认",
    "other_handling_no_correction": "1.申请人无正当理由",
    "other_handling_fee_unpaid": "2.申请人逾期未按收费",
    "other_handling_other": "3.其他",
    "total_handled": "（七）总计",
    "carried_forward": "四、结转下年度",
}
APPEAL_GROUPS = ["reconsideration", "litigation_direct", "litigation_after_reconsideration"]
APPEAL_COLUMNS = ["upheld", "corrected", "other", "pending", "total"]
HEADINGS = ("一、总体情况", "二、主动公开", "三、收到和处理", "四、政府信息公开行政复议",
            "五、存在的主要问题", "六、其他需要报告")
LOCATION = re.compile(r"^page \d+, table \d+, row \d+, col \d+$")
FOOTER = re.compile(r"[-—–]\s*\d+\s*[-—–]|第\s*\d+\s*页")


@pytest.fixture(scope="module")
def layouts() -> dict[str, Layout]:
    return {p.name: read_pdf(p, p.read_bytes()) for p in SAMPLE_PDFS}


def truth(pdf: Path) -> dict:
    return json.loads((TRUTH / f"{pdf.name}.json").read_text(encoding="utf-8"))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def tables_with(layout: Layout, text: str) -> list[Table]:
    return [t for t in layout.tables if any(text in c.text for row in t.grid for c in row if c)]


def labels(table: Table, r: int) -> list[str]:
    """The non-numeric texts of row ``r``, left to right."""
    return [squeeze(c.text) for c in table.row_cells(r) if c.text and not re.fullmatch(r"[\d.\s]+", c.text)]


def find_rows(table: Table, start: str) -> list[int]:
    """Rows whose most specific label (the rightmost one) starts with ``start``."""
    return [r for r in range(table.n_rows) if labels(table, r) and labels(table, r)[-1].startswith(start)]


def numbers(cells: list[Cell | None]) -> list[float]:
    out = []
    for c in cells:
        assert c is not None
        value = float(squeeze(c.text))
        out.append(int(value) if value.is_integer() else value)
    return out


# ---------------------------------------------------------------- the requests table


@pytest.mark.parametrize("pdf", SAMPLE_PDFS, ids=lambda p: p.name[:3])
def test_requests_table_rows_equal_truth(layouts, pdf):
    found = tables_with(layouts[pdf.name], "本年新收")
    assert len(found) == 1, "the requests table, split over pages, must come back as one table"
    table = found[0]
    cells = truth(pdf)["cells"]
    checked = 0
    for row_key, start in REQUEST_ROWS.items():
        expected = [cells[f"requests.{row_key}.{col}"] for col in APPLICANTS]
        rows = find_rows(table, start)
        if None in expected:
            assert rows == [], f"{pdf.name}: {row_key} has no row of its own in this report"
            continue
        assert len(rows) == 1, f"{pdf.name}: row {start!r} found {len(rows)} times"
        assert numbers(table.grid[rows[0]][-7:]) == expected, f"{pdf.name}: {row_key}"
        checked += 1
    assert checked >= 22


def test_merged_other_handling_row_in_002(layouts):
    # 002 writes （六）其他处理 as one row; the truth keeps its values under merged_rows
    table = tables_with(layouts[PDF_002.name], "本年新收")[0]
    merged = truth(PDF_002)["merged_rows"][0]
    rows = [r for r in range(table.n_rows) if "（六）其他处理" in labels(table, r)]
    assert len(rows) == 1
    assert numbers(table.grid[rows[0]][-7:]) == [merged["values"][c] for c in APPLICANTS]


@pytest.mark.parametrize("pdf", SAMPLE_PDFS, ids=lambda p: p.name[:3])
def test_requests_header_spans_and_no_repeated_header(layouts, pdf):
    table = tables_with(layouts[pdf.name], "本年新收")[0]
    for word in ("申请人情况", "自然人", "法人或其他组织", "总计"):
        distinct = {id(c) for row in table.grid for c in row if c and c.text == word}
        assert len(distinct) == 1, f"{word!r} must be one cell, not repeated by a page break"
    applicant = next(c for row in table.grid for c in row if c and c.text == "申请人情况")
    assert applicant.colspan == 7
    r = next(i for i, row in enumerate(table.grid) if applicant in row)
    c = table.grid[r].index(applicant)
    assert all(table.grid[r][c + k] is applicant for k in range(7))
    assert table.grid[r][c - 1] is not applicant
    # the big vertical label covers every outcome row, across the page break
    outcome = next(c for row in table.grid for c in row if c and c.text == "三、本年度办理结果")
    rows = [i for i, row in enumerate(table.grid) if outcome in row]
    assert outcome.rowspan == len(rows) == rows[-1] - rows[0] + 1
    assert len(rows) >= 20
    assert any("（七）总计" in labels(table, i) for i in rows)


def test_vertical_header_reads_as_word(layouts):
    # 002 writes 三、本年度办理结果 one character a line; 011 its appeals headers
    texts_002 = {c.text for t in layouts[PDF_002.name].tables for row in t.grid for c in row if c}
    assert "三、本年度办理结果" in texts_002
    assert "申请人情况" in texts_002
    appeals = tables_with(layouts[PDF_011.name], "行政复议")[0]
    header = [c.text for c in appeals.row_cells(2)]
    assert header.count("结果维持") == 3 and header.count("尚未审结") == 3


def test_row_cut_by_page_break_is_joined_in_011(layouts):
    # 011's 3.其他 row starts on page 4 and ends, empty, on page 5
    table = tables_with(layouts[PDF_011.name], "本年新收")[0]
    other = find_rows(table, "3.其他")[0]
    assert find_rows(table, "（七）总计") == [other + 1]
    for r in range(table.n_rows):
        assert any(c.text for c in table.row_cells(r)), f"empty row {r} left by the page break"
    assert table.grid[other][-1].location.startswith("page 4,")
    assert table.grid[other + 1][-1].location.startswith("page 5,")
    # （三）不予公开 runs from page 3 to page 4 and stays one cell
    withheld = [c for row in table.grid for c in row if c and c.text == "（三）不予公开"]
    assert len({id(c) for c in withheld}) == 1 and withheld[0].rowspan == 8


# ---------------------------------------------------------------- the other tables


@pytest.mark.parametrize("pdf", SAMPLE_PDFS, ids=lambda p: p.name[:3])
def test_appeals_numbers_equal_truth(layouts, pdf):
    found = tables_with(layouts[pdf.name], "行政复议")
    assert len(found) == 1
    table = found[0]
    cells = truth(pdf)["cells"]
    expected = [cells[f"appeals.{g}.{c}"] for g in APPEAL_GROUPS for c in APPEAL_COLUMNS]
    assert len(table.grid[-1]) == 15
    assert numbers(table.grid[-1]) == expected


@pytest.mark.parametrize("pdf", SAMPLE_PDFS, ids=lambda p: p.name[:3])
def test_active_table_equals_truth(layouts, pdf):
    found = tables_with(layouts[pdf.name], "行政许可")
    assert len(found) == 1, "the active-disclosure table continues over a page break"
    table = found[0]
    cells = truth(pdf)["cells"]

    def values(label: str) -> list[float]:
        rows = [r for r in range(table.n_rows) if labels(table, r) == [label]]
        assert len(rows) == 1, label
        return numbers(table.row_cells(rows[0])[1:])

    assert values("规章") == [cells[f"active.regulations.{k}"] for k in ("issued", "repealed", "in_force")]
    assert values("行政规范性文件") == [
        cells[f"active.normative_documents.{k}"] for k in ("issued", "repealed", "in_force")]
    assert values("行政许可") == [cells["active.licensing.decisions"]]
    assert values("行政处罚") == [cells["active.penalties.decisions"]]
    assert values("行政强制") == [cells["active.coercion.decisions"]]
    assert values("行政事业性收费") == [cells["active.fees.amount"]]


# ---------------------------------------------------------------- layout contract


@pytest.mark.parametrize("pdf", SAMPLE_PDFS, ids=lambda p: p.name[:3])
def test_grids_locations_and_spans(layouts, pdf):
    layout = layouts[pdf.name]
    assert layout.kind == "pdf" and layout.source == str(pdf)
    assert len(layout.tables) == 3
    for n, table in enumerate(layout.tables, 1):
        assert re.fullmatch(rf"pages? \d+(-\d+)?, table {n}", table.location)
        width = len(table.grid[0])
        for r, row in enumerate(table.grid):
            assert len(row) == width
            for c, cell in enumerate(row):
                assert cell is not None
                assert LOCATION.match(cell.location), cell.location
                assert f"table {n}," in cell.location
                if table.grid[r][c - 1] is not cell if c else True:
                    if (table.grid[r - 1][c] is not cell) if r else True:
                        # the cell's first place: its span is the block it covers
                        assert cell.location.endswith(f"row {r + 1}, col {c + 1}")
                        block = [row2[c:c + cell.colspan] for row2 in table.grid[r:r + cell.rowspan]]
                        assert all(x is cell for line in block for x in line)
        covered = sum(1 for row in table.grid for _ in row)
        distinct = {id(c): c for row in table.grid for c in row}
        assert covered == sum(c.rowspan * c.colspan for c in distinct.values())


@pytest.mark.parametrize("pdf", SAMPLE_PDFS, ids=lambda p: p.name[:3])
def test_no_page_footer_anywhere(layouts, pdf):
    import pypdfium2 as pdfium

    raw_text = "".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(pdf))
    layout = layouts[pdf.name]
    if pdf == PDF_002:
        assert "- 3 -" in raw_text  # the footers are there to be dropped
    for block in layout.blocks:
        if isinstance(block, TextBlock):
            assert not FOOTER.search(block.text), block.text
            assert not re.fullmatch(r"\d{1,3}", block.text.strip()), block.text
        else:
            for row in block.grid:
                for cell in row:
                    assert cell is not None and not FOOTER.search(cell.text), cell.text


@pytest.mark.parametrize("pdf", SAMPLE_PDFS, ids=lambda p: p.name[:3])
def test_text_blocks_in_order_without_table_text(layouts, pdf):
    layout = layouts[pdf.name]
    text = [b.text for b in layout.blocks if isinstance(b, TextBlock)]
    assert all(re.fullmatch(r"page \d+", b.location) for b in layout.blocks if isinstance(b, TextBlock))
    joined = "\n".join(text)
    for table_text in ("本年新收政府信息公开申请数量", "结转下年度继续办理", "结果维持", "本年制发件数"):
        assert table_text not in joined
    # the section headings come in order, with the tables between them
    kinds = []
    for b in layout.blocks:
        if isinstance(b, TextBlock):
            for k, heading in enumerate(HEADINGS):
                if b.text.startswith(heading):
                    kinds.append(f"h{k + 1}")
        elif any("本年新收" in c.text for row in b.grid for c in row if c):
            kinds.append("requests")
    assert kinds == ["h1", "h2", "h3", "requests", "h4", "h5", "h6"]
    # lines wrapped inside a sentence join without spaces
    wrapped = {PDF_002: "全区政府信息公开工作虽取得一定成绩，但对照上级要求和群众期盼",
               PDF_011: "部分单位信息发布属性界定还不够精确，部分栏目存在信息噪音"}[pdf]
    assert any(wrapped in t for t in text)


def test_paragraph_continues_over_page_break(layouts):
    text = [b.text for b in layouts[PDF_002.name].blocks if isinstance(b, TextBlock)]
    assert any("答复书模板，使各行政机关答复的方式" in t for t in text)


def test_title(layouts):
    assert layouts[PDF_002.name].meta["title"] == "淮安市洪泽区人民政府2024年政府信息公开工作年度报告"
    assert layouts[PDF_011.name].meta["title"] == "平潭综合实验区2023年度政府信息公开工作年度报告"


def test_registry_reads_pdf_by_content(tmp_path):
    from auditkit.readers import read_layout

    disguised = tmp_path / "report.htm"  # agencies serve PDFs under other names
    disguised.write_bytes(PDF_002.read_bytes())
    layout = read_layout(disguised)
    assert layout.kind == "pdf" and len(layout.tables) == 3


# ---------------------------------------------------------------- generated PDFs


def _cjk_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def test_repeated_header_and_footer_inside_table(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, TableStyle
    from reportlab.platypus import Table as RLTable

    font = _cjk_font()

    def footer(canvas, doc):
        # drawn at y=50 while the table runs down to y=25: the number lands in a table row
        canvas.setFont(font, 10)
        canvas.drawCentredString(A4[0] / 2, 50, f"- {doc.page} -")

    out = tmp_path / "long_table.pdf"
    doc = SimpleDocTemplate(str(out), pagesize=A4, bottomMargin=25, topMargin=60)
    rows = [["项目名称", "数量"]] + [[f"第{i}项申请", str(i * 3)] for i in range(1, 61)]
    table = RLTable(rows, colWidths=[300, 100], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"),
                               ("FONT", (0, 0), (-1, -1), font, 11)]))
    body = ParagraphStyle("body", fontName=font, fontSize=12, leading=18)
    doc.build([Paragraph("表前正文。" * 20, body), table, Paragraph("表后正文。", body)],
              onFirstPage=footer, onLaterPages=footer)

    import pypdfium2 as pdfium

    pages = pdfium.PdfDocument(str(out))
    assert len(pages) == 2
    assert pages[1].get_textpage().get_text_range().count("项目名称") == 1  # the header is repeated
    pages.close()

    layout = read_pdf(out, out.read_bytes())
    assert len(layout.tables) == 1
    grid = layout.tables[0].grid
    assert [c.text for c in grid[0]] == ["项目名称", "数量"]
    assert [[c.text for c in row] for row in grid[1:]] == rows[1:]
    assert grid[-1][0].location.startswith("page 2, table 1, row 61")
    everything = layout.text()
    assert "- 1 -" not in everything and "- 2 -" not in everything
    assert [b.text for b in layout.blocks if isinstance(b, TextBlock)] == ["表前正文。" * 20, "表后正文。"]


def draw_cells(c, cells, page_height: float = 842.0, dotted: bool = False, open_at: float | None = None) -> None:
    """Draw ruled cells ``(x0, top, x1, bottom, text)`` (top-down coordinates) on a
    reportlab canvas, each cell with its own four borders as Word does (none along
    ``open_at``, as a browser leaves a row cut by a page break)."""
    def border(x0: float, y0: float, x1: float, y1: float) -> None:
        if not dotted:
            c.line(x0, page_height - y0, x1, page_height - y1)
            return
        n = int(max(abs(x1 - x0), abs(y1 - y0)) // 2.5)
        for k in range(n + 1):  # a dotted border made of 1-pt squares
            x, y = x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n
            c.rect(x - 0.5, page_height - y - 0.5, 1, 1, stroke=0, fill=1)

    for x0, y0, x1, y1, text in cells:
        if y0 != open_at:
            border(x0, y0, x1, y0)
        if y1 != open_at:
            border(x0, y1, x1, y1)
        border(x0, y0, x0, y1)
        border(x1, y0, x1, y1)
        if text:
            c.drawString(x0 + 4, page_height - y0 - 18, text)


def test_row_cut_and_label_span_across_pages(tmp_path):
    from reportlab.pdfgen import canvas

    font = _cjk_font()
    out = tmp_path / "cut.pdf"
    c = canvas.Canvas(str(out))
    c.setFont(font, 11)
    c.drawString(100, 842 - 600, "表格之前的一段正文。")
    # page 1 ends inside the row 5.要求…; its label goes on over the break, its numbers do not
    draw_cells(c, [(100, 700, 380, 730, "类别"), (380, 700, 440, 730, "甲"), (440, 700, 500, 730, "乙"),
                   (100, 730, 200, 790, "（四）无法提供"), (200, 730, 380, 760, "1.本机关不掌握"),
                   (380, 730, 440, 760, "3"), (440, 730, 500, 760, "4"),
                   (200, 760, 380, 790, "5.要求行政机关确认或重新出具"),
                   (380, 760, 440, 790, "1"), (440, 760, 500, 790, "2")])
    c.setFont(font, 10)
    c.drawCentredString(300, 30, "- 1 -")
    c.showPage()
    c.setFont(font, 11)
    draw_cells(c, [(100, 72, 200, 132, ""), (200, 72, 380, 102, "已获取信息"),
                   (380, 72, 440, 102, ""), (440, 72, 500, 102, ""),
                   (200, 102, 380, 132, "2.其他"), (380, 102, 440, 132, "5"), (440, 102, 500, 132, "6")])
    c.drawString(100, 842 - 200, "表格之后的正文。")
    c.setFont(font, 10)
    c.drawCentredString(300, 30, "- 2 -")
    c.showPage()
    c.save()

    layout = read_pdf(out, out.read_bytes())
    assert [b.text for b in layout.blocks if isinstance(b, TextBlock)] == ["表格之前的一段正文。", "表格之后的正文。"]
    (table,) = layout.tables
    assert table.location == "pages 1-2, table 1"
    assert [[c.text for c in table.row_cells(r)] for r in range(table.n_rows)] == [
        ["类别", "甲", "乙"],
        ["（四）无法提供", "1.本机关不掌握", "3", "4"],
        ["（四）无法提供", "5.要求行政机关确认或重新出具已获取信息", "1", "2"],
        ["（四）无法提供", "2.其他", "5", "6"],
    ]
    group = table.grid[1][0]
    assert group.rowspan == 3 and table.grid[3][0] is group
    assert table.grid[0][0].colspan == 2 and table.grid[0][1] is table.grid[0][0]
    assert table.grid[3][2].location == "page 2, table 1, row 4, col 3"


@pytest.mark.parametrize("left_open", [True, False])
def test_header_row_cut_open_by_a_browser(tmp_path, left_open):
    # Chrome leaves a row cut by a page break without borders at the cut; Word closes it,
    # and then a remainder with no numbers above it cannot be told from a new row
    from reportlab.pdfgen import canvas

    font = _cjk_font()
    out = tmp_path / "open_cut.pdf"
    c = canvas.Canvas(str(out))
    c.setFont(font, 11)
    draw_cells(c, [(100, 700, 400, 740, "申请人情况"), (100, 740, 200, 800, "商业"),
                   (200, 740, 300, 800, "科研"), (300, 740, 400, 800, "其他")],
               open_at=800 if left_open else None)
    c.showPage()
    c.setFont(font, 11)
    draw_cells(c, [(100, 60, 200, 90, "企业"), (200, 60, 300, 90, "机构"), (300, 60, 400, 90, ""),
                   (100, 90, 200, 120, "80"), (200, 90, 300, 120, "1"), (300, 90, 400, 120, "0")],
               open_at=60 if left_open else None)
    c.showPage()
    c.save()
    (table,) = read_pdf(out, out.read_bytes()).tables
    rows = [[c.text for c in row] for row in table.grid]
    if left_open:
        assert rows == [["申请人情况"] * 3, ["商业企业", "科研机构", "其他"], ["80", "1", "0"]]
    else:
        assert rows == [["申请人情况"] * 3, ["商业", "科研", "其他"], ["企业", "机构", ""], ["80", "1", "0"]]


def test_header_alone_at_page_foot_continues(tmp_path):
    # the group header row ends page 1 with 2 columns; the 6-column rest opens page 2
    from reportlab.pdfgen import canvas

    font = _cjk_font()
    out = tmp_path / "header_alone.pdf"
    c = canvas.Canvas(str(out))
    c.setFont(font, 11)
    draw_cells(c, [(100, 760, 340, 800, "行政复议"), (340, 760, 580, 800, "行政诉讼")])
    c.showPage()
    c.setFont(font, 11)
    heads = ["维持", "纠正", "总计"] * 2
    draw_cells(c, [(100 + 80 * k, 60, 180 + 80 * k, 90, h) for k, h in enumerate(heads)]
               + [(100 + 80 * k, 90, 180 + 80 * k, 120, str(k)) for k in range(6)])
    c.showPage()
    c.save()
    (table,) = read_pdf(out, out.read_bytes()).tables
    assert [[c.text for c in row] for row in table.grid] == [
        ["行政复议"] * 3 + ["行政诉讼"] * 3, heads, ["0", "1", "2", "3", "4", "5"]]
    assert table.grid[0][0].colspan == 3 and table.grid[0][0] is table.grid[0][2]


def test_dotted_borders(tmp_path):
    from reportlab.pdfgen import canvas

    font = _cjk_font()
    out = tmp_path / "dotted.pdf"
    c = canvas.Canvas(str(out))
    c.setFont(font, 12)
    c.drawString(100, 842 - 60, "虚线边框的表格如下。")
    draw_cells(c, [(100, 100, 250, 130, "项目"), (250, 100, 400, 130, "数量"),
                   (100, 130, 250, 160, "甲"), (250, 130, 400, 160, "7")], dotted=True)
    c.save()
    layout = read_pdf(out, out.read_bytes())
    (table,) = layout.tables
    assert [[c.text for c in row] for row in table.grid] == [["项目", "数量"], ["甲", "7"]]


@pytest.mark.parametrize("quarter_turns", [1, 2, 3])
def test_rotated_page(tmp_path, quarter_turns):
    # a landscape table is often a portrait page shown turned (/Rotate): read it as shown
    import pikepdf
    from reportlab.pdfgen import canvas

    font = _cjk_font()
    w, h = 595.0, 842.0

    def page_point(u: float, t: float) -> tuple[float, float]:
        """Where a point (u right, t down) of the page as shown lies on the unturned page."""
        return {1: (t, u), 2: (w - u, t), 3: (w - t, h - u)}[quarter_turns]

    src = tmp_path / "unturned.pdf"
    c = canvas.Canvas(str(src), pagesize=(w, h))

    def text(u: float, t: float, s: str) -> None:
        c.saveState()
        c.translate(*page_point(u, t))
        c.rotate(90 * quarter_turns)
        c.setFont(font, 12)
        c.drawString(0, 0, s)
        c.restoreState()

    text(100, 60, "横向页面的表格")
    for t in (100, 130, 160, 190):
        c.line(*page_point(100, t), *page_point(500, t))
    for u in (100, 300, 500):
        c.line(*page_point(u, 100), *page_point(u, 190))
    rows = [["项目", "数量"], ["甲", "1"], ["乙", "2"]]
    for k, (a, b) in enumerate(rows):
        text(110, 120 + 30 * k, a)
        text(310, 120 + 30 * k, b)
    c.showPage()
    c.save()
    out = tmp_path / "turned.pdf"
    with pikepdf.open(src) as pdf:
        pdf.pages[0].Rotate = 90 * quarter_turns
        pdf.save(out)

    layout = read_pdf(out, out.read_bytes())
    assert isinstance(layout.blocks[0], TextBlock) and layout.blocks[0].text == "横向页面的表格"
    (table,) = layout.tables
    assert [[c.text for c in row] for row in table.grid] == rows


def test_page_border_is_not_a_table(tmp_path):
    # a frame round the page, split once under a heading: one column, so running text
    from reportlab.pdfgen import canvas

    font = _cjk_font()
    out = tmp_path / "framed.pdf"
    c = canvas.Canvas(str(out))
    c.setFont(font, 12)
    draw_cells(c, [(60, 60, 535, 110, "框内标题"), (60, 110, 535, 780, "框内第一段正文。")])
    c.drawString(88, 842 - 160, "框内第二段正文。")  # indented: a new paragraph
    c.save()
    layout = read_pdf(out, out.read_bytes())
    assert layout.tables == []
    assert [b.text for b in layout.blocks] == ["框内标题", "框内第一段正文。", "框内第二段正文。"]


# ---------------------------------------------------------------- unreadable PDFs


@pytest.mark.parametrize("linearized", [False, True], ids=["plain", "linearized"])
@pytest.mark.parametrize("keep", [0.1, 0.5, 0.95, -8])
def test_truncated(tmp_path, linearized, keep):
    import pikepdf

    source = tmp_path / "source.pdf"
    with pikepdf.open(PDF_002) as pdf:
        pdf.save(source, linearize=linearized)  # a linearized file has an early %%EOF
    data = source.read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[:keep] if keep < 0 else data[: int(len(data) * keep)])
    with pytest.raises(ReadError) as err:
        read_pdf(cut, cut.read_bytes())
    assert err.value.reason == "truncated"
    assert "不完整" in err.value.message and "truncated" in err.value.message
    assert "\n" not in err.value.message


def test_junk_after_end_is_not_truncation(tmp_path):
    padded = tmp_path / "padded.pdf"
    padded.write_bytes(PDF_011.read_bytes() + b"<html><body>served by a CMS</body></html>\n" * 100)
    assert len(read_pdf(padded, padded.read_bytes()).tables) == 3


def test_encrypted(tmp_path):
    import pikepdf

    out = tmp_path / "locked.pdf"
    with pikepdf.open(PDF_011) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(user="x", owner="y"))
    with pytest.raises(ReadError) as err:
        read_pdf(out, out.read_bytes())
    assert err.value.reason == "encrypted"
    assert "加密" in err.value.message and "encrypted" in err.value.message


def test_owner_password_only_still_reads(tmp_path):
    # restrictions without a user password do not stop reading
    import pikepdf

    out = tmp_path / "restricted.pdf"
    with pikepdf.open(PDF_011) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(user="", owner="y"))
    assert len(read_pdf(out, out.read_bytes()).tables) == 3


def test_scanned_without_ocr_is_refused_with_the_hint(tmp_path, monkeypatch):
    """Without the ocr extra a scan is refused; with it, it is OCR'd (tests/test_ocr.py)."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    picture = Image.new("L", (600, 800), 255)
    ImageDraw.Draw(picture).rectangle((50, 50, 550, 300), outline=0, width=3)
    buf = io.BytesIO()
    picture.save(buf, format="PNG")
    out = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(out), pagesize=A4)
    for _ in range(2):
        c.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    c.save()
    from auditkit.readers import ocr

    monkeypatch.setattr(ocr, "available", lambda: False)
    with pytest.raises(ReadError) as err:
        read_pdf(out, out.read_bytes())
    assert err.value.reason == "scanned"
    assert "扫描件" in err.value.message and "scanned" in err.value.message and "pip install auditkit[ocr]" in err.value.message


def test_no_text_no_images_is_empty(tmp_path):
    from reportlab.pdfgen import canvas

    out = tmp_path / "blank.pdf"
    c = canvas.Canvas(str(out))
    c.line(50, 50, 300, 300)
    c.showPage()
    c.save()
    with pytest.raises(ReadError) as err:
        read_pdf(out, out.read_bytes())
    assert err.value.reason == "empty"


def test_text_without_unicode_mapping(tmp_path):
    # glyphs that map only to private-use code points: text, but unreadable
    from reportlab.pdfgen import canvas

    font = _cjk_font()
    out = tmp_path / "pua.pdf"
    c = canvas.Canvas(str(out))
    c.setFont(font, 12)
    for k in range(10):
        c.drawString(72, 800 - 20 * k, "".join(chr(0xE000 + 20 * k + i) for i in range(20)))
    c.save()
    with pytest.raises(ReadError) as err:
        read_pdf(out, out.read_bytes())
    assert err.value.reason == "unknown_encoding"


def test_garbage_is_corrupt(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
    with pytest.raises(ReadError) as err:
        read_pdf(bad, bad.read_bytes())
    assert err.value.reason == "corrupt"


def test_damaged_bytes_never_escape_as_library_errors(tmp_path):
    data = bytearray(PDF_002.read_bytes())
    for k, start in enumerate(range(2000, len(data) - 4000, len(data) // 9)):
        damaged = bytearray(data)
        damaged[start:start + 700] = bytes(700)
        path = tmp_path / f"damaged{k}.pdf"
        path.write_bytes(damaged)
        try:
            layout = read_pdf(path, bytes(damaged))
        except ReadError as exc:
            assert exc.reason in {"corrupt", "truncated", "empty", "scanned"}
        else:
            assert isinstance(layout, Layout)


# ---------------------------------------------------------------- cost


def test_import_is_light():
    code = "import auditkit.readers.pdf, sys; print('pypdfium2' in sys.modules, 'pdfplumber' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.split() == ["False", "False"]
