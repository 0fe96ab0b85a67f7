"""Shared fixtures: the bundled sample reports, their truth files and one audit of them;
and the markers that name the slow kinds of test (``make test-fast`` leaves them out)."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "auditkit" / "data" / "samples"
TRUTH = Path(__file__).resolve().parent / "data" / "truth"

# --------------------------------------------------------------------------- markers

MARKERS = {
    "browser": "drives Chromium through Playwright",
    "libreoffice": "runs LibreOffice (soffice): a legacy Word or .xls conversion, or a document it makes",
    "notebooks": "executes notebooks in a Jupyter kernel",
    "slow": "takes long for another reason (e.g. building and installing a wheel)",
}
BROWSER_FILES = ("test_browser_",)  # file name prefixes
NOTEBOOK_FILES = ("test_notebooks.py", "test_export_notebook.py")
# Tests, or fixtures, that launch Chromium or run LibreOffice where their file name does not say so:
# per test file, the test functions and fixtures by name.
USES_CHROMIUM = {
    "test_export_notebook.py": {"test_widgets_are_drawn_offline_in_chromium"},
}
USES_LIBREOFFICE = {
    "test_office_records.py": {"test_legacy_spreadsheet_reads_to_truth"},
    "test_reader_office.py": {"doc_layout", "xls_bytes", "test_word_file_sniffed_as_workbook_is_read_as_word",
                              "test_batch_converts_its_doc_files_in_one_libreoffice_run",
                              "test_a_hung_batch_conversion_is_killed_and_each_file_converts_alone"},
    "test_roundtrip.py": {"converted"},  # the PDF and Word copies LibreOffice makes
    "test_samples.py": {"test_no_label_variant_where_truth_lists_none", "test_twins_agree"},
}
# Files whose tests take the sample documents they read as parameters: a legacy Word one goes
# through LibreOffice. (test_roundtrip's parameters name truth files, drawn as web pages.)
SAMPLE_PARAM_FILES = {"test_samples.py", "test_office_records.py"}
LEGACY_WORD = (".doc", ".wps", ".rtf")
# Tests costing over 10 s of CPU on this 2-core machine, for reasons their file does not name.
SLOW = {
    "test_matching.py": {"test_pruned_search_finds_exactly_the_readings_that_add_up"},
    "test_roundtrip.py": {"test_crawler_copies_of_random_reports_never_read_a_wrong_number"},  # 80 random reports
    "test_rules.py": {"test_validation_imports_gx_lazily_and_quietly"},  # a fresh interpreter imports GX (~10 s)
    "test_ocr.py": {"scanned"},  # whole scans OCR'd: 20-60 s of CPU each
}


def pytest_configure(config: pytest.Config) -> None:
    for name, meaning in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {meaning}")


def _uses(table: dict[str, set[str]], item: pytest.Item) -> bool:
    names = table.get(item.path.name, set())
    return getattr(item, "originalname", item.name) in names or bool(names & set(getattr(item, "fixturenames", ())))


def _reads_legacy_word(item: pytest.Item) -> bool:
    if item.path.name not in SAMPLE_PARAM_FILES:
        return False
    params = getattr(getattr(item, "callspec", None), "params", {})
    return any(str(value).lower().endswith(LEGACY_WORD) for value in params.values() if isinstance(value, str | Path))


@pytest.hookimpl(tryfirst=True)  # before -m selects by them
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        name = item.path.name
        if name.startswith(BROWSER_FILES) or _uses(USES_CHROMIUM, item):
            item.add_marker(pytest.mark.browser)
        if name in NOTEBOOK_FILES:
            item.add_marker(pytest.mark.notebooks)
        if _uses(USES_LIBREOFFICE, item) or _reads_legacy_word(item):
            item.add_marker(pytest.mark.libreoffice)
        if _uses(SLOW, item):
            item.add_marker(pytest.mark.slow)


# --------------------------------------------------------------------------- samples


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
        # A command run without a results folder writes here, never into the checkout's out/audit.
        mp.setenv("AUDITKIT_OUT", str(tmp_path_factory.mktemp("default-out") / "audit"))
        mp.delenv("AUDITKIT_RULES", raising=False)
        yield


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@dataclass(frozen=True)
class AuditRun:
    """One ``auditkit audit`` run: its output folder, exit status and what it wrote to stderr."""

    out: Path
    status: int
    stderr: str


@pytest.fixture(scope="session")
def sample_audit_run(tmp_path_factory: pytest.TempPathFactory) -> AuditRun:
    """The README's main job, ``auditkit audit --out DIR`` on the bundled samples, in-process and once
    per session: the CLI tests check its status and messages, the render tests its output folder."""
    from auditkit.cli import main

    base = tmp_path_factory.mktemp("sample-audit")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status = main(["audit", "--out", str(base / "out"), "--store", str(base / "store.sqlite"), "--fail-on", "critical"])
    return AuditRun(base / "out", status, err.getvalue())


@pytest.fixture(scope="session")
def sample_audit_dir(sample_audit_run: AuditRun) -> Path:
    """The sample audit's output folder, shared by the render tests: copy before changing."""
    return sample_audit_run.out


@pytest.fixture()
def audit_dir(sample_audit_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the sample audit, for a test that writes decisions or files into it."""
    return Path(shutil.copytree(sample_audit_dir, tmp_path / "audit"))


def read_findings_csv(audit: Path) -> pd.DataFrame:
    return pd.read_csv(audit / "findings.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)


def read_problems_csv(audit: Path) -> pd.DataFrame:
    """The findings of the review queue (the agency's problems), without the readings to check by hand."""
    csv = read_findings_csv(audit)
    return csv[csv["queue"] != "reading"].reset_index(drop=True)
