"""The suites: readable files, every rule described and grounded, loaded whole or refused, GX run as meant."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from auditkit.rules.expression import ExpressionError, evaluate, parse_identity
from auditkit.rules.folders import bundled_folder
from auditkit.rules.suites import (
    CATEGORIES,
    SEVERITIES,
    SuiteError,
    catalogue,
    draft_spec,
    load_spec,
    load_specs,
    save_rule,
)

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_suite_files_are_readable_utf8() -> None:
    files = sorted(bundled_folder().glob("*.json"))
    assert len(files) >= 10
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert "\\u" not in text, f"{f.name}: Chinese escaped"
        assert CJK.search(text), f.name
        assert text.startswith('{\n  "name"'), f"{f.name}: not indented JSON"


def test_every_rule_is_described_and_grounded() -> None:
    specs = load_specs()
    rules = [r for s in specs for r in s.rules]
    assert len({r.rule_id for r in rules}) == len(rules)
    for r in rules:
        assert r.severity in SEVERITIES and r.category in CATEGORIES
        assert CJK.search(r.description), r.rule_id
        assert ("国办公开办函" in r.basis or "条例" in r.basis or "评估" in r.basis), r.rule_id
        assert r.cells, r.rule_id
    cats = {r.category for r in rules}
    assert cats == set(CATEGORIES)  # every concern of the issue has a rule


def test_requests_identities_cover_39_checks_per_2021_report() -> None:
    specs = {s.name: s for s in load_specs()}
    columns = specs["requests_columns"]
    assert [r.kwargs["expression"] for r in columns.rules] == [
        "new_received + carried_over == total_handled + carried_forward",
        "total_handled == granted + partially_granted + withheld + unavailable + not_processed + other_handling"]
    assert columns.frame == "requests_columns" and specs["requests_rows"].frame == "requests_rows"
    # 7 columns x 2 identities + 25 rows x 1 identity = 39 (see test_audit for the count on a real report)


def test_catalogue() -> None:
    cat = catalogue()
    assert list(cat.columns[:6]) == ["rule_id", "name", "category", "severity", "description", "basis"]
    assert cat["name"].str.len().gt(0).all()  # every rule has a Chinese name
    assert len(cat) == sum(len(s.rules) for s in load_specs())


def _write_suite(directory: Path, expectations: list[dict]) -> Path:
    path = directory / "broken.json"
    path.write_text(json.dumps({"name": "broken", "meta": {"frame": "appeals"}, "expectations": expectations},
                               ensure_ascii=False), encoding="utf-8")
    return path


def _rule(**over) -> dict:
    base = {"type": "expect_column_values_to_be_between", "kwargs": {"column": "total", "min_value": 0},
            "description": "测试", "severity": "critical",
            "meta": {"rule_id": "t.one", "category": "arithmetic", "basis": "测试依据", "cells": ["appeals.*"]}}
    base.update(over)
    return base


@pytest.mark.parametrize(("change", "message"), [
    ({"severity": None}, "severity"),
    ({"description": ""}, "description"),
    ({"meta": {"rule_id": "t.one", "category": "wrong", "basis": "b", "cells": ["x"]}}, "category"),
    ({"meta": {"rule_id": "t.one", "category": "arithmetic", "cells": ["x"]}}, "basis"),
    ({"type": "expect_rowwise_identity", "kwargs": {"column_list": ["total", "upheld"],
                                                    "expression": "total == upheld + pending"}}, "pending"),
    ({"type": "expect_rowwise_identity", "kwargs": {"column_list": ["total", "upheld"],
                                                    "expression": "total = upheld"}}, "expression"),
])
def test_malformed_rules_are_refused_when_read(tmp_path: Path, change: dict, message: str) -> None:
    path = _write_suite(tmp_path, [_rule(**change)])
    with pytest.raises(SuiteError, match=message):
        load_spec(path)


def test_an_expectation_gx_cannot_build_stops_loading(tmp_path: Path) -> None:
    path = _write_suite(tmp_path, [_rule(), _rule(kwargs={"colum": "total", "min_value": 0},
                                                  meta={**_rule()["meta"], "rule_id": "t.two"}),
                                   _rule(type="expect_nothing_of_the_kind", meta={**_rule()["meta"],
                                                                                 "rule_id": "t.three"})])
    from auditkit.rules.gx import build_suite

    with pytest.raises(SuiteError) as err:
        build_suite(load_spec(path))
    assert "2 expectation(s) did not load" in str(err.value)
    assert "t.two" in str(err.value) and "t.three" in str(err.value)


def test_duplicate_expectations_do_not_vanish(tmp_path: Path) -> None:
    from auditkit.rules.gx import build_suite

    path = _write_suite(tmp_path, [_rule(), _rule(meta={**_rule()["meta"], "rule_id": "t.same"})])
    with pytest.raises(SuiteError, match="2 expectations in the file, 1 loaded"):
        build_suite(load_spec(path))


def test_real_suites_build_whole() -> None:
    from auditkit.rules.gx import build_suite

    for spec in load_specs():
        suite = build_suite(spec)
        assert len(suite.expectations) == len(spec.rules)
        assert {e.meta["rule_id"] for e in suite.expectations} == {r.rule_id for r in spec.rules}


def test_rule_ids_unique_across_files(tmp_path: Path) -> None:
    for f in bundled_folder().glob("*.json"):
        shutil.copy(f, tmp_path / f.name)
    data = json.loads((tmp_path / "appeals.json").read_text(encoding="utf-8"))
    data["name"] = "appeals_copy"
    (tmp_path / "appeals_copy.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(SuiteError, match="already used"):
        load_specs(tmp_path)


def test_save_rule_adds_replaces_and_refuses_without_losing_the_file(tmp_path: Path) -> None:
    meta = {"frame": "appeals", "description": "测试规则集"}
    rule = _rule(meta={"rule_id": "t.saved", "category": "arithmetic", "basis": "测试依据", "cells": ["appeals.*"],
                       "added": "2026-01-01"})
    path = save_rule(rule, tmp_path, "test_suite", meta)
    assert {r.rule_id for r in load_spec(path).rules} == {"t.saved"}
    assert "t.saved" in set(catalogue(load_specs(tmp_path))["rule_id"])

    # Saved again with other wording: replaced, not doubled, and its first date kept.
    again = json.loads(json.dumps(rule))
    again["description"], again["meta"]["added"] = "改写后的说明", "2026-06-01"
    save_rule(again, tmp_path, "test_suite", meta)
    saved = json.loads(path.read_text(encoding="utf-8"))["expectations"]
    assert len(saved) == 1 and saved[0]["description"] == "改写后的说明" and saved[0]["meta"]["added"] == "2026-01-01"

    # A rule id another suite uses (here a bundled one): refused, and the file is as it was.
    before = path.read_text(encoding="utf-8")
    taken = load_specs(bundled_folder())[0].rules[0].rule_id
    clash = _rule(meta={"rule_id": taken, "category": "arithmetic", "basis": "b", "cells": ["appeals.*"]})
    with pytest.raises(SuiteError, match="already used"):
        save_rule(clash, tmp_path, "test_suite", meta)
    assert path.read_text(encoding="utf-8") == before
    # A new suite file whose only rule is refused leaves no file behind.
    with pytest.raises(SuiteError):
        save_rule(clash, tmp_path, "another_suite", meta)
    assert not (tmp_path / "another_suite.json").exists() and not list(tmp_path.glob("*.tmp"))
    # A suite of another frame is not written into.
    with pytest.raises(SuiteError, match="frame"):
        save_rule(again, tmp_path, "test_suite", {"frame": "requests_rows"})


def test_draft_spec_checks_a_rule_without_saving_it() -> None:
    spec = draft_spec(_rule(), "draft", {"frame": "appeals"})
    assert [r.rule_id for r in spec.rules] == ["t.one"] and not spec.path.exists()
    with pytest.raises(SuiteError, match="severity"):
        draft_spec(_rule(severity=None), "draft", {"frame": "appeals"})


def test_identity_expressions() -> None:
    idt = parse_identity("total == upheld + corrected + other + pending")
    assert idt.names == ("total", "upheld", "corrected", "other", "pending") and idt.op == "=="
    df = pd.DataFrame({"total": [4, 5, np.nan], "upheld": [1, 1, 1], "corrected": [1, 1, 1], "other": [1, 1, 1],
                       "pending": [1, 1, 1]}, dtype=float)
    lhs, rhs, holds = evaluate(idt, df)
    assert list(holds) == [True, False, False] and list(rhs) == [4, 4, 4] and list(lhs[:2]) == [4, 5]
    assert list(evaluate(parse_identity("in_force == prev + issued - repealed"),
                         {"in_force": [5.0], "prev": [3.0], "issued": [4.0], "repealed": [2.0]})[2]) == [True]
    for bad in ("a + b", "__import__('os') == 1", "a.b == c", "a == b == c", "f(a) == b"):
        with pytest.raises(ExpressionError):
            parse_identity(bad)


def test_custom_expectation_reports_the_failing_rows() -> None:
    from auditkit.frames import build_frames
    from auditkit.record import Report
    from auditkit.rules.validate import validate

    cells = {f"appeals.{g}.{c}": 0 for g in ("reconsideration", "litigation_direct",
                                             "litigation_after_reconsideration")
             for c in ("upheld", "corrected", "other", "pending", "total")}
    cells.update({"appeals.litigation_direct.upheld": 2, "appeals.litigation_direct.total": 3})
    r = Report("x.txt", "x" * 64, "text", "2021", "某局", 2023, None, cells, {})
    [appeals] = [s for s in load_specs() if s.name == "appeals"]
    frames = build_frames([r])
    [outcome] = validate(frames, [appeals])
    assert list(outcome.failed_rows) == [1]
    assert frames["appeals"].data.loc[1, ["report", "group"]].tolist() == [0, "litigation_direct"]
    from auditkit.rules.outcomes import interpret

    checks = interpret(frames, [outcome]).checks.iloc[0]
    assert (checks["evaluated"], checks["failed"]) == (3, 1)


def test_only_the_gx_module_imports_great_expectations() -> None:
    import ast

    package = Path(__file__).resolve().parent.parent / "auditkit"
    importers = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n == "great_expectations" or n.startswith("great_expectations.") for n in names):
                importers.add(path.relative_to(package).as_posix())
    assert importers == {"rules/gx.py"}


def test_validation_imports_gx_lazily_and_quietly(tmp_path: Path) -> None:
    code = """
import sys, os
from auditkit.frames import build_frames
from auditkit.record import Report
assert "great_expectations" not in sys.modules
from auditkit.rules.validate import validate
assert "great_expectations" not in sys.modules
r = Report("x.txt", "x" * 64, "text", "2021", "某局", 2023, None, {"appeals.reconsideration.total": 1}, {})
validate(build_frames([r]))
assert "great_expectations" in sys.modules
print("GX_ANALYTICS_ENABLED=" + os.environ["GX_ANALYTICS_ENABLED"])
"""
    env = {k: v for k, v in __import__("os").environ.items() if k != "GX_ANALYTICS_ENABLED"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "GX_ANALYTICS_ENABLED=false" in done.stdout
    assert "Calculating Metrics" not in done.stderr and "%|" not in done.stderr
