"""Reading one report or a whole folder of them, in parallel and in bounded memory."""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditkit.errors import ReadError
from auditkit.record import Report

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


def read_report(path: str | Path) -> Report:
    """Read one document into its canonical record; raises ``ReadError`` when it cannot."""
    from auditkit.match import match_layout
    from auditkit.narrative import read_figures
    from auditkit.readers import read_bytes, read_layout

    path = Path(path)
    data = read_bytes(path)
    layout = read_layout(path, data)
    report = match_layout(layout, hashlib.sha256(data).hexdigest())
    report.figures = read_figures(report.sections, report.year)  # here, in the read worker: validation is spared it
    return report


def read_one(path: str) -> Report | Failure:
    """``read_report`` that never raises: a failure is a value, with no traceback."""
    try:
        return read_report(path)
    except ReadError as exc:
        return Failure(path, exc.reason, exc.message)
    except Exception as exc:  # a reader bug must not stop the batch
        return Failure(path, "internal_error", f"读取时出错 (unexpected error): {type(exc).__name__}: {exc}")


def expand_paths(paths: Iterable[str | Path]) -> list[str]:
    """Files as given, and folders searched recursively for report documents, sorted."""
    from auditkit.readers import REPORT_SUFFIXES

    out: list[str] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(str(f) for f in sorted(p.rglob("*"))
                       if f.is_file() and f.suffix.lower() in REPORT_SUFFIXES and not f.name.startswith((".", "~$")))
        else:
            out.append(str(p))
    return out


def iter_reports(paths: Iterable[str | Path], jobs: int | None = None,
                 progress: bool | None = None) -> Iterator[Report | Failure]:
    """Read documents in parallel, yielding each result in input order as it is ready.

    Memory stays bounded: at most a few documents per worker are in flight.
    """
    files = expand_paths(paths)
    jobs = jobs or os.cpu_count() or 1
    show = sys.stderr.isatty() if progress is None else progress
    bar = None
    if show:
        from tqdm import tqdm

        bar = tqdm(total=len(files), unit="份", desc="读取报告", file=sys.stderr)
    from auditkit.readers.legacy_batch import legacy_conversions

    try:
        if bar:
            bar.set_description("转换旧版 Word 文件")  # legacy .doc: LibreOffice, a chunk per worker
        with legacy_conversions(files, jobs):
            if bar:
                bar.set_description("读取报告")
            yield from _read_all(files, jobs, bar)
    finally:
        if bar:
            bar.close()


def _read_all(files: list[str], jobs: int, bar: Any) -> Iterator[Report | Failure]:
    if jobs <= 1 or len(files) <= 1:
        for f in files:
            yield read_one(f)
            if bar:
                bar.update()
        return
    window = jobs * 4
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = []
        it = iter(files)
        for f in it:
            futures.append(pool.submit(read_one, f))
            if len(futures) >= window:
                break
        while futures:
            result = futures.pop(0).result()
            nxt = next(it, None)
            if nxt is not None:
                futures.append(pool.submit(read_one, nxt))
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
                 progress: bool | None = None) -> Batch:
    """Read files and folders (recursively) into a ``Batch``; failures are kept, never dropped."""
    if isinstance(paths_or_folders, str | Path):
        paths_or_folders = [paths_or_folders]
    batch = Batch()
    for result in iter_reports(paths_or_folders, jobs=jobs, progress=progress):
        (batch.failures if isinstance(result, Failure) else batch.reports).append(result)
    return batch
