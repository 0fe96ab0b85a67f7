"""The store of regular expressions compiled at setup: every pattern read from it is the
pattern `re.compile` makes, a store from another interpreter or a damaged one is ignored,
and the patterns a parse uses are all in it."""

from __future__ import annotations

import json
import marshal
import re
import subprocess
import sys
from pathlib import Path

import pytest

from auditkit import precompile, precompiled
from tests.conftest import SAMPLES


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "patterns.marshal"
    count = precompile.build(str(path))
    assert count > 100  # narrative.figures alone compiles about fifty
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
    entries = precompiled._load_store(str(store))
    assert len(entries) > 100
    for (pattern, flags), entry in entries.items():
        ours = __import__("_sre").compile(pattern, *entry)
        theirs = re.compile(pattern, flags)
        assert ours == theirs, pattern  # Pattern equality compares flags, opcodes and the pattern
        assert (ours.flags, ours.groups, ours.groupindex) == (theirs.flags, theirs.groups, theirs.groupindex)


def test_compile_re_reads_the_store_and_matches_alike(loaded: Path) -> None:
    entries = precompiled._load_store(str(loaded))
    pattern, flags = next(k for k in entries if isinstance(k[0], str) and "(?P<" in k[0])
    compiled = precompiled.compile_re(pattern, flags)
    assert compiled == re.compile(pattern, flags)
    assert precompiled.compile_re(pattern, flags) is compiled  # compiled once per process


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
    _header, entries = marshal.loads(store.read_bytes())
    path = tmp_path / "patterns.marshal"
    path.write_bytes(marshal.dumps((("3.0.0 (another python)", 0), entries)))
    assert precompiled._load_store(str(path)) == {}
    assert _reads_with(path).findall("共12件，办结3件") == ["12", "3"]


@pytest.mark.parametrize("content", [
    marshal.dumps((precompiled._header(), {}))[:7],  # cut short
    b"",  # empty
    b"\x00garbage\xff" * 10,
    marshal.dumps((precompiled._header(), ["not", "a", "dict"])),
])
def test_a_damaged_store_is_ignored(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "patterns.marshal"
    path.write_bytes(content)
    assert precompiled._load_store(str(path)) == {}
    assert _reads_with(path).findall("共12件，办结3件") == ["12", "3"]


_COUNT_COMPILES = """
import json, sys, traceback
import re._compiler as compiler
real = compiler._sre
ours = []
class Watch:
    def __getattr__(self, name): return getattr(real, name)
    def compile(self, pattern, *rest):
        # who asked: the innermost frame outside re and outside the store's own fallback
        caller = next(f for f in reversed(traceback.extract_stack()[:-1])
                      if "/re/" not in f.filename and not f.filename.endswith("precompiled.py"))
        if "/auditkit/" in caller.filename:
            ours.append(f"{caller.filename.rsplit('/auditkit/', 1)[1]}:{caller.lineno} {pattern!r:.60}")
        return real.compile(pattern, *rest)
compiler._sre = Watch()
from auditkit import precompiled
precompiled.STORE_PATH = sys.argv[1]
from auditkit.cli import main
main(["parse", *sys.argv[2:], "--jobs", "1", "--jsonl", sys.argv[1] + ".jsonl"])
print(json.dumps(ours))
"""


def test_a_parse_compiles_none_of_our_patterns_when_the_store_is_built(store: Path) -> None:
    pages = [str(SAMPLES / n) for n in sorted(p.name for p in SAMPLES.iterdir() if p.suffix in (".html", ".txt"))]
    run = subprocess.run([sys.executable, "-c", _COUNT_COMPILES, str(store), *pages],
                         capture_output=True, text=True, check=True, cwd=Path(__file__).parent.parent)
    compiled_at_run_time = json.loads(run.stdout.strip().splitlines()[-1])
    assert compiled_at_run_time == []
    # and without a store every one of them is compiled: the watch does see them
    run = subprocess.run([sys.executable, "-c", _COUNT_COMPILES, str(store) + ".missing", *pages],
                         capture_output=True, text=True, check=True, cwd=Path(__file__).parent.parent)
    assert len(json.loads(run.stdout.strip().splitlines()[-1])) > 50
