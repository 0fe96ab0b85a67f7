"""Regular expressions and dataclass methods compiled once at setup, not at every start-up.

`auditkit parse` on a batch of web pages spent a fifth of its start-up in `re`'s compiler
(about a hundred patterns, half of them in narrative.figures) and a sixth compiling the
methods `@dataclass` writes as source text (`__init__`, `__eq__`, `__repr__` of some forty
classes). Both results depend only on their text and the interpreter, so `make setup`
records them once (`python -m auditkit.precompile`) in `auditkit/__pycache__`, beside the
bytecode, and this module reads them back:

- `compile_re(pattern, flags)` hands a pattern's stored opcodes straight to `_sre.compile`,
  the last step of `re.compile`;
- `dataclass` is the standard decorator, imported from here so that `dataclasses` finds the
  stored code object for each method it writes (its `exec` looks the text up in the store
  before compiling it).

The store is trusted exactly as far as the bytecode beside it: it is read only when this
very interpreter wrote it (`sys.version` and `_sre.MAGIC`), and any text it does not hold,
or any doubt at all, is compiled as before. Nothing is written at run time.
"""

from __future__ import annotations

import _sre
import builtins
import dataclasses
import marshal
import os
import re
import sys
from dataclasses import dataclass  # re-exported: classes made with it use the stored methods
from types import CodeType

__all__ = ["compile_re", "dataclass"]

# (pattern, flags as given) -> marshalled (final flags, opcodes, groups, groupindex, indexgroup)
PatternKey = tuple[str | bytes, int]


class Store:
    """What is compiled ahead: patterns' opcodes, and code objects by their source text, each
    marshalled on its own (a process unmarshals only the ones it uses: half of them)."""

    __slots__ = ("code", "patterns")

    def __init__(self, patterns: dict[PatternKey, bytes] | None = None,
                 code: dict[str, bytes] | None = None) -> None:
        self.patterns = patterns if patterns is not None else {}
        self.code = code if code is not None else {}


STORE_PATH = os.path.join(
    os.path.dirname(__file__), "__pycache__", f"compiled-ahead.{sys.implementation.cache_tag}.marshal")

_stored: Store | None = None
_compiled: dict[PatternKey, re.Pattern] = {}
_recording: Store | None = None


def _header() -> tuple[str, int]:
    return (sys.version, _sre.MAGIC)


def _load_store(path: str | None = None) -> Store:
    """What the store holds; empty when there is none, it is damaged, or another Python wrote it."""
    try:
        with open(path or STORE_PATH, "rb") as f:
            header, patterns, code = marshal.loads(f.read())  # (marshal.load reads a file piece by piece)
    except (OSError, EOFError, ValueError, TypeError):
        return Store()
    if header != _header() or not isinstance(patterns, dict) or not isinstance(code, dict):
        return Store()
    return Store(patterns, code)


def _store() -> Store:
    global _stored
    if _stored is None:
        _stored = _load_store()
    return _stored


def forget() -> None:
    """Drop the loaded store and what was compiled from it (the next call reads the store again)."""
    global _stored
    _stored = None
    _compiled.clear()


def compile_re(pattern: str | bytes, flags: int | re.RegexFlag = 0) -> re.Pattern:
    """`re.compile(pattern, flags)`, from the setup-time store when it holds the pattern."""
    key = (pattern, int(flags))
    if (done := _compiled.get(key)) is not None:
        return done
    compiled = None
    if _recording is not None:
        compiled = _record_pattern(key)
    elif (entry := _store().patterns.get(key)) is not None:
        try:
            compiled = _sre.compile(pattern, *marshal.loads(entry))
        except Exception:  # a store that does not fit this interpreter: compile afresh
            compiled = None
    if compiled is None:
        compiled = re.compile(pattern, flags)
    _compiled[key] = compiled
    return compiled


def compile_source(source: str) -> CodeType:
    """What `exec(source)` compiles when called from `dataclasses` (no `__future__` flags)."""
    return compile(source, "<string>", "exec", dont_inherit=True)


def _exec_stored(source, globals=None, locals=None, /):
    """`exec` as `dataclasses` calls it, on the stored code object for its text when there is one."""
    if isinstance(source, str):
        if _recording is not None:
            code = compile_source(source)
            if str((globals or {}).get("__name__", "")).startswith("auditkit."):  # ours only: a small store
                _recording.code[source] = marshal.dumps(code)
            source = code
        elif (stored := _store().code.get(source)) is not None:
            try:
                source = marshal.loads(stored)
            except (EOFError, ValueError, TypeError):  # a damaged entry: compiled from its text
                pass
    return builtins.exec(source, globals, locals)


# `dataclasses` calls `exec` by its global name: this module's version stands in for it there.
dataclasses.exec = _exec_stored  # type: ignore[attr-defined]


class _Recorder:
    """Stands in for `_sre` inside `re._compiler` to catch the arguments of `_sre.compile`."""

    def __init__(self) -> None:
        self.last: tuple | None = None

    def __getattr__(self, name: str):
        return getattr(_sre, name)

    def compile(self, *args):
        self.last = args
        return _sre.compile(*args)


def _record_pattern(key: PatternKey) -> re.Pattern:
    from re import _compiler  # type: ignore[attr-defined]

    recorder = _Recorder()
    _compiler._sre, real = recorder, _compiler._sre
    try:
        compiled = _compiler.compile(key[0], key[1])
    finally:
        _compiler._sre = real
    _pattern, flags, code, groups, groupindex, indexgroup = recorder.last
    assert _recording is not None
    _recording.patterns[key] = marshal.dumps((int(flags), [int(c) for c in code], int(groups), dict(groupindex),
                                              tuple(indexgroup)))
    return compiled


def start_recording() -> None:
    """From now on patterns and dataclass methods are compiled afresh and recorded."""
    global _recording
    _recording = Store()
    _compiled.clear()


def stop_recording() -> Store:
    """Stop recording; returns what was recorded."""
    global _recording
    recorded, _recording = _recording or Store(), None
    _compiled.clear()
    return recorded


def write_store(store: Store, path: str | None = None) -> None:
    """Write the store atomically: a reader sees the old one or the new one, never half."""
    path = path or STORE_PATH
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        marshal.dump((_header(), store.patterns, store.code), f)
    os.replace(tmp, path)
