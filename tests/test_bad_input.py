"""Bad input: a one-line reason naming the file, and the rest of the batch goes on (issue 2 item 6)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from auditkit import read_reports
from auditkit.cli import main
from tests.conftest import SAMPLES

GOOD = "000_seed-chengxiang_2023.txt"
PDF = "011_pingtan-shiyanqu_2023_print.pdf"


def _scanned_pdf(path: Path) -> None:
    """A one-page PDF holding only a picture, like a scan."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    png = path.with_suffix(".png")
    import struct
    import zlib

    width, height = 200, 100
    raw = b"".join(b"\x00" + bytes([(x * y) % 256 for x in range(width)]) for y in range(height))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    png.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                    + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    c = canvas.Canvas(str(path))
    c.drawImage(ImageReader(str(png)), 50, 400, width=400, height=200)
    c.showPage()
    c.save()
    png.unlink()


@pytest.fixture
def bad_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(SAMPLES / GOOD, folder / GOOD)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "random.pdf").write_bytes(os.urandom(4096))
    (folder / "random.txt").write_bytes(bytes(range(256)) * 20)
    data = (SAMPLES / PDF).read_bytes()
    (folder / "truncated.pdf").write_bytes(data[: len(data) // 2])
    import pikepdf

    with pikepdf.open(SAMPLES / PDF) as pdf:
        pdf.save(folder / "encrypted.pdf", encryption=pikepdf.Encryption(user="secret", owner="owner"))
    _scanned_pdf(folder / "scanned.pdf")
    # A PDF served under a web-page name: read by its content, not its extension.
    shutil.copy(SAMPLES / PDF, folder / "lying_extension.html")
    (folder / "not_a_report.html").write_text(
        "<html><head><meta charset='utf-8'><title>新闻</title></head><body><p>今日天气晴朗，气温二十度。</p>"
        "<table><tr><td>项目</td><td>数量</td></tr><tr><td>苹果</td><td>3</td></tr></table></body></html>",
        encoding="utf-8")
    # A real report with its whole appeals table cut out.
    text = (SAMPLES / GOOD).read_text(encoding="utf-8")
    start = text.index("行政复议\t")
    end = text.index("五、存在的主要问题")
    (folder / "no_appeals_table.txt").write_text(text[:start] + text[end:], encoding="utf-8")
    return folder


EXPECTED_FAILURES = {
    "empty.txt": "empty",
    "random.pdf": "unknown_encoding",  # random bytes named .pdf: not a PDF, not text
    "random.txt": "unknown_encoding",
    "truncated.pdf": "truncated",
    "encrypted.pdf": "encrypted",
    "scanned.pdf": "not_a_report",  # OCR'd (the ocr extra): a picture with no text in it
    "not_a_report.html": "not_a_report",
}


def test_batch_goes_on_and_lists_every_failure(bad_folder: Path) -> None:
    batch = read_reports(bad_folder, jobs=2, progress=False)
    failed = {Path(f.source).name: f.reason for f in batch.failures}
    assert failed == EXPECTED_FAILURES
    read = sorted(Path(r.source).name for r in batch.reports)
    assert read == sorted([GOOD, "lying_extension.html", "no_appeals_table.txt"])
    for f in batch.failures:
        assert "\n" not in f.message and f.message


def test_missing_table_is_read_with_nulls(bad_folder: Path) -> None:
    batch = read_reports([bad_folder / "no_appeals_table.txt"], progress=False)
    report = batch.reports[0]
    appeals = {k: v for k, v in report.cells.items() if k.startswith("appeals.")}
    assert len(appeals) == 15 and all(v is None for v in appeals.values())
    assert any(d.code == "missing_table" and d.key == "table.appeals" for d in report.diagnostics)
    assert report.cells["requests.new_received.total"] == 51  # the rest is read


def test_lying_extension_read_by_content(bad_folder: Path) -> None:
    report = read_reports([bad_folder / "lying_extension.html"], progress=False).reports[0]
    assert report.kind == "pdf" and report.cells["requests.total_handled.total"] == 81


def test_cli_parse_reports_failures_one_line_each(bad_folder: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "records.jsonl"
    status = main(["parse", str(bad_folder), "--jsonl", str(out), "--jobs", "2"])
    assert status == 1
    err = capsys.readouterr().err
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 10  # every file is listed, failures included
    failures = {Path(rec["source"]).name: rec["error"] for rec in lines if "error" in rec}
    assert failures == EXPECTED_FAILURES
    for name in EXPECTED_FAILURES:
        assert sum(name in line for line in err.splitlines()) == 1, name
    assert "Traceback" not in err
    assert "read 3, with diagnostics" in err and "failed 7" in err


def test_cli_subprocess_no_traceback(bad_folder: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "auditkit.cli", "parse", str(bad_folder / "random.txt")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "random.txt" in proc.stderr and "encoding" in proc.stderr


def test_cli_usage_error_exit_2(capsys) -> None:
    assert main(["parse"]) == 2
    assert main(["no-such-command"]) == 2


def test_cli_missing_file(tmp_path: Path, capsys) -> None:
    # A path that does not exist is a usage error (2), not an unreadable input (1).
    assert main(["parse", str(tmp_path / "nope.pdf")]) == 2
    err = capsys.readouterr().err
    assert "nope.pdf" in err and "路径不存在" in err and len(err.strip().splitlines()) == 1
