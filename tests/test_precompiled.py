"""The store of regular expressions and dataclass methods compiled at setup: everything read
from it is what compiling afresh makes, a store from another interpreter or a damaged one
is ignored, and what a parse compiles is all in it."""

from __future__ import annotations

import json
import marshal
import re
import subprocess
import sys
from pathlib import Path

import pytest

from auditkit import precompiled
from tests.conftest import SAMPLES


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # built as make setup builds it: in a fresh interpreter (this one has compiled most already)
    path = tmp_path_factory.mktemp("store") / "patterns.marshal"
    subprocess.run([sys.executable, "-m", "auditkit.precompile", str(path)], check=True, capture_output=True,
                   cwd=Path(__file__).parent.parent)
    built = precompiled._load_store(str(path))
    assert len(built.patterns) > 100  # narrative.figures alone compiles about fifty
    assert len(built.code) > 100  # some forty dataclasses, three or more methods each
    return path


@pytest.fixture
def loaded(store: Path):
    saved = precompiled.STORE_PATH
    precompiled.STORE_PATH = str(store)
    precompiled.forget()
    yield store
    precompiled.STORE_PATH = saved
    precompiled.forget()


def test_every_stored_pattern_is_what_re_compile_makes(store: Path) -> None:
    entries = precompiled._load_store(str(store)).patterns
    assert len(entries) > 100
    for (pattern, flags), entry in entries.items():
        ours = __import__("_sre").compile(pattern, *marshal.loads(entry))
        theirs = re.compile(pattern, flags)
        assert ours == theirs, pattern  # Pattern equality compares flags, opcodes and the pattern
        assert (ours.flags, ours.groups, ours.groupindex) == (theirs.flags, theirs.groups, theirs.groupindex)


def test_compile_re_reads_the_store_and_matches_alike(loaded: Path) -> None:
    entries = precompiled._load_store(str(loaded)).patterns
    pattern, flags = next(k for k in entries if isinstance(k[0], str) and "(?P<" in k[0])
    compiled = precompiled.compile_re(pattern, flags)
    assert compiled == re.compile(pattern, flags)
    assert precompiled.compile_re(pattern, flags) is compiled  # compiled once per process


def test_every_stored_method_is_what_compiling_its_text_makes(store: Path) -> None:
    code = precompiled._load_store(str(store)).code
    assert any("def __init__(" in text for text in code)
    for text, stored in code.items():
        # as dataclasses' own exec compiles it: without this file's __future__ flags
        assert marshal.loads(stored) == compile(text, "<string>", "exec", dont_inherit=True), text


def test_a_dataclass_made_from_the_store_behaves_as_one_made_afresh(loaded: Path) -> None:
    from auditkit import record
    from auditkit.precompiled import dataclass

    @dataclass(frozen=True)
    class Seen:  # not in the store: compiled afresh beside those that are
        cell: str
        value: int | None = None

    diag = record.Diagnostic(code="no_valid_split", message="数字个数多于格数", location="table 1")
    assert diag == record.Diagnostic(code="no_valid_split", message="数字个数多于格数", location="table 1")
    assert "数字个数多于格数" in repr(diag)
    assert Seen("a.b.c", 3) == Seen("a.b.c", 3) != Seen("a.b.c", None)
    with pytest.raises(AttributeError):
        Seen("x").value = 1  # type: ignore[misc]


def test_a_pattern_not_in_the_store_is_compiled_afresh(loaded: Path) -> None:
    compiled = precompiled.compile_re(r"(?P<year>20\d{2})年度 not stored", re.IGNORECASE)
    assert compiled.search("2023年度 NOT STORED")["year"] == "2023"


def _reads_with(path: Path) -> re.Pattern:
    saved = precompiled.STORE_PATH
    precompiled.STORE_PATH = str(path)
    precompiled.forget()
    try:
        return precompiled.compile_re(r"(\d+)件")
    finally:
        precompiled.STORE_PATH = saved
        precompiled.forget()


def test_a_store_written_by_another_interpreter_is_ignored(tmp_path: Path, store: Path) -> None:
    _header, patterns, code = marshal.loads(store.read_bytes())
    path = tmp_path / "patterns.marshal"
    path.write_bytes(marshal.dumps((("3.0.0 (another python)", 0), patterns, code)))
    loaded = precompiled._load_store(str(path))
    assert (loaded.patterns, loaded.code) == ({}, {})
    assert _reads_with(path).findall("共12件，办结3件") == ["12", "3"]


@pytest.mark.parametrize("content", [
    marshal.dumps((precompiled._header(), {}, {}))[:7],  # cut short
    b"",  # empty
    b"\x00garbage\xff" * 10,
    marshal.dumps((precompiled._header(), ["not", "a", "dict"], {})),
    marshal.dumps((precompiled._header(), {})),  # a store of another layout
])
def test_a_damaged_store_is_ignored(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "patterns.marshal"
    path.write_bytes(content)
    loaded = precompiled._load_store(str(path))
    assert (loaded.patterns, loaded.code) == ({}, {})
    assert _reads_with(path).findall("共12件，办结3件") == ["12", "3"]


_COUNT_COMPILES = """
import builtins, json, sys, traceback
import re._compiler as compiler
real_sre, real_exec = compiler._sre, builtins.exec
patterns, methods = [], []
class Watch:
    def __getattr__(self, name): return getattr(real_sre, name)
    def compile(self, pattern, *rest):
        # who asked: the innermost frame outside re and outside the store's own fallback
        caller = next(f for f in reversed(traceback.extract_stack()[:-1])
                      if "/re/" not in f.filename and not f.filename.endswith("precompiled.py"))
        if "/auditkit/" in caller.filename:
            patterns.append(f"{caller.filename.rsplit('/auditkit/', 1)[1]}:{caller.lineno} {pattern!r:.60}")
        return real_sre.compile(pattern, *rest)
def watch_exec(source, globals=None, locals=None, /):
    # dataclasses' exec hands over source text to compile, or the stored code object
    if isinstance(source, str) and str((globals or {}).get("__name__")).startswith("auditkit."):
        methods.append(f"{globals['__name__']}: {source.splitlines()[1].strip()[:60]}")
    return real_exec(source, globals, locals)
compiler._sre = Watch()
builtins.exec = watch_exec
from auditkit import precompiled
precompiled.STORE_PATH = sys.argv[1]
from auditkit.cli import main
main(["parse", *sys.argv[2:], "--jobs", "1", "--jsonl", sys.argv[1] + ".jsonl"])
print(json.dumps([patterns, methods]))
"""


def _compiled_by_a_parse(store: Path) -> tuple[list[str], list[str]]:
    pages = [str(SAMPLES / n) for n in sorted(p.name for p in SAMPLES.iterdir() if p.suffix in (".html", ".txt"))]
    run = subprocess.run([sys.executable, "-c", _COUNT_COMPILES, str(store), *pages],
                         capture_output=True, text=True, check=True, cwd=Path(__file__).parent.parent)
    patterns, methods = json.loads(run.stdout.strip().splitlines()[-1])
    return patterns, methods


def test_a_parse_compiles_nothing_of_ours_when_the_store_is_built(store: Path) -> None:
    assert _compiled_by_a_parse(store) == ([], [])
    # and without a store all of it is compiled: the watch does see them
    patterns, methods = _compiled_by_a_parse(store.with_suffix(".missing"))
    assert len(patterns) > 50 and len(methods) > 50
    assert any("auditkit.record" in m and "def __init__(" in m for m in methods)
