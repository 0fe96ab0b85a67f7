"""The rule suites in ``expectations/*.json``: reading, checking, and building them for GX.

A suite file is Great Expectations' own JSON (name, expectations with ``type``,
``kwargs``, ``description``, ``severity``, ``meta``), written as readable UTF-8.
``meta.frame`` names the frame it validates (see ``auditkit.frames``); every
expectation carries ``meta.rule_id``, ``category``, ``basis`` and ``cells``.

Reading (``load_specs``) needs no Great Expectations, so the rule catalogue is
cheap. ``build_suite`` turns a spec into a GX suite and insists that every
expectation of the file made it in: GX drops an expectation it cannot build
with only a log line, and a rule that silently vanished would read as passed.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditkit.errors import SuiteError
from auditkit.frames import FRAME_NAMES
from auditkit.rules.expression import ExpressionError, parse_identity
from auditkit.vocabulary import SEVERITIES

if TYPE_CHECKING:
    import great_expectations as gx
    import pandas as pd

CATEGORIES = ("arithmetic", "narrative", "carry_over", "timeliness", "structure", "label", "completeness",
              "repetition", "plausibility")
CATEGORY_LABELS = {
    "arithmetic": "勾稽关系", "narrative": "文字与表格一致", "carry_over": "跨年度衔接", "timeliness": "公布时限",
    "structure": "表格结构与数值", "label": "标题与用语", "completeness": "完整性", "repetition": "内容雷同",
    "plausibility": "合理性",
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
    meta: dict[str, Any] = field(default_factory=dict)


def suites_dir() -> Path:
    """``$AUDITKIT_EXPECTATIONS``, else ``expectations/`` beside the package."""
    env = os.environ.get("AUDITKIT_EXPECTATIONS")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "expectations"


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
        unknown = [n for n in identity.names if n not in e["kwargs"].get("column_list", [])]
        if unknown:
            raise _fail(path, where, f"expression uses columns not in column_list: {', '.join(unknown)}")
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
    return SuiteSpec(data["name"], path, meta["frame"], str(meta.get("description", "")), rules, dict(meta))


def load_specs(directory: str | Path | None = None) -> list[SuiteSpec]:
    """Every suite in the directory, checked, with rule ids unique across suites."""
    return list(_load_specs(str(directory or suites_dir()), _stamp(directory or suites_dir())))


def _stamp(directory: str | Path) -> tuple:
    files = sorted(Path(directory).glob("*.json"))
    return tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files)


@lru_cache(maxsize=8)
def _load_specs(directory: str, stamp: tuple) -> tuple[SuiteSpec, ...]:
    files = sorted(Path(directory).glob("*.json"))
    if not files:
        raise SuiteError(f"no suite files (*.json) in {directory}")
    specs = [load_spec(f) for f in files]
    seen: dict[str, str] = {}
    for s in specs:
        for r in s.rules:
            if r.rule_id in seen:
                raise SuiteError(f"{s.path.name}: rule_id {r.rule_id!r} already used in {seen[r.rule_id]}")
            seen[r.rule_id] = s.path.name
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise SuiteError("two suite files share a suite name")
    return tuple(specs)


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

    The file is replaced atomically, and restored if the folder then no longer loads (a rule id
    used in another suite, a rule that does not check): ``SuiteError`` says why.
    """
    folder = Path(folder)
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
        load_specs(folder)
    except SuiteError:
        if old is None:
            path.unlink()
        else:
            write(old)
        raise
    return path


def build_suite(spec: SuiteSpec) -> gx.ExpectationSuite:
    """A GX suite holding every expectation of ``spec``, or ``SuiteError`` naming those that failed."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"  # before Great Expectations is first imported
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    import auditkit.rules.identity  # noqa: F401  (registers expect_rowwise_identity)
    from auditkit.rules.validate import gx_context

    gx_context()  # GX adds expectations to a suite only with a context active
    suite = gx.ExpectationSuite(name=spec.name, meta={"frame": spec.frame})
    errors = []
    for r in spec.rules:
        try:
            config = ExpectationConfiguration(type=r.type, kwargs=r.kwargs, meta=r.meta, notes=r.notes,
                                              description=r.description, severity=r.severity)
            suite.add_expectation(config.to_domain_obj())
        except Exception as exc:  # GX raises several kinds; all mean the rule did not load
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            errors.append(f"{r.rule_id} ({r.type}): {first}")
    if errors:
        raise SuiteError(f"{spec.path.name}: {len(errors)} expectation(s) did not load: " + "; ".join(errors))
    if len(suite.expectations) != len(spec.rules):
        # GX merges an expectation equal to one already added: say so instead of losing a rule.
        raise SuiteError(f"{spec.path.name}: {len(spec.rules)} expectations in the file, "
                         f"{len(suite.expectations)} loaded (duplicates?)")
    loaded = [e.meta.get("rule_id") for e in suite.expectations]
    if sorted(loaded) != sorted(r.rule_id for r in spec.rules):
        raise SuiteError(f"{spec.path.name}: loaded rules {loaded} differ from the file")
    return suite


def catalogue(specs: list[SuiteSpec] | None = None) -> pd.DataFrame:
    """One row per rule: id, category, severity, description, basis, cells, suite."""
    import pandas as pd

    rows = [{"rule_id": r.rule_id, "category": r.category, "severity": r.severity, "description": r.description,
             "basis": r.basis, "cells": "; ".join(r.cells), "suite": s.name, "frame": s.frame, "type": r.type}
            for s in (specs if specs is not None else load_specs()) for r in s.rules]
    return pd.DataFrame(rows, columns=["rule_id", "category", "severity", "description", "basis", "cells", "suite",
                                       "frame", "type"])
