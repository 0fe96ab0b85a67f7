"""What in an HTML page would reach another host: the check behind "opens offline".

``outside_references`` parses a page and lists every URL that points off the
machine (``http:``, ``https:``, any ``scheme://`` or a protocol-relative
``//host``) wherever a browser would fetch it: ``src``, ``href``, ``srcset``,
``poster``, ``data``, ``action``, SVG ``xlink:href``, ``<meta http-equiv=refresh>``,
CSS ``url()`` and ``@import`` in ``<style>`` elements and ``style`` attributes
(CSS comments aside), and nested ``srcdoc`` pages.

Executable scripts (inline ``<script>``, ``on…`` event attributes, ``javascript:``
URLs) are read as JavaScript (``auditkit.render.jsscan``: comments skipped, strings
decoded) and count when they use an API that reaches the network (``fetch``,
``XMLHttpRequest``, ``WebSocket``, ``EventSource``, ``importScripts``, ``sendBeacon``,
workers, ``import()``), whatever its argument, or hold a string that names another
host (as a URL, or in markup or CSS written as a string); a comment is not code, and
XML namespace names (``http://www.w3.org/2000/svg``) are names, not loads. Scripts passed
as ``trusted`` are not scanned (the vendored widget renderer, which can load widget
modules from a CDN when asked to; the browser test with the network cut is what shows
it fetches nothing). Data blocks such as ``<script type="application/json">`` are not
executed and are not scanned.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from html.parser import HTMLParser

from auditkit.precompiled import compile_re

URL_ATTRIBUTES = {"src", "href", "poster", "data", "action", "formaction", "xlink:href", "background", "manifest",
                  "ping", "cite", "longdesc", "archive", "codebase", "icon"}
EXECUTABLE_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript",
                    "application/ecmascript"}
_OUTSIDE = compile_re(r"^\s*(?:(?:https?|ftp|wss?):|[a-z][a-z0-9+.\-]*:\s*//|//|\\\\)", re.I)
_CSS_COMMENT = compile_re(r"/\*.*?\*/", re.S)
_CSS_URL = compile_re(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)]*?))\s*\)""", re.I)
_CSS_IMPORT = compile_re(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)
# In a script's string: a URL naming another host ("http://" alone starts one; "https:" or "//" alone does not).
_SCRIPT_URL = compile_re(r"^\s*(?:[a-z][a-z0-9+.\-]*:\s*//|//[^/\s]|\\\\[^\\\s])", re.I)
NETWORK_APIS = {"fetch", "XMLHttpRequest", "WebSocket", "EventSource", "importScripts", "sendBeacon", "Worker",
                "SharedWorker", "ActiveXObject"}
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xhtml", "http://www.w3.org/1999/xlink",
              "http://www.w3.org/XML/1998/namespace", "http://www.w3.org/2000/xmlns/", "http://www.w3.org/1998/Math/MathML"}


def is_outside(url: str) -> bool:
    """True for a URL that names another host (``data:``, ``#fragment`` and relative paths do not)."""
    return bool(_OUTSIDE.match(url or ""))


def css_outside(css: str) -> list[str]:
    """URLs in CSS text (``url()``, ``@import``) that name another host."""
    css = _CSS_COMMENT.sub("", css)
    found = [next(g for g in m.groups() if g is not None) for m in _CSS_URL.finditer(css)]
    found += [next(g for g in m.groups() if g is not None) for m in _CSS_IMPORT.finditer(css)]
    return [u.strip() for u in found if is_outside(u.strip())]


def script_outside(script: str, links: bool = True) -> list[str]:
    """What an executable script would fetch from another host: uses of network APIs, and strings naming
    another host (as a URL, in markup or in CSS); comments are skipped."""
    from auditkit.render.jsscan import NAME, STRING, TEMPLATE, tokens

    found: list[str] = []
    toks = tokens(script)
    said: set[int] = set()  # literals already named as the argument of a call found
    for k, tok in enumerate(toks):
        after = toks[k + 1].value if k + 1 < len(toks) else ""
        before = toks[k - 1].value if k else ""
        if tok.kind == NAME and ((tok.value in NETWORK_APIS and (after == "(" or before == "new"))
                                 or (tok.value == "import" and after == "(" and before != ".")):
            arg = toks[k + 2] if after == "(" and k + 2 < len(toks) else None
            if arg is not None and arg.kind in (STRING, TEMPLATE):
                said.add(k + 2)
                found.append(f"{tok.value}({arg.value[:120]})")
            else:
                found.append(f"{tok.value}(…): {_around(script, tok.start)}")
        elif tok.kind in (STRING, TEMPLATE) and k not in said:
            value = tok.value.strip()
            if _SCRIPT_URL.match(value) and value not in NAMESPACES:
                found.append(f"{value[:120]}")
            elif "<" in value and ">" in value:
                found += [f"<markup in a string> {x}" for x in outside_references(value, links=links)]
            elif "url(" in value.lower() or "@import" in value.lower():
                found += [f"<css in a string> {u}" for u in css_outside(value)]
    return found


def _around(text: str, at: int) -> str:
    return "…" + " ".join(text[max(0, at - 30):at + 60].split()) + "…"


def outside_references(html: str, trusted: Iterable[str] = (), links: bool = True) -> list[str]:
    """Every reference in ``html`` that would reach another host, as ``"where: what"`` strings.

    ``trusted`` are script texts exempt from the script scan; with ``links=False`` plain
    ``<a href>`` links (which load nothing until clicked) are not counted.
    """
    parser = _Scanner({_digest(t) for t in trusted}, links)
    parser.feed(html)
    parser.close()
    return parser.found


def _digest(text: str) -> str:
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()


class _Scanner(HTMLParser):
    def __init__(self, trusted: set[str], links: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.trusted, self.links = trusted, links
        self.found: list[str] = []
        self._raw: str | None = None  # the element whose text is being collected: "script" or "style"
        self._executable = False
        self._chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(tag, attrs)
        if tag in ("script", "style"):
            self._raw, self._chunks = tag, []
            kind = (dict(attrs).get("type") or "").strip().lower()
            self._executable = tag == "script" and kind in EXECUTABLE_TYPES

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._raw:
            self._chunks.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._raw != tag:
            return
        text = "".join(self._chunks)
        if tag == "style":
            self.found += [f"<style> url: {u}" for u in css_outside(text)]
        elif self._executable and _digest(text) not in self.trusted:
            self.found += [f"<script>: {x}" for x in script_outside(text, self.links)]
        self._raw, self._chunks = None, []

    def _attributes(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            value = value or ""
            if name in URL_ATTRIBUTES and value.strip().lower().startswith("javascript:"):  # a script, clicked or not
                self.found += [f"<{tag} {name}> {x}" for x in script_outside(value.strip()[11:], self.links)]
            elif name in URL_ATTRIBUTES:
                if tag == "a" and name == "href" and not self.links:
                    continue
                if is_outside(value):
                    self.found.append(f"<{tag} {name}>: {value}")
            elif name in ("srcset", "imagesrcset"):
                for part in value.split(","):
                    url = part.strip().split(" ")[0]
                    if is_outside(url):
                        self.found.append(f"<{tag} {name}>: {url}")
            elif name == "style":
                self.found += [f"<{tag} style> url: {u}" for u in css_outside(value)]
            elif name == "content" and tag == "meta" and "url=" in value.lower():
                url = value.lower().split("url=", 1)[1].strip(" '\"")
                if is_outside(url):
                    self.found.append(f"<meta refresh>: {url}")
            elif name == "srcdoc":
                self.found += [f"<{tag} srcdoc> {x}" for x in outside_references(value, links=self.links)]
            elif name.startswith("on"):  # an event handler is a script
                self.found += [f"<{tag} {name}> {x}" for x in script_outside(value, self.links)]
