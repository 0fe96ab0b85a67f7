"""auditkit: read and audit annual reports on government information disclosure.

The public functions are imported lazily so that ``import auditkit`` stays fast;
pandas, PDF libraries and Great Expectations load only where they are used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Batch", "Report", "read_report", "read_reports"]

if TYPE_CHECKING:
    from auditkit.batch import Batch, read_report, read_reports
    from auditkit.record import Report

_LAZY = {
    "read_report": "auditkit.batch",
    "read_reports": "auditkit.batch",
    "Batch": "auditkit.batch",
    "Report": "auditkit.record",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'auditkit' has no attribute {name!r}")
