"""Report pages as other CMSs write them: layout tables, ``<th>`` or ``<td>`` labels,
``<br>`` and ``<span>`` inside cells, a table cut into two ``<table>``s, GBK bytes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from html import escape

from tests.torture.model import Doc, Grid, Piece


@dataclass(frozen=True)
class CmsStyle:
    charset: str = "utf-8"  # the bytes: "utf-8" or "gbk" (GB18030)
    declared: str | None = "same"  # the <meta> charset: "same" as the bytes, another name, or None (none)
    nested: bool = False  # the article inside layout tables, beside a navigation column
    labels_th: bool = True  # labels and headers as <th>; else <td> with <strong>
    br_span: bool = False  # labels broken by <br>, values in (split) <span>s and <p>s
    split_requests_at: int | None = None  # the requests table cut into two <table>s before this row
    repeat_head_on_split: bool = False  # the second <table> repeats the column header rows
    split_rewrites_spans: bool = True  # the second <table> writes again the merged labels running into it;
    # else its rows lack those cells (and are shorter than the first part's)
    borders: bool = True
    ghost_cells: bool = False  # Word's HTML: an empty zero-width cell closing every body row


def _label_html(piece: Piece, style: CmsStyle) -> str:
    text = escape(piece.text)
    if style.br_span and len(piece.text) > 6:
        # An editor's manual line break inside a long label, and a font span around each half.
        mid = len(piece.text) // 2
        text = (f'<span style="font-family:宋体">{escape(piece.text[:mid])}</span><br/>'
                f'<span style="font-family:宋体">{escape(piece.text[mid:])}</span>')
    return text if style.labels_th else f"<strong>{text}</strong>"


def _value_html(piece: Piece, style: CmsStyle) -> str:
    if not piece.text:
        return "<p>&nbsp;</p>" if style.br_span else ""  # Word pasted into a CMS keeps a paragraph
    if not style.br_span:
        return escape(piece.text)
    # Word pasted into a CMS: each character its own run, the whole in a paragraph.
    runs = "".join(f'<span style="font-size:10.5pt">{escape(ch)}</span>' for ch in piece.text)
    return f'<p style="text-align:center"><span lang="EN-US">{runs}</span></p>'


def _cell(piece: Piece, style: CmsStyle) -> str:
    tag = "th" if piece.head and style.labels_th else "td"
    attrs = (f' rowspan="{piece.rowspan}"' if piece.rowspan > 1 else "") + \
            (f' colspan="{piece.colspan}"' if piece.colspan > 1 else "")
    inner = _label_html(piece, style) if piece.head else _value_html(piece, style)
    return f"<{tag}{attrs}>{inner}</{tag}>"


def _table(rows: list[list[Piece]], style: CmsStyle) -> str:
    border = ' border="1" cellspacing="0" cellpadding="2" style="border-collapse:collapse"' if style.borders else ""
    ghost = '<td width="0" style="border:none"></td>' if style.ghost_cells else ""
    body = "".join("<tr>" + "".join(_cell(p, style) for p in row) + (ghost if any(p.key for p in row) else "")
                   + "</tr>" for row in rows)
    return f"<table{border}><tbody>{body}</tbody></table>"


def _clip_rowspans(rows: list[list[Piece]]) -> list[list[Piece]]:
    """Rows cut from a longer table: a rowspan reaching past the last row stops there."""
    n = len(rows)
    return [[replace(p, rowspan=min(p.rowspan, n - r)) for p in row] for r, row in enumerate(rows)]


def _grid_html(grid: Grid, style: CmsStyle) -> str:
    at = style.split_requests_at
    if grid.table != "requests" or at is None:
        return _table(grid.rows, style)
    # The second part: its rows, a label cell spanning from above written again where it continues.
    placed = grid.placed_rows()
    second: list[list[Piece]] = []
    for r in range(at, len(grid.rows)):
        row, seen = [], set()
        for slot in placed[r]:
            if slot is None or id(slot[0]) in seen:
                continue
            piece, top = slot
            seen.add(id(piece))
            if top < at and r == at:  # a rowspan from the first part: written again over this part's rows
                if style.split_rewrites_spans:
                    row.append(replace(piece, rowspan=top + piece.rowspan - at))
            elif top == r:
                row.append(piece)
        second.append(row)
    head = grid.rows[:grid.head_rows] if style.repeat_head_on_split else []
    return (_table(_clip_rowspans(grid.rows[:at]), style) + "<p>（续表）</p>"
            + _table(head + second, style))


def cms_page(doc: Doc, style: CmsStyle = CmsStyle()) -> bytes:
    """The page's bytes in ``style.charset``."""
    parts = [f"<h1>{escape(doc.title)}</h1>",
             '<div class="info">发布时间：2024-01-20　来源：本机关</div>']
    for block in doc.blocks:
        parts.append(_grid_html(block, style) if isinstance(block, Grid) else f"<p>{escape(block)}</p>")
    article = "".join(parts)
    if style.nested:
        # The old table-layout CMS: a navigation column, the article in a cell of a cell.
        nav = "".join(f'<tr><td><a href="/col{i}.html">栏目{i}</a></td></tr>' for i in range(1, 9))
        article = ('<table width="1000" border="0" cellspacing="0" cellpadding="0"><tr>'
                   f'<td width="200" valign="top"><table width="100%">{nav}</table></td>'
                   '<td width="800" valign="top"><table width="100%" border="0"><tr><td class="zw">'
                   f"{article}</td></tr></table></td></tr></table>")
    declared = style.charset if style.declared == "same" else style.declared
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={declared}">' if declared else ""
    page = (f"<html><head>{meta}<title>{escape(doc.title)}</title></head>"
            f'<body><div class="top"><a href="/">首页</a></div>{article}'
            '<div class="footer">主办单位：本机关　技术支持：某公司</div></body></html>')
    return page.encode("gb18030" if style.charset == "gbk" else "utf-8")
