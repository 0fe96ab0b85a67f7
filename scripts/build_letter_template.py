"""Build auditkit's default letter template, ``auditkit/templates/letter.docx``.

    .venv/bin/python scripts/build_letter_template.py [OUT.docx]

The template is an ordinary Word document whose text holds docxtpl fields (Jinja2 tags):
``{{ agency }}``, a paragraph loop ``{%p for f in findings %}`` … ``{%p endfor %}``, and so on
(the fields are listed in ``auditkit.letters``). An office that wants its own letterhead,
wording or layout copies the file, edits it in Word and passes it with ``--template``. This
script only regenerates the bundled one; ``tests/test_letters.py`` checks that the shipped
file is what it builds.

Layout after GB/T 9704 (党政机关公文格式) as far as a template can hold it: A4, 仿宋 三号
(16 pt) body text on a 28-point line, the title in 宋体 二号 (22 pt) bold, each paragraph
indented by two characters, the issuer and date at the right.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "auditkit" / "templates" / "letter.docx"
BODY_FONT, TITLE_FONT, LATIN_FONT = "仿宋", "宋体", "Times New Roman"
BODY_SIZE, TITLE_SIZE = Pt(16), Pt(22)

TITLE = "政府信息公开工作年度报告审核意见书"
# (text, kind): "title", "plain" (no indent), "body" (indented), "tag" (a docxtpl paragraph tag), "right".
PARAGRAPHS: tuple[tuple[str, str], ...] = (
    (TITLE, "title"),
    ("（整改通知）", "subtitle"),
    ("{{ agency }}：", "plain"),
    ("经审核你单位{{ report_titles }}，发现以下{{ count }}个问题，现将审核意见通知如下：", "body"),
    ("{%p for f in findings %}", "tag"),
    ("{{ f.heading }}", "heading"),
    ("报告：{{ f.report }}", "body"),
    ("位置：{{ f.place }}", "body"),
    ("{%p if f.cells %}", "tag"),
    ("涉及单元格：{{ f.cells }}", "body"),
    ("{%p endif %}", "tag"),
    ("原文：{{ f.quote }}", "body"),
    ("{%p if f.figures %}", "tag"),
    ("数值：{{ f.figures }}", "body"),
    ("{%p endif %}", "tag"),
    ("整改要求：{{ f.correction }}", "body"),
    ("{%p if f.note %}", "tag"),
    ("审核意见：{{ f.note }}", "body"),
    ("{%p endif %}", "tag"),
    ("依据：{{ f.basis }}", "body"),
    ("{%p endfor %}", "tag"),
    ("请你单位对照上述问题逐项核实整改，于{{ deadline }}前完成整改并将整改情况书面回复我单位；"
     "需更正年度报告的，请更正后重新公布，并在回复中说明更正内容。", "body"),
    ("特此通知。", "body"),
    ("", "plain"),
    ("{{ issuer }}", "right"),
    ("{{ date }}", "right"),
)


def _fonts(style_or_run, east_asian: str, size: Pt, bold: bool = False) -> None:
    font = style_or_run.font
    font.name = LATIN_FONT
    font.size = size
    font.bold = bold
    r_pr = style_or_run.element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.append(r_fonts)
    r_fonts.set(qn("w:eastAsia"), east_asian)


def build(out: Path = OUT) -> Path:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    _fonts(normal, BODY_FONT, BODY_SIZE)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(28)
    normal.paragraph_format.space_before = normal.paragraph_format.space_after = Pt(0)
    for text, kind in PARAGRAPHS:
        paragraph = doc.add_paragraph()
        run = paragraph.add_run(text)  # one run per paragraph: a field is never split across runs
        fmt = paragraph.paragraph_format
        if kind == "title":
            _fonts(run, TITLE_FONT, TITLE_SIZE, bold=True)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            fmt.line_spacing = Pt(36)
        elif kind == "subtitle":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            fmt.space_after = Pt(14)
        elif kind in ("body", "heading"):
            fmt.first_line_indent = Pt(32)  # two characters
            if kind == "heading":
                run.font.bold = True
        elif kind == "right":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            fmt.right_indent = Pt(32)
    props = doc.core_properties
    props.title, props.author, props.comments = TITLE, "auditkit", "auditkit 审核意见书模板（字段由 auditkit letters 填写）"
    props.created = props.modified = datetime(2026, 1, 1)
    props.revision = 1
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out)
    return out


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
