"""Reading on a real Dask cluster (issue 16): a scheduler and two workers started on 127.0.0.1 with the
``dask scheduler`` / ``dask worker`` commands, as a user would, and the records compared with a local run.

Three clusters: ``cluster`` (two plain workers) for the comparisons and the commands; ``doomed``
for the test that kills a worker mid-batch; ``faulty`` (workers with the test-only preload
tests/cluster_faults.py, no LibreOffice on their PATH, ``allowed-failures`` 1) for documents that
hang or crash a worker and for the .doc a worker cannot convert.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")  # the `cluster` extra, part of `dev`

from auditkit.batch import Failure, expand_paths, iter_reports, read_one  # noqa: E402
from auditkit.cli import main  # noqa: E402
from auditkit.cluster import iter_on_cluster  # noqa: E402
from auditkit.errors import ClusterError  # noqa: E402
from tests.cluster_faults import CRASH_MARKER, HANG_MARKER  # noqa: E402
from tests.conftest import SAMPLES  # noqa: E402

pytestmark = pytest.mark.cluster

DASK = Path(sys.executable).parent / "dask"
PRELOAD = Path(__file__).with_name("cluster_faults.py")
DOC = SAMPLES / "011_pingtan-shiyanqu_2023_word.doc"


@dataclass
class LocalDask:
    """A scheduler and its workers, each a `dask ...` command in a process group of its own."""

    address: str
    scheduler_file: Path
    scheduler: subprocess.Popen
    workers: list[subprocess.Popen]

    def client(self) -> distributed.Client:
        return distributed.Client(self.address, set_as_default=False, timeout=30)

    def wait_for_workers(self, n: int) -> None:
        with self.client() as c:
            c.wait_for_workers(n, timeout=90)

    def stop(self) -> None:
        for proc in [*self.workers, self.scheduler]:
            with _gone():
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in [*self.workers, self.scheduler]:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with _gone():
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


class _gone:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, *_: object) -> bool:
        return kind is ProcessLookupError


def start_dask(base: Path, workers: int = 2, worker_args: tuple[str, ...] = (), worker_env: dict | None = None,
               scheduler_env: dict | None = None) -> LocalDask:
    base.mkdir(parents=True, exist_ok=True)
    sched_file = base / "scheduler.json"

    def spawn(name: str, args: list[str], env: dict | None) -> subprocess.Popen:
        log = (base / f"{name}.log").open("wb")
        return subprocess.Popen([str(DASK), *args], stdout=log, stderr=subprocess.STDOUT, cwd=base,
                                env={**os.environ, **(env or {})}, start_new_session=True)

    scheduler = spawn("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                    "--scheduler-file", str(sched_file)], scheduler_env)
    deadline = time.monotonic() + 60
    while not sched_file.exists() or not sched_file.read_text():
        assert scheduler.poll() is None and time.monotonic() < deadline, (base / "scheduler.log").read_text()
        time.sleep(0.1)
    address = json.loads(sched_file.read_text())["address"]
    procs = [spawn(f"worker{i}", ["worker", address, "--nworkers", "1", "--nthreads", "1", "--host", "127.0.0.1",
                                  "--no-dashboard", "--death-timeout", "60", "--local-directory", str(base / f"w{i}"),
                                  *worker_args], worker_env) for i in range(workers)]
    cluster = LocalDask(address, sched_file, scheduler, procs)
    try:
        cluster.wait_for_workers(workers)
    except Exception:
        cluster.stop()
        raise
    return cluster


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[LocalDask]:
    c = start_dask(tmp_path_factory.mktemp("dask"))
    yield c
    c.stop()


@pytest.fixture(scope="module")
def faulty(tmp_path_factory) -> Iterator[LocalDask]:
    # Only the venv on PATH: the workers find no soffice. One death allowed before Dask gives up a task.
    c = start_dask(tmp_path_factory.mktemp("dask-faulty"), worker_args=("--preload", str(PRELOAD)),
                   worker_env={"PATH": str(DASK.parent)},
                   scheduler_env={"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"})
    yield c
    c.stop()


@pytest.fixture(scope="module")
def mixed_batch(tmp_path_factory) -> tuple[list[str], list[str]]:
    """The bundled samples and a second copy of them (two of each .doc, so the local run converts its
    legacy Word files as a batch), another .doc file, broken and unreadable files; with the local
    run's output lines (records and failures as JSON), in input order."""
    base = tmp_path_factory.mktemp("mixed")
    shutil.copytree(SAMPLES, base / "a")
    shutil.copytree(SAMPLES, base / "b")
    data = DOC.read_bytes()
    (base / "c").mkdir()
    (base / "c" / "r1.doc").write_bytes(data + b"\x01")  # a distinct file, the same report
    broken = base / "d"
    broken.mkdir()
    (broken / "empty.txt").write_bytes(b"")
    (broken / "notes.txt").write_text("会议纪要：本周无事。\n", encoding="utf-8")
    (broken / "half.pdf").write_bytes((SAMPLES / "002_huaian-hongzequ_2024.pdf").read_bytes()[:30_000])
    (broken / "junk.docx").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    (broken / "gbk.html").write_bytes((SAMPLES / "011_pingtan-shiyanqu_2023.html").read_text(encoding="utf-8")
                                      .replace("utf-8", "gbk").encode("gbk", "replace"))
    files = [*expand_paths([base / "a"]), *expand_paths([base / "d"]), str(base / "missing.pdf"),
             *expand_paths([base / "c"]), *expand_paths([base / "b"])]
    local = [_line(r) for r in iter_reports(files, jobs=2, progress=False, client=None)]
    return files, local


def _line(result) -> str:
    return json.dumps(result.to_record(), ensure_ascii=False, sort_keys=True)


def test_cluster_records_identical_to_local_run(cluster: LocalDask, mixed_batch) -> None:
    files, local = mixed_batch
    remote = [_line(r) for r in iter_reports(files, progress=False, client=cluster.address)]
    assert remote == local  # the same records and failure lines, in the same order
    failures = [json.loads(line) for line in local if "error" in json.loads(line)]
    assert {f["error"] for f in failures} >= {"empty", "unreadable", "not_a_report"}
    # .doc converted on the workers: a/ and c/ (b/ holds byte-identical copies, listed as duplicates)
    assert sum(json.loads(line).get("kind") == "doc" for line in local) == 2
    assert sum(f["error"] == "duplicate" for f in failures) == len(expand_paths([SAMPLES]))


def test_read_reports_with_a_client_object(cluster: LocalDask, capsys) -> None:
    from auditkit.batch import read_reports

    with cluster.client() as client:
        batch = read_reports([SAMPLES], progress=True, client=client)
        assert client.status == "running"  # the caller's client is left open
    err = capsys.readouterr().err  # the progress bar, counting documents as they finish
    assert "在集群上读取报告" in err and "12/12" in err
    local = read_reports([SAMPLES], jobs=1, progress=False)
    assert [r.to_record() for r in batch.reports] == [r.to_record() for r in local.reports]
    assert len(batch.reports) == 12 and not batch.failures


def test_cli_parse_cluster_option_and_env(cluster: LocalDask, tmp_path: Path, monkeypatch, capsys) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")  # read and refused (a missing path is a usage error, exit 2)
    args = ["parse", str(SAMPLES), str(tmp_path / "empty.txt")]
    assert main([*args, "--jsonl", str(tmp_path / "local.jsonl")]) == 1
    assert main([*args, "--jsonl", str(tmp_path / "remote.jsonl"), "--cluster", cluster.address]) == 1
    monkeypatch.setenv("AUDITKIT_CLUSTER", str(cluster.scheduler_file))  # a scheduler file works too
    assert main([*args, "--jsonl", str(tmp_path / "env.jsonl")]) == 1
    local = (tmp_path / "local.jsonl").read_text(encoding="utf-8")
    assert local.count("\n") == 13  # the twelve records and the empty file's failure line
    assert (tmp_path / "remote.jsonl").read_text(encoding="utf-8") == local
    assert (tmp_path / "env.jsonl").read_text(encoding="utf-8") == local
    err = capsys.readouterr().err
    assert err.count("empty.txt: ") == 3 and "Traceback" not in err


def test_cli_audit_on_cluster_writes_the_local_findings(cluster: LocalDask, sample_audit_dir: Path,
                                                         tmp_path: Path) -> None:
    store = tmp_path / "store.sqlite"
    status = main(["audit", str(SAMPLES), "--out", str(tmp_path / "out"), "--store", str(store),
                   "--cluster", cluster.address])
    assert status == 0
    for name in ("records.jsonl", "findings.jsonl", "findings.csv", "checks.csv", "summary.txt"):
        assert (tmp_path / "out" / name).read_bytes() == (sample_audit_dir / name).read_bytes(), name
    from auditkit.store import ReportStore

    with ReportStore(store) as db:  # one writer, each report once
        assert db.count() == len((tmp_path / "out" / "records.jsonl").read_text(encoding="utf-8").splitlines())


def test_audit_notebook_reads_on_the_cluster(cluster: LocalDask, sample_audit_dir: Path, tmp_path: Path) -> None:
    params = {"reports": str(SAMPLES), "out": str(tmp_path / "out"), "store": str(tmp_path / "store.sqlite"),
              "cluster": cluster.address}
    notebook = Path(__file__).resolve().parent.parent / "notebooks" / "01_audit_a_batch.ipynb"
    proc = subprocess.run([sys.executable, "-m", "papermill", str(notebook), str(tmp_path / "run.ipynb"), "--cwd",
                           str(tmp_path), "--no-progress-bar", "-k", "python3", "-y", json.dumps(params)],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "GX_ANALYTICS_ENABLED": "false"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    for name in ("records.jsonl", "findings.jsonl"):
        assert (tmp_path / "out" / name).read_bytes() == (sample_audit_dir / name).read_bytes(), name


def test_unreachable_scheduler_is_a_usage_error(monkeypatch, capsys) -> None:
    monkeypatch.setattr("auditkit.cluster.CONNECT_TIMEOUT", 2.0)
    with pytest.raises(ClusterError, match="无法连接"):
        list(iter_reports([SAMPLES / "000_seed-chengxiang_2023.txt"], client="tcp://127.0.0.1:9"))
    assert main(["parse", str(SAMPLES), "--cluster", "tcp://127.0.0.1:9"]) == 2
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err


def test_worker_killed_mid_batch_loses_nothing(tmp_path: Path, mixed_batch) -> None:
    files, local = mixed_batch
    doomed = start_dask(tmp_path / "dask")
    try:
        with doomed.client() as client:
            worker_pids = client.run(os.getpid)
            remote: list[str] = []
            held: list[str] = []
            killed_at = len(files)
            for result in iter_reports(files, progress=False, client=client):
                remote.append(_line(result))
                if len(remote) >= 3 and not held:  # results are back: take away a worker holding documents, for good
                    busy = {worker: keys for worker, keys in client.processing().items() if keys}
                    if busy:
                        victim = max(busy, key=lambda worker: len(busy[worker]))
                        held, killed_at = list(busy[victim]), len(remote)
                        os.killpg(os.getpgid(worker_pids[victim]), signal.SIGKILL)  # its nanny too: no restart
            assert killed_at < len(files) // 2  # the kill came early in the batch
            deadline = time.monotonic() + 30
            while len(client.nthreads()) != 1 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert len(client.nthreads()) == 1
        assert held  # documents were on the killed worker...
        assert remote == local  # ...and every document was read, once, in order, identical to the local run
    finally:
        doomed.stop()


def test_hung_document_times_out_and_the_batch_goes_on(faulty: LocalDask, tmp_path: Path, monkeypatch) -> None:
    faulty.wait_for_workers(2)
    hang = tmp_path / "hang.txt"
    hang.write_bytes(HANG_MARKER)
    files = [str(SAMPLES / "000_seed-chengxiang_2023.txt"), str(hang), str(SAMPLES / "010_pingtan-shiyanqu_2023.txt"),
             str(SAMPLES / "002_huaian-hongzequ_2024.pdf"), str(SAMPLES / "019_pingtan-shichangjianguanju_2021.txt")]
    monkeypatch.setenv("AUDITKIT_CLUSTER_TIMEOUT", "4")
    with faulty.client() as client:
        before = set(client.run(os.getpid).values())
        t0 = time.monotonic()
        results = list(iter_reports(files, progress=False, client=client))
        assert time.monotonic() - t0 < 60
        client.wait_for_workers(2, timeout=90)
        after = set(client.run(os.getpid).values())
    assert len(before - after) == 1  # the worker holding the hung read was restarted by its nanny
    assert [r.source for r in results] == files
    hung = results[1]
    assert isinstance(hung, Failure) and hung.reason == "timeout" and "4 s" in hung.message
    others = [results[i] for i in (0, 2, 3, 4)]
    assert [_line(r) for r in others] == [_line(read_one(files[i])) for i in (0, 2, 3, 4)]


def test_document_that_kills_every_worker_is_reported_not_retried_forever(faulty: LocalDask, tmp_path: Path) -> None:
    faulty.wait_for_workers(2)
    crash = tmp_path / "crash.txt"
    crash.write_bytes(CRASH_MARKER)
    files = [str(SAMPLES / "007_pingtan-shiyanqu_2025.txt"), str(crash), str(SAMPLES / "008_pingtan-shiyanqu_2019.txt"),
             str(SAMPLES / "011_pingtan-shiyanqu_2023.html")]
    t0 = time.monotonic()
    results = list(iter_on_cluster(files, faulty.address, read_one, Failure, timeout=120))
    assert time.monotonic() - t0 < 120
    crashed = results[1]
    assert isinstance(crashed, Failure) and crashed.reason == "internal_error"
    assert "died" in crashed.message and "意外退出" in crashed.message
    assert [_line(results[i]) for i in (0, 2, 3)] == [_line(read_one(files[i])) for i in (0, 2, 3)]


def test_doc_on_a_worker_without_libreoffice(faulty: LocalDask, monkeypatch) -> None:
    faulty.wait_for_workers(1)
    [remote] = list(iter_reports([DOC], progress=False, client=faulty.address))
    monkeypatch.setattr(shutil, "which", lambda *a, **k: None)
    monkeypatch.setenv("PATH", "")
    local = read_one(str(DOC))
    assert isinstance(remote, Failure) and remote.reason == "converter_missing"
    assert remote.line() == local.line()  # the same failure line as a local run without LibreOffice
