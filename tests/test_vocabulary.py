"""One vocabulary: every view names and colours severities, statuses and decisions as auditkit.vocabulary says."""

from __future__ import annotations

import json
import re
from pathlib import Path

from auditkit import vocabulary as v
from auditkit.render.html import ASSETS, _colours

CSS = (ASSETS / "audit.css").read_text(encoding="utf-8")


def test_every_key_has_a_label_and_a_colour() -> None:
    assert set(v.SEVERITY_LABELS) == set(v.SEVERITY_COLOURS) == set(v.SEVERITY_BACKGROUNDS) == set(v.SEVERITIES)
    assert list(v.SEVERITY_ORDER) == list(v.SEVERITIES) and v.SEVERITY_ORDER["critical"] == 0
    assert set(v.STATUS_LABELS) == set(v.STATUS_COLOURS) == set(v.STATUSES)
    assert set(v.DECISION_LABELS) == set(v.DECISIONS)
    assert set(v.DECISION_COLOURS) == set(v.DECISION_BACKGROUNDS) == set(v.REVIEW_STATES) == {v.UNDECIDED, *v.DECISIONS}
    assert v.REVIEW_STATE_LABELS[v.UNDECIDED] == v.UNDECIDED_LABEL
    labels = [*v.SEVERITY_LABELS.values(), *v.STATUS_LABELS.values(), *v.REVIEW_STATE_LABELS.values()]
    assert len(set(labels)) == len(labels)  # no two things called alike
    for colour in [*v.css_variables().values()]:
        assert re.fullmatch(r"#[0-9a-f]{6}", colour), colour


def test_label_functions() -> None:
    assert v.severity_label("critical") == "严重" and v.severity_label("odd") == "odd"
    assert v.status_label("unverified") == "未能核验"
    assert v.decision_label("") == v.decision_label(None) == v.decision_label(v.UNDECIDED) == v.UNDECIDED_LABEL
    assert v.decision_label("follow_up") == "待跟进"


def test_the_suites_and_findings_use_the_vocabulary() -> None:
    from auditkit import findings
    from auditkit.review import log
    from auditkit.rules import suites

    assert suites.SEVERITIES is v.SEVERITIES
    assert findings.SEVERITY_ORDER is v.SEVERITY_ORDER
    assert log.DECISIONS is v.DECISIONS
    assert all(f"'{d}'" in log._SCHEMA for d in v.DECISIONS)


def test_the_style_sheet_takes_its_colours_from_the_vocabulary() -> None:
    defined = v.css_variables()
    used = set(re.findall(r"var\((--[a-z-]+)\)", CSS))
    own = set(re.findall(r"(--[a-z-]+):", CSS))  # layout colours the sheet defines itself
    assert used - own <= set(defined), used - own - set(defined)
    assert not own & set(defined)  # a vocabulary colour is never redefined in the sheet
    # Each severity, status and decision class draws with its variable, never with a colour of its own.
    for key in [*v.SEVERITIES, *v.DECISIONS]:
        for rule in re.findall(rf"[^{{}}]*\.{key}\b[^{{}}]*\{{([^}}]*)\}}", CSS):
            assert "#" not in rule, (key, rule)
    root = _colours()
    for name, colour in defined.items():
        assert f"{name}:{colour}" in root


def test_no_other_module_keeps_a_set_of_colours_or_labels() -> None:
    # Four sets of severity colours (page, workbook, reviewer, notebooks) were how this started.
    root = Path(__file__).resolve().parent.parent
    coloured = re.compile(r"""["'](critical|warning|info|failed|unverified|confirmed|dismissed|follow_up|undecided)"""
                          r"""["']\s*:\s*["'](#|[0-9A-Fa-f]{6}["'])""")
    # ("failed" and "unverified" also name columns of counts, which have headers of their own.)
    labelled = re.compile(r"""["'](critical|warning|info|confirmed|dismissed|follow_up|undecided)["']\s*:\s*["']"""
                          r"""[\u4e00-\u9fff]""")
    chinese_keys = re.compile(r"""["'](严重|警告|提示)["']\s*:\s*["']#""")
    def code(path: Path) -> str:
        if path.suffix == ".ipynb":
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        return path.read_text(encoding="utf-8")

    sources = [*root.glob("auditkit/**/*.py"), *root.glob("notebooks/*.ipynb")]
    offenders = [str(p.relative_to(root)) for p in sources
                 if p.name != "vocabulary.py" and any(r.search(code(p)) for r in (coloured, labelled, chinese_keys))]
    assert offenders == []
