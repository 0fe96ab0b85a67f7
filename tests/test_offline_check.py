"""The offline check reads scripts as JavaScript (issue 11 item 6): a comment is not a URL, a fetch is a load."""

from __future__ import annotations

import pytest

from auditkit.render.jsscan import NAME, REGEX, STRING, TEMPLATE, tokens
from auditkit.render.offline import outside_references, script_outside
from auditkit.review.widget import KEYS_JS


def page(script: str, attrs: str = "") -> str:
    return f"<html><body {attrs}><script>{script}</script></body></html>"


@pytest.mark.parametrize("script", [
    "// a comment that says http://example.org and // more\nvar x = 1;",
    "/* see https://example.org/docs */ var y = 2;",
    "var keep = a // JupyterLab, whose command-mode keys\n  / b;",
    "var re = /https?:\\/\\/[^/]+/; var half = total / 2 / 3;",
    "var ns = 'http://www.w3.org/2000/svg'; document.createElementNS(ns, 'svg');",
    "if (location.protocol === 'https:') { parts = url.split('//'); }",
    "el.textContent = `第 ${n} 条`;",
    "<!-- an HTML-like comment http://example.org\nvar z = 3;",
])
def test_code_that_loads_nothing_passes(script: str) -> None:
    assert script_outside(script) == []
    assert outside_references(page(script)) == []


@pytest.mark.parametrize("script, said", [
    ("fetch('/local.json')", "fetch"),  # any use of a network API: an offline page has no use for one
    ("var r = new XMLHttpRequest(); r.open('GET', u);", "XMLHttpRequest"),
    ("new WebSocket(address)", "WebSocket"),
    ("new EventSource(u)", "EventSource"),
    ("importScripts(u)", "importScripts"),
    ("navigator.sendBeacon(u, data)", "sendBeacon"),
    ("import('./module.js').then(go)", "import("),
    ("img.src = 'https://evil.example/p.png';", "https://evil.example/p.png"),
    ("img.src = '//evil.example/p.png';", "//evil.example/p.png"),
    ("a = `https://${host}/x`", "https://"),
    ("x = '\\x68ttps://evil.example/'", "https://evil.example/"),  # escapes decoded
    ("f\\u0065tch(u)", "fetch"),
    ("el.innerHTML = '<img src=\"http://evil.example/x.png\">';", "http://evil.example/x.png"),
    ("el.style.background = 'url(https://evil.example/bg.png)';", "https://evil.example/bg.png"),
    ("var s = 'a'; // comment\nvar t = 'http://evil.example/after-a-comment';", "after-a-comment"),
])
def test_code_that_loads_is_found(script: str, said: str) -> None:
    found = outside_references(page(script))
    assert found and any(said in x for x in found), found


def test_event_handlers_and_javascript_urls_are_scripts() -> None:
    assert outside_references('<img src="x.png" onerror="fetch(\'https://evil.example\')">')
    assert outside_references('<a href="javascript:fetch(\'https://evil.example\')">x</a>', links=False)
    assert outside_references('<a href="javascript:void(0)">x</a>') == []
    assert outside_references('<button onclick="go(1) // http://not-a-url">x</button>') == []


def test_the_reviewer_keyboard_script_passes() -> None:
    assert "//" in KEYS_JS  # its comments are what the old check took for URLs
    assert script_outside(KEYS_JS) == []


def test_tokens_tell_strings_comments_and_regular_expressions_apart() -> None:
    toks = tokens("a = 'x' /* c */ + `t${ b + '{' }u` // end\nr = /[/]\\//g; d = a / b / c")
    kinds = [(t.kind, t.value) for t in toks if t.kind in (STRING, TEMPLATE, REGEX)]
    assert kinds == [(STRING, "x"), (TEMPLATE, "t"), (STRING, "{"), (TEMPLATE, "u"), (REGEX, "/[/]\\//g")]
    assert [t.value for t in toks if t.kind == NAME] == ["a", "b", "r", "d", "a", "b", "c"]


def test_an_unterminated_string_hides_nothing() -> None:
    assert script_outside("var s = 'https://evil.example/") != []
