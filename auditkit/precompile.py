"""Build the store of compiled regular expressions and dataclass methods (`make setup` runs
`python -m auditkit.precompile`).

Recording imports every auditkit module and reads the bundled web and text samples, so
what is compiled at import and what is compiled on first use in the parse path is all in
the store; see auditkit.precompiled for why and how it is read.
"""

from __future__ import annotations

import importlib
import os
import pkgutil

import auditkit
from auditkit import precompiled


def _exercise() -> None:
    for info in pkgutil.walk_packages(auditkit.__path__, "auditkit."):
        try:
            importlib.import_module(info.name)
        except Exception:  # an optional extra (OCR, notebooks) not installed: nothing to record
            continue
    from auditkit.batch import read_report

    samples = os.path.join(os.path.dirname(auditkit.__file__), "data", "samples")
    for root, _dirs, files in os.walk(samples):
        for name in sorted(files):
            if name.endswith((".html", ".htm", ".txt")):
                try:
                    read_report(os.path.join(root, name))
                except Exception:  # a sample that cannot be read records what it compiled so far
                    continue


def build(path: str | None = None) -> precompiled.Store:
    """Record every pattern and dataclass method auditkit compiles, write the store, and
    return what it holds. In a fresh interpreter (``python -m auditkit.precompile [PATH]``):
    what was compiled before recording began is not recorded."""
    precompiled.start_recording()
    try:
        _exercise()
    finally:
        recorded = precompiled.stop_recording()
    precompiled.write_store(recorded, path)
    return recorded


if __name__ == "__main__":
    import sys

    target = sys.argv[1] if len(sys.argv) > 1 else precompiled.STORE_PATH
    store = build(target)
    print(f"已预编译 {len(store.patterns)} 个正则表达式、{len(store.code)} 个 dataclass 方法"
          f" (regular expressions, dataclass methods) -> {target}")
