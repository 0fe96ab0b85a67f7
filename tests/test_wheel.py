"""An install carries its rules: the wheel, installed into a fresh virtual environment, lists every
bundled rule and audits the samples with them (no checkout beside it to find ``expectations/`` in)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from auditkit.rules.suites import load_specs

ROOT = Path(__file__).resolve().parent.parent


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=900, **kw)
    assert done.returncode == 0, f"{cmd}\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done


@pytest.mark.slow
def test_the_wheel_carries_the_bundled_rules(tmp_path: Path) -> None:
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        pytest.fail("uv is needed to install the wheel's dependencies (make setup installs it into .venv)")
    # Build from a copy holding only what the build reads, so the checkout gets no build/ or egg-info.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "auditkit", src / "auditkit", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    _run([uv, "build", "--wheel", "--out-dir", str(tmp_path / "dist"), str(src)])
    [wheel] = (tmp_path / "dist").glob("auditkit-*.whl")

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    _run([uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), str(wheel)])

    # Run from elsewhere, with nothing pointing at the checkout or at a user's rules.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUDITKIT_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(GX_ANALYTICS_ENABLED="false", XDG_DATA_HOME=str(tmp_path / "xdg"))
    auditkit = str(venv / "bin" / "auditkit")
    listed = _run([auditkit, "rules"], cwd=tmp_path, env=env)
    bundled = {r.rule_id for s in load_specs(ROOT / "expectations") for r in s.rules}
    assert len(bundled) >= 27
    assert {line.split("\t")[0] for line in listed.stdout.splitlines()} == bundled
    assert f"共 {len(bundled)} 条规则" in listed.stderr
    # Each rule's folder is the one inside the install.
    site = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    assert {line.split("\t")[-1] for line in listed.stdout.splitlines()} == {str((site / "auditkit" / "expectations").resolve())}

    # And the audit uses them: the samples give findings of bundled rules.
    _run([auditkit, "audit", "--out", str(tmp_path / "out"), "--store", str(tmp_path / "store.sqlite")],
         cwd=tmp_path, env=env)
    lines = (tmp_path / "out" / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    found = {json.loads(line)["rule_id"] for line in lines if line.strip()}
    assert found and found <= bundled
