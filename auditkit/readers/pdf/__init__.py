"""PDF reader: running text and ruled tables from a PDF's text layer.

How it works
------------
pypdfium2 (PDFium, Apache-2.0/BSD) gives, per page, every character with its
box and every vector path object (``text_layer``). Tables in these reports are
ruled (Word, WPS and LibreOffice draw each border as a stroked line or a thin
filled rectangle), so the reader:

1. collects the horizontal and vertical rulings (stroked axis-aligned segments,
   filled rectangles thinner than ``_THIN``), merges collinear pieces and groups
   touching rulings into tables (``ruled``);
2. lays a fine grid over each table from the distinct ruling coordinates and
   unions neighbouring grid squares wherever the ruling between them is
   missing: a merged cell (rowspan/colspan) is exactly such a union;
3. puts each character into the cell holding its centre and rebuilds the cell's
   lines from the boxes (not from the content-stream order, which WPS and
   LibreOffice scramble); a vertical header written one character a line joins
   back into its word;
4. keeps what lies outside tables as lines, drops page numbers and running
   headers/footers (``margins``), and joins lines into paragraphs (``blocks``);
5. glues a table that ends a page to the table that opens the next page when
   their column edges agree: a repeated header row is dropped, a row cut by the
   page break is joined, and a label cell that spans rows across the break
   stays one cell (``across_pages``).

A table drawn without rulings is rebuilt from where its text sits (numbers lined
up in columns over several lines, labels wrapped beside them): see ``unruled``;
the lines it does not take stay running text, their columns separated by spaces
where the gaps are wide. ``model`` holds the shapes the stages hand on (characters,
lines, cells, tables, pages) and how characters join into text; ``reader`` runs
the stages in order.

Why not a ready-made table finder (measured on the two bundled 5-page samples,
one process, same run): this reader reads a report in about 35 ms (~28
reports/s); pdfplumber's ``extract_tables`` takes 360-490 ms (2-2.8 reports/s),
and pdfminer's parsing of characters and edges alone costs ~300 ms of that, so no
table setting can make it fast enough; PyMuPDF's ``find_tables`` took ~2.5 s a
report in a scratch environment and is AGPL. PDFium (Apache-2.0/BSD) parses in C;
Python touches only a few thousand characters and a few hundred paths a report.

Conventions: a cell's lines are joined without a separator where either side is
a CJK character (wrapped Chinese, vertical headers) and with ``\\n`` otherwise,
so two numbers stacked in one cell stay two. Tables are numbered through the
document; a cell's location names the page it starts on and its row and column
in the (merged) table: "page 4, table 2, row 18, col 4". Pages turned with
/Rotate are read as shown.
"""

from auditkit.readers.pdf.reader import read_image, read_pdf

__all__ = ["read_image", "read_pdf"]
