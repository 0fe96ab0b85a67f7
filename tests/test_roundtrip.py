"""Every truth file drawn in the official layout of its format reads back to its truth.

The bundled samples show one web page, two PDFs and one Word file, all 2021-format;
these pages give each truth (2019 and 2021 formats) as a UTF-8 page, a GBK page, and
— through LibreOffice, as agencies make them — a PDF and a Word file. A null truth
value is a blank cell, which must read as null with a blank_cell diagnostic (a row
left empty is still there: never missing_row).
"""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from auditkit.batch import read_report
from tests.conftest import TRUTH, truth_of
from tests.official_pages import crawler_copy, official_page, random_truth

NAMES = sorted(p.name.removesuffix(".json") for p in TRUTH.glob("*.json"))
CONVERTED = ("008_pingtan-shiyanqu_2019.txt", "019_pingtan-shichangjianguanju_2021.txt")  # one per format


def assert_reads_back(path: Path, truth: dict) -> None:
    report = read_report(path)
    wrong = {k: (v, report.cells.get(k)) for k, v in truth["cells"].items() if report.cells.get(k) != v}
    assert not wrong, f"{path.name}: {len(wrong)} cells differ (truth, read): {dict(list(wrong.items())[:5])}"
    assert (report.format, report.agency, report.year) == (truth["format"], truth["agency"], truth["year"])
    assert not [d for d in report.diagnostics if d.code in ("missing_row", "missing_table", "label_variant")]
    blank = {k for d in report.diagnostics if d.code == "blank_cell" for k in (d.keys or [d.key])}
    assert blank == {k for k, v in truth["cells"].items() if v is None}
    assert_own_cells(path, report)


def assert_own_cells(path: Path, report) -> None:
    """The reader's self-check: every value read from a table is what its own cell says."""
    from auditkit.match.selfcheck import cells_by_location, split_own_cells
    from auditkit.readers import read_layout

    assert not [d for d in report.diagnostics if d.code == "self_check"]
    by_location = cells_by_location(read_layout(path).tables)
    assert not split_own_cells(report.cells, report.provenance, by_location, set())


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("charset", ["utf-8", "gbk"])
def test_official_page_reads_back_to_its_truth(name: str, charset: str, tmp_path: Path) -> None:
    truth = truth_of(name)
    page = official_page(truth, charset)
    path = tmp_path / f"{Path(name).stem}.html"
    path.write_bytes(page.encode("gb18030" if charset == "gbk" else "utf-8"))
    assert_reads_back(path, truth)


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CONVERTED pages as PDF and .docx, made by LibreOffice (one run per target)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is missing: install libreoffice-writer-nogui (scripts/system-deps.sh)"
    folder = tmp_path_factory.mktemp("roundtrip")
    pages = []
    for name in CONVERTED:
        page = folder / f"{Path(name).stem}.html"
        page.write_text(official_page(truth_of(name)), encoding="utf-8")
        pages.append(str(page))
    profile = (folder / "profile").as_uri()
    for target in ("pdf:writer_web_pdf_Export", "docx:MS Word 2007 XML"):
        subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", target,
                        "--outdir", str(folder), *pages], check=True, capture_output=True, timeout=300)
    return folder


@pytest.mark.parametrize("name", CONVERTED)
@pytest.mark.parametrize("suffix", [".pdf", ".docx"])
def test_pdf_and_word_copies_read_back_to_their_truth(name: str, suffix: str, converted: Path) -> None:
    assert_reads_back(converted / f"{Path(name).stem}{suffix}", truth_of(name))


@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_crawler_copies_of_random_reports_never_read_a_wrong_number(fmt: str, tmp_path: Path) -> None:
    """40 random reports of a format whose table cells ran together (as crawler copies have them):
    each value is the true one, or null with a diagnostic that says why — never another number."""
    rng = random.Random(20261128 + int(fmt))
    year = 2020 if fmt == "2019" else 2023
    read = cells = 0
    for i in range(40):
        truth = random_truth(fmt, rng, year)
        path = tmp_path / f"r{i}.txt"
        path.write_text(crawler_copy(official_page(truth)), encoding="utf-8")
        report = read_report(path)
        assert (report.format, report.year, report.agency) == (fmt, year, truth["agency"])
        explained = {k for d in report.diagnostics for k in (d.keys or [d.key])}
        for key, value in truth["cells"].items():
            got = report.cells.get(key)
            assert got is None or got == value, f"report {i}: {key} read as {got}, truly {value}"
            assert got is not None or key in explained, f"report {i}: {key} is null with no diagnostic"
            read += got is not None
            cells += 1
    assert read >= 0.8 * cells  # most run-together rows have exactly one split that adds up


@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_tab_separated_copies_of_random_reports_read_whole(fmt: str, tmp_path: Path) -> None:
    rng = random.Random(1128 + int(fmt))
    for i in range(10):
        truth = random_truth(fmt, rng, 2020 if fmt == "2019" else 2023)
        path = tmp_path / f"r{i}.txt"
        path.write_text(crawler_copy(official_page(truth), separator="\t"), encoding="utf-8")
        report = read_report(path)
        wrong = {k: (v, report.cells.get(k)) for k, v in truth["cells"].items() if report.cells.get(k) != v}
        assert not wrong, f"report {i}: {dict(list(wrong.items())[:5])}"
