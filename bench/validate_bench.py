"""Benchmark: validating 10, 1,000 and 10,000 reports with every suite.

Not a test: run it by hand (``python bench/validate_bench.py``) and read the figures.
The bundled samples are read once with the real parser, then repeated under new
agency names and years (each agency gets two consecutive years, so the carry-over
and repetition rules run too). For each size it prints, in the same process:

- frames    building every DataFrame the suites validate (records -> frames)
- gx        one Great Expectations validation run per suite over the whole batch
- findings  turning the results into findings, skipped checks and counts
- pandas    the same rules in plain vectorised pandas on the same frames (the floor)

and the ratio of the GX run to the floor. The stages are those of the fastest run (by total);
``median`` is the median total of the runs, since the machine this runs on is often shared.
Importing Great Expectations and building the suites happen once per process and are reported
separately.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import os
import statistics
import sys
import time
from pathlib import Path

os.environ["GX_ANALYTICS_ENABLED"] = "false"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def replicate(samples: list, n: int) -> list:
    """``n`` reports: the samples in turn, each copy a new agency (two consecutive years each).

    Each copy carries the figures its text states as a read worker would have found them for
    its year (``read_figures``, once per sample and year): validation gets what reading gives.
    """
    from auditkit.narrative import read_figures

    figures: dict[tuple[int, int], dict] = {}
    out = []
    for k in range(n):
        r = copy.copy(samples[k % len(samples)])
        r.agency = f"基准测试机关{k // 2:05d}"
        r.year = 2030 + k % 2
        r.published = f"{r.year + 1}-01-{10 + k % 20:02d}"
        r.source = f"bench/{k:05d}_{Path(samples[k % len(samples)].source).name}"
        r.sha256 = hashlib.sha256(f"{r.sha256}-{k}".encode()).hexdigest()
        key = (k % len(samples), r.year)
        if key not in figures:
            figures[key] = read_figures(r.sections, r.year)
        r.figures = figures[key]
        out.append(r)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,1000,10000")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the best is reported")
    args = parser.parse_args()

    from auditkit.audit import SAMPLES_DIR
    from auditkit.batch import read_reports

    t = time.perf_counter()
    batch = read_reports([SAMPLES_DIR], jobs=None, progress=False)
    print(f"read {len(batch.reports)} sample reports with the real parser: {time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    import great_expectations  # noqa: F401

    t_import = time.perf_counter() - t
    from auditkit.frames import build_frames
    from auditkit.rules.gx import validation_definition
    from auditkit.rules.outcomes import interpret
    from auditkit.rules.plain import evaluate_plain
    from auditkit.rules.suites import load_specs
    from auditkit.rules.validate import validate
    from auditkit.store import resolve_priors

    specs = load_specs()
    t = time.perf_counter()
    for s in specs:
        validation_definition(s)
    t_setup = time.perf_counter() - t
    n_rules = sum(len(s.rules) for s in specs)
    print(f"import great_expectations: {t_import:.1f} s; context + {len(specs)} suites ({n_rules} rules): "
          f"{t_setup:.2f} s (once per process)")
    print("seconds (wall clock; cpu = the process's CPU time for frames + gx + findings, which shows how much "
          "other load on the machine slowed the run)")
    print(f"{'reports':>8} {'frames':>8} {'gx':>8} {'findings':>9} {'total':>8} {'median':>8} {'cpu':>8} "
          f"{'reports/s':>10} {'pandas':>8} {'gx/pandas':>9} {'findings#':>10}")
    for n in (int(x) for x in args.sizes.split(",")):
        reports = replicate(batch.reports, n)
        best: dict[str, float] = {}
        totals: list[float] = []
        for _ in range(args.repeat):
            c0, t0 = time.process_time(), time.perf_counter()
            frames = build_frames(reports, resolve_priors(reports))
            t1 = time.perf_counter()
            outcomes = validate(frames, specs)
            t2 = time.perf_counter()
            result = interpret(frames, outcomes)
            t3, c3 = time.perf_counter(), time.process_time()
            plain = evaluate_plain(frames, specs)
            t4 = time.perf_counter()
            run = {"frames": t1 - t0, "gx": t2 - t1, "findings": t3 - t2, "total": t3 - t0, "pandas": t4 - t3,
                   "cpu": c3 - c0}
            totals.append(run["total"])
            if not best or run["total"] < best["total"]:
                best = run
            # The floor must flag exactly what GX flagged, or it is not the same work.
            for o in outcomes:
                assert sorted(o.failed_rows) == sorted(plain[o.rule.rule_id]), o.rule.rule_id
        print(f"{n:>8} {best['frames']:>7.2f}s {best['gx']:>7.2f}s {best['findings']:>8.2f}s "
              f"{best['total']:>7.2f}s {statistics.median(totals):>7.2f}s {best['cpu']:>7.2f}s "
              f"{n / best['total']:>10.0f} {best['pandas']:>7.3f}s "
              f"{best['gx'] / best['pandas']:>8.0f}x {len(result.findings):>10}")


if __name__ == "__main__":
    main()
