"""Reading a batch on a Dask distributed cluster (``--cluster tcp://host:8786``, ``$AUDITKIT_CLUSTER``).

The client reads each file's bytes and sends them with the document's name, so workers
need no shared disk, and a record's ``source`` and ``sha256`` are those of a local run;
the results come back as the same ``Report`` and ``Failure`` objects, yielded in input
order. Validation, the report store and the review log stay with the caller: one writer.
Workers need auditkit (the same version) and, for .doc/.wps/.rtf, LibreOffice: each
worker converts its own legacy Word files.

Faults, and what becomes of the document:

- A worker dies (killed, machine lost): Dask runs the documents it held elsewhere. Each
  document has one future and its result is taken once, so none is read twice into the
  caller's batch.
- A document that kills every worker that reads it: after the scheduler's
  ``allowed-failures`` Dask gives it up (``KilledWorker``). Documents merely queued on
  those workers are given up too, so the client tries a given-up document once more as a
  fresh task, unless it saw it start on more workers than were allowed (then it was the
  cause); the second time it is reported ``internal_error``.
- A document still running after the time limit (``timeout``, else
  ``$AUDITKIT_CLUSTER_TIMEOUT``, else ``DOC_TIMEOUT``): reported ``timeout``, its task
  cancelled and its worker restarted by the worker's nanny, since a Python thread cannot
  be stopped and a hung read would hold it for good. The limit counts from when the
  worker starts the document (workers announce it with a Dask event), not from when it
  was sent: a document waiting in a worker's queue is not late.

Dask is imported only here, and only when a batch runs on a cluster.
"""

from __future__ import annotations

import logging
import os
import queue
import time
import uuid
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from auditkit.errors import ClusterError, ReadError, ReadReason
from auditkit.precompiled import dataclass

if TYPE_CHECKING:
    from distributed import Client, Future

__all__ = ["CLUSTER_ENV", "DOC_TIMEOUT", "TIMEOUT_ENV", "auditkit_version", "connected", "iter_on_cluster",
           "read_on_worker"]

CLUSTER_ENV = "AUDITKIT_CLUSTER"  # scheduler address (or scheduler file) used when none is given
TIMEOUT_ENV = "AUDITKIT_CLUSTER_TIMEOUT"  # seconds, overrides DOC_TIMEOUT
# Seconds a worker may spend on one document: above LibreOffice's own 120 s limit for a
# .doc, with room for OCR of a long scan (seconds a page).
DOC_TIMEOUT = 600.0
CONNECT_TIMEOUT = 30.0
STARTED_TOPIC = "auditkit-started"  # the Dask event a worker logs as it starts a document
PER_THREAD = 8  # documents in flight per worker thread: each has its next ones at hand despite the round trips
AHEAD = 64  # per worker thread: how far results may run ahead of a slow document the caller waits for
BYTES_IN_FLIGHT = 256 * 2**20  # the documents' bytes sit in the scheduler until read: bound them
RESUBMITS = 1  # fresh tries of a document Dask gave up on (KilledWorker)
TICK = 0.5  # seconds between checks of the time limits while nothing finishes
WINDOW_REFRESH = 5.0  # seconds between looks at how many worker threads the cluster has

log = logging.getLogger(__name__)
R = TypeVar("R")


# --------------------------------------------------------------------------- on the worker


def read_on_worker(read: Callable[[str, bytes], R], source: str, data: bytes) -> R:
    """Run on a worker: say the document has started (its time limit counts from here), then read it."""
    from distributed import get_worker

    worker = get_worker()
    worker.log_event(STARTED_TOPIC, [worker.get_current_task(), worker.address])
    return read(source, data)


def auditkit_version() -> str:
    """The auditkit version a worker runs (checked before a batch: the records must match a local run)."""
    from auditkit import __version__

    return __version__


# --------------------------------------------------------------------------- on the client


def doc_timeout() -> float:
    """``$AUDITKIT_CLUSTER_TIMEOUT`` seconds, else ``DOC_TIMEOUT``."""
    value = os.environ.get(TIMEOUT_ENV)
    if not value:
        return DOC_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        raise ClusterError(f"{TIMEOUT_ENV}={value!r} 不是秒数 (not a number of seconds)") from None
    if seconds <= 0:
        raise ClusterError(f"{TIMEOUT_ENV}={value!r} 须大于 0 (must be positive)")
    return seconds


@contextmanager
def connected(client: Any) -> Iterator[Client]:
    """A ``distributed.Client``: ``client`` itself, or one connected to an address or a scheduler
    file (closed afterwards). Raises ``ClusterError`` when the scheduler cannot be reached."""
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError("在集群上读取需要 Dask：pip install 'auditkit[cluster]' "
                           "(reading on a cluster needs dask[distributed])") from None
    if isinstance(client, Client):
        yield client
        return
    target = str(client)
    where = {"scheduler_file": target} if Path(target).is_file() else {"address": target}
    try:
        own = Client(**where, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except Exception as exc:  # OSError, TimeoutError, ValueError for a malformed address...
        raise ClusterError(f"无法连接 Dask 集群 {target} (cannot reach the Dask scheduler): "
                           f"{type(exc).__name__}: {exc}") from None
    try:
        yield own
    finally:
        own.close()


def iter_on_cluster(files: Sequence[str], client: Any, read: Callable[[str, bytes], R],
                    failure: Callable[[str, str, str], R], *, timeout: float | None = None,
                    bar: Any = None) -> Iterator[R]:
    """``read(source, data)`` for every file, on a Dask cluster; results in input order, each as soon
    as it and those before it are in.

    ``read`` runs on the workers and must be importable there (``auditkit.batch.read_one``);
    ``failure(source, reason, message)`` makes the result for a document that cannot be read
    (unopenable here, or given up on the cluster). ``client``: a ``distributed.Client``, a
    scheduler address or a scheduler file. ``bar``: a tqdm bar, advanced as documents finish.
    """
    limit = doc_timeout() if timeout is None else timeout
    with connected(client) as dask_client:
        if bar is not None:
            bar.set_description("等待集群工作进程")
        _check_workers(dask_client, limit)
        if bar is not None:
            bar.set_description("在集群上读取报告")
        yield from _Run(dask_client, list(files), read, failure, limit, bar).results()


def _check_workers(client: Client, wait: float) -> None:
    """At least one worker, and every worker runs this auditkit (else records could differ)."""
    from auditkit import __version__

    try:
        client.wait_for_workers(1, timeout=wait)
    except TimeoutError:
        raise ClusterError(f"{wait:g} 秒内集群没有可用的工作进程 (no worker joined the cluster "
                           f"within {wait:g} s)") from None
    found = client.run(auditkit_version, on_error="return")
    wrong = {worker: version for worker, version in found.items() if version != __version__}
    if wrong:
        detail = "; ".join(f"{worker}: {version!r}" for worker, version in sorted(wrong.items()))
        raise ClusterError(f"工作进程未安装 auditkit {__version__} (workers must run auditkit {__version__}, "
                           f"with pip install 'auditkit[cluster]'): {detail}")


# Start events arrive on one Dask topic per client; each running batch takes its own keys.
_LISTENERS: dict[str, dict[str, Callable[[list[str]], None]]] = {}


def _dispatch(client_id: str, event: tuple[float, list[str]]) -> None:
    for callback in list(_LISTENERS.get(client_id, {}).values()):
        callback(event[1])


def _listen(client: Client, run_id: str, callback: Callable[[list[str]], None]) -> None:
    runs = _LISTENERS.setdefault(client.id, {})
    if not runs:
        client.subscribe_topic(STARTED_TOPIC, partial(_dispatch, client.id))
    runs[run_id] = callback


def _unlisten(client: Client, run_id: str) -> None:
    runs = _LISTENERS.get(client.id, {})
    runs.pop(run_id, None)
    if not runs:
        _LISTENERS.pop(client.id, None)
        with suppress(Exception):  # the connection may be gone already
            client.unsubscribe_topic(STARTED_TOPIC)


@dataclass
class _Doc:
    index: int
    source: str
    data: bytes
    tries: int = 0  # tasks submitted for it so far


class _Run(Generic[R]):
    """One batch on the cluster: a bounded window of futures, results put back in input order."""

    def __init__(self, client: Client, files: list[str], read: Callable[[str, bytes], R],
                 failure: Callable[[str, str, str], R], limit: float, bar: Any) -> None:
        self.client, self.files, self.read, self.failure, self.limit, self.bar = client, files, read, failure, limit, bar
        self.prefix = f"auditkit-read-{uuid.uuid4().hex[:12]}-"
        self.in_flight: dict[str, tuple[Future, _Doc]] = {}  # by task key
        self.bytes_in_flight = 0
        self.finished: queue.SimpleQueue[Future] = queue.SimpleQueue()  # filled by Dask's callback thread
        self.started: dict[str, tuple[float, str]] = {}  # key -> (monotonic start, worker); by the event thread
        self.starts: Counter[str] = Counter()  # key -> workers that started it
        self.ready: dict[int, R] = {}  # results not yet yielded, by input index
        self.window = self.ahead = 0
        self.window_checked = -WINDOW_REFRESH
        self.no_workers_since: float | None = None

    # --- the loop

    def results(self) -> Iterator[R]:
        _listen(self.client, self.prefix, self._on_started)
        total, submitted, next_out = len(self.files), 0, 0
        try:
            while next_out < total:
                self._refresh_window()
                while (submitted < total and len(self.in_flight) < self.window and submitted - next_out < self.ahead
                       and (self.bytes_in_flight < BYTES_IN_FLIGHT or not self.in_flight)):
                    self._start(submitted)
                    submitted += 1
                while next_out in self.ready:
                    yield self.ready.pop(next_out)
                    next_out += 1
                if next_out < total and self.in_flight:
                    self._collect()
        finally:
            _unlisten(self.client, self.prefix)
            leftover = [future for future, _ in self.in_flight.values()]
            if leftover and self.client.status == "running":  # the caller stopped early: free the workers
                with suppress(Exception):
                    self.client.cancel(leftover)

    def _refresh_window(self) -> None:
        now = time.monotonic()
        if now - self.window_checked < WINDOW_REFRESH:
            return
        self.window_checked = now
        self._ensure_connected()
        threads = sum(self.client.nthreads().values())  # workers come and go (adaptive clusters)
        self.window, self.ahead = max(8, PER_THREAD * threads), max(256, AHEAD * threads)
        if threads:
            self.no_workers_since = None
        elif self.no_workers_since is None:
            self.no_workers_since = now
        elif now - self.no_workers_since > self.limit:
            raise ClusterError(f"集群已没有工作进程超过 {self.limit:g} 秒 (the cluster has had no worker "
                               f"for {self.limit:g} s)")

    def _ensure_connected(self) -> None:
        if self.client.status != "running":
            raise ClusterError(f"与 Dask 集群的连接已断开 (lost the connection to the scheduler: {self.client.status})")

    # --- sending

    def _start(self, index: int) -> None:
        from auditkit.readers import read_bytes

        source = self.files[index]
        try:
            data = read_bytes(Path(source))  # the same check and message as a local run
        except ReadError as exc:
            self._land(index, self.failure(source, exc.reason, exc.message))
            return
        self._submit(_Doc(index, source, data))

    def _submit(self, doc: _Doc) -> None:
        doc.tries += 1
        key = f"{self.prefix}{doc.index}-{doc.tries}"
        with warnings.catch_warnings():  # a large scan is sent whole on purpose: documents are the data
            warnings.filterwarnings("ignore", message="Sending large graph")
            # retries: a task that raised (not a dead worker) runs once more before it counts as failed.
            future = self.client.submit(read_on_worker, self.read, doc.source, doc.data, key=key, retries=1)
        self.in_flight[key] = (future, doc)
        self.bytes_in_flight += len(doc.data)
        future.add_done_callback(self.finished.put)

    def _on_started(self, message: list[str]) -> None:
        key, worker = message
        if key.startswith(self.prefix):
            self.starts[key] += 1
            self.started[key] = (time.monotonic(), worker)
            if self.starts[key] > 1:
                log.info("%s: started again on %s (its worker was lost)", key, worker)

    # --- receiving

    def _collect(self) -> None:
        """Take in whatever finished (waiting up to a tick for the first), then enforce the time limit."""
        batch: list[Future] = []
        with suppress(queue.Empty):
            batch.append(self.finished.get(timeout=TICK))
            while True:
                batch.append(self.finished.get_nowait())
        mine = [future for future in batch if self.in_flight.get(future.key, (None,))[0] is future]
        # A result lives on its worker until fetched: one fetch for all that finished, not one round trip each.
        finished = [future for future in mine if future.status == "finished"]
        try:
            values = dict(zip([f.key for f in finished], self.client.gather(finished), strict=True))
        except Exception:  # a worker went between finishing and the fetch: settle one by one
            values = {}
        for future in mine:
            self._settle(future, values)
        self._enforce_limit()

    def _settle(self, future: Future, values: dict[str, Any]) -> None:
        from distributed import KilledWorker

        doc = self._drop(future.key)
        starts = self.starts.pop(future.key, 0)
        if future.key in values:
            self._land(doc.index, values[future.key])
        elif future.status == "finished":
            self._land(doc.index, future.result())
        elif future.status == "error":
            exc = future.exception()
            if not isinstance(exc, KilledWorker):
                self._land(doc.index, self.failure(doc.source, ReadReason.INTERNAL_ERROR,
                                                   f"读取时出错 (unexpected error): {type(exc).__name__}: {exc}"))
            elif starts <= exc.allowed_failures and doc.tries <= RESUBMITS:
                log.info("%s: Dask gave up after its workers died (started on %d of them); trying it again",
                            doc.source, starts)
                self._submit(doc)
            else:
                self._land(doc.index, self.failure(
                    doc.source, ReadReason.INTERNAL_ERROR, "读取此文件时集群工作进程每次都意外退出 "
                    "(every cluster worker that read this file died)"))
        else:  # cancelled, and not by us: the scheduler dropped it (restarted, or the connection went)
            self._ensure_connected()
            if doc.tries <= RESUBMITS:
                self._submit(doc)
            else:
                self._land(doc.index, self.failure(doc.source, ReadReason.INTERNAL_ERROR,
                                                   "集群取消了此文件的读取 (the cluster cancelled reading this file)"))
        future.release()

    def _drop(self, key: str) -> _Doc:
        _, doc = self.in_flight.pop(key)
        self.bytes_in_flight -= len(doc.data)
        self.started.pop(key, None)
        return doc

    def _land(self, index: int, result: R) -> None:
        self.ready[index] = result
        if self.bar is not None:
            self.bar.update()

    def _enforce_limit(self) -> None:
        now = time.monotonic()
        hung: set[str] = set()
        for key, (since, worker) in list(self.started.items()):
            if key not in self.in_flight:  # its start was announced after its result came in
                self.started.pop(key, None)
                self.starts.pop(key, None)
            elif now - since > self.limit:
                future, _ = self.in_flight[key]
                doc = self._drop(key)
                self.starts.pop(key, None)
                future.cancel()
                self._land(doc.index, self.failure(
                    doc.source, ReadReason.TIMEOUT, f"读取超时：{self.limit:g} 秒内未读完，已重启该工作进程 "
                    f"(not read within {self.limit:g} s on the cluster; its worker was restarted)"))
                log.info("%s: not read within %g s on %s; restarting that worker", doc.source, self.limit, worker)
                hung.add(worker)
        hung &= set(self.client.nthreads()) if hung else set()  # a worker that died meanwhile is gone already
        if hung:
            # The nanny kills the worker process and starts a fresh one; the documents queued
            # there go elsewhere. A worker without a nanny is only closed.
            try:
                self.client.restart_workers(sorted(hung), raise_for_error=False)
            except Exception as exc:  # it went between the two calls, or the scheduler refused
                log.warning("could not restart %s: %s: %s", ", ".join(sorted(hung)), type(exc).__name__, exc)
