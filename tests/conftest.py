"""Shared fixtures: the bundled sample reports and their truth files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "auditkit" / "data" / "samples"
TRUTH = Path(__file__).resolve().parent / "data" / "truth"


def truth_of(name: str) -> dict:
    return json.loads((TRUTH / f"{name}.json").read_text(encoding="utf-8"))


def sample_names(*suffixes: str) -> list[str]:
    return sorted(p.name for p in SAMPLES.iterdir() if p.suffix in suffixes)


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES
