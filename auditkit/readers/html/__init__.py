"""HTML reader: an agency's CMS page, or a bare fragment, into a ``Layout``.

Agencies publish the annual report as an article inside a CMS page full of
menus, footers and share bars, or as a bare fragment (a ``<table>`` pasted from
Word, a few ``<p>``). The reader (``reader.read_html``)

1. decodes the bytes (declared charset, then the bytes themselves) and parses
   them (``parse``),
2. drops what is never text (scripts, forms, iframes) and page chrome (nav,
   header, footer, menus, breadcrumbs, share bars, hidden elements),
3. picks the article: walking down from ``<body>`` while one child holds most of
   the page's non-link text (or most of its parent's, with no prose, section
   heading or data table beside it), widened if a report table sits beside it
   (``article``, reading each table once in ``tables``),
4. walks the article in document order into text blocks (one per paragraph,
   heading or ``<br>`` line) and span-expanded table grids (``blocks``).

Layout tables (a page grid, or one cell wrapping the whole article) are
unwrapped into blocks so they never swallow the report tables; a table nested
inside a data table becomes its own ``Table`` after the outer one. What the page
states about the article outside its body (title, publication date, publisher)
goes to ``Layout.meta`` (``meta``).

Text is kept as written: whitespace runs become one space (none where a source
line break falls between two Chinese characters, as browsers render it), and
``&nbsp;`` padding is trimmed (``markup``); full-width digits are left for the
matcher.
"""

from auditkit.readers.html.reader import read_html

__all__ = ["read_html"]
