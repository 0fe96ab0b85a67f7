"""A progress bar by page inside long scans (``auditkit.page_progress``): shown under the documents' bar
where that bar is shown, from this process and from the batch's worker processes; nothing otherwise.

Blank scans keep this quick: each page goes through OCR (and is counted) before the scan is refused
as blank.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from auditkit.batch import read_reports
from auditkit.readers import ocr
from tests import scans


@pytest.fixture(scope="module")
def blank_scans(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    if not ocr.available():
        pytest.fail(f"the ocr extra is not installed ({ocr.INSTALL_HINT}; make setup installs it)")
    base = tmp_path_factory.mktemp("blank_scans")
    return [scans.write_pdf([scans.blank_page(s) for s in (1, 2, 3)], base / "three.pdf", 150),
            scans.write_tiff([scans.blank_page(s) for s in (4, 5)], base / "two.tif", 150)]


@pytest.mark.parametrize("jobs", [1, 2], ids=["this_process", "worker_processes"])
def test_scanned_pages_are_counted_on_a_bar_of_their_own(blank_scans: list[Path], jobs: int,
                                                         capfd: pytest.CaptureFixture[str]) -> None:
    batch = read_reports(blank_scans, jobs=jobs, progress=True)
    assert [f.reason for f in batch.failures] == ["empty", "empty"]
    err = capfd.readouterr().err
    assert "OCR 识别扫描页" in err and "5/5" in err and "读取报告" in err, err
    assert ocr._page_progress is None  # no callback left behind in this process


def test_no_page_bar_where_the_batch_shows_none(blank_scans: list[Path], capfd: pytest.CaptureFixture[str]) -> None:
    batch = read_reports(blank_scans[1:], jobs=1, progress=False)
    assert [f.reason for f in batch.failures] == ["empty"]
    assert capfd.readouterr().err == ""
