"""The HTML reader's entry point: ``read_html`` parses the page, drops what is never
text, finds the article, and writes its blocks and what the page says about it.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from auditkit.errors import ReadError, ReadReason
from auditkit.layout import Layout
from auditkit.readers.html.article import find_article
from auditkit.readers.html.blocks import article_blocks
from auditkit.readers.html.meta import head_meta, page_meta
from auditkit.readers.html.parse import parse_page

# Elements whose content is never report text (stripped before anything else).
_SKIP_TAGS = (
    "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed",
    "applet", "svg", "math", "canvas", "audio", "video", "map", "select", "option", "optgroup",
    "datalist", "button", "textarea", "input",
)


def read_html(path: Path, data: bytes) -> Layout:
    """Read an HTML page or fragment into a ``Layout`` of kind ``"html"``.

    Raises ``ReadError`` ("unknown_encoding", "empty", "corrupt") for a page it
    cannot read; no parser exception escapes.
    """
    root = parse_page(data)
    if root is None:
        raise ReadError(ReadReason.EMPTY, "网页没有正文 (HTML page has no body text)")
    try:
        head = head_meta(root)  # the whole page as served, before anything is stripped
        body = root.find("body")
        if body is None:
            body = root
        etree.strip_elements(body, *_SKIP_TAGS, with_tail=False)
        article = find_article(body)
        blocks = article_blocks(article)
        meta = page_meta(head, article) if blocks else {}
    except (etree.LxmlError, ValueError, TypeError, RecursionError) as exc:
        # No parser error may escape: the batch reports a reason per document and goes on.
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
        raise ReadError(ReadReason.CORRUPT, f"网页无法解析 (cannot read HTML: {detail})") from exc
    if not blocks:
        raise ReadError(ReadReason.EMPTY, "网页没有正文 (HTML page has no body text)")
    return Layout(source=str(path), kind="html", blocks=blocks, meta=meta)
