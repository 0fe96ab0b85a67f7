"""Shared fixtures: the bundled sample reports and their truth files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "auditkit" / "data" / "samples"
TRUTH = Path(__file__).resolve().parent / "data" / "truth"


def truth_of(name: str) -> dict:
    return json.loads((TRUTH / f"{name}.json").read_text(encoding="utf-8"))


def sample_names(*suffixes: str) -> list[str]:
    return sorted(p.name for p in SAMPLES.iterdir() if p.suffix in suffixes)


@pytest.fixture(scope="session", autouse=True)
def _no_user_rules(tmp_path_factory: pytest.TempPathFactory):
    """The developer's own rules (the default user rule folder, $AUDITKIT_RULES) must not change what the
    tests find: the per-user data directory points into the session's temporary folder, for subprocesses too."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("user-data")))
        mp.delenv("AUDITKIT_RULES", raising=False)
        yield


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def sample_audit_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """run_audit on the bundled samples, once per session, shared by the render tests: copy before changing."""
    from auditkit.audit import run_audit

    base = tmp_path_factory.mktemp("render-sample-audit")
    run_audit([SAMPLES], base / "out", store=base / "store.sqlite")
    return base / "out"


@pytest.fixture()
def audit_dir(sample_audit_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the sample audit, for a test that writes decisions or files into it."""
    return Path(shutil.copytree(sample_audit_dir, tmp_path / "audit"))


def read_findings_csv(audit: Path) -> pd.DataFrame:
    return pd.read_csv(audit / "findings.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
