"""User rules are not the product's rules: the bundled suites always load, the user's come from
``--rules``, ``$AUDITKIT_RULES`` and the default user folder, a rule id may not be used twice, and
the audit says which folders its rules came from (summary.txt, audit.html, ``auditkit rules``)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from lxml import html as lxml_html

from auditkit.cli import main
from auditkit.errors import SuiteError, UsageError
from auditkit.rules.folders import BUNDLED, DEFAULT, ENV, OPTION, bundled_folder, default_user_folder
from auditkit.rules.suites import load_rules, load_specs, save_rule

ROOT = Path(__file__).resolve().parent.parent
SHARE_RULE = "user.disclosed_share"
SEED = "000_seed-chengxiang_2023.txt"  # 8 of 51 requests granted: the one sample the rule flags


def _rule(rule_id: str = SHARE_RULE) -> dict:
    return {
        "type": "expect_rowwise_identity",
        "kwargs": {"column_list": ["granted", "partially_granted", "total_handled"],
                   "expression": "granted + partially_granted >= 0.2 * total_handled",
                   "row_condition": {"type": "comparison", "column": {"name": "applicant"}, "operator": "==",
                                     "parameter": "total"},
                   "ignore_row_if": "any_value_is_missing"},
        "meta": {"rule_id": rule_id, "category": "plausibility", "basis": "测试依据",
                 "cells": ["requests.granted.total", "requests.partially_granted.total", "requests.total_handled.total"]},
        "description": "公开比例偏低（测试规则）", "severity": "info",
    }


def _folder(path: Path, rule_id: str = SHARE_RULE, suite: str = "user_suite") -> Path:
    """A user rule folder holding one suite with one rule."""
    path.mkdir(parents=True, exist_ok=True)
    (path / f"{suite}.json").write_text(json.dumps({"name": suite, "meta": {"frame": "requests_columns"},
                                                    "expectations": [_rule(rule_id)]}, ensure_ascii=False),
                                        encoding="utf-8")
    return path.resolve()


def _origins(ruleset) -> list[tuple[str, str, int]]:
    return [(f["origin"], f["path"], f["rules"]) for f in ruleset.folder_records()]


BUNDLED_RULES = sum(len(s.rules) for s in load_specs(bundled_folder()))


def test_bundled_rules_alone_by_default() -> None:
    ruleset = load_rules()
    assert _origins(ruleset) == [(BUNDLED, str(bundled_folder().resolve()), BUNDLED_RULES)]
    assert bundled_folder().resolve() == (ROOT / "auditkit" / "expectations").resolve() == (ROOT / "expectations").resolve()


def test_user_folders_from_the_flag_and_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mine = _folder(tmp_path / "mine")
    team = _folder(tmp_path / "team", "team.share", "team_suite")
    shared = _folder(tmp_path / "shared", "shared.share", "shared_suite")
    monkeypatch.setenv("AUDITKIT_RULES", os.pathsep.join([str(team), "", str(shared), str(mine)]))
    ruleset = load_rules([tmp_path / "mine"])
    # The bundled folder first, then --rules, then $AUDITKIT_RULES; a folder named twice is read once.
    assert _origins(ruleset) == [(BUNDLED, str(bundled_folder().resolve()), BUNDLED_RULES), (OPTION, str(mine), 1),
                                 (ENV, str(team), 1), (ENV, str(shared), 1)]
    cat = ruleset.catalogue().set_index("rule_id")
    assert cat.loc[SHARE_RULE, "folder"] == str(mine) and cat.loc["team.share", "folder"] == str(team)
    assert len(cat) == BUNDLED_RULES + 3


def test_the_default_user_folder_is_read_when_it_holds_suites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    default = tmp_path / "data" / "auditkit" / "rules"
    assert default_user_folder() == default
    assert [o for o, _, _ in _origins(load_rules())] == [BUNDLED]  # not there yet
    default.mkdir(parents=True)
    assert [o for o, _, _ in _origins(load_rules())] == [BUNDLED]  # there, but empty
    _folder(default)
    assert _origins(load_rules()) == [(BUNDLED, str(bundled_folder().resolve()), BUNDLED_RULES),
                                      (DEFAULT, str(default.resolve()), 1)]


def test_a_rule_folder_that_does_not_exist_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UsageError, match="--rules"):
        load_rules([tmp_path / "typo"])
    monkeypatch.setenv("AUDITKIT_RULES", str(tmp_path / "typo"))
    with pytest.raises(UsageError, match="AUDITKIT_RULES"):
        load_rules()


def test_a_named_empty_folder_adds_no_rule_and_a_broken_suite_names_its_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert _origins(load_rules([tmp_path / "empty"]))[1:] == [(OPTION, str((tmp_path / "empty").resolve()), 0)]
    user = _folder(tmp_path / "mine")
    broken = json.loads((user / "user_suite.json").read_text(encoding="utf-8"))
    broken["expectations"][0]["description"] = ""
    (user / "user_suite.json").write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(SuiteError, match="missing or empty description") as err:
        load_rules([user])
    assert f"用户规则（--rules） {user}: user_suite.json" in str(err.value)


def test_a_user_rule_may_not_take_a_bundled_rule_id(tmp_path: Path) -> None:
    [bundled_suite] = [s for s in load_specs(bundled_folder()) if s.name == "appeals"]
    taken = bundled_suite.rules[0].rule_id
    user = _folder(tmp_path / "mine", taken)
    with pytest.raises(SuiteError) as err:
        load_rules([user])
    # Both files, with their folders, so the auditor knows which one to change.
    assert str(user / "user_suite.json") in str(err.value) and str(bundled_suite.path) in str(err.value)
    assert taken in str(err.value)
    # Nor a suite name.
    (user / "user_suite.json").unlink()
    _folder(user, suite="appeals")
    with pytest.raises(SuiteError, match="suite name 'appeals'") as err:
        load_rules([user])
    assert str(user / "appeals.json") in str(err.value) and str(bundled_suite.path) in str(err.value)


def test_save_rule_writes_a_user_folder_and_refuses_a_bundled_id(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "rules"  # created on first save
    meta = {"frame": "requests_columns", "description": "测试规则集"}
    path = save_rule(_rule(), folder, "user_suite", meta)
    assert path == folder / "user_suite.json" and SHARE_RULE in set(load_rules([folder]).catalogue()["rule_id"])
    before = {p.name: p.read_bytes() for p in bundled_folder().iterdir()}
    taken = load_specs(bundled_folder())[0].rules[0].rule_id
    with pytest.raises(SuiteError, match="already used"):
        save_rule(_rule(taken), folder, "user_suite", meta)
    assert [r.rule_id for r in load_specs(folder)[0].rules] == [SHARE_RULE]  # the file as it was
    with pytest.raises(SuiteError, match="already used"):
        save_rule(_rule(taken), folder, "other_suite", meta)
    assert not (folder / "other_suite.json").exists()
    assert {p.name: p.read_bytes() for p in bundled_folder().iterdir()} == before


def test_the_summary_names_the_folders_only_when_user_rules_ran(tmp_path: Path, samples_dir: Path) -> None:
    from auditkit.audit import audit_reports
    from auditkit.batch import read_reports

    reports = read_reports([samples_dir / SEED], progress=False).reports
    plain = audit_reports(reports)
    assert "所用规则" not in plain.summary  # the bundled rules alone: the summary is as it always was
    assert plain.counts["rule_folders"] == [{"path": str(bundled_folder().resolve()), "origin": BUNDLED,
                                             "label": "自带规则", "rules": BUNDLED_RULES}]
    user = _folder(tmp_path / "mine")
    mine = audit_reports(reports, rules=[user])
    assert (f"所用规则：自带规则 {BUNDLED_RULES} 条（{bundled_folder().resolve()}）；"
            f"用户规则（--rules） 1 条（{user}）。") in mine.summary
    assert list(mine.findings[mine.findings["rule_id"] == SHARE_RULE]["source"].map(lambda s: Path(s).name)) == [SEED]
    assert SHARE_RULE not in set(plain.findings["rule_id"])


@pytest.fixture(scope="module")
def cli_audit(tmp_path_factory: pytest.TempPathFactory, samples_dir: Path) -> tuple[Path, Path, Path]:
    """``auditkit audit --rules DIR`` on the samples, with another user folder in $AUDITKIT_RULES."""
    base = tmp_path_factory.mktemp("rule-folders-audit")
    user = _folder(base / "mine")
    team = _folder(base / "team", "team.share", "team_suite")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AUDITKIT_RULES", str(team))
        rc = main(["audit", str(samples_dir), "--out", str(base / "out"), "--store", str(base / "store.sqlite"),
                   "--rules", str(user)])
    assert rc in (0, 1)
    return base / "out", user, team


def test_the_audit_folder_says_which_rule_folders_were_used(cli_audit) -> None:
    out, user, team = cli_audit
    summary = (out / "summary.txt").read_text(encoding="utf-8")
    assert (f"所用规则：自带规则 {BUNDLED_RULES} 条（{bundled_folder().resolve()}）；用户规则（--rules） 1 条（{user}）；"
            f"用户规则（AUDITKIT_RULES） 1 条（{team}）。") in summary
    used = json.loads((out / "rules.json").read_text(encoding="utf-8"))
    assert [(f["origin"], f["path"]) for f in used["folders"]] == [
        (BUNDLED, str(bundled_folder().resolve())), (OPTION, str(user)), (ENV, str(team))]
    assert len(used["rules"]) == BUNDLED_RULES + 2

    doc = lxml_html.fromstring((out / "audit.html").read_text(encoding="utf-8"))
    folders = [p.text_content() for p in doc.xpath('//section[@id="rules"]//p[@class="rule-folder"]')]
    assert folders == [f"自带规则 {BUNDLED_RULES} 条：{bundled_folder().resolve()}", f"用户规则（--rules） 1 条：{user}",
                       f"用户规则（AUDITKIT_RULES） 1 条：{team}"]
    # The rule table lists the user rules the audit ran, and the findings hold theirs.
    listed = doc.xpath('//table[@id="rule-table"]/tbody/tr/@id')
    assert f"rule-{SHARE_RULE}" in listed and "rule-team.share" in listed and len(listed) == BUNDLED_RULES + 2
    findings = [json.loads(line) for line in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    # The two folders' rules check the same cells the same way: one finding naming both.
    [share] = [f for f in findings if SHARE_RULE in (f["rule_id"], *f["also_rules"])]
    assert Path(share["source"]).name == SEED and {share["rule_id"], *share["also_rules"]} == {SHARE_RULE, "team.share"}


def test_a_rebuilt_report_keeps_the_audits_rule_folders(cli_audit, tmp_path: Path) -> None:
    import shutil

    out = Path(shutil.copytree(cli_audit[0], tmp_path / "out"))
    assert main(["report", str(out)]) == 0  # without --rules or $AUDITKIT_RULES this time
    doc = lxml_html.fromstring((out / "audit.html").read_text(encoding="utf-8"))
    assert len(doc.xpath('//section[@id="rules"]//p[@class="rule-folder"]')) == 3
    assert f"rule-{SHARE_RULE}" in doc.xpath('//table[@id="rule-table"]/tbody/tr/@id')


def test_cli_rules_lists_each_rule_with_its_folder(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    user = _folder(tmp_path / "mine")
    assert main(["rules", "--rules", str(user)]) == 0
    captured = capsys.readouterr()
    lines = {line.split("\t")[0]: line.split("\t") for line in captured.out.splitlines()}
    assert len(lines) == BUNDLED_RULES + 1
    assert lines[SHARE_RULE][-1] == str(user) and lines[SHARE_RULE][1:3] == ["plausibility", "info"]
    assert all(fields[-1] == str(bundled_folder().resolve()) for rid, fields in lines.items() if rid != SHARE_RULE)
    assert f"自带规则：{BUNDLED_RULES} 条 {bundled_folder().resolve()}" in captured.err
    assert f"用户规则（--rules）：1 条 {user}" in captured.err
    assert f"共 {BUNDLED_RULES + 1} 条规则" in captured.err


def test_cli_audit_refuses_a_colliding_user_rule_before_reading(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                                samples_dir: Path) -> None:
    taken = load_specs(bundled_folder())[0]
    user = _folder(tmp_path / "mine", taken.rules[0].rule_id)
    rc = main(["audit", str(samples_dir), "--out", str(tmp_path / "out"), "--store", str(tmp_path / "s.sqlite"),
               "--rules", str(user)])
    err = capsys.readouterr().err
    assert rc == 2 and str(user / "user_suite.json") in err and str(taken.path) in err
    assert not (tmp_path / "out").exists() and not (tmp_path / "s.sqlite").exists()
