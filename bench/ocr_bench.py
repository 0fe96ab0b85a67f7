"""OCR speed and memory beside the text-layer PDF reader, measured in the same run.

Makes a scan of sample 002 (``tests/scans.py``: 200 dpi, grey paper, a seal, tilt, blur, noise,
JPEG) and reads it, and the sample's own text-layer PDF, each in a fresh process on one core:
pages per second per core (CPU time, so the shared machine's load counts less), wall time, and
the process's peak memory (RSS), start-up and engine included. The first OCR'd page pays ONNX
Runtime's first runs (~3 s), so a longer document's rate per page is a little better.
Run: ``.venv/bin/python bench/ocr_bench.py [--rounds 20]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "auditkit" / "data" / "samples" / "002_huaian-hongzequ_2024.pdf"


def _child(path: Path, rounds: int) -> None:
    """Read ``path`` ``rounds`` times; print pages, CPU and wall seconds, and peak RSS as JSON."""
    import os
    import resource
    import time

    import pypdfium2 as pdfium

    from auditkit import read_report

    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    pdf = pdfium.PdfDocument(str(path))
    pages = len(pdf)
    pdf.close()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(rounds):
        read_report(path)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"pages": pages * rounds, "cpu": cpu, "wall": wall, "peak_mb": peak_mb}))


def _measure(path: Path, rounds: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", str(path), "--rounds", str(rounds)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="reads of the text-layer PDF (the scan is read once)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.rounds)
        return
    sys.path.insert(0, str(ROOT / "tests"))
    import scans

    with tempfile.TemporaryDirectory() as tmp:
        scan = scans.write_pdf(scans.scan(SAMPLE, 200, 15), Path(tmp) / "002_scan200.pdf", 200)
        rows = [("PDF, text layer", _measure(SAMPLE, args.rounds)), ("scan, OCR at 200 dpi", _measure(scan, 1))]
    print(f"{'document':<24}{'pages':>6}{'CPU s/page':>12}{'pages/s/core':>14}{'wall s/page':>13}{'peak RSS MB':>13}")
    for name, m in rows:
        per_page = m["cpu"] / m["pages"]
        print(f"{name:<24}{m['pages']:>6}{per_page:>12.3f}{1 / per_page:>14.2f}{m['wall'] / m['pages']:>13.3f}"
              f"{m['peak_mb']:>13.0f}")


if __name__ == "__main__":
    main()
