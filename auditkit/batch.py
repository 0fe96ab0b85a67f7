"""Reading one report or a whole folder of them, in parallel and in bounded memory."""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditkit.copies import Copies
from auditkit.errors import ReadError, ReadReason
from auditkit.precompiled import dataclass
from auditkit.record import Diagnostic, Report

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class Failure:
    """A document that could not be read, with the one-line reason."""

    source: str
    reason: str  # stable code: empty, not_a_report, scanned, encrypted, truncated, unknown_encoding, ...
    message: str

    def line(self) -> str:
        return f"{self.source}: {self.message}"

    def to_record(self) -> dict[str, str]:
        return {"source": self.source, "error": self.reason, "message": self.message}

    @property
    def unreadable(self) -> bool:
        """False for a file left out on purpose as a copy of another (it was read, as the other)."""
        return self.reason != ReadReason.DUPLICATE


def read_report(path: str | Path, data: bytes | None = None, grams: bool = True) -> Report:
    """Read one document into its canonical record; raises ``ReadError`` when it cannot.

    ``data``: the file's bytes when the caller has them already (a cluster worker is sent
    them by the client, which may hold the only copy of the file). ``grams``: also work out,
    in memory, the n-grams an audit's repetition check compares (not needed to parse).
    """
    from auditkit.match import match_layout
    from auditkit.narrative import read_figures
    from auditkit.readers import read_bytes, read_layout

    path = Path(path)
    if data is None:
        data = read_bytes(path)
    layout = read_layout(path, data)
    report = match_layout(layout, hashlib.sha256(data).hexdigest())
    _add_scan_places(report, layout)
    report.diagnostics.extend(Diagnostic(note.code, note.message, location=note.location, values=dict(note.values) or None)
                              for note in layout.notes)
    report.figures = read_figures(report.sections, report.year, grams)  # here, in the read worker: validation is spared it
    return report


def _add_scan_places(report: Report, layout: Any) -> None:
    """Values read by OCR: their cell's place on the image (``Cell.scan``) put into their provenance,
    so that the auditor can be shown that part of the scan. Nothing for a document read from its text."""
    places = {cell.location: cell.scan for table in layout.tables for r in range(table.n_rows)
              for cell in table.row_cells(r) if cell.scan is not None}
    if not places:
        return
    for prov in report.provenance.values():
        place = places.get(prov.location)
        if place is not None:
            prov.scan = place.to_dict()


def read_one(path: str, data: bytes | None = None, grams: bool = True) -> Report | Failure:
    """``read_report`` that never raises: a failure is a value, with no traceback."""
    try:
        return read_report(path, data, grams)
    except ReadError as exc:
        return Failure(path, exc.reason, exc.message)
    except Exception as exc:  # a reader bug must not stop the batch
        return Failure(path, "internal_error", f"读取时出错 (unexpected error): {type(exc).__name__}: {exc}")


def expand_paths(paths: Iterable[str | Path]) -> list[str]:
    """Files as given, and folders searched recursively for report documents, sorted."""
    return [p for p in scan_paths(paths) if isinstance(p, str)]


def scan_paths(paths: Iterable[str | Path]) -> list[str | Failure]:
    """``expand_paths`` with what a folder scan leaves out on purpose: a symbolic link that leads out of
    the folder given is a ``Failure`` (listed, never read). Links are not followed into folders, and a
    link to a file inside the folder is left to the file itself, so that it is read once."""
    from auditkit.readers import REPORT_SUFFIXES

    out: list[str | Failure] = []
    for p in paths:
        p = Path(p)
        if not p.is_dir():
            out.append(str(p))
            continue
        root = p.resolve()
        found: list[Path] = []
        for folder, dirs, names in os.walk(p):  # does not descend into linked folders
            here = Path(folder)
            found += [here / d for d in dirs if (here / d).is_symlink()]
            found += [here / n for n in names]
        for f in sorted(found):
            if f.is_symlink():
                if f.is_dir() or f.suffix.lower() in REPORT_SUFFIXES:
                    target = f.resolve()
                    if not target.is_relative_to(root):
                        out.append(Failure(str(f), ReadReason.OUTSIDE_FOLDER,
                                           f"符号链接指向所给文件夹之外 ({target})，未读取 "
                                           "(a symbolic link out of the folder given: not read)"))
                continue
            if f.suffix.lower() in REPORT_SUFFIXES and not f.name.startswith((".", "~$")):
                out.append(str(f))
    return out


def iter_reports(paths: Iterable[str | Path], jobs: int | None = None,
                 progress: bool | None = None, client: Any = None, grams: bool = True) -> Iterator[Report | Failure]:
    """Read documents in parallel, yielding each result in input order as it is ready.

    Memory stays bounded: at most a few documents per worker are in flight. ``client``: a
    Dask ``distributed.Client`` or a scheduler address (``tcp://host:8786``) to read on that
    cluster instead of local processes; None takes ``$AUDITKIT_CLUSTER`` when it is set.
    ``grams``: see ``read_report`` (False when the records are only written out).
    """
    reader = read_one if grams else partial(read_one, grams=False)
    from auditkit.readers import Limits, worth_opening

    Limits.from_env()  # a bad AUDITKIT_MAX_* value stops the run here, not in every file
    scanned = scan_paths(paths)
    files = [p for p in scanned if isinstance(p, str)]
    yield from (p for p in scanned if isinstance(p, Failure))
    if client is None:
        client = os.environ.get("AUDITKIT_CLUSTER") or None
    jobs = jobs or os.cpu_count() or 1
    show = sys.stderr.isatty() if progress is None else progress
    bar = pages = None
    if show:
        from tqdm import tqdm

        from auditkit.page_progress import PageBar

        bar = tqdm(total=len(files), unit="份", desc="读取报告", file=sys.stderr)
        pages = PageBar()  # a scan's pages, under the documents: shown once a scan is read
    from auditkit.readers.legacy_batch import legacy_conversions

    try:
        if client is not None:  # each worker converts its own legacy Word files: it has no shared disk with us
            from auditkit.cluster import iter_on_cluster

            yield from _copies_listed(iter_on_cluster(files, client, reader, Failure, bar=bar))
            return
        if bar:
            bar.set_description("转换旧版 Word 文件")  # legacy .doc: LibreOffice, a chunk per worker
        # Only regular files of a readable size are looked into ahead of reading (a FIFO would block);
        # read_one says why the others are not read.
        with legacy_conversions([f for f in files if worth_opening(f)], jobs):
            if bar:
                bar.set_description("读取报告")
            yield from _copies_listed(_read_all(files, jobs, bar, reader, pages))
    finally:
        if pages:
            pages.close()
        if bar:
            bar.close()


def _copies_listed(results: Iterable[Report | Failure]) -> Iterator[Report | Failure]:
    """Each report once: a later byte-identical copy becomes a ``duplicate`` naming the first (``auditkit.copies``)."""
    copies = Copies()
    for result in results:
        if isinstance(result, Report) and (first := copies.original_of(result)) is not None:
            said = ("同一文件重复给出，只审核一次 (the same file given twice: audited once)" if first == result.source
                    else f"与 {first} 内容完全相同，未重复审核 (a byte-identical copy of {first})")
            result = Failure(result.source, ReadReason.DUPLICATE, said)
        yield result


def _read_all(files: list[str], jobs: int, bar: Any, reader: Callable[[str], Report | Failure] = read_one,
              pages: Any = None) -> Iterator[Report | Failure]:
    """``pages``: a ``page_progress.PageBar`` that OCR'd pages are reported to, or None."""
    if jobs <= 1 or len(files) <= 1:
        for f in files:
            with pages.here() if pages else nullcontext():
                result = reader(f)
            yield result
            if bar:
                bar.update()
        return
    # Here, not at the top: multiprocessing costs `auditkit parse --jobs 1` ~15 ms of start-up.
    from concurrent.futures import ProcessPoolExecutor

    window = jobs * 4
    if pages:
        from auditkit.page_progress import report_from_worker

        pool = ProcessPoolExecutor(max_workers=jobs, initializer=report_from_worker, initargs=(pages.worker_queue(),))
    else:
        pool = ProcessPoolExecutor(max_workers=jobs)
    with pool:
        futures = []
        it = iter(files)
        for f in it:
            futures.append(pool.submit(reader, f))
            if len(futures) >= window:
                break
        while futures:
            result = futures.pop(0).result()
            nxt = next(it, None)
            if nxt is not None:
                futures.append(pool.submit(reader, nxt))
            if bar:
                bar.update()
            yield result


@dataclass
class Batch:
    """The reports read from a set of documents, and those that could not be read."""

    reports: list[Report] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    @property
    def cells(self) -> pd.DataFrame:
        """Long frame: one row per (report, cell) with value, text as written and location."""
        from auditkit.frames import cells_frame

        return cells_frame(self.reports)

    def table(self, name: str) -> pd.DataFrame:
        """Tidy frame of one table (``active``, ``requests``, ``appeals``), ready for validation."""
        from auditkit.frames import table_frame

        return table_frame(self.reports, name)


def read_reports(paths_or_folders: Iterable[str | Path] | str | Path, jobs: int | None = None,
                 progress: bool | None = None, client: Any = None) -> Batch:
    """Read files and folders (recursively) into a ``Batch``; failures are kept, never dropped.

    ``client`` (a Dask ``distributed.Client`` or a scheduler address) reads on that cluster;
    without it, ``$AUDITKIT_CLUSTER`` or else local processes (``jobs``).
    """
    if isinstance(paths_or_folders, str | Path):
        paths_or_folders = [paths_or_folders]
    batch = Batch()
    for result in iter_reports(paths_or_folders, jobs=jobs, progress=progress, client=client):
        (batch.failures if isinstance(result, Failure) else batch.reports).append(result)
    return batch
