"""Running LibreOffice headless: finding ``soffice``, a profile of its own for each run,
a timeout that kills the whole process group, and converting one file or a batch of files.

The legacy Word reader converts .doc, .rtf and .wps to .docx here, the Excel reader
the .xls files xlrd cannot read; ``legacy_batch`` converts a batch's Word files ahead.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from auditkit.errors import ReadError, ReadReason

# A conversion that takes longer than this is killed (a hung LibreOffice must not hang a batch).
CONVERT_TIMEOUT = 120.0

# LibreOffice profiles live in numbered slots, each guarded by an exclusive flock: two
# soffice processes on one profile collide (the second hands its job to the first and
# exits), a fresh profile costs ~0.3 s to initialise, and a flock dies with its process,
# so a killed batch worker leaks neither a lock nor a directory (slots are reused).
_MAX_SLOTS = 64


class _Profile:
    def __init__(self, path: Path, fd: int | None) -> None:
        self.path = path
        self.fd = fd

    def release(self, healthy: bool) -> None:
        if not healthy:  # a killed or failed soffice may leave a broken profile behind
            shutil.rmtree(self.path, ignore_errors=True)
        if self.fd is not None:
            import fcntl

            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)


def _acquire_profile(fallback: Path) -> _Profile:
    """A profile slot no other conversion holds; ``fallback`` (a throwaway dir) if none can be locked."""
    try:
        import fcntl

        root = Path(tempfile.gettempdir()) / f"auditkit-libreoffice-{os.getuid()}"
        root.mkdir(mode=0o700, exist_ok=True)
        if root.stat().st_uid != os.getuid() or root.is_symlink():
            return _Profile(fallback, None)  # someone else's directory: never share it
        for n in range(_MAX_SLOTS):
            fd = os.open(root / f"slot-{n}.lock", os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            return _Profile(root / f"slot-{n}", fd)
    except (ImportError, OSError):
        pass
    return _Profile(fallback, None)


def find_soffice() -> str | None:
    """The LibreOffice command on ``PATH``, or None when LibreOffice is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _missing_converter(ext: str, package: str, what: str) -> ReadError:
    return ReadError(ReadReason.CONVERTER_MISSING,
                     f"需要 LibreOffice 才能读取 .{ext} 文件：请安装 {package} (apt-get install {package}) "
                     f"(LibreOffice is required for legacy {what} files)")


def run_soffice(binary: str, names: list[str], target: str, workdir: Path, timeout: float) -> tuple[Path, str]:
    """One headless LibreOffice run converting the files ``names`` in ``workdir`` to ``target``,
    on a profile slot of its own; returns the output folder (``workdir/out``) and what it wrote
    to stderr. Raises ``ReadError``: converter_missing when it cannot start, timeout when it
    hangs (the whole process group is killed: soffice forks soffice.bin)."""
    outdir = workdir / "out"
    profile = _acquire_profile(workdir / "profile")
    healthy = False
    cmd = [binary, f"-env:UserInstallation={profile.path.as_uri()}", "--headless", "--invisible",
           "--nologo", "--norestore", "--nodefault", "--nolockcheck",
           "--convert-to", target, "--outdir", str(outdir), *names]
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True, cwd=workdir)
    except OSError as exc:
        profile.release(False)
        raise ReadError(ReadReason.CONVERTER_MISSING, f"无法启动 LibreOffice (cannot start LibreOffice): {exc}") from None
    try:
        _, err = proc.communicate(timeout=timeout)
        healthy = proc.returncode == 0
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        raise ReadError(ReadReason.TIMEOUT, f"LibreOffice 转换超时 (conversion timed out after {timeout:.0f} s)") from None
    finally:
        profile.release(healthy)
    return outdir, err.decode("utf-8", "replace")


def convert_with_libreoffice(data: bytes, suffix: str, target: str, *,
                             timeout: float = CONVERT_TIMEOUT) -> bytes:
    """Convert ``data`` (a file ending in ``suffix``) to ``target`` ("docx", "xlsx", "xls"...) headless.

    Raises ``ReadError``: converter_missing without LibreOffice, timeout when it
    hangs (the process group is killed), corrupt when it produces nothing.
    """
    binary = find_soffice()
    if binary is None:
        if target.startswith(("xls", "ods")):
            raise _missing_converter(suffix.lstrip("."), "libreoffice-calc-nogui", "Excel")
        raise _missing_converter(suffix.lstrip("."), "libreoffice-writer-nogui", "Word")
    with tempfile.TemporaryDirectory(prefix="auditkit-convert-") as tmp:
        src = Path(tmp) / f"input{suffix}"  # an ASCII name: no quoting or encoding trouble
        src.write_bytes(data)
        outdir, err = run_soffice(binary, [src.name], target, Path(tmp), timeout)
        out = outdir / f"input.{target.split(':')[0]}"
        if not out.is_file() or out.stat().st_size == 0:
            lines = [ln for ln in err.splitlines()
                     if ln.strip() and "javaldx" not in ln]
            why = f": {lines[-1].strip()[:200]}" if lines else ""
            raise ReadError(ReadReason.CORRUPT,
                            f"LibreOffice 无法转换此文件 (LibreOffice could not convert the file){why}")
        return out.read_bytes()


def convert_files(binary: str, sources: list[tuple[Path, str]], target: str, outputs: list[Path],
                  timeout: float) -> None:
    """One LibreOffice run converting each file of ``sources`` (its path, and the suffix
    LibreOffice is shown) to ``target``, the result moved to the same place in ``outputs``.

    A file that cannot be copied, or that LibreOffice makes nothing of, gets no output.
    Raises ``ReadError`` as ``run_soffice`` does; after a timeout nothing is moved (the
    last output may be half written).
    """
    with tempfile.TemporaryDirectory(prefix="auditkit-convert-batch-") as tmp:
        names = []
        for i, (path, suffix) in enumerate(sources):
            name = f"in{i}{suffix}"  # ASCII names: no quoting or encoding trouble
            try:
                shutil.copyfile(path, Path(tmp) / name)
            except OSError:
                continue
            names.append(name)
        outdir, _ = run_soffice(binary, names, target, Path(tmp), timeout)
        for i, output in enumerate(outputs):
            out = outdir / f"in{i}.{target.split(':')[0]}"
            if out.is_file() and out.stat().st_size > 0:
                os.replace(out, output)
