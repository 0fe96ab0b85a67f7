"""Hostile and careless input is contained (issue 11 items 2 and 8).

Only regular files are read: a FIFO, a device or a socket gets a one-line reason and
the batch goes on (a FIFO used to block the batch before any file was read). A folder
scan does not follow a symbolic link out of the folder. A file larger than any report,
a sheet with more rows or a PDF with more pages is refused before it is read, with the
limit named; the limits are set by ``AUDITKIT_MAX_*``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from auditkit import read_reports
from auditkit.errors import ReadError, ReadReason, UsageError
from auditkit.readers import Limits, read_bytes
from auditkit.readers.limits import sheet_rows
from tests.conftest import SAMPLES

GOOD = "000_seed-chengxiang_2023.txt"
XLSX_ROWS = 5000


def parse(*args: str | Path, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """``auditkit parse`` in a process of its own: a hang fails the test instead of the whole suite."""
    return subprocess.run([sys.executable, "-m", "auditkit.cli", "parse", *map(str, args), "--jobs", "1"],
                          capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})


def records(proc: subprocess.CompletedProcess) -> dict[str, dict]:
    return {Path(r["source"]).name: r for r in map(json.loads, proc.stdout.splitlines())}


# -- only regular files ------------------------------------------------------


def test_a_fifo_does_not_hang_the_batch(tmp_path: Path) -> None:
    fifo = tmp_path / "report.txt"  # a report's name: a folder scan picks it up too
    os.mkfifo(fifo)
    shutil.copy(SAMPLES / GOOD, tmp_path / GOOD)
    proc = parse(fifo, tmp_path, timeout=60)
    assert proc.returncode == 1, proc.stderr
    got = records(proc)
    assert got[GOOD]["agency"]  # the batch went on
    assert got["report.txt"]["error"] == "unreadable"
    lines = [x for x in proc.stderr.splitlines() if "report.txt" in x]
    assert len(lines) == 2 and all("FIFO" in x for x in lines)  # given, and found in the folder: one line each


def test_devices_sockets_and_folders_are_not_read(tmp_path: Path) -> None:
    sock_path = tmp_path / "s.txt"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    try:
        for path, said in ((Path("/dev/zero"), "character device"), (sock_path, ""), (tmp_path, "folder")):
            with pytest.raises(ReadError) as err:
                read_bytes(path)
            assert err.value.reason == ReadReason.UNREADABLE and said in err.value.message
            assert "\n" not in err.value.message
    finally:
        sock.close()


# -- folder scans and symbolic links ------------------------------------------


def test_a_link_out_of_the_folder_is_listed_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.txt"
    shutil.copy(SAMPLES / GOOD, secret)  # a report, so that reading it would be seen
    folder = tmp_path / "reports"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(SAMPLES / GOOD, folder / "sub" / GOOD)
    (folder / "shadow.txt").symlink_to("/etc/shadow")
    (folder / "secret.txt").symlink_to(secret)
    (folder / "elsewhere").symlink_to(outside, target_is_directory=True)
    (folder / "again.txt").symlink_to(Path("sub") / GOOD)  # inside the folder: read once, as the file itself
    batch = read_reports(folder, jobs=1, progress=False)
    assert [Path(r.source).name for r in batch.reports] == [GOOD]
    failed = {Path(f.source).name: f for f in batch.failures}
    assert set(failed) == {"shadow.txt", "secret.txt", "elsewhere"}
    for f in failed.values():
        assert f.reason == ReadReason.OUTSIDE_FOLDER and "out of the folder given" in f.message


def test_a_link_given_by_name_is_read(tmp_path: Path) -> None:
    link = tmp_path / "link.txt"
    link.symlink_to(SAMPLES / GOOD)
    batch = read_reports([link], progress=False)
    assert len(batch.reports) == 1 and not batch.failures


# -- limits ---------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.write((SAMPLES / GOOD).read_bytes())
        fh.truncate(21 * 1024 * 1024)  # 21 MB, sparse: a report followed by zeros
    with pytest.raises(ReadError) as err:
        read_bytes(big)
    assert err.value.reason == ReadReason.TOO_LARGE and "20 MB" in err.value.message
    assert "AUDITKIT_MAX_TEXT_MB" in err.value.message


def test_limits_are_set_by_environment_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = tmp_path / "long.txt"
    text.write_bytes((SAMPLES / GOOD).read_bytes() * 200)  # ~1.1 MB
    assert read_bytes(text)
    monkeypatch.setenv("AUDITKIT_MAX_TEXT_MB", "0.5")
    with pytest.raises(ReadError, match=r"0\.5 MB"):
        read_bytes(text)
    # Worker processes see it too.
    proc = parse(text, env={"AUDITKIT_MAX_TEXT_MB": "0.5"})
    assert proc.returncode == 1 and records(proc)["long.txt"]["error"] == "too_large"
    monkeypatch.setenv("AUDITKIT_MAX_TEXT_MB", "lots")
    with pytest.raises(UsageError, match="AUDITKIT_MAX_TEXT_MB"):
        Limits.from_env()
    proc = parse(text, env={"AUDITKIT_MAX_TEXT_MB": "-1"})
    assert proc.returncode == 2 and "AUDITKIT_MAX_TEXT_MB" in proc.stderr and "Traceback" not in proc.stderr


def _workbook(path: Path, rows: int) -> Path:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("年报")
    ws.append(["政府信息公开工作年度报告"])
    for i in range(rows - 1):
        ws.append([f"第{i}行", i])
    wb.save(path)
    return path


def test_rows_are_counted_without_loading_the_sheet(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "a.xlsx", 1234)
    assert sheet_rows(path.read_bytes()) == {"sheet1.xml": 1234}


def test_a_sheet_with_more_rows_than_any_report_is_refused(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "huge.xlsx", XLSX_ROWS + 1)
    batch = read_reports([path], progress=False)
    (failure,) = batch.failures
    assert failure.reason == ReadReason.TOO_LARGE and f"{XLSX_ROWS} rows" in failure.message


def test_a_zip_that_unpacks_too_large_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document>" + " " * (3 * 1024 * 1024) + "</w:document>")
    monkeypatch.setenv("AUDITKIT_MAX_UNPACKED_MB", "2")
    assert path.stat().st_size < 100_000
    with pytest.raises(ReadError) as err:
        from auditkit.readers import read_layout

        read_layout(path)
    assert err.value.reason == ReadReason.TOO_LARGE and "AUDITKIT_MAX_UNPACKED_MB" in err.value.message


def test_a_pdf_with_more_pages_than_any_report_is_refused(tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    for _ in range(301):
        pdf.new_page(595, 842)
    path = tmp_path / "long.pdf"
    pdf.save(path)
    pdf.close()
    batch = read_reports([path], progress=False)
    (failure,) = batch.failures
    assert failure.reason == ReadReason.TOO_LARGE and "301 pages" in failure.message
