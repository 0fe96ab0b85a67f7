"""Parse throughput per document kind, one core, beside pdfplumber's table extraction.

Prints reports/s for each kind over the bundled samples repeated to at least
200 documents, pdfplumber's ``extract_tables`` on the same PDFs measured in the
same run (the baseline), and the time ``import auditkit`` takes in a fresh
interpreter. Run: ``.venv/bin/python bench/parse_bench.py [--min-docs 200]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "auditkit" / "data" / "samples"
KINDS = {".txt": "text", ".html": "html", ".pdf": "pdf", ".docx": "docx", ".doc": "doc"}
TARGETS = {"text": 100, "html": 100, "pdf": 5}


def _files_by_kind(workdir: Path) -> dict[str, list[Path]]:
    out: dict[str, list[Path]] = defaultdict(list)
    for p in sorted(SAMPLES.iterdir()):
        if p.suffix in KINDS:
            out[KINDS[p.suffix]].append(p)
    out["xlsx"].append(_workbook(workdir / "011_tables.xlsx"))
    return out


def _workbook(path: Path) -> Path:
    """No sample is a spreadsheet: lay report 011's tables into one, merged cells included."""
    from openpyxl import Workbook

    from auditkit.readers import read_layout

    wb = Workbook()
    ws = wb.active
    ws.cell(row=1, column=1, value="平潭综合实验区2023年度政府信息公开工作年度报告")
    top = 3
    for table in read_layout(SAMPLES / "011_pingtan-shiyanqu_2023.html").tables:
        done: set[int] = set()
        for r, row in enumerate(table.grid):
            for c, cell in enumerate(row):
                if cell is None or id(cell) in done:
                    continue
                done.add(id(cell))
                ws.cell(row=top + r, column=1 + c, value=cell.text)
                if cell.rowspan > 1 or cell.colspan > 1:
                    ws.merge_cells(start_row=top + r, start_column=1 + c,
                                   end_row=top + r + cell.rowspan - 1, end_column=c + cell.colspan)
        top += len(table.grid) + 2
    wb.save(path)
    return path


def _rate(fn, files: list[Path], n: int) -> tuple[float, int]:
    """Reports per CPU-second of this process (one core), so other load on the machine counts little."""
    docs = [files[i % len(files)] for i in range(n)]
    fn(docs[0])  # warm imports and caches, as a long batch would have them
    t0 = time.process_time()
    for d in docs:
        fn(d)
    return n / (time.process_time() - t0), n


def _doc_via_libreoffice(path: Path) -> None:
    # Legacy Word spends its time in a LibreOffice child process: count wall time for it.
    from auditkit.batch import read_report

    read_report(path)


def _pdfplumber_tables(path: Path) -> None:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_tables()


def _import_time() -> float:
    code = "import time; t=time.perf_counter(); import auditkit; print(time.perf_counter()-t)"
    runs = [float(subprocess.check_output([sys.executable, "-c", code], text=True)) for _ in range(5)]
    return min(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--min-docs", type=int, default=200)
    ap.add_argument("--doc-docs", type=int, default=10, help="legacy .doc goes through LibreOffice: fewer runs")
    args = ap.parse_args()
    from auditkit.batch import read_report

    print("auditkit parse throughput, one process, one core (reports per CPU-second; .doc: wall time)")
    print(f"{'kind':<8}{'docs':>6}{'reports/s':>12}{'target':>10}")
    results = {}
    workdir = Path(tempfile.mkdtemp(prefix="auditkit-bench-"))
    by_kind = _files_by_kind(workdir)
    for kind, files in by_kind.items():
        n = args.doc_docs if kind == "doc" else args.min_docs
        if kind == "doc":
            t0 = time.perf_counter()
            for i in range(n):
                _doc_via_libreoffice(files[i % len(files)])
            rate = n / (time.perf_counter() - t0)
        else:
            rate, n = _rate(read_report, files, n)
        results[kind] = rate
        target = TARGETS.get(kind)
        print(f"{kind:<8}{n:>6}{rate:>12.1f}{(f'>= {target}' if target else '-'):>10}")
    pdfs = by_kind["pdf"]
    base, n = _rate(_pdfplumber_tables, pdfs, max(20, args.min_docs // 10))
    print(f"\nbaseline: pdfplumber extract_tables on the same PDFs: {base:.2f} reports/s ({n} docs)")
    print(f"auditkit PDF reading (tables, text and matching) is {results['pdf'] / base:.1f}x the baseline")
    print(f"\nimport auditkit: {_import_time() * 1000:.0f} ms (target < 500 ms)")


if __name__ == "__main__":
    main()
