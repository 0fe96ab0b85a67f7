"""The public API: ``auditkit.__all__`` names what a notebook needs, and ``import auditkit`` stays light."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import auditkit

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def test_every_public_name_resolves() -> None:
    assert sorted(auditkit.__all__) == sorted(auditkit._LAZY)
    for name in auditkit.__all__:
        assert getattr(auditkit, name) is not None, name
    assert set(auditkit.__all__) <= set(dir(auditkit))
    assert auditkit.rule_catalogue is auditkit.rules.suites.catalogue
    assert auditkit.SAMPLES_DIR.is_dir()


def test_import_auditkit_loads_no_heavy_library() -> None:
    code = ("import sys, auditkit; print(sorted(m for m in ('pandas', 'numpy', 'great_expectations', 'ipywidgets', "
            "'matplotlib', 'lxml', 'pypdfium2', 'openpyxl') if m in sys.modules)); "
            "print(sorted(m for m in sys.modules if m.startswith('auditkit')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    heavy, ours = done.stdout.splitlines()
    assert heavy == "[]"
    assert ours == "['auditkit']"


def test_the_audit_review_and_comparison_notebooks_use_only_the_public_api() -> None:
    for name in ("01_audit_a_batch", "02_review_findings", "04_compare_agencies_and_years"):
        cells = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        imports = [line.strip() for line in code.splitlines() if line.strip().startswith(("import ", "from "))]
        assert [line for line in imports if "auditkit" in line] == ["import auditkit"], name
        used = set(re.findall(r"\bauditkit\.(\w+)", code))
        assert used and used <= set(auditkit.__all__), (name, used - set(auditkit.__all__))
