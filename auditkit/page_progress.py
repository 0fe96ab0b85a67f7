"""A progress bar by page for scans read by OCR (~8 s a page: a 10-page scan is over a minute), under
the batch's bar by document, across the batch's worker processes.

Shown only where the batch shows its own bar (a terminal, or ``progress=True``): ``PageBar`` is made by
``batch.iter_reports`` then, and by no one else. OCR in this process reports to it directly (``here``);
a worker process reports through a queue (``worker_queue``, ``report_from_worker``) that a thread here
reads. The bar appears with the first scanned page and goes when the batch ends.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class PageBar:
    """Pages of scans found and read, as one bar: its total grows as each scan's pages are found."""

    def __init__(self, position: int = 1) -> None:
        self.position = position
        self._bar: Any = None
        self._lock = threading.Lock()
        self._queue: Any = None
        self._thread: threading.Thread | None = None

    def __call__(self, found: int, read: int) -> None:
        with self._lock:
            if self._bar is None:
                from tqdm import tqdm

                # Redrawn at every page (a page takes seconds, so this costs nothing): with tqdm's default
                # 0.1 s between redraws, pages counted in a burst (from worker processes) went unshown.
                self._bar = tqdm(total=0, unit="页", desc="OCR 识别扫描页", file=sys.stderr, position=self.position,
                                 leave=False, mininterval=0, miniters=1)
            if found:
                self._bar.total += found
                self._bar.refresh()
            if read:
                self._bar.update(read)

    @contextmanager
    def here(self) -> Iterator[None]:
        """OCR in this process reports to the bar while in the block."""
        from auditkit.readers import ocr

        ocr.report_pages_to(self)
        try:
            yield
        finally:
            ocr.report_pages_to(None)

    def worker_queue(self) -> Any:
        """A queue for worker processes to report pages through (``report_from_worker``), read into the bar."""
        if self._queue is None:
            import multiprocessing

            self._queue = multiprocessing.get_context().Queue()
            self._thread = threading.Thread(target=self._drain, name="ocr-page-progress", daemon=True)
            self._thread.start()
        return self._queue

    def _drain(self) -> None:
        while (item := self._queue.get()) is not None:
            self(*item)

    def close(self) -> None:
        if self._queue is not None:
            self._queue.put(None)
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._queue.close()
            self._queue = None
        with self._lock:
            if self._bar is not None:
                self._bar.close()
                self._bar = None


def report_from_worker(queue: Any) -> None:
    """A worker process's initializer: its OCR reports pages into ``queue`` (``PageBar.worker_queue``)."""
    from auditkit.readers import ocr

    ocr.report_pages_to(lambda found, read: queue.put((found, read)))
