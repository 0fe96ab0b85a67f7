"""HTML reader: the real CMS page 011 against its truth file, and pages built here for
encodings, fragments, spans, padding, nested and layout tables, other CMS markup and
broken input."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from auditkit.errors import ReadError
from auditkit.layout import Layout, Table, TextBlock
from auditkit.readers.html import read_html

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "auditkit" / "data" / "samples" / "011_pingtan-shiyanqu_2023.html"
TRUTH = json.loads((ROOT / "tests" / "data" / "truth" / "011_pingtan-shiyanqu_2023.html.json")
                   .read_text(encoding="utf-8"))["cells"]

APPLICANTS = ("natural_person", "commercial", "research", "nonprofit", "legal_services", "other_org", "total")
# Row key -> the labels (official wording, ../shared/spec/report-format.json) that name the row.
REQUEST_ROWS = {
    "new_received": ("一、本年新收政府信息公开申请数量",),
    "carried_over": ("二、上年结转政府信息公开申请数量",),
    "granted": ("（一）予以公开",),
    "partially_granted": ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）",),
    "withheld_state_secret": ("（三）不予公开", "1.属于国家秘密"),
    "withheld_prohibited_by_law": ("（三）不予公开", "2.其他法律行政法规禁止公开"),
    "withheld_security_stability": ("（三）不予公开", "3.危及“三安全一稳定”"),
    "withheld_third_party_rights": ("（三）不予公开", "4.保护第三方合法权益"),
    "withheld_internal_affairs": ("（三）不予公开", "5.属于三类内部事务信息"),
    "withheld_process_information": ("（三）不予公开", "6.属于四类过程性信息"),
    "withheld_enforcement_files": ("（三）不予公开", "7.属于行政执法案卷"),
    "withheld_query_matters": ("（三）不予公开", "8.属于行政查询事项"),
    "unavailable_not_held": ("（四）无法提供", "1.本机关不掌握相关政府信息"),
    "unavailable_needs_creation": ("（四）无法提供", "2.没有现成信息需要另行制作"),
    "unavailable_unclear_after_correction": ("（四）无法提供", "3.补正后申请内容仍不明确"),
    "not_processed_complaint": ("（五）不予处理", "1.信访举报投诉类申请"),
    "not_processed_duplicate": ("（五）不予处理", "2.重复申请"),
    "not_processed_publication": ("（五）不予处理", "3.要求提供公开出版物"),
    "not_processed_excessive": ("（五）不予处理", "4.无正当理由大量反复申请"),
    "not_processed_confirmation": ("（五）不予处理", "5.要求行政机关确认或重新出具已获取信息"),
    "other_handling_no_correction": ("（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    "other_handling_fee_unpaid": ("（六）其他处理", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    "other_handling_other": ("（六）其他处理", "3.其他"),
    "total_handled": ("（七）总计",),
    "carried_forward": ("四、结转下年度继续办理",),
}
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def read(path: Path) -> Layout:
    return read_html(path, path.read_bytes())


def squash(s: str) -> str:
    return "".join(s.split())


def table_with(layout: Layout, text: str) -> Table:
    """The table that has a cell reading ``text``."""
    found = [t for t in layout.tables if any(c is not None and squash(c.text) == text
                                              for row in t.grid for c in row)]
    assert len(found) == 1, f"{len(found)} tables hold {text!r}"
    return found[0]


def labels(table: Table, r: int) -> set[str]:
    return {squash(c.text) for c in table.row_cells(r) if c.text and not NUMBER.fullmatch(c.text)}


def numbers(table: Table, r: int) -> list[float]:
    return [float(c.text) for c in table.row_cells(r) if NUMBER.fullmatch(c.text)]


def row_named(table: Table, names: tuple[str, ...]) -> int:
    rows = [r for r in range(table.n_rows) if set(names) <= labels(table, r)]
    assert len(rows) == 1, f"rows named {names}: {rows}"
    return rows[0]


def texts(layout: Layout) -> list[str]:
    return [b.text for b in layout.blocks if isinstance(b, TextBlock)]


def grid_texts(table: Table) -> list[list[str | None]]:
    return [[None if c is None else c.text for c in row] for row in table.grid]


@pytest.fixture(scope="module")
def page() -> Layout:
    return read(PAGE)


# ---------------------------------------------------------------------------
# The real CMS page


def test_page_kind_source_and_meta(page: Layout) -> None:
    assert page.kind == "html"
    assert page.source == str(PAGE)
    # The page states <meta name="PubDate" content="2024-03-08 15:34"> and 时间：2024-03-08 15:34.
    assert page.meta == {"title": "平潭综合实验区2023年度政府信息公开工作年度报告",
                         "published": "2024-03-08", "publisher": "平潭综合实验区管委会办公室"}


def test_requests_rows_equal_truth(page: Layout) -> None:
    table = table_with(page, "申请人情况")
    for row_key, names in REQUEST_ROWS.items():
        r = row_named(table, names)
        expected = [TRUTH[f"requests.{row_key}.{col}"] for col in APPLICANTS]
        assert numbers(table, r) == expected, row_key


def test_requests_columns_follow_the_header(page: Layout) -> None:
    table = table_with(page, "申请人情况")
    header = ["".join(squash(table.grid[r][c].text) for r in (1, 2)) for c in range(3, 10)]
    assert header == ["自然人自然人", "法人或其他组织商业企业", "法人或其他组织科研机构", "法人或其他组织社会公益组织",
                      "法人或其他组织法律服务机构", "法人或其他组织其他", "总计总计"]


def test_appeals_equal_truth_column_by_column(page: Layout) -> None:
    table = table_with(page, "行政复议")
    groups = {"行政复议": "reconsideration", "未经复议直接起诉": "litigation_direct",
              "复议后起诉": "litigation_after_reconsideration"}
    outcomes = {"结果维持": "upheld", "结果纠正": "corrected", "其他结果": "other", "尚未审结": "pending",
                "总计": "total"}
    data_row = max(range(table.n_rows), key=lambda r: len(numbers(table, r)))
    assert len(numbers(table, data_row)) == 15
    for c, cell in enumerate(table.grid[data_row]):
        top, middle, bottom = (squash(table.grid[r][c].text) for r in (0, 1, 2))
        group = groups[top] if top == "行政复议" else groups[middle]
        key = f"appeals.{group}.{outcomes[bottom]}"
        assert int(cell.text) == TRUTH[key], key


def test_active_rows_equal_truth(page: Layout) -> None:
    table = table_with(page, "本年制发件数")
    r = row_named(table, ("行政规范性文件",))
    assert numbers(table, r) == [TRUTH["active.normative_documents.issued"],
                                 TRUTH["active.normative_documents.repealed"],
                                 TRUTH["active.normative_documents.in_force"]]
    # colspan=3: one Cell, counted once
    assert numbers(table, row_named(table, ("行政许可",))) == [TRUTH["active.licensing.decisions"]]
    assert numbers(table, row_named(table, ("行政事业性收费",))) == [TRUTH["active.fees.amount"]]


def test_spans_expand_to_one_cell_object(page: Layout) -> None:
    table = table_with(page, "申请人情况")
    result_rows = [r for r in range(table.n_rows) if squash(table.grid[r][0].text) == "三、本年度办理结果"]
    assert result_rows == list(range(5, 27))
    first = table.grid[5][0]
    assert all(table.grid[r][0] is first for r in result_rows)
    assert (first.rowspan, first.colspan) == (22, 1)
    corner = table.grid[0][0]  # colspan=3 rowspan=3
    assert all(table.grid[r][c] is corner for r in range(3) for c in range(3))
    assert (corner.rowspan, corner.colspan) == (3, 3)
    applicants = table.grid[0][3]
    assert applicants.text == "申请人情况" and applicants.colspan == 7
    assert all(table.grid[0][c] is applicants for c in range(3, 10))
    # Two cells that read the same are still two cells.
    assert table.grid[3][4] is not table.grid[3][5]
    assert table.grid[3][3].location == "table 2, row 4, col 4"
    assert table.grid[3][3].text == "80"


def test_cell_pieces_joined(page: Layout) -> None:
    requests = table_with(page, "申请人情况")
    assert requests.grid[2][4].text == "商业\n企业"  # two <p> in one cell
    appeals = table_with(page, "行政复议")
    assert appeals.grid[1][1].text == "结果\n纠正"  # <br/>


def test_no_navigation_in_text(page: Layout) -> None:
    body = texts(page)
    assert body[0].startswith("本报告根据《中华人民共和国政府信息公开条例》")
    assert body[-1] == "2023年，无收取信息处理费情况。"
    nav = ("首页", "政务公开", "解读回应", "办事服务", "互动交流", "走进平潭", "政府信息公开", "登录", "文件下载")
    assert not [t for t in body if t in nav]
    for junk in ("网站标识码", "版权所有", "ICP备", "相关链接", "热门搜索", "长者模式", "无障碍", "当前位置",
                 "扫一扫", "平潭文旅", "微博", "福建省人民政府", "主办单位", "来源：", "时间："):
        assert not [t for t in body if junk in t], junk


def test_blocks_in_document_order(page: Layout) -> None:
    kinds = [b.text if isinstance(b, TextBlock) else b.location for b in page.blocks]
    order = ["一、总体情况", "二、主动公开政府信息情况", "table 1", "三、收到和处理政府信息公开申请情况", "table 2",
             "四、政府信息公开行政复议、行政诉讼情况", "table 3", "五、存在的主要问题及改进情况",
             "六、其他需要报告的事项"]
    positions = [kinds.index(k) for k in order]
    assert positions == sorted(positions)
    assert len(page.tables) == 3
    assert page.blocks[1].location == "paragraph 2"


def test_paragraph_padding_trimmed(page: Layout) -> None:
    # <strong>&nbsp;一、总体情况</strong>&nbsp;
    assert "一、总体情况" in texts(page)
    assert not [t for t in texts(page) if t != t.strip() or "\xa0" in t]


# ---------------------------------------------------------------------------
# Encodings


def _same_layout(a: Layout, b: Layout) -> None:
    assert texts(a) == texts(b)
    assert [grid_texts(t) for t in a.tables] == [grid_texts(t) for t in b.tables]
    assert a.meta == b.meta


def test_page_as_gbk_with_declaration(tmp_path: Path, page: Layout) -> None:
    html = PAGE.read_text(encoding="utf-8").replace('<meta charset="utf-8"', '<meta charset="gbk"', 1)
    assert '<meta charset="gbk"' in html
    path = tmp_path / "gbk.html"
    path.write_bytes(html.encode("gbk"))
    _same_layout(read(path), page)


def test_page_as_gbk_without_declaration(tmp_path: Path, page: Layout) -> None:
    html = re.sub(r'<meta charset="utf-8"[^>]*>', "", PAGE.read_text(encoding="utf-8"))
    assert "charset" not in html.lower()
    path = tmp_path / "bare.html"
    path.write_bytes(html.encode("gbk"))
    _same_layout(read(path), page)


def test_utf8_page_declaring_gb2312(tmp_path: Path) -> None:
    # Stale declaration left in a template after the site moved to UTF-8.
    path = tmp_path / "stale.html"
    path.write_bytes('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
                     '</head><body><p>本年新收申请１２件。</p></body></html>'.encode())
    assert texts(read(path)) == ["本年新收申请１２件。"]


def test_gb18030_fragment_keeps_fullwidth_digits(tmp_path: Path) -> None:
    # 㐀 (U+3400) is outside GBK: only GB18030 encodes it.
    html = ("<p>２０２３年本机关共收到申请１２件，㐀字在内。</p>"
            "<table><tr><td>自然人</td><td>总计</td></tr><tr><td>１２</td><td>１２</td></tr></table>")
    path = tmp_path / "frag.htm"
    path.write_bytes(html.encode("gb18030"))
    layout = read(path)
    assert texts(layout) == ["２０２３年本机关共收到申请１２件，㐀字在内。"]
    assert grid_texts(layout.tables[0]) == [["自然人", "总计"], ["１２", "１２"]]
    assert layout.meta == {}


def test_xhtml_with_xml_declaration(tmp_path: Path) -> None:
    path = tmp_path / "x.xhtml"
    path.write_bytes('<?xml version="1.0" encoding="gb2312"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
                     '<head><title>报告</title></head><body><p>二、主动公开</p></body></html>'.encode("gb2312"))
    assert texts(read(path)) == ["二、主动公开"]


def test_random_bytes_are_unknown_encoding(tmp_path: Path) -> None:
    rnd = random.Random(7)
    path = tmp_path / "noise.html"
    path.write_bytes(b"<p>" + bytes(rnd.randrange(256) for _ in range(4000)))
    with pytest.raises(ReadError) as err:
        read(path)
    assert err.value.reason == "unknown_encoding"


@pytest.mark.parametrize("html", ["", "   \n", "<html><head><title>报告</title><script>var a = '报告';</script>"
                                  "</head><body><style>p {}</style>\n</body></html>"])
def test_page_without_body_text_is_empty(tmp_path: Path, html: str) -> None:
    path = tmp_path / "empty.html"
    path.write_text(html, encoding="utf-8")
    with pytest.raises(ReadError) as err:
        read(path)
    assert err.value.reason == "empty"


# ---------------------------------------------------------------------------
# Fragments and tables built here


def fragment(tmp_path: Path, html: str) -> Layout:
    path = tmp_path / "fragment.html"
    path.write_text(html, encoding="utf-8")
    return read(path)


def test_bare_table_fragment_with_spans(tmp_path: Path) -> None:
    layout = fragment(tmp_path, """<table border="1">
<tr><td rowspan="2" colspan="2"><p><span>项</span><span>目</span></p></td><td colspan="2">申请人情况</td></tr>
<tr><td>自然人</td><td>总计</td></tr>
<tr><td rowspan="2">三、本年度<br>办理结果</td>
    <td><p><span style="font-family:宋体">（一）予以</span>
        <span>公开</span></p></td><td>5</td><td>5</td></tr>
<tr><td><p>（七）</p><p>总计</p></td><td>7</td><td>7</td></tr>
</table>""")
    assert layout.blocks == layout.tables and len(layout.tables) == 1
    table = layout.tables[0]
    assert table.location == "table 1"
    assert grid_texts(table) == [
        ["项目", "项目", "申请人情况", "申请人情况"],
        ["项目", "项目", "自然人", "总计"],
        ["三、本年度\n办理结果", "（一）予以公开", "5", "5"],
        ["三、本年度\n办理结果", "（七）\n总计", "7", "7"],
    ]
    g = table.grid
    assert g[0][0] is g[0][1] is g[1][0] is g[1][1]
    assert (g[0][0].rowspan, g[0][0].colspan) == (2, 2)
    assert g[2][0] is g[3][0] and g[2][0].rowspan == 2
    assert g[2][2] is not g[2][3]
    assert g[2][2].location == "table 1, row 3, col 3"
    assert g[1][3].location == "table 1, row 2, col 4"


def test_nbsp_padding_trimmed_in_cells(tmp_path: Path) -> None:
    layout = fragment(tmp_path, "<table><tr><td>&nbsp;&nbsp;12&nbsp;</td><td>\u3000８\u3000</td>"
                                "<td>&nbsp;</td><td> 1 2 </td></tr><tr><td>a</td><td>b</td><td>c</td>"
                                "<td>d</td></tr></table>")
    # Digits apart stay apart: "1 2" is not 12.
    assert grid_texts(layout.tables[0])[0] == ["12", "８", "", "1 2"]


def test_rows_in_groups_and_forms_keep_their_order(tmp_path: Path) -> None:
    layout = fragment(tmp_path, "<table><thead><tr><th>项目</th><th>数量</th></tr></thead>"
                                "<tbody><form action='x'><tr><td>甲</td><td>1</td></tr></form>"
                                "<tr><td>乙</td><td>2</td></tr></tbody><tr><td>丙</td><td>3</td></tr></table>")
    assert grid_texts(layout.tables[0]) == [["项目", "数量"], ["甲", "1"], ["乙", "2"], ["丙", "3"]]


def test_overlong_and_zero_spans(tmp_path: Path) -> None:
    layout = fragment(tmp_path, "<table><tr><td rowspan='9'>组</td><td colspan='0'>1</td></tr>"
                                "<tr><td>2</td></tr><tr><td>3</td></tr></table>")
    g = layout.tables[0].grid
    assert grid_texts(layout.tables[0]) == [["组", "1"], ["组", "2"], ["组", "3"]]
    assert g[0][0].rowspan == 3  # clipped to the rows there are


def test_paragraph_fragment_and_whitespace(tmp_path: Path) -> None:
    layout = fragment(tmp_path, "<p>一、总体\n  情况</p><p>全年共 12 件<br>其中\u200b自然人 10 件</p>"
                                "<div>　　二、主动公开<span>政府信息</span>情况</div>")
    # A source line break between Chinese characters renders as nothing; other runs as one space.
    assert texts(layout) == ["一、总体情况", "全年共 12 件", "其中自然人 10 件", "二、主动公开政府信息情况"]
    assert [b.location for b in layout.blocks] == ["paragraph 1", "paragraph 2", "paragraph 3", "paragraph 4"]


def test_layout_table_wrapping_the_article_is_unwrapped(tmp_path: Path) -> None:
    layout = fragment(tmp_path, """<table width="100%"><tr><td>
<p>一、总体情况</p><p>2023年，本机关认真贯彻落实《条例》，全年主动公开政府信息1200条，各项工作有序推进。</p>
<table border="1"><tr><td>项目</td><td>自然人</td><td>总计</td></tr>
<tr><td>一、本年新收政府信息公开申请数量</td><td>3</td><td>3</td></tr></table>
<p>五、存在的主要问题及改进情况</p></td></tr></table>""")
    kinds = [type(b).__name__ for b in layout.blocks]
    assert kinds == ["TextBlock", "TextBlock", "Table", "TextBlock"]
    assert grid_texts(layout.tables[0]) == [["项目", "自然人", "总计"], ["一、本年新收政府信息公开申请数量", "3", "3"]]
    assert layout.tables[0].location == "table 1"


def test_table_nested_in_a_data_cell_becomes_its_own_table(tmp_path: Path) -> None:
    layout = fragment(tmp_path, """<table border="1">
<tr><td>项目</td><td>数量</td><td>备注</td></tr>
<tr><td>行政许可</td><td>12</td><td>见下表<table><tr><td>许可类别</td><td>件数</td></tr>
<tr><td>企业登记</td><td>7</td></tr></table></td></tr>
<tr><td>行政处罚</td><td>3</td><td>无</td></tr></table>""")
    outer, inner = layout.tables
    assert layout.blocks == [outer, inner]
    assert grid_texts(outer) == [["项目", "数量", "备注"], ["行政许可", "12", "见下表"], ["行政处罚", "3", "无"]]
    assert grid_texts(inner) == [["许可类别", "件数"], ["企业登记", "7"]]
    assert (outer.location, inner.location) == ("table 1", "table 2")
    assert inner.grid[1][1].location == "table 2, row 2, col 2"


def test_side_by_side_tables_in_a_layout_row(tmp_path: Path) -> None:
    layout = fragment(tmp_path, "<table><tr><td><table><tr><td>甲</td><td>1</td></tr></table></td>"
                                "<td><table><tr><td>乙</td><td>2</td></tr></table></td></tr></table>")
    assert [grid_texts(t) for t in layout.tables] == [[["甲", "1"]], [["乙", "2"]]]


def test_stray_content_in_a_table_goes_before_it(tmp_path: Path) -> None:
    layout = fragment(tmp_path, "<table><caption>表1 申请情况</caption><p>单位：件</p>"
                                "<tr><td>自然人</td><td>总计</td></tr><tr><td>1</td><td>1</td></tr></table>")
    assert texts(layout) == ["表1 申请情况", "单位：件"]
    assert layout.blocks[-1] is layout.tables[0]
    assert grid_texts(layout.tables[0]) == [["自然人", "总计"], ["1", "1"]]


def test_unclosed_tags_nesting_deep_lose_nothing(tmp_path: Path) -> None:
    # Unclosed <div><font> nest each paragraph inside the previous one, 600 levels deep.
    paragraph = "本机关全年主动公开政府信息，接收政府信息公开申请，第{}段。"
    layout = fragment(tmp_path, "<p>一、总体情况</p>" + "".join(
        "<div><font>" + paragraph.format(i) for i in range(300)))
    assert texts(layout) == ["一、总体情况", *(paragraph.format(i) for i in range(300))]


# ---------------------------------------------------------------------------
# Other CMS markup: an old table-layout GBK page, an HTML5 page with chrome in the article


OLD_PAGE = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>某县人民政府2023年政府信息公开工作年度报告-某县人民政府网</title></head><body>
<table width="1000"><tr><td><img src="logo.gif"></td><td>今天是：2024年1月20日 星期六 天气：晴</td></tr></table>
<table width="1000"><tr>
<td width="200" valign="top"><table><tr><td>政务公开</td></tr><tr><td><a href="#">政府信息公开指南</a></td></tr>
<tr><td><a href="#">政府信息公开年报</a></td></tr></table>
<div>联系我们：地址：某县人民路1号 邮编：123456 电话：0123-1234567</div></td>
<td width="800" valign="top"><table width="100%">
<tr><td class="title" align="center"><b>某县人民政府2023年政府信息公开工作年度报告</b></td></tr>
<tr><td align="center">发布日期：2024年1月18日&nbsp;&nbsp;信息来源：某县人民政府办公室&nbsp;&nbsp;浏览次数：123</td></tr>
<tr><td><div id="zoom">
<p>　　一、总体情况</p>
<p>　　2023年，我县认真贯彻落实《条例》，全年主动公开政府信息1200条。各项工作有序推进。</p>
<p>　　三、收到和处理政府信息公开申请情况</p>
<table border="1"><tr><td rowspan="2">项目</td><td colspan="2">申请人情况</td></tr><tr><td>自然人</td><td>总计</td></tr>
<tr><td>一、本年新收政府信息公开申请数量</td><td>１０</td><td>１０</td></tr>
<tr><td>二、上年结转政府信息公开申请数量</td><td>1</td><td>1</td></tr></table>
<p>某县人民政府办公室</p><p>2024年1月18日</p>
</div></td></tr></table></td></tr></table>
<table width="1000"><tr><td align="center">主办：某县人民政府办公室　网站标识码：1234567890　某ICP备12345678号<br>
地址：某县人民路1号</td></tr></table></body></html>"""


def test_old_table_layout_page_in_gbk(tmp_path: Path) -> None:
    path = tmp_path / "old.htm"
    path.write_bytes(OLD_PAGE.encode("gbk"))
    layout = read(path)
    assert texts(layout) == ["一、总体情况", "2023年，我县认真贯彻落实《条例》，全年主动公开政府信息1200条。各项工作有序推进。",
                             "三、收到和处理政府信息公开申请情况", "某县人民政府办公室", "2024年1月18日"]
    table = table_with(layout, "申请人情况")
    assert layout.tables == [table]
    assert numbers(table, row_named(table, ("一、本年新收政府信息公开申请数量",))) == [10, 10]
    assert table.grid[2][1].text == "１０"
    assert layout.meta == {"title": "某县人民政府2023年政府信息公开工作年度报告", "published": "2024-01-18",
                           "publisher": "某县人民政府办公室"}


def _article_and_notices() -> tuple[str, str]:
    """The article div of the real page, and a column of 15 notices of prose."""
    html = PAGE.read_text(encoding="utf-8")
    start = html.index("<div class=TRS_Editor>")
    end = html.index("</div>", html.index("六、其他需要报告的事项")) + len("</div>")
    notices = "".join(f"<p>通知公告第{k}条：关于开展第{k}批次政务公开工作检查的通知，请各单位做好准备。</p>"
                      for k in range(15))
    return html[start:end], notices


def test_real_article_in_a_floated_column_layout(tmp_path: Path, page: Layout) -> None:
    article, notices = _article_and_notices()
    path = tmp_path / "columns.html"
    path.write_text(f"<html><body><div class='wrap'><div class='fl w300'>{notices}</div>"
                    f"<div class='fr w900'>{article}</div></div></body></html>", encoding="utf-8")
    layout = read(path)
    assert texts(layout) == texts(page)
    assert [grid_texts(t) for t in layout.tables] == [grid_texts(t) for t in page.tables]


def test_real_article_in_an_old_layout_with_a_notices_column(tmp_path: Path, page: Layout) -> None:
    article, notices = _article_and_notices()
    old = f"""<html><head><meta charset=gbk><title>年报</title></head><body>
<table><tr><td>欢迎访问本网站，今天是2024年3月8日，星期五，天气晴朗，适宜出行。</td></tr></table>
<table><tr><td width=200 valign=top>{notices}</td><td valign=top>
<div align=center><b>平潭综合实验区2023年度政府信息公开工作年度报告</b></div>
<div>发布时间：2024-03-08　来源：管委会办公室　【字体：大 中 小】</div>{article}</td></tr></table>
<table><tr><td>版权所有：平潭综合实验区党工委管委会，地址：商务营运中心，为了获得更好的浏览效果，建议使用IE9以上浏览器。</td>
</tr></table></body></html>"""
    path = tmp_path / "embedded.htm"
    path.write_bytes(old.encode("gbk"))
    layout = read(path)
    assert texts(layout) == texts(page)
    assert [grid_texts(t) for t in layout.tables] == [grid_texts(t) for t in page.tables]
    assert layout.meta == {"title": "年报", "published": "2024-03-08", "publisher": "管委会办公室"}


def test_named_anchors_are_not_links(tmp_path: Path) -> None:
    # Word bookmarks wrap the article's text in <a name=...>; only <a href> is navigation.
    layout = fragment(tmp_path, "<div class='col'><p>通知公告</p><p>办事指南</p><p>联系我们</p><p>网站地图</p></div>"
                                "<div class='col'><p><a name='_Toc1'>一、总体情况</a></p>"
                                "<p><a name='_Toc2'>本机关全年主动公开政府信息，接收申请十二件。</a></p></div>")
    assert texts(layout) == ["一、总体情况", "本机关全年主动公开政府信息，接收申请十二件。"]


HTML5_PAGE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>某市生态环境局2023年政府信息公开工作年度报告_某市人民政府</title></head><body>
<header class="site-header"><ul class="mainNav"><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li></ul>
<div class="tq">欢迎访问某市人民政府门户网站！今天是2024年2月1日，天气晴，气温5℃，空气质量良好。</div></header>
<div class="container">
<div class="crumbs">您当前的位置：<a href="/">首页</a> &gt; 年度报告</div>
<div class="sidebar-left"><h3>政府信息公开</h3><ul><li><a href="#">公开指南</a></li></ul>
<ul><li><a href="#">2022年度报告</a><span class="date">2023-01-30</span></li></ul></div>
<div class="article-wrap">
<table class="xxgk-meta"><tr><td>索引号：</td><td>113501/2024-00012</td><td>发布机构：</td><td>某市生态环境局</td></tr>
<tr><td>生成日期：</td><td>2024-01-29</td><td>公开日期：</td><td>2024-01-30</td></tr></table>
<h1>某市生态环境局2023年政府信息公开工作年度报告</h1>
<div class="article-content">
<p>根据《中华人民共和国政府信息公开条例》规定，现将本局2023年政府信息公开工作情况报告如下。</p>
<p><b>一、总体情况</b></p><p>2023年，本局全年主动公开信息２３６条。</p>
<div style="display:none">隐藏的旧版正文：本局全年主动公开信息100条。</div>
<table><tr><th>项目</th><th>自然人</th><th>总计</th></tr>
<tr><td>一、本年新收政府信息公开申请数量</td><td>１２</td><td>１２</td></tr>
<tr><td>二、上年结转政府信息公开申请数量</td><td>0</td><td>0</td></tr></table>
<p>五、存在的主要问题及改进情况</p><p>一是公开内容不够全面；二是解读形式较为单一。</p>
<div class="share-bar">分享到：<a>微信</a><a>微博</a></div>
<p>【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</p>
</div>
<div class="related"><h4>相关文章</h4><ul><li><a href="#">某市生态环境局2022年政府信息公开工作年度报告</a></li></ul></div>
</div></div>
<footer><p>主办单位：某市人民政府办公厅</p><p>网站标识码：3501000001，为了获得更好的浏览效果，建议使用IE9及以上版本浏览器。</p></footer>
</body></html>"""


def test_html5_page_with_chrome_inside_the_article(tmp_path: Path) -> None:
    path = tmp_path / "h5.html"
    path.write_text(HTML5_PAGE, encoding="utf-8")
    layout = read(path)
    assert texts(layout) == [
        "根据《中华人民共和国政府信息公开条例》规定，现将本局2023年政府信息公开工作情况报告如下。",
        "一、总体情况", "2023年，本局全年主动公开信息２３６条。", "五、存在的主要问题及改进情况",
        "一是公开内容不够全面；二是解读形式较为单一。"]
    assert [grid_texts(t)[1] for t in layout.tables] == [["一、本年新收政府信息公开申请数量", "１２", "１２"]]
    # 公开日期 is the publication date; 生成日期 and the sidebar's dates are not.
    assert layout.meta == {"title": "某市生态环境局2023年政府信息公开工作年度报告", "published": "2024-01-30",
                           "publisher": "某市生态环境局"}


def test_related_links_and_share_bar_without_class_names(tmp_path: Path) -> None:
    layout = fragment(tmp_path, "<div><p>一、总体情况</p><p>本机关全年主动公开政府信息，接收申请十二件。</p>"
                                "<div><span>相关链接：</span><ul><li><a href='/a'>2022年度报告</a></li>"
                                "<li><a href='/b'>2021年度报告</a></li></ul></div>"
                                "<p>分享到：<a href='#'>微信</a> <a href='#'>微博</a></p>"
                                "<p>【字号：大 中 小】【打印本页】【关闭窗口】</p></div>")
    assert texts(layout) == ["一、总体情况", "本机关全年主动公开政府信息，接收申请十二件。"]


def test_meta_nearest_the_article(tmp_path: Path) -> None:
    layout = fragment(tmp_path, "<div class='list'><p>关于检查的通知 发布时间：2024-02-01 来源：某某中心</p></div>"
                                "<div class='info'>发布时间：2024-03-08 来源：某局办公室</div>"
                                "<div class='content'><p>一、总体情况</p>"
                                + "<p>本机关全年主动公开政府信息十二条，接收政府信息公开申请三件，均已按期答复。</p>" * 3
                                + "</div><div class='list'><p>发布时间：2024-04-01 来源：另一中心</p></div>")
    assert texts(layout)[0] == "一、总体情况" and len(texts(layout)) == 4
    assert layout.meta == {"published": "2024-03-08", "publisher": "某局办公室"}


def test_fragment_title_from_its_h1(tmp_path: Path) -> None:
    layout = fragment(tmp_path, "<h1>某县2023年政府信息公开工作年度报告</h1><h2>一、总体情况</h2><p>全年公开。</p>")
    assert layout.meta == {"title": "某县2023年政府信息公开工作年度报告"}
    assert texts(layout) == ["某县2023年政府信息公开工作年度报告", "一、总体情况", "全年公开。"]
    assert fragment(tmp_path, "<h1>一、总体情况</h1><p>全年公开。</p>").meta == {}


def test_meta_only_what_the_page_states(tmp_path: Path) -> None:
    layout = fragment(tmp_path, "<div class='top'>当前时间：2024年5月1日 成文日期：2024-01-02</div>"
                                "<div><p>一、总体情况</p><p>统计时间：2023年1月1日至2023年12月31日</p>"
                                "<p>资金来源：财政拨款</p><p>某县人民政府办公室</p><p>2024年1月18日</p></div>")
    assert layout.meta == {}


@pytest.mark.parametrize(("tags", "published"), [
    ('<meta name="PubDate" content="2024-03-08 15:34"/>', "2024-03-08"),
    ('<meta name="publishdate" content="2024年3月9日"/>', "2024-03-09"),
    ('<meta property="article:published_time" content="2024-03-10T08:00:00+08:00"/>', "2024-03-10"),
    ('<meta name="PubDate" content=""/><meta name="publishdate" content="2024-13-40"/>', None),
])
def test_published_from_meta_tags(tmp_path: Path, tags: str, published: str | None) -> None:
    # The meta tag wins over the date the article itself ends with (its 落款, not a publication).
    layout = fragment(tmp_path, f"<html><head>{tags}<meta name='ContentSource' content='某局办公室'/></head>"
                                "<body><p>一、总体情况</p><p>某局</p><p>2024年3月1日</p></body></html>")
    assert layout.meta.get("published") == published
    assert layout.meta["publisher"] == "某局办公室"


def test_word_html_markup(tmp_path: Path) -> None:
    layout = fragment(tmp_path, """<html xmlns:o="urn:schemas-microsoft-com:office:office"><body lang=ZH-CN>
<div class=WordSection1>
<p class=MsoNormal><span lang=EN-US style='font-size:12.0pt'>一、总体情况<o:p></o:p></span></p>
<table class=MsoTableGrid border=1 cellspacing=0>
<tr><td width=100><p class=MsoNormal><span style='font-family:宋体'>自然</span><span
style='font-family:宋体'>人<o:p></o:p></span></p></td>
<td width=50><p class=MsoNormal align=center><span lang=EN-US>80<o:p>&nbsp;</o:p></span></p></td></tr>
<![if !supportMisalignedColumns]><tr height=0><td width=100 style='border:none'></td>
<td width=50 style='border:none'></td></tr><![endif]>
</table>
<p class=MsoNormal><o:p>&nbsp;</o:p></p></div></body></html>""")
    assert texts(layout) == ["一、总体情况"]
    assert grid_texts(layout.tables[0]) == [["自然人", "80"], ["", ""]]


def test_title_is_the_article_not_the_site_banner(tmp_path: Path) -> None:
    layout = fragment(tmp_path, "<html><head><title>某县2023年政府信息公开工作年度报告_某县人民政府</title></head>"
                                "<body><div class='logo'><h1>某县人民政府</h1></div><div class='content'>"
                                "<p>一、总体情况</p><p>本机关全年主动公开政府信息，接收申请十二件。</p></div></body></html>")
    assert layout.meta == {"title": "某县2023年政府信息公开工作年度报告"}
    assert texts(layout) == ["一、总体情况", "本机关全年主动公开政府信息，接收申请十二件。"]


def test_unlabelled_date_in_the_info_bar(tmp_path: Path) -> None:
    html = HTML5_PAGE.replace("公开日期：", "公开：").replace("生成日期：", "生成：").replace(
        "<h1>", '<div class="info"><span class="pubtime">2024-01-31 09:00</span></div><h1>')
    path = tmp_path / "dated.html"
    path.write_text(html, encoding="utf-8")
    assert read(path).meta["published"] == "2024-01-31"


# ---------------------------------------------------------------------------
# Speed


@pytest.mark.parametrize("depth", [1, 39, 41, 45])
def test_single_column_wrappers_however_deep_keep_their_text_and_tables(depth: int) -> None:
    """A CMS template's single-column wrapper tables are page layout, walked cell by cell without
    reading their texts first; nested past the walk's limit they are read as data, texts and all."""
    page = ("<html><body>" + "<table><tr><td>" * depth
            + f"<p>最里面一层的文字，在第{depth}层。</p>"
            "<table><tr><td>本年新收</td><td>5</td></tr><tr><td>上年结转</td><td>1</td></tr></table>"
            + "</td></tr></table>" * depth + "<p>政府信息公开工作年度报告</p></body></html>").encode()
    layout = read_html(Path("wrapped.html"), page)
    texts = [b.text for b in layout.blocks if isinstance(b, TextBlock)]
    assert f"最里面一层的文字，在第{depth}层。" in texts
    tables = [[[c.text for c in row] for row in b.grid] for b in layout.blocks if isinstance(b, Table)]
    assert [["本年新收", "5"], ["上年结转", "1"]] in tables


def test_a_pages_date_is_a_calendar_date_as_datetime_says() -> None:
    """meta._iso checks dates without the datetime module: the same verdict on every day of
    leap and common years, century years and the years at either end of the range."""
    import datetime

    from auditkit.readers.html.meta import _iso

    pattern = re.compile(r"(\d+)-(\d+)-(\d+)")
    for year in (1989, 1990, 1996, 2000, 2023, 2024, 2100, 2101):
        for month in range(0, 14):
            for day in range(0, 33):
                try:
                    real = datetime.date(year, month, day)
                    expected = real.isoformat() if 1990 <= year <= 2100 else None
                except ValueError:
                    expected = None
                assert _iso(pattern.match(f"{year}-{month}-{day}")) == expected, (year, month, day)
