"""Regular expressions compiled once at setup, not at every start-up.

`auditkit parse` on a batch of web pages spends a fifth of its start-up in `re`'s compiler
(about a hundred patterns, most of them in narrative.figures). `re.compile` turns a pattern
into a list of opcodes in Python and hands it to `_sre.compile`; that list depends only on
the pattern, its flags and the interpreter, so `make setup` records it once
(`python -m auditkit.precompile`) in `auditkit/__pycache__`, beside the bytecode, and
`compile_re` hands the stored opcodes straight to `_sre.compile`.

The store is trusted exactly as far as the bytecode beside it: it is read only when it was
written by this very interpreter (`sys.version` and `_sre.MAGIC`), and any pattern it does
not hold, or any doubt at all, falls back to `re.compile`. Nothing is written at run time.
"""

from __future__ import annotations

import _sre
import marshal
import os
import re
import sys

# (pattern, flags as given) -> (final flags, opcodes, groups, groupindex, indexgroup)
_Entry = tuple[int, list[int], int, dict[str, int], tuple]

STORE_PATH = os.path.join(
    os.path.dirname(__file__), "__pycache__", f"patterns.{sys.implementation.cache_tag}.marshal")

_stored: dict[tuple[str | bytes, int], _Entry] | None = None
_compiled: dict[tuple[str | bytes, int], re.Pattern] = {}
_recording: dict[tuple[str | bytes, int], _Entry] | None = None


def _header() -> tuple[str, int]:
    return (sys.version, _sre.MAGIC)


def _load_store(path: str | None = None) -> dict[tuple[str | bytes, int], _Entry]:
    """The stored opcodes, or {} when there is no store or it was written by another Python."""
    try:
        path = path or STORE_PATH
        with open(path, "rb") as f:
            header, entries = marshal.loads(f.read())  # (marshal.load reads a file object piece by piece)
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return entries if header == _header() and isinstance(entries, dict) else {}


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
    if _recording is not None:
        compiled = _record(key)
    else:
        global _stored
        if _stored is None:
            _stored = _load_store()
        compiled = None
        if (entry := _stored.get(key)) is not None:
            try:
                compiled = _sre.compile(pattern, *entry)
            except Exception:  # a store that does not fit this interpreter: compile afresh
                compiled = None
        if compiled is None:
            compiled = re.compile(pattern, flags)
    _compiled[key] = compiled
    return compiled


class _Recorder:
    """Stands in for `_sre` inside `re._compiler` to catch the arguments of `_sre.compile`."""

    def __init__(self) -> None:
        self.last: tuple | None = None

    def __getattr__(self, name: str):
        return getattr(_sre, name)

    def compile(self, *args):
        self.last = args
        return _sre.compile(*args)


def _record(key: tuple[str | bytes, int]) -> re.Pattern:
    from re import _compiler  # type: ignore[attr-defined]

    recorder = _Recorder()
    _compiler._sre, real = recorder, _compiler._sre
    try:
        compiled = _compiler.compile(key[0], key[1])
    finally:
        _compiler._sre = real
    _pattern, flags, code, groups, groupindex, indexgroup = recorder.last
    assert _recording is not None
    _recording[key] = (int(flags), [int(c) for c in code], int(groups), dict(groupindex), tuple(indexgroup))
    return compiled


def start_recording() -> None:
    """From now on `compile_re` compiles afresh and records every pattern's opcodes."""
    global _recording
    _recording = {}
    _compiled.clear()


def stop_recording() -> dict[tuple[str | bytes, int], _Entry]:
    """Stop recording; returns what was recorded."""
    global _recording
    entries, _recording = _recording or {}, None
    _compiled.clear()
    return entries


def write_store(entries: dict[tuple[str | bytes, int], _Entry], path: str | None = None) -> None:
    """Write the store atomically: a reader sees the old one or the new one, never half."""
    path = path or STORE_PATH
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        marshal.dump((_header(), entries), f)
    os.replace(tmp, path)
