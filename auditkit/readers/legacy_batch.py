"""Converting a batch's legacy Word files (.doc, .wps, .rtf) with few LibreOffice runs.

LibreOffice spends about two seconds starting up and a fraction of a second per
document once it runs, so a folder of 300 .doc files converted one process each
costs minutes. Before a batch is read, its legacy Word files are converted in
chunks, one ``soffice`` per chunk (as many chunks at once as the batch has
workers), into a folder keyed by each file's SHA-256; ``read_doc`` takes its .docx
from there and converts on its own only what the batch run did not produce (a
damaged file, a chunk that hung). So a bad file still gets its own one-line error.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from auditkit.errors import ReadError
from auditkit.readers.sniffing import OLE_MAGIC, WORD_STREAM, is_encrypted_ole, legacy_word_kind, ole_truncated, sniff

CONVERTED_DIR_ENV = "AUDITKIT_CONVERTED_DIR"  # where the batch put its .docx files (workers inherit it)
CHUNK = 25  # documents per soffice run: a hang or crash costs at most this many fallbacks
CHUNK_TIMEOUT = 120.0 + 20.0 * CHUNK  # seconds for one run: start-up plus a generous time per document
_LEGACY_SUFFIXES = {".doc", ".wps", ".rtf"}


def preconverted(data: bytes) -> bytes | None:
    """The .docx the batch conversion made of ``data``, if there is one."""
    folder = os.environ.get(CONVERTED_DIR_ENV)
    if not folder:
        return None
    try:
        return (Path(folder) / f"{hashlib.sha256(data).hexdigest()}.docx").read_bytes() or None
    except OSError:
        return None


def _legacy_word(path: Path) -> tuple[str, str] | None:
    """(SHA-256, the suffix LibreOffice is given) for a legacy Word file, else None."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
            if path.suffix.lower() not in _LEGACY_SUFFIXES and head != OLE_MAGIC and not head.lstrip().startswith(b"{\\rt"):
                return None  # the usual case (html, pdf, txt...): decided on 8 bytes
            data = head + fh.read()
        if not data.strip() or sniff(data, path.suffix.lower()) not in ("doc", "wps", "rtf"):
            return None
        if data.startswith(OLE_MAGIC) and (WORD_STREAM not in data or is_encrypted_ole(data) or ole_truncated(data)):
            return None  # read_doc refuses these before any conversion
    except Exception:  # an unreadable or encrypted file is the reader's to report, not this step's
        return None
    return hashlib.sha256(data).hexdigest(), (".rtf" if legacy_word_kind(path, data) == "rtf" else ".doc")


def _convert_chunk(items: list[tuple[str, str, Path]], out_dir: Path) -> None:
    """One soffice run over ``items`` (sha256, suffix, path); each output moved to ``out_dir/<sha256>.docx``."""
    from auditkit.readers import libreoffice

    binary = libreoffice.find_soffice()
    if binary is None:
        return  # read_doc then says LibreOffice is missing, file by file
    try:
        libreoffice.convert_files(binary, [(path, suffix) for _, suffix, path in items], "docx",
                                  [out_dir / f"{sha}.docx" for sha, _, _ in items], CHUNK_TIMEOUT)
    except ReadError:
        return  # could not start, or hung: each file converts alone


@contextmanager
def legacy_conversions(files: Iterable[Path], workers: int) -> Iterator[int]:
    """Convert the legacy Word files among ``files`` ahead of reading; yields how many were converted.

    Inside the ``with``, ``read_doc`` (in this process and in worker processes started
    inside it) uses the converted files; the folder is removed afterwards.
    """
    todo: dict[str, tuple[str, Path]] = {}  # sha256 -> (suffix, path): the same file twice converts once
    for path in files:
        found = _legacy_word(Path(path))
        if found:
            todo.setdefault(found[0], (found[1], Path(path)))
    if len(todo) < 2:  # one file: the ordinary conversion is as quick
        yield 0
        return
    # Here, not at the top: a batch with no legacy Word files (most) starts without them.
    import tempfile
    from concurrent.futures import ThreadPoolExecutor

    previous = os.environ.get(CONVERTED_DIR_ENV)
    with tempfile.TemporaryDirectory(prefix="auditkit-converted-") as out_dir:
        items = [(sha, suffix, path) for sha, (suffix, path) in todo.items()]
        size = min(CHUNK, -(-len(items) // max(1, workers)))  # spread over the workers, at most CHUNK each
        chunks = [items[i:i + size] for i in range(0, len(items), size)]
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            list(pool.map(lambda chunk: _convert_chunk(chunk, Path(out_dir)), chunks))
        done = sum(1 for _ in Path(out_dir).glob("*.docx"))
        os.environ[CONVERTED_DIR_ENV] = out_dir
        try:
            yield done
        finally:
            if previous is None:
                os.environ.pop(CONVERTED_DIR_ENV, None)
            else:
                os.environ[CONVERTED_DIR_ENV] = previous
