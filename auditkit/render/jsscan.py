"""Just enough of a JavaScript tokenizer to tell code from comments, strings and regular expressions.

The offline check (``auditkit.render.offline``) must know what an inline script would
fetch. Searching its text for ``//`` takes every comment for a URL (the reviewer's own
keyboard script has several); searching nothing lets ``fetch("https://…")`` through.
So the script is read as JavaScript reads it: comments are skipped, string and
template literals are read with their escapes decoded (``"\\x68ttp://…"`` is
``http://…``), and regular-expression literals are told from division by the token
before them, as the language's grammar does. The tokens are what the offline check
looks at. Not a parser: the few places where the grammar needs more than the token
before (a ``}`` ending a block, then a regular expression) are read as division, which
can only make the check see a string that is not one — never miss one.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from auditkit.precompiled import compile_re

# Kinds of token.
NAME, STRING, TEMPLATE, REGEX, NUMBER, PUNCT = "name", "string", "template", "regex", "number", "punct"

# After these a "/" starts a regular expression; after anything else (a name, a number, ")", "]", "}") it divides.
_REGEX_AFTER_NAMES = {"return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do",
                      "else", "yield", "await"}
_PUNCTUATORS = sorted(["{", "}", "(", ")", "[", "]", ";", ",", "<", ">", "<=", ">=", "==", "!=", "===", "!==",
                       "+", "-", "*", "%", "**", "++", "--", "<<", ">>", ">>>", "&", "|", "^", "!", "~", "&&", "||",
                       "??", "?", "?.", ":", "=", "+=", "-=", "*=", "%=", "**=", "<<=", ">>=", ">>>=", "&=", "|=",
                       "^=", "&&=", "||=", "??=", "=>", ".", "...", "/", "/=", "#", "@"], key=len, reverse=True)
_WORD = compile_re(r"(?P<number>\.?\d[\w.]*(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_$\u0080-\uffff\\][\w$\u0080-\uffff\\]*)")
_PUNCT = compile_re("|".join(re.escape(p) for p in _PUNCTUATORS))
_SPACE = compile_re(r"\s*")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


class Token(NamedTuple):
    kind: str
    value: str  # a string's or template chunk's value with escapes decoded; the text otherwise
    start: int  # offset in the script


def tokens(script: str) -> list[Token]:
    """The script's tokens, comments left out. Text that cannot be tokenized (an unterminated string)
    ends the list with what was read as a string, so that nothing after it escapes the check."""
    out: list[Token] = []
    i, n = 0, len(script)
    braces: list[int] = []  # for each open "${" of a template, the depth of "{" inside it
    while i < n:
        m = _SPACE.match(script, i)
        if m.end() > i:
            i = m.end()
            continue
        ch = script[i]
        if script.startswith("//", i) or script.startswith("<!--", i) or (
                script.startswith("-->", i) and _line_start(script, i)):
            i = _line_end(script, i)
            continue
        if script.startswith("/*", i):
            j = script.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        if ch in "'\"":
            value, i2 = _string(script, i)
            out.append(Token(STRING, value, i))
            i = i2
            continue
        if ch == "`" or (ch == "}" and braces and braces[-1] == 0):
            if ch == "}":
                braces.pop()
            value, i2, opened = _template(script, i + 1)
            out.append(Token(TEMPLATE, value, i))
            if opened:
                braces.append(0)
            i = i2
            continue
        if ch == "/" and _regex_allowed(out):
            i2 = _regex_end(script, i)
            out.append(Token(REGEX, script[i:i2], i))
            i = i2
            continue
        m = _WORD.match(script, i)
        if m:
            if m.lastgroup == "number":
                out.append(Token(NUMBER, m.group(), i))
            else:
                out.append(Token(NAME, _unescape(m.group()), i))
            i = m.end()
            continue
        m = _PUNCT.match(script, i)
        punct = m.group() if m else ch
        if braces and punct == "{":
            braces[-1] += 1
        elif braces and punct == "}":
            braces[-1] -= 1
        out.append(Token(PUNCT, punct, i))
        i += len(punct)
    return out


def _line_start(script: str, i: int) -> bool:
    """``-->`` is a comment only first on a line (spaces and block comments aside)."""
    before = script[:i].rsplit("\n", 1)[-1]
    return not before.strip()


def _line_end(script: str, i: int) -> int:
    m = compile_re(r"[\n\r\u2028\u2029]").search(script, i)
    return m.start() if m else len(script)


def _regex_allowed(before: list[Token]) -> bool:
    if not before:
        return True
    last = before[-1]
    if last.kind in (NUMBER, STRING, TEMPLATE, REGEX):
        return False
    if last.kind == NAME:
        return last.value in _REGEX_AFTER_NAMES
    return last.value not in (")", "]", "}", "++", "--")


def _regex_end(script: str, i: int) -> int:
    j, n, in_class = i + 1, len(script), False
    while j < n:
        ch = script[j]
        if ch == "\\":
            j += 2
            continue
        if ch in "\n\r":
            return j  # not a regular expression after all: stop at the line's end
        if ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == "/" and not in_class:
            j += 1
            while j < n and (script[j].isalnum() or script[j] in "_$"):
                j += 1  # flags
            return j
        j += 1
    return n


def _string(script: str, i: int) -> tuple[str, int]:
    quote, j, n, chars = script[i], i + 1, len(script), []
    while j < n:
        ch = script[j]
        if ch == quote:
            return "".join(chars), j + 1
        if ch == "\\":
            text, j = _escape(script, j)
            chars.append(text)
            continue
        if ch in "\n\r":
            break  # an unterminated string: what was read is the string
        chars.append(ch)
        j += 1
    return "".join(chars), j


def _template(script: str, j: int) -> tuple[str, int, bool]:
    """A template's text from ``j`` to its closing backquote or its next ``${``; True when ``${`` opened."""
    n, chars = len(script), []
    while j < n:
        ch = script[j]
        if ch == "`":
            return "".join(chars), j + 1, False
        if ch == "$" and script.startswith("${", j):
            return "".join(chars), j + 2, True
        if ch == "\\":
            text, j = _escape(script, j)
            chars.append(text)
            continue
        chars.append(ch)
        j += 1
    return "".join(chars), n, False


def _escape(script: str, j: int) -> tuple[str, int]:
    """The character an escape sequence at ``script[j]`` (a backslash) stands for, and where it ends."""
    nxt = script[j + 1:j + 2]
    if nxt == "x" and re.fullmatch(r"[0-9A-Fa-f]{2}", script[j + 2:j + 4]):
        return chr(int(script[j + 2:j + 4], 16)), j + 4
    if nxt == "u":
        m = compile_re(r"\{([0-9A-Fa-f]{1,6})\}|([0-9A-Fa-f]{4})").match(script, j + 2)
        if m:
            code = int(m.group(1) or m.group(2), 16)
            return (chr(code) if code <= 0x10FFFF else ""), m.end()
    if nxt in "\r\n\u2028\u2029":
        return "", j + 2  # a line continuation
    return _SIMPLE_ESCAPES.get(nxt, nxt), j + 2


def _unescape(name: str) -> str:
    """An identifier with ``\\u`` escapes (``f\\u0065tch`` is ``fetch``)."""
    if "\\" not in name:
        return name
    out, j = [], 0
    while j < len(name):
        if name[j] == "\\":
            text, j = _escape(name, j)
            out.append(text)
        else:
            out.append(name[j])
            j += 1
    return "".join(out)
