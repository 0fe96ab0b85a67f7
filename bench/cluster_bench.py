"""Per-document overhead of reading on a Dask cluster against local processes, same batch, same run.

Starts a scheduler and two workers (one thread each) on 127.0.0.1 with the ``dask``
commands, then reads the bundled samples (the .doc left out: its LibreOffice run is
batched locally and not on a cluster, which would measure LibreOffice, not the cluster)
repeated to ``--docs`` documents, in turns: local processes (``--jobs 2``), the cluster,
the cluster round trip alone (the same documents sent to a function that does nothing
with them), each on half the batch and on the whole. Prints per document the whole
batch's wall time and the marginal cost (whole less half, over the documents between:
what a run pays once, such as the local pool's start, drops out), medians of the rounds;
the overhead is the cluster's marginal cost less the local one.
On this 2-core machine the scheduler, the client and the two workers share the cores the
local run has to itself, so no speed-up is expected; the target is an overhead under 20 ms
a document. Run: ``.venv/bin/python bench/cluster_bench.py [--docs 300] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import json
import operator
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import calibration_ms  # bench/, the script's own folder

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "auditkit" / "data" / "samples"
DASK = Path(sys.executable).parent / "dask"
TARGET_MS = 20.0


def start_cluster(workdir: Path, workers: int = 2) -> tuple[str, list[subprocess.Popen]]:
    """``dask scheduler`` and ``dask worker`` processes, each in a process group of its own."""
    sched_file = workdir / "scheduler.json"

    def spawn(name: str, args: list[str]) -> subprocess.Popen:
        log = (workdir / f"{name}.log").open("wb")
        return subprocess.Popen([str(DASK), *args], stdout=log, stderr=subprocess.STDOUT, cwd=workdir,
                                start_new_session=True)

    procs = [spawn("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                 "--scheduler-file", str(sched_file)])]
    deadline = time.monotonic() + 60
    while not (sched_file.exists() and sched_file.read_text()):
        if time.monotonic() > deadline:
            raise RuntimeError((workdir / "scheduler.log").read_text())
        time.sleep(0.1)
    address = json.loads(sched_file.read_text())["address"]
    procs += [spawn(f"worker{i}", ["worker", address, "--nworkers", "1", "--nthreads", "1", "--host", "127.0.0.1",
                                   "--no-dashboard", "--local-directory", str(workdir / f"w{i}")])
              for i in range(workers)]
    return address, procs


def stop(procs: list[subprocess.Popen]) -> None:
    for proc in reversed(procs):
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for proc in procs:
        proc.wait(timeout=30)


def _cpu_seconds(mode: str, client) -> dict[str, float]:
    """CPU seconds used so far by each process doing the work: on this shared machine wall time also
    measures the other jobs, and a run with more processes gets a larger share of the cores."""
    if mode == "local":  # this process, and the pool's worker processes once they have ended
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {"client": time.process_time(), "workers": children.ru_utime + children.ru_stime}
    return {"client": time.process_time(), "scheduler": client.run_on_scheduler(time.process_time),
            "workers": sum(client.run(time.process_time).values())}


def _per_document(measure: dict[tuple[str, int], list[float]], mode: str, whole: int, half: int) -> tuple[float, float]:
    """Milliseconds per document, medians of the rounds: the whole batch, and the marginal cost."""
    full, part = measure[(mode, whole)], measure[(mode, half)]
    marginal = [(a - b) * 1000 / (whole - half) for a, b in zip(full, part, strict=True)]
    return statistics.median(full) * 1000 / whole, statistics.median(marginal)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    from distributed import Client

    from auditkit.batch import Failure, iter_reports
    from auditkit.cluster import iter_on_cluster

    kinds = sorted(p for p in SAMPLES.iterdir() if p.suffix != ".doc")
    files = [str(kinds[i % len(kinds)]) for i in range(args.docs)]
    workdir = Path(tempfile.mkdtemp(prefix="auditkit-cluster-bench-"))
    address, procs = start_cluster(workdir)
    try:
        with Client(address, set_as_default=False, timeout=30) as client:
            client.wait_for_workers(2, timeout=90)
            print(f"cluster bench: {len(files)} documents ({len(kinds)} samples repeated, no .doc); scheduler and "
                  f"2 workers x 1 thread on 127.0.0.1; local: 2 processes; {os.cpu_count()} cores")
            print(f"machine speed before: {calibration_ms():.0f} ms per million additions (lower is faster)")
            list(iter_reports(files[:20], progress=False, client=client))  # warm the workers' imports
            modes = {
                "local": lambda batch: iter_reports(batch, jobs=2, progress=False, client=None),
                "cluster": lambda batch: iter_reports(batch, progress=False, client=client),
                # the documents sent to a function that does nothing with them, False back
                "round trip": lambda batch: iter_on_cluster(batch, client, operator.is_, Failure),
            }
            half = files[:len(files) // 2]
            wall: dict[tuple[str, int], list[float]] = {}
            cpu: dict[tuple[str, int], list[float]] = {}
            parts: dict[str, dict[str, list[float]]] = {}  # mode -> process -> CPU ms per document, whole batch
            for _ in range(args.rounds):
                for mode, run in modes.items():
                    for batch in (half, files):
                        c0, t0 = _cpu_seconds(mode, client), time.perf_counter()
                        assert sum(1 for _ in run(batch)) == len(batch)
                        wall.setdefault((mode, len(batch)), []).append(time.perf_counter() - t0)
                        used = {part: seconds - c0[part] for part, seconds in _cpu_seconds(mode, client).items()}
                        cpu.setdefault((mode, len(batch)), []).append(sum(used.values()))
                        if batch is files:
                            for part, seconds in used.items():
                                parts.setdefault(mode, {}).setdefault(part, []).append(seconds * 1000 / len(batch))
    finally:
        stop(procs)
    # Per document, medians of the rounds: the whole batch over its documents, and the marginal cost (the
    # whole batch less the half batch, over the documents between), which leaves out what a run pays
    # once (the local pool's start and imports, the cluster's connection and version check).
    print(f"{'ms per document (median)':<28}{'wall: whole':>12}{'marginal':>10}{'CPU: whole':>12}{'marginal':>10}")
    figures = {}
    for mode in modes:
        figures[mode] = [*_per_document(wall, mode, len(files), len(half)),
                         *_per_document(cpu, mode, len(files), len(half))]
        print(f"{mode:<28}{figures[mode][0]:>12.2f}{figures[mode][1]:>10.2f}{figures[mode][2]:>12.2f}"
              f"{figures[mode][3]:>10.2f}")
    print("CPU ms per document by process (whole batch, median): " + "; ".join(
        f"{mode}: " + ", ".join(f"{part} {statistics.median(ms):.2f}" for part, ms in by_part.items())
        for mode, by_part in parts.items()))
    wall_overhead = figures["cluster"][1] - figures["local"][1]
    cpu_overhead = figures["cluster"][3] - figures["local"][3]
    print(f"{'overhead: cluster - local':<28}{'':>12}{wall_overhead:>10.2f}{'':>12}{cpu_overhead:>10.2f}"
          f"   target < {TARGET_MS:.0f} ms ({'met' if max(wall_overhead, cpu_overhead) < TARGET_MS else 'NOT met'})")
    print(f"machine speed after: {calibration_ms():.0f} ms per million additions")


if __name__ == "__main__":
    main()
