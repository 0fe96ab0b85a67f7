"""The one results folder the command line and the notebooks use when none is named.

``make audit`` writes ``out/audit`` in the project folder; ``auditkit audit`` without
``--out``, ``auditkit report``, ``auditkit letters`` and ``auditkit verify-log``
without a folder, and the notebooks (which run in ``notebooks/``) all mean that same
folder, so that a decision taken in the reviewer reaches the ``audit.html`` the
README's main job wrote. ``$AUDITKIT_OUT`` names another; outside a checkout of the
project it is ``out/audit`` under the current folder.
"""

from __future__ import annotations

import os
from pathlib import Path

OUT_ENV = "AUDITKIT_OUT"
DEFAULT_OUT = Path("out") / "audit"


def project_root(start: str | Path | None = None) -> Path | None:
    """The checkout of auditkit that ``start`` (default: the current folder) is in, or None."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "auditkit" / "__init__.py").is_file():
            return folder
    return None


def default_out_dir(start: str | Path | None = None) -> Path:
    """``$AUDITKIT_OUT``; else ``out/audit`` in the project checkout we are in (where ``make audit`` writes);
    else ``out/audit`` under the current folder."""
    named = os.environ.get(OUT_ENV)
    if named:
        return Path(named)
    root = project_root(start)
    return (root / DEFAULT_OUT) if root is not None else Path(start or Path.cwd()) / DEFAULT_OUT
