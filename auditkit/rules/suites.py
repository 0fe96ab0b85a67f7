"""The rule suites (``expectations/*.json`` and the user's rule folders): reading, checking and writing them.

A suite file is Great Expectations' own JSON (name, expectations with ``type``,
``kwargs``, ``description``, ``severity``, ``meta``), written as readable UTF-8.
``meta.frame`` names the frame it validates (see ``auditkit.frames``); every
expectation carries ``meta.rule_id``, ``category``, ``basis`` and ``cells``.

Nothing here needs Great Expectations (``auditkit.rules.gx`` builds and runs the
suites), so the rule catalogue is cheap.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditkit.errors import AuditkitError, SuiteError
from auditkit.frames import FRAME_NAMES
from auditkit.precompiled import dataclass
from auditkit.rules.expression import ExpressionError, parse_identity, unknowns_of
from auditkit.rules.folders import RuleFolder, bundled_folder, rule_folders
from auditkit.vocabulary import SEVERITIES

if TYPE_CHECKING:
    import pandas as pd

CATEGORIES = ("arithmetic", "narrative", "carry_over", "timeliness", "structure", "label", "completeness",
              "repetition", "plausibility", "consistency")
CATEGORY_LABELS = {
    "arithmetic": "勾稽关系", "narrative": "文字与表格一致", "carry_over": "跨年度衔接", "timeliness": "公布时限",
    "structure": "表格结构与数值", "label": "标题与用语", "completeness": "完整性", "repetition": "内容雷同",
    "plausibility": "合理性", "consistency": "副本一致",
}
IDENTITY_TYPE = "expect_rowwise_identity"


@dataclass(frozen=True)
class RuleSpec:
    """One expectation of a suite, with what an auditor reads about it."""

    rule_id: str
    type: str
    kwargs: dict[str, Any]
    description: str
    severity: str
    category: str
    basis: str
    cells: tuple[str, ...]
    meta: dict[str, Any]
    notes: str | None = None

    @property
    def name(self) -> str:
        """The rule's Chinese name (``meta.name``); a rule without one is named by its description's first
        clause."""
        return str(self.meta.get("name") or "").strip() or _short(self.description)

    @property
    def columns(self) -> list[str]:
        """The frame columns the rule reads."""
        k = self.kwargs
        if "column_list" in k:
            return list(k["column_list"])
        if "column_A" in k:
            return [k["column_A"], k["column_B"]]
        return [k["column"]] if "column" in k else []

    def raw(self) -> dict[str, Any]:
        out = {"type": self.type, "kwargs": self.kwargs, "meta": self.meta, "description": self.description,
               "severity": self.severity}
        if self.notes is not None:
            out["notes"] = self.notes
        return out


@dataclass(frozen=True)
class SuiteSpec:
    name: str
    path: Path
    frame: str
    description: str
    rules: tuple[RuleSpec, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class RuleSet:
    """The suites an audit runs and the folders they come from, the bundled one first."""

    folders: tuple[RuleFolder, ...]
    specs: tuple[SuiteSpec, ...]

    def rules_in(self, folder: RuleFolder) -> int:
        return sum(len(s.rules) for s in self.specs if s.path.parent == folder.path)

    def folder_records(self) -> list[dict[str, Any]]:
        """Each folder: path, origin, label (自带规则 / 用户规则…) and how many rules it gave."""
        return [{"path": str(f.path), "origin": f.origin, "label": f.label, "rules": self.rules_in(f)}
                for f in self.folders]

    def catalogue(self) -> pd.DataFrame:
        """One row per rule (see ``catalogue``)."""
        return catalogue(list(self.specs))

    def to_record(self) -> dict[str, Any]:
        """The folders and the catalogue of every rule, as an audit folder keeps them (``rules.json``)."""
        return {"folders": self.folder_records(), "rules": self.catalogue().to_dict("records")}


def _short(description: str, limit: int = 20) -> str:
    head = description.replace("「", "").replace("」", "")
    for stop in "。；，：（":
        head = head.partition(stop)[0]
    return head if len(head) <= limit else head[:limit] + "…"


def _fail(path: Path, where: str, why: str) -> SuiteError:
    return SuiteError(f"{path.name}: {where}: {why}")


def _rule(path: Path, i: int, e: Any) -> RuleSpec:
    where = f"expectation {i + 1}"
    if not isinstance(e, dict):
        raise _fail(path, where, "not an object")
    meta = e.get("meta") or {}
    rid = meta.get("rule_id")
    if rid:
        where += f" ({rid})"
    for name, ok in (("type", isinstance(e.get("type"), str)), ("kwargs", isinstance(e.get("kwargs"), dict)),
                     ("description", isinstance(e.get("description"), str) and e["description"].strip()),
                     ("meta.rule_id", isinstance(rid, str) and rid.strip()),
                     ("meta.basis", isinstance(meta.get("basis"), str) and meta["basis"].strip()),
                     ("meta.cells", isinstance(meta.get("cells"), list) and meta["cells"]
                      and all(isinstance(c, str) for c in meta["cells"]))):
        if not ok:
            raise _fail(path, where, f"missing or empty {name}")
    # GX would default a missing severity to critical; a rule must say what it is.
    if e.get("severity") not in SEVERITIES:
        raise _fail(path, where, f"severity must be one of {', '.join(SEVERITIES)}, got {e.get('severity')!r}")
    if meta.get("category") not in CATEGORIES:
        raise _fail(path, where, f"meta.category must be one of {', '.join(CATEGORIES)}, got "
                                 f"{meta.get('category')!r}")
    if e["type"] == IDENTITY_TYPE:
        try:
            identity = parse_identity(e["kwargs"].get("expression", ""))
        except ExpressionError as exc:
            raise _fail(path, where, str(exc)) from None
        try:
            unknowns = unknowns_of(e["kwargs"])
        except ExpressionError as exc:
            raise _fail(path, where, str(exc)) from None
        unknown = [n for n in [*identity.names, *unknowns.columns()] if n not in e["kwargs"].get("column_list", [])]
        if unknown:
            raise _fail(path, where, f"expression or bounds use columns not in column_list: {', '.join(unknown)}")
        if unknowns.active and e["kwargs"].get("ignore_row_if") != "never":
            # GX would drop the rows with missing values before the bounds could judge them.
            raise _fail(path, where, "a rule with unknowns or bounds needs ignore_row_if: never")
    return RuleSpec(rid, e["type"], dict(e["kwargs"]), e["description"].strip(), e["severity"], meta["category"],
                    meta["basis"].strip(), tuple(meta["cells"]), dict(meta), e.get("notes"))


def load_spec(path: str | Path) -> SuiteSpec:
    """Read and check one suite file (no Great Expectations needed)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SuiteError(f"{path.name}: cannot read suite: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise _fail(path, "suite", "missing name")
    meta = data.get("meta") or {}
    if meta.get("frame") not in FRAME_NAMES:
        raise _fail(path, "meta.frame", f"must name a frame ({', '.join(FRAME_NAMES)}), got {meta.get('frame')!r}")
    expectations = data.get("expectations")
    if not isinstance(expectations, list) or not expectations:
        raise _fail(path, "suite", "no expectations")
    rules = tuple(_rule(path, i, e) for i, e in enumerate(expectations))
    return SuiteSpec(data["name"], path, meta["frame"], str(meta.get("description", "")), rules)


def load_specs(directory: str | Path | None = None) -> list[SuiteSpec]:
    """Every suite in one folder (by default the bundled one), checked, with rule ids unique across suites."""
    directory = directory or bundled_folder()
    return list(_load_specs(str(directory), _stamp(directory)))


def load_rules(rules: Sequence[str | Path] = ()) -> RuleSet:
    """The bundled suites and the user's (the folders ``rules``, ``$AUDITKIT_RULES``, the default user
    folder: see ``auditkit.rules.folders``), checked together: a rule id or a suite name used in two
    files is a ``SuiteError`` naming both, so a user rule can never stand in for a bundled one."""
    folders = rule_folders(rules)
    specs: list[SuiteSpec] = []
    for folder in folders:
        # An empty user folder adds nothing; the bundled one must hold suites.
        if folder.bundled or any(folder.path.glob("*.json")):
            try:
                specs += load_specs(folder.path)
            except SuiteError as exc:  # a file's own message names only the file: say which folder
                raise SuiteError(f"{folder.label} {folder.path}: {exc}") from None
    _check_unique(specs, str)
    return RuleSet(tuple(folders), tuple(specs))


def _stamp(directory: str | Path) -> tuple:
    files = sorted(Path(directory).glob("*.json"))
    return tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files)


@lru_cache(maxsize=8)
def _load_specs(directory: str, stamp: tuple) -> tuple[SuiteSpec, ...]:
    files = sorted(Path(directory).glob("*.json"))
    if not files:
        raise SuiteError(f"no suite files (*.json) in {directory}")
    specs = [load_spec(f) for f in files]
    _check_unique(specs, lambda path: path.name)
    return tuple(specs)


def _check_unique(specs: Sequence[SuiteSpec], show: Callable[[Path], str]) -> None:
    """A rule id or a suite name used twice is an error naming both files."""
    suite_in: dict[str, Path] = {}
    rule_in: dict[str, Path] = {}
    for s in specs:
        if s.name in suite_in:
            raise SuiteError(f"{show(s.path)}: suite name {s.name!r} already used in {show(suite_in[s.name])} "
                             "(规则集名称重复)")
        suite_in[s.name] = s.path
        for r in s.rules:
            if r.rule_id in rule_in:
                raise SuiteError(f"{show(s.path)}: rule_id {r.rule_id!r} already used in {show(rule_in[r.rule_id])} "
                                 "(规则编号重复)")
            rule_in[r.rule_id] = s.path


def draft_spec(rule: dict[str, Any], name: str, meta: dict[str, Any]) -> SuiteSpec:
    """A one-rule suite checked as ``load_spec`` checks files, without touching any suite folder
    (for trying a rule on reports before saving it)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="auditkit-rule-") as tmp:
        path = Path(tmp) / f"{name}.json"
        path.write_text(json.dumps({"name": name, "expectations": [rule], "meta": meta, "notes": None},
                                   ensure_ascii=False, indent=2), encoding="utf-8")
        return load_spec(path)


def save_rule(rule: dict[str, Any], folder: str | Path, name: str, meta: dict[str, Any]) -> Path:
    """Add ``rule`` to the suite ``folder/name.json`` (created with ``meta`` if new), or replace the rule
    with the same ``meta.rule_id``, keeping the date it was first added.

    The file is replaced atomically, and restored if the rules an audit would then read (the bundled
    ones, ``folder`` and the other user folders) no longer load: a rule id used in another suite, a
    rule that does not check. ``SuiteError`` says why. ``folder`` is created if need be.
    """
    folder = Path(folder).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    old = path.read_text(encoding="utf-8") if path.exists() else None
    suite = json.loads(old) if old else {"name": name, "expectations": [], "meta": meta, "notes": None}
    if suite.get("meta", {}).get("frame") != meta.get("frame"):
        raise SuiteError(f"{path.name} 校验的是 {suite.get('meta', {}).get('frame')}，不是 {meta.get('frame')} "
                         "(the suite validates another frame)")
    rule = json.loads(json.dumps(rule))  # a copy: the caller's dict stays as it was
    kept = []
    for e in suite["expectations"]:
        if e.get("meta", {}).get("rule_id") == rule["meta"]["rule_id"]:
            if "added" in e["meta"]:
                rule["meta"]["added"] = e["meta"]["added"]  # first added, not last saved
        else:
            kept.append(e)
    suite["expectations"] = [*kept, rule]

    def write(text: str) -> None:
        tmp = path.with_name(path.name + ".tmp")  # not *.json: never read as a suite
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)

    write(json.dumps(suite, ensure_ascii=False, indent=2) + "\n")
    try:
        load_rules([folder])
    except AuditkitError:  # a suite that does not load, or a rule folder that is not there
        if old is None:
            path.unlink()
        else:
            write(old)
        raise
    return path


def catalogue(specs: list[SuiteSpec] | None = None) -> pd.DataFrame:
    """One row per rule: id, Chinese name, category, severity, description, basis, cells, suite, frame, type
    and the folder its suite file is in (by default every rule ``load_rules`` reads)."""
    import pandas as pd

    rows = [{"rule_id": r.rule_id, "name": r.name, "category": r.category, "severity": r.severity, "description": r.description,
             "basis": r.basis, "cells": "; ".join(r.cells), "suite": s.name, "frame": s.frame, "type": r.type,
             "folder": str(s.path.parent)}
            for s in (specs if specs is not None else load_rules().specs) for r in s.rules]
    return pd.DataFrame(rows, columns=["rule_id", "name", "category", "severity", "description", "basis", "cells", "suite",
                                       "frame", "type", "folder"])
