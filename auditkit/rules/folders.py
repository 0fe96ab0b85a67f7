"""Where rules come from: the bundled suites, and the user's own rule folders.

The bundled suites are the product's rules and always load: ``auditkit/expectations/`` inside the
package (the checkout's top-level ``expectations/`` links to it), or ``$AUDITKIT_EXPECTATIONS``,
which replaces them (for tests). A user's rules live elsewhere, so that writing one never changes
the product or the checkout it runs from. They come, in this order, from

1. ``auditkit audit --rules DIR`` / ``auditkit rules --rules DIR`` (repeatable), i.e. the ``rules``
   argument of ``run_audit``, ``audit_reports`` and ``rule_catalogue``;
2. ``$AUDITKIT_RULES``: folders separated by ``os.pathsep`` (``:``; ``;`` on Windows);
3. the default user folder, ``auditkit/rules`` in the per-user data directory, beside the default
   report store: ``$XDG_DATA_HOME/auditkit/rules`` or ``~/.local/share/auditkit/rules`` on Linux,
   ``~/Library/Application Support/auditkit/rules`` on macOS, ``%LOCALAPPDATA%\\auditkit\\rules`` on
   Windows. Notebook 03 saves rules there. It is read when it holds a suite file.

A folder named twice is read once. A folder named in 1 or 2 that does not exist is an error: a
mistyped name would otherwise drop rules without a word. Reading the suites is ``auditkit.rules.suites``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from auditkit.errors import UsageError
from auditkit.precompiled import dataclass

BUNDLED, OPTION, ENV, DEFAULT = "bundled", "option", "env", "default"
ORIGIN_LABELS = {BUNDLED: "自带规则", OPTION: "用户规则（--rules）", ENV: "用户规则（AUDITKIT_RULES）",
                 DEFAULT: "用户规则（缺省文件夹）"}


@dataclass(frozen=True)
class RuleFolder:
    """A folder of suite files, and why it is read (one of ``ORIGIN_LABELS``)."""

    path: Path
    origin: str

    @property
    def bundled(self) -> bool:
        return self.origin == BUNDLED

    @property
    def label(self) -> str:
        return ORIGIN_LABELS[self.origin]


def bundled_folder() -> Path:
    """``$AUDITKIT_EXPECTATIONS``, else the suites shipped inside the package (every kind of install has them)."""
    env = os.environ.get("AUDITKIT_EXPECTATIONS")
    return Path(env) if env else Path(__file__).resolve().parents[1] / "expectations"


def default_user_folder() -> Path:
    """The per-user rule folder (as platformdirs would choose), whether or not it exists yet."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "auditkit" / "rules"


def rule_folders(rules: Sequence[str | Path] = ()) -> list[RuleFolder]:
    """The bundled folder, then the user folders from ``rules``, ``$AUDITKIT_RULES`` and the default one."""
    named = [(Path(r), OPTION) for r in rules]
    named += [(Path(p), ENV) for p in os.environ.get("AUDITKIT_RULES", "").split(os.pathsep) if p.strip()]
    for path, origin in named:
        if not path.expanduser().is_dir():
            where = "--rules" if origin == OPTION else "AUDITKIT_RULES"
            raise UsageError(f"{path}: 规则文件夹不存在 (no such rule folder, given by {where})")
    default = default_user_folder()
    if default.is_dir() and any(default.glob("*.json")):
        named.append((default, DEFAULT))
    folders = [RuleFolder(bundled_folder().resolve(), BUNDLED)]
    for path, origin in named:
        path = path.expanduser().resolve()
        if all(f.path != path for f in folders):
            folders.append(RuleFolder(path, origin))
    return folders
