"""Every notebook runs top to bottom headless (papermill) on the bundled samples, with its output
folder and report store pointed into tmp_path (03 with its defaults, in a per-user data directory of
its own); and no committed notebook carries outputs.

The four notebooks run in parallel, each in its own papermill process and kernel, once per session.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from auditkit.findings import read_jsonl
from auditkit.rules.suites import load_specs

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
NAMES = ("01_audit_a_batch", "02_review_findings", "03_write_a_rule", "04_compare_agencies_and_years")
NEW_RULE = "plausibility.disclosed_share"


def _outputs(nb: nbformat.NotebookNode) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def _text(nb: nbformat.NotebookNode) -> str:
    parts = []
    for o in _outputs(nb):
        if o.output_type == "stream":
            parts.append(o.text)
        for mime in ("text/plain", "text/markdown", "text/html"):
            if mime in o.get("data", {}):
                parts.append(str(o["data"][mime]))
    return "\n".join(parts)


def _fingerprint(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


_PORT_RACE = "Address already in use"


class Run:
    def __init__(self, name: str, base: Path, params: dict, env: dict[str, str]) -> None:
        self.name, self.base, self.params = name, base, params
        self.output = base / f"{name}.ipynb"
        self.log = base / f"{name}.log"
        cmd = [sys.executable, "-m", "papermill", str(NOTEBOOKS / f"{name}.ipynb"), str(self.output),
               "--cwd", str(base), "--no-progress-bar", "-k", "python3", "-y", json.dumps(params, ensure_ascii=False)]
        env = {**os.environ, "AUDITKIT_STORE": str(base / "default-store.sqlite"), "GX_ANALYTICS_ENABLED": "false",
               "XDG_DATA_HOME": str(base / "user-data"), **env}
        for name in ("AUDITKIT_EXPECTATIONS", "AUDITKIT_RULES"):
            env.pop(name, None)
        self.cmd, self.env = cmd, env
        self.start()

    def start(self) -> None:
        self.started = time.monotonic()
        self.proc = subprocess.Popen(self.cmd, stdout=self.log.open("w"), stderr=subprocess.STDOUT, env=self.env)
        self.seconds = 0.0

    def poll(self) -> bool:
        if self.proc.poll() is None:
            return False
        self.seconds = self.seconds or time.monotonic() - self.started
        return True

    def wait(self) -> nbformat.NotebookNode:
        rc = self.proc.wait(timeout=900)
        if rc != 0 and _PORT_RACE in self.log.read_text(encoding="utf-8", errors="replace"):
            # jupyter_client picks a kernel's ports free, then binds them: kernels started at once can
            # pick the same port. Not the notebook's fault: start this one again, alone.
            self.start()
            rc = self.proc.wait(timeout=900)
        self.poll()
        assert rc == 0, f"{self.name} failed:\n{self.log.read_text(encoding='utf-8', errors='replace')[-4000:]}"
        return nbformat.read(self.output, as_version=4)


@pytest.fixture(scope="session")
def executed(tmp_path_factory: pytest.TempPathFactory, samples_dir: Path) -> dict[str, tuple[Run, nbformat.NotebookNode]]:
    base = tmp_path_factory.mktemp("notebooks")
    # 01 reads the samples plus two documents that cannot be read, to show how failures are reported.
    batch = base / "reports"
    shutil.copytree(samples_dir, batch)
    (batch / "empty_2023.txt").write_bytes(b"")
    (batch / "broken_2023.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<>> endobj\ntruncated")
    # 03 runs with its defaults: it saves its rule in the default user rule folder (its own per-user
    # data directory here, which the others do not read), and must not touch the bundled rules.
    own = {NAMES[2]: {"XDG_DATA_HOME": str(base / "user-data-03"), "AUDITKIT_STORE": str(base / "store03.sqlite")}}
    params = {
        NAMES[0]: {"reports": str(batch), "out": str(base / "out01"), "store": str(base / "store01.sqlite")},
        NAMES[1]: {"out": str(base / "out02"), "store": str(base / "store02.sqlite"), "reviewer": "测试审核员"},
        NAMES[2]: {"author": "测试"},
        NAMES[3]: {"out": str(base / "out04")},
    }
    bundled = _fingerprint(ROOT / "expectations")
    runs = [Run(name, base, params[name], own.get(name, {})) for name in NAMES]
    deadline = time.monotonic() + 900
    while not all(r.poll() for r in runs) and time.monotonic() < deadline:
        time.sleep(0.5)  # note each run's own time as it ends
    done = {}
    for run in runs:
        done[run.name] = (run, run.wait())
    assert _fingerprint(ROOT / "expectations") == bundled, "a notebook changed the bundled rules"
    print("\nnotebook run times: " + ", ".join(f"{r.name} {r.seconds:.0f}s" for r, _ in done.values()))
    return done


def test_01_audits_the_batch_and_reports_unreadable_files(executed) -> None:
    run, nb = executed[NAMES[0]]
    text = _text(nb)
    out = Path(run.params["out"])
    findings = read_jsonl(out / "findings.jsonl")
    failed = findings[findings["status"] == "failed"]
    assert len(failed) > 0
    assert f"共 **{len(failed)}** 项问题" in text
    for name in ("empty_2023.txt", "broken_2023.pdf"):
        assert name in text
    assert "**2** 个文件无法读取" in text and "empty" in text
    # The by-agency table counts what findings.jsonl holds.
    for agency, n in failed["agency"].value_counts().items():
        assert agency in text and str(n) in text
    assert sum("image/png" in o.get("data", {}) for o in _outputs(nb)) == 1  # the overview chart
    assert "Glyph" not in text  # Chinese labels drawn with a CJK font, no missing glyphs
    assert {"findings.csv", "findings.jsonl", "records.jsonl", "checks.csv"} <= {p.name for p in out.iterdir()}


def test_02_shows_the_reviewer_over_the_audit(executed) -> None:
    run, nb = executed[NAMES[1]]
    out = Path(run.params["out"])
    findings = read_jsonl(out / "findings.jsonl")
    findings = findings[findings["queue"] != "reading"]  # the readings to check by hand are listed apart
    views = [o for o in _outputs(nb) if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(views) == 1
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    values = [m["state"].get("value") for m in state.values()]
    assert f"0 / {len(findings)} 已审核" in "".join(v for v in values if isinstance(v, str))
    assert "测试审核员" in values
    classes = {c for m in state.values() for c in m["state"].get("_dom_classes", [])}
    assert {"ak-review", "ak-confirm", "ak-dismiss", "ak-follow-up", "ak-note"} <= classes
    assert (out / "review.sqlite").exists() and (out / "review.csv").exists()


def test_03_with_its_defaults_saves_the_rule_in_the_user_folder_and_leaves_the_repository_alone(executed) -> None:
    run, nb = executed[NAMES[2]]
    suites = (run.base / "user-data-03" / "auditkit" / "rules").resolve()  # the default user rule folder
    rules = {r.rule_id: (s, r) for s in load_specs(suites) for r in s.rules}
    suite, rule = rules[NEW_RULE]
    assert suite.path == suites / "plausibility_requests.json" and suite.frame == "requests_columns"
    assert rule.meta["author"] == "测试" and rule.meta["threshold"] == 0.2 and rule.severity == "info"
    # The repository is left alone (its bundled rules are also compared byte for byte after the runs).
    assert not (ROOT / "expectations" / "plausibility_requests.json").exists()
    assert NEW_RULE not in {r.rule_id for s in load_specs(ROOT / "expectations") for r in s.rules}
    out = run.base / "out" / "rule-check"  # the default output folder, under the notebook's working folder
    findings = read_jsonl(out / "findings.jsonl")
    flagged = findings[findings["rule_id"] == NEW_RULE]
    assert [Path(s).name for s in flagged["source"]] == ["000_seed-chengxiang_2023.txt"]  # 8 of 51 granted
    text = _text(nb)
    assert f"{NEW_RULE}\tplausibility\tinfo" in text and f"\t{suites}\n" in text  # the `auditkit rules` line
    assert "规则标记了 **1** 份报告" in text
    assert f"用户规则（--rules） 1 条（{suites}）" in (out / "summary.txt").read_text(encoding="utf-8")


def test_04_compares_agencies_and_finds_missing_filings(executed) -> None:
    run, nb = executed[NAMES[3]]
    out = Path(run.params["out"])
    filings = pd.read_csv(out / "filings.csv", index_col=0, encoding="utf-8-sig")
    pingtan = filings.loc["平潭综合实验区"]
    assert [y for y, v in pingtan.items() if v == "未报送"] == ["2020", "2021", "2024"]
    assert filings.loc["平潭综合实验区财政金融局", "2022"] == "已报送"
    comparison = pd.read_csv(out / "comparison.csv", encoding="utf-8-sig")
    assert not comparison.duplicated(["机关", "年度"]).any() and len(comparison) == 8
    row = comparison[(comparison["机关"] == "城乡一体化示范区党政办公室") & (comparison["年度"] == 2023)].iloc[0]
    assert (row["新收申请"], row["办理总数"], row["其中：不掌握"]) == (51, 51, 34)
    assert abs(row["公开比例"] - 8 / 51) < 1e-9
    text = _text(nb)
    assert "平潭综合实验区：2020、2021、2024 年度" in text
    assert "名单外的机关" in text and "淮安市洪泽区人民政府" in text
    assert sum("image/png" in o.get("data", {}) for o in _outputs(nb)) == 1  # the chart over the years
    assert "Glyph" not in text


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebooks_have_no_outputs_and_a_parameters_cell(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{name}: strip outputs before committing"
    assert "widgets" not in nb.metadata
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    source = params[0].source
    assert "SAMPLES_DIR)" in source and "\nout = " in source
    assert "/work/" not in source and "/home/" not in source  # no machine's absolute path


def test_every_notebook_is_tested() -> None:
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == sorted(NAMES)


def test_all_four_with_their_defaults_leave_a_fresh_clone_unchanged(tmp_path: Path) -> None:
    """Issue 10: running any notebook with its defaults never changes the repository."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    # Uncommitted work in the checkout under test goes into the clone too, so it is what runs.
    for name in NAMES:
        shutil.copy(NOTEBOOKS / f"{name}.ipynb", clone / "notebooks" / f"{name}.ipynb")
    subprocess.run(["git", "-C", str(clone), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(clone), "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "work",
                    "--allow-empty"], check=True)
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "user-data"), "AUDITKIT_STORE": str(tmp_path / "store.sqlite"),
           "GX_ANALYTICS_ENABLED": "false"}
    for name in ("AUDITKIT_EXPECTATIONS", "AUDITKIT_RULES"):
        env.pop(name, None)
    procs = []
    for name in NAMES:  # as an auditor runs them: from the notebooks folder, parameters as shipped
        cmd = [sys.executable, "-m", "papermill", f"{name}.ipynb", str(tmp_path / f"{name}.out.ipynb"),
               "--no-progress-bar", "-k", "python3"]
        procs.append((name, subprocess.Popen(cmd, cwd=clone / "notebooks", env=env, stdout=subprocess.PIPE,
                                             stderr=subprocess.STDOUT, text=True)))
    for name, proc in procs:
        out, _ = proc.communicate(timeout=900)
        assert proc.returncode == 0, f"{name} failed:\n{out[-3000:]}"
    status = subprocess.run(["git", "-C", str(clone), "status", "--porcelain"], capture_output=True, text=True,
                            check=True).stdout
    assert status == "", f"the notebooks changed the repository:\n{status}"


@pytest.mark.parametrize("name", NAMES)
def test_every_notebook_exports_to_a_page_that_opens_offline(executed, name: str, tmp_path: Path) -> None:
    """What ``auditkit export-notebook`` does after running a notebook (issue 11 item 6): the page passes the
    offline check (02's reviewer script, with its ``//`` comments, used to be refused) and, opened in Chromium
    with the network cut, asks for nothing and raises no error."""
    from test_browser_report import OfflineBrowser

    from auditkit.render.notebook import notebook_html, widgets_js
    from auditkit.render.offline import outside_references

    _, nb = executed[name]
    page = notebook_html(nb, title=name)
    assert outside_references(page, trusted=[widgets_js()], links=False) == []
    path = tmp_path / f"{name}.html"
    path.write_text(page, encoding="utf-8")
    browser = OfflineBrowser()
    try:
        shown = browser.open(path)
        shown.wait_for_load_state("load")
        if name == NAMES[1]:  # the reviewer, drawn from its saved state
            shown.wait_for_selector(".ak-review .ak-confirm", timeout=20000)
            assert "已审核" in shown.locator(".ak-review").inner_text()
        assert browser.attempted == [] and browser.errors == []
    finally:
        browser.close()
