"""The labels frame: one row per (report, wording as written, official wording) the reader
flagged as a variant, so that a rule can ask for the official format's wording."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from auditkit.formats import format_spec, norm, sections
from auditkit.frames.frame import Frame
from auditkit.frames.keys import FORMATS, key_indices, pad_rows
from auditkit.record import Report


@lru_cache(maxsize=4096)
def _official_labels(key: str, fmt: str | None) -> tuple[str, ...]:
    table, _, rest = key.partition(".")
    if table == "section":
        return tuple(s.title for s in sections() if s.key == rest)
    row, _, col = rest.partition(".")
    out: list[str] = []
    for f in ([fmt] if fmt in FORMATS else []) + list(FORMATS):
        spec = format_spec(f).tables.get(table)
        if spec is None:
            continue
        for r in spec.rows:
            if r.key == row:
                out += [r.leaf, r.label]
                out += [c.label for c in r.columns if c.key == col]
                out += [c.leaf for c in r.columns if c.key == col]
        if out:
            break
    return tuple(out)


@lru_cache(maxsize=4096)
def _closest(found: str, candidates: tuple[str, ...]) -> str:
    from difflib import SequenceMatcher

    return max(candidates, key=lambda c: SequenceMatcher(None, norm(found), norm(c)).ratio())


def build_labels(reports: Sequence[Report]) -> Frame:
    """One row per (report, wording as written, official wording) the reader flagged."""
    groups: dict[tuple[int, str, str], dict[str, Any]] = {}
    for i, r in enumerate(reports):
        for d in r.diagnostics:
            if d.code != "label_variant" or not d.key or d.found is None:
                continue
            candidates = _official_labels(d.key, r.format)
            if not candidates:
                continue
            found_norm = norm(d.found)
            # A label that still reads as the official one (spacing, punctuation, the
            # group label written in front) is no variant.
            same = any(found_norm == norm(c) or (norm(c) and found_norm.endswith(norm(c))) for c in candidates)
            official = _closest(d.found, candidates)
            g = groups.setdefault((i, d.found, official), {
                "report": i, "found": d.found, "official": official, "found_norm": found_norm,
                "official_norm": found_norm if same else norm(official), "location": d.location or "",
                "keys": []})
            for key in d.keys or [d.key]:
                if key not in g["keys"]:
                    g["keys"].append(key)
    data = list(groups.values())
    df = pd.DataFrame(data, columns=["report", "found", "official", "found_norm", "official_norm", "location"])
    df["evidence"] = [f"「{f}」（{loc or '位置未记录'}）" for f, loc in zip(df["found"], df["location"], strict=True)]
    df.insert(0, "row_id", np.arange(len(df)))
    km = pad_rows([key_indices(g["keys"]) for g in data]) if data else np.zeros((0, 1), dtype=np.int32)
    return Frame("labels", df, ("row_id", "report", "found"), {"found_norm": km, "official_norm": km},
                 place=lambda d, p: f"「{d.col('official')[p]}」")
