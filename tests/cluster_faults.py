"""TEST ONLY: a Dask worker preload (``dask worker --preload tests/cluster_faults.py``) that lets
the cluster tests make a document hang or kill the worker that reads it.

A document holding ``HANG_MARKER`` sleeps for an hour in the reader; one holding
``CRASH_MARKER`` ends the worker process abruptly, as a crash in a native library would.
Every other document is read as usual. Nothing in auditkit knows about these markers:
the preload wraps ``auditkit.readers.read_layout`` in the worker process only.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

HANG_MARKER = b"AUDITKIT-TEST-HANG"
CRASH_MARKER = b"AUDITKIT-TEST-CRASH"


def dask_setup(worker: Any) -> None:
    import auditkit.readers as readers

    original = readers.read_layout

    def read_layout(path: str | Path, data: bytes | None = None) -> Any:
        if data and HANG_MARKER in data:
            time.sleep(3600)
        if data and CRASH_MARKER in data:
            time.sleep(0.3)  # a native crash comes some way into a read, not at its first instruction
            os._exit(70)
        return original(path, data)

    readers.read_layout = read_layout
