"""Parse throughput per document kind, one core, beside pdfplumber's table extraction.

Prints reports/s for each kind over the bundled samples repeated to at least
200 documents (and ``html-cms``: pages of other CMSs, larger than sample 011, made by
``bench/cms_mix.py``), best, median and worst of several rounds; pdfplumber's
``extract_tables`` on the same PDFs measured in the same run (the baseline); the
time ``import auditkit`` takes in a fresh interpreter; the machine's speed before and
after (a fixed loop), since this shared machine's speed moves; a folder of .doc files
read as one batch; and the html-cms pages through ``auditkit parse --jobs 1`` as a user
runs it, start-up included: wall time and the process's CPU time (user + system, which
other jobs on the machine barely move), beside another ``auditkit`` (``--baseline``, e.g.
main's) timed in the same rounds. Run: ``.venv/bin/python bench/parse_bench.py
[--min-docs 200] [--baseline ../main/.venv/bin/auditkit] [--cli-only]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from machine import calibration_ms  # bench/, the script's own folder

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "auditkit" / "data" / "samples"
KINDS = {".txt": "text", ".html": "html", ".pdf": "pdf", ".docx": "docx", ".doc": "doc"}
TARGETS = {"text": 100, "html": 100, "html-cms": 100, "pdf": 5}


def _files_by_kind(workdir: Path) -> dict[str, list[Path]]:
    out: dict[str, list[Path]] = defaultdict(list)
    for p in sorted(SAMPLES.iterdir()):
        if p.suffix in KINDS:
            out[KINDS[p.suffix]].append(p)
    out["xlsx"].append(_workbook(workdir / "011_tables.xlsx"))
    # Pages of other CMSs, larger than sample 011: the torture set's CMS pages and 011 in the chrome of
    # three kinds of government site template (bench/cms_mix.py).
    sys.path.insert(0, str(ROOT / "bench"))
    from cms_mix import build_mix

    out["html-cms"] = build_mix(workdir / "cms-mix")
    return out


def _cli_run(auditkit: Path, folder: Path) -> tuple[float, float]:
    """``auditkit parse FOLDER --jobs 1`` as a user runs it: (wall seconds including start-up, CPU
    seconds of the process: user + system, which other jobs on this shared machine barely move)."""
    out = folder.parent / f"cms-mix-{abs(hash(str(auditkit)))}.jsonl"
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(auditkit), "parse", str(folder), "--jobs", "1", "--jsonl", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, proc.args)
    return wall, usage.ru_utime + usage.ru_stime


def _cli_rates(folder: Path, rounds: int, baseline: Path | None) -> None:
    """Reports per second of ``auditkit parse --jobs 1`` over ``folder``, wall and CPU, best and median of
    ``rounds``; with ``baseline`` (another ``auditkit`` executable, e.g. main's), that one too, the two
    taken in turn in each round, and the ratio of their medians."""
    n = len(list(folder.glob("*.html")))
    programs = {"this tree": Path(sys.executable).parent / "auditkit"}
    if baseline is not None:
        programs["baseline"] = baseline
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in programs}
    for _ in range(rounds):
        for name, program in programs.items():
            runs[name].append(_cli_run(program, folder))
    print(f"\nhtml-cms through the command line, `auditkit parse --jobs 1` over {n} pages, start-up included "
          f"(reports/s, best / median of {rounds} runs):")
    medians = {}
    for name, measured in runs.items():
        walls, cpus = [w for w, _ in measured], [c for _, c in measured]
        medians[name] = (n / statistics.median(walls), n / statistics.median(cpus))
        print(f"  {name:<10} wall {n / min(walls):6.1f} / {medians[name][0]:6.1f}    "
              f"CPU {n / min(cpus):6.1f} / {medians[name][1]:6.1f}   ({programs[name]})")
    if baseline is not None:
        ours, theirs = medians["this tree"], medians["baseline"]
        print(f"  this tree / baseline (medians): wall {ours[0] / theirs[0]:.2f}x, CPU {ours[1] / theirs[1]:.2f}x")


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


def _rates(fn, files: list[Path], n: int, rounds: int) -> list[float]:
    """Reports per CPU-second of this process (one core), once per round of ``n`` documents."""
    return _interleaved_rates(fn, {"_": files}, n, rounds)["_"]


def _interleaved_rates(fn, files_by_kind: dict[str, list[Path]], n: int, rounds: int) -> dict[str, list[float]]:
    """Per kind, reports per CPU-second of this process (one core) in each of ``rounds`` rounds.

    CPU time, so other jobs on the machine count little; several rounds taken in turn
    (text, pdf, html, ..., then text again), because this shared machine's speed still
    moves within a minute (see the calibration lines) and a slow spell should fall on
    every kind alike, not on one: the best round is what the code can do, the median
    what a run is likely to see.
    """
    docs = {k: [files[i % len(files)] for i in range(n)] for k, files in files_by_kind.items()}
    for d in docs.values():
        fn(d[0])  # warm imports and caches, as a long batch would have them
    out: dict[str, list[float]] = {k: [] for k in docs}
    for _ in range(rounds):
        for kind, batch in docs.items():
            t0 = time.process_time()
            for d in batch:
                fn(d)
            out[kind].append(n / (time.process_time() - t0))
    return out


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


def _require_pdfplumber() -> None:
    """pdfplumber (the baseline) is in the bench extra: say so before minutes of timing, not after."""
    import importlib.util

    if importlib.util.find_spec("pdfplumber") is None:
        sys.exit("bench/parse_bench.py needs pdfplumber, the baseline it measures against: "
                 "run `make bench`, or `uv pip install -e '.[bench]'`")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--min-docs", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=5, help="rounds of --min-docs documents per kind")
    ap.add_argument("--doc-docs", type=int, default=10, help="legacy .doc goes through LibreOffice: fewer runs")
    ap.add_argument("--cli-rounds", type=int, default=5, help="runs of `auditkit parse --jobs 1` over the html-cms pages")
    ap.add_argument("--baseline", type=Path, default=None,
                    help="another auditkit executable (e.g. main's .venv/bin/auditkit) timed in the same rounds")
    ap.add_argument("--cli-only", action="store_true", help="only the command-line run over the html-cms pages")
    args = ap.parse_args()
    if args.cli_only:
        sys.path.insert(0, str(ROOT / "bench"))
        from cms_mix import build_mix

        folder = Path(tempfile.mkdtemp(prefix="auditkit-bench-")) / "cms-mix"
        build_mix(folder)
        _cli_rates(folder, args.cli_rounds, args.baseline)
        return
    _require_pdfplumber()
    from auditkit.batch import read_report

    print("auditkit parse throughput, one process, one core (reports per CPU-second; .doc: wall time)")
    print(f"{args.rounds} rounds, the kinds taken in turn in each; machine speed before: {calibration_ms():.0f} ms per million "
          "additions (lower is faster)")
    print(f"{'kind':<8}{'docs':>6}{'best':>9}{'median':>9}{'worst':>9}{'target':>10}")
    results = {}
    workdir = Path(tempfile.mkdtemp(prefix="auditkit-bench-"))
    by_kind = _files_by_kind(workdir)
    timed = _interleaved_rates(read_report, {k: f for k, f in by_kind.items() if k != "doc"}, args.min_docs,
                               args.rounds)
    for kind, files in by_kind.items():
        if kind == "doc":
            n = args.doc_docs
            t0 = time.perf_counter()
            for i in range(n):
                _doc_via_libreoffice(files[i % len(files)])
            rates = [n / (time.perf_counter() - t0)]
        else:
            n, rates = args.min_docs, timed[kind]
        results[kind] = statistics.median(rates)
        target = TARGETS.get(kind)
        print(f"{kind:<8}{n:>6}{max(rates):>9.1f}{statistics.median(rates):>9.1f}{min(rates):>9.1f}"
              f"{(f'>= {target}' if target else '-'):>10}")
    if by_kind.get("doc"):
        # A folder of .doc files: the batch converts them in one LibreOffice run per worker chunk.
        from auditkit.batch import read_reports

        folder = workdir / "doc-batch"
        folder.mkdir()
        source = by_kind["doc"][0].read_bytes()
        for i in range(args.doc_docs):
            (folder / f"r{i}.doc").write_bytes(source + bytes([i]))  # distinct files, the same report
        t0 = time.perf_counter()
        batch = read_reports([folder], jobs=1, progress=False)
        rate = len(batch.reports) / (time.perf_counter() - t0)
        print(f"{'doc, as one batch (one process, wall time)':<44}{args.doc_docs:>4} docs: {rate:.1f} reports/s "
              f"({rate / results['doc']:.1f}x one at a time)")
    _cli_rates(workdir / "cms-mix", args.cli_rounds, args.baseline)
    pdfs = by_kind["pdf"]
    base = _rates(_pdfplumber_tables, pdfs, max(20, args.min_docs // 10), 3)
    print(f"\nbaseline: pdfplumber extract_tables on the same PDFs: {statistics.median(base):.2f} reports/s "
          f"(median of 3 rounds)")
    print(f"auditkit PDF reading (tables, text and matching) is {results['pdf'] / statistics.median(base):.1f}x "
          "the baseline (medians)")
    print(f"\nimport auditkit: {_import_time() * 1000:.0f} ms (target < 500 ms)")
    print(f"machine speed after: {calibration_ms():.0f} ms per million additions")


if __name__ == "__main__":
    main()
