"""What the reviewer remembers for the person using it: their name, kept per user, never in the project.

The name lives in ``$XDG_DATA_HOME/auditkit/reviewer.json`` (``~/.local/share/auditkit``
when unset), so that it follows the person from one audit folder and one notebook to
the next, and is never committed with a checkout or mailed with an audit folder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

PROFILE_NAME = "reviewer.json"


def profile_path() -> Path:
    """Where this user's reviewer settings are kept."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "auditkit" / PROFILE_NAME


def remembered_reviewer() -> str:
    """The name this user last reviewed under; "" when none was kept (or the file cannot be read)."""
    try:
        name = json.loads(profile_path().read_text(encoding="utf-8")).get("reviewer", "")
    except (OSError, ValueError, AttributeError):
        return ""
    return name.strip() if isinstance(name, str) else ""


def remember_reviewer(name: str) -> None:
    """Keep ``name`` for next time; a home that cannot be written to only means it is not remembered."""
    name = name.strip()
    if not name or name == remembered_reviewer():
        return
    path = profile_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps({"reviewer": name}, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass
