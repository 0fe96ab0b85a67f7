"""The reviewer in a real browser: JupyterLab on 127.0.0.1, Debian's Chromium driven by Playwright.

The test opens a copy of ``02_review_findings.ipynb`` whose ``out`` points into tmp_path, runs it
from the Run menu, confirms a finding with a note by mouse, marks the next one for follow-up with the
keyboard alone (Tab order and shortcuts), and reads both decisions back from the review log's SQLite
file. A screenshot goes to tests/artifacts/. It fails, never skips, when Chromium is missing.

Nothing leaks: JupyterLab gets its own config, data, runtime, settings and workspace folders and a
random token; the server and every kernel it started are killed at the end, even on failure.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
BATCH = ("000_seed-chengxiang_2023.txt", "019_pingtan-shichangjianguanju_2021.txt")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _kill_tree(proc: subprocess.Popen) -> None:
    """Kill the server and every process it started (kernels run in sessions of their own)."""
    import psutil

    try:
        parent = psutil.Process(proc.pid)
        family = [*parent.children(recursive=True), parent]
    except psutil.NoSuchProcess:
        family = []
    for p in family:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.terminate()
    _, alive = psutil.wait_procs(family, timeout=10)
    for p in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[dict]:
    """A JupyterLab server in tmp_path serving a prepared copy of the review notebook."""
    import papermill

    work = tmp_path / "work"
    docs = tmp_path / "reports"
    docs.mkdir()
    for name in BATCH:
        shutil.copy(ROOT / "auditkit" / "data" / "samples" / name, docs / name)
    work.mkdir()
    out = tmp_path / "out"
    papermill.execute_notebook(  # parameters injected, nothing executed
        str(ROOT / "notebooks" / "02_review_findings.ipynb"), str(work / "02_review_findings.ipynb"),
        parameters={"reports": str(docs), "out": str(out), "store": str(tmp_path / "store.sqlite"), "rerun": True},
        prepare_only=True, progress_bar=False)

    home = tmp_path / "jupyter"
    ipython = home / "ipython" / "profile_default"
    ipython.mkdir(parents=True)
    (ipython / "ipython_kernel_config.py").write_text("c.InteractiveShell.colors = 'nocolor'\n")
    # Start the notebook's kernel without asking, and never fetch news (no network here).
    settings = home / "settings" / "@jupyterlab"
    for plugin, values in (("notebook-extension/tracker", '{"autoStartDefaultKernel": true}'),
                           ("apputils-extension/notification", '{"fetchNews": "false", "checkForUpdates": false}')):
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(values)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"), "IPYTHONDIR": str(home / "ipython"),
           "AUDITKIT_STORE": str(tmp_path / "store.sqlite"), "GX_ANALYTICS_ENABLED": "false", "HOME": str(home)}
    env.pop("AUDITKIT_EXPECTATIONS", None)
    port, token = _free_port(), secrets.token_hex(16)
    log = (tmp_path / "jupyterlab.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
         f"--ServerApp.token={token}", "--ServerApp.port_retries=0", f"--ServerApp.root_dir={work}",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:  # ready when the REST API answers
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("JupyterLab did not start:\n" + (tmp_path / "jupyterlab.log").read_text()[-3000:])
            time.sleep(0.3)
        yield {"url": f"{base}/lab/tree/02_review_findings.ipynb?token={token}", "out": out,
               "log": tmp_path / "jupyterlab.log", "api": base + "/api", "token": token}
    finally:
        _kill_tree(server)
        log.close()


def _decisions(db: Path, kind: str = "decision") -> dict[str, dict]:
    """finding_id -> its latest event of ``kind`` (``decision`` or ``signoff``) in the review log."""
    if not db.exists():
        return {}
    with contextlib.closing(sqlite3.connect(db)) as con:
        con.row_factory = sqlite3.Row
        rows = con.execute("SELECT * FROM events WHERE kind = ? ORDER BY event_id", (kind,)).fetchall()
    return {r["finding_id"]: dict(r) for r in rows}


def _kernel_state(lab: dict) -> str | None:
    """The execution state of the notebook's kernel, from the server (None before it exists)."""
    import json

    with urllib.request.urlopen(f"{lab['api']}/sessions?token={lab['token']}", timeout=5) as r:
        sessions = json.loads(r.read())
    return sessions[0]["kernel"]["execution_state"] if sessions else None


def _wait_for(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def test_confirm_a_finding_in_jupyterlab(lab: dict) -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (scripts/system-deps.sh)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    db = lab["out"] / "review.sqlite"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100}, locale="zh-CN")
            review = _run_the_notebook(page, lab)
            assert "已审核" in review.locator(".ak-progress").inner_text()

            # By mouse: a note, then 确认.
            first = review.locator(".ak-card").get_attribute("data-finding-id")
            review.locator(".ak-reviewer input").fill("浏览器审核员")
            review.locator(".ak-note textarea").fill("浏览器中核实：确有此问题")
            review.locator("button.ak-confirm").click()
            review.locator(".ak-message", has_text="已记录：确认").wait_for(timeout=30_000)
            decided = _wait_for(lambda: _decisions(db).get(first), 30, "the confirmation in the review log")
            assert (decided["decision"], decided["note"], decided["reviewer"]) == (
                "confirmed", "浏览器中核实：确有此问题", "浏览器审核员")
            assert "1 / " in review.locator(".ak-progress").inner_text()

            code_cells = page.locator(".jp-Notebook .jp-CodeCell").count()
            # By keyboard: into the note, Tab reaches 确认 next; Esc leaves the note; 3 = 待跟进.
            second = review.locator(".ak-card").get_attribute("data-finding-id")
            assert second != first
            note = review.locator(".ak-note textarea")
            note.focus()
            page.keyboard.type("需要向机关核实")
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.classList.contains('ak-confirm')")
            page.keyboard.press("Shift+Tab")
            assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
            page.keyboard.press("Escape")
            assert page.evaluate("document.activeElement.classList.contains('ak-confirm')")
            page.keyboard.press("3")
            followed = _wait_for(lambda: _decisions(db).get(second), 30, "the keyboard decision in the review log")
            assert (followed["decision"], followed["note"]) == ("follow_up", "需要向机关核实")
            review.locator(f".ak-card:not([data-finding-id='{second}'])").wait_for(timeout=30_000)  # moved on
            page.keyboard.press("ArrowLeft")  # back to the second, then with K to the first: decisions shown
            review.locator(f".ak-card[data-finding-id='{second}'] .ak-decision[data-decision='follow_up']").wait_for(
                timeout=30_000)
            page.keyboard.press("k")
            review.locator(f".ak-card[data-finding-id='{first}'] .ak-decision[data-decision='confirmed']").wait_for(
                timeout=30_000)
            # The keys went to the reviewer, not to JupyterLab ("3" would have made the cell a heading).
            assert page.locator(".jp-Notebook .jp-CodeCell").count() == code_cells

            review.scroll_into_view_if_needed()
            review.screenshot(path=str(ARTIFACTS / "browser-review.png"))

            # Enter on a focused button presses it; arrows on a filter choose an option; JupyterLab sees
            # neither (its active cell stays where it was).
            active = page.evaluate("[...document.querySelectorAll('.jp-Notebook .jp-Cell')]"
                                   ".findIndex(c => c.classList.contains('jp-mod-active'))")
            review.locator("button.ak-next").focus()
            page.keyboard.press("Enter")
            review.locator(f".ak-card[data-finding-id='{second}']").wait_for(timeout=30_000)
            total = review.locator(".ak-progress").inner_text()
            severity = review.locator(".ak-filter-severity select")
            severity.focus()
            page.keyboard.press("ArrowDown")
            _wait_for(lambda: review.locator(".ak-progress").inner_text() != total, 30, "the severity filter")
            assert severity.input_value() != "" and "全部" not in severity.evaluate("s => s.selectedOptions[0].text")
            assert page.evaluate("[...document.querySelectorAll('.jp-Notebook .jp-Cell')]"
                                 ".findIndex(c => c.classList.contains('jp-mod-active'))") == active
            assert page.locator(".jp-Notebook .jp-CodeCell").count() == code_cells
        except BaseException:
            with contextlib.suppress(Exception):  # what the page showed when it went wrong
                page.screenshot(path=str(ARTIFACTS / "browser-review-failure.png"), full_page=True)
            raise
        finally:
            browser.close()
    events = _decisions(db)
    assert set(events) == {first, second}


def _run_the_notebook(page, lab: dict):
    page.goto(lab["url"])
    _wait_for(lambda: _kernel_state(lab) == "idle", 90, "the kernel to start")
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=30_000)
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator("li[data-command='runmenu:run-all']").click()
    review = page.locator(".ak-review")
    review.wait_for(state="visible", timeout=120_000)
    _wait_for(lambda: _kernel_state(lab) == "idle" and page.locator(".jp-InputPrompt", has_text="*").count() == 0,
              120, "the notebook to finish")
    errors = page.locator("[data-mime-type='application/vnd.jupyter.error']")
    assert errors.count() == 0, errors.first.inner_text()
    return review


def test_sign_off_with_the_keyboard_after_clicking_the_table(lab: dict) -> None:
    """Two-level review in JupyterLab: one person decides, a second signs off; the keys work after a click
    on the report table (focus stays in the reviewer), and never reach the notebook."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (scripts/system-deps.sh)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    db = lab["out"] / "review.sqlite"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100}, locale="zh-CN")
            review = _run_the_notebook(page, lab)
            code_cells = page.locator(".jp-Notebook .jp-CodeCell").count()

            # The controls are above the report table: no scrolling between the finding and its decision.
            top = {name: review.locator(sel).bounding_box()["y"] for name, sel in (
                ("confirm", "button.ak-confirm"), ("approve", "button.ak-approve"), ("table", ".ak-report-view"))}
            assert top["confirm"] < top["table"] and top["approve"] < top["table"]

            # Where the finding came from: one click on 原文出处 shows the original's lines.
            review.locator(".ak-card .ak-origin summary").click()
            review.locator(".ak-card .ak-origin[open] .ak-origin-lines .hit").first.wait_for(timeout=10_000)

            # 编制: the preparer confirms the first finding.
            first = review.locator(".ak-card").get_attribute("data-finding-id")
            review.locator(".ak-reviewer input").fill("编制人甲")
            review.locator(".ak-note textarea").fill("总计与各项之和不符，已核对原文")
            review.locator("button.ak-confirm").click()
            _wait_for(lambda: _decisions(db).get(first), 30, "the decision in the review log")
            review.locator(f".ak-card:not([data-finding-id='{first}'])").wait_for(timeout=30_000)

            # A click on the report table, then K: back to the first finding (the focus stayed in the reviewer).
            review.locator(".ak-report-view .ak-report-table td").first.click()
            page.wait_for_timeout(200)
            assert page.evaluate("!!document.activeElement.closest('.ak-review')")
            # The click made the reviewer's cell the active one; keys that leaked would move or edit cells.
            active = page.evaluate("[...document.querySelectorAll('.jp-Notebook .jp-Cell')]"
                                   ".findIndex(c => c.classList.contains('jp-mod-active'))")
            page.keyboard.press("k")
            review.locator(f".ak-card[data-finding-id='{first}'] .ak-signoff[data-signoff='awaiting']").wait_for(
                timeout=30_000)
            assert "待复核" in review.locator(".ak-card").inner_text()

            # The preparer cannot sign off their own decision.
            review.locator(".ak-card-view").click()
            page.keyboard.press("a")
            review.locator(".ak-message", has_text="不能复核本人").wait_for(timeout=30_000)
            assert not _decisions(db, "signoff")

            # 复核: a second person approves it with the keyboard (A), after clicking the table again.
            review.locator(".ak-reviewer input").fill("复核人乙")
            review.locator(".ak-report-view .ak-report-table td").first.click()
            page.keyboard.press("a")
            signed = _wait_for(lambda: _decisions(db, "signoff").get(first), 30, "the sign-off in the review log")
            assert (signed["decision"], signed["reviewer"]) == ("approved", "复核人乙")
            review.locator(".ak-progress", has_text="复核 1 /").wait_for(timeout=30_000)
            review.locator(".ak-message", has_text="已记录复核：复核通过").wait_for(timeout=30_000)

            # Back on the first: the card shows both levels with who signed.
            review.locator(".ak-report-view").click()
            page.keyboard.press("ArrowLeft")
            card = review.locator(f".ak-card[data-finding-id='{first}']")
            card.locator(".ak-signoff[data-signoff='approved']").wait_for(timeout=30_000)
            assert "复核人乙" in card.inner_text() and "编制人甲" in card.inner_text()
            # None of those keys reached JupyterLab: no cell added, changed into Markdown, or moved to.
            assert page.locator(".jp-Notebook .jp-CodeCell").count() == code_cells
            assert page.evaluate("[...document.querySelectorAll('.jp-Notebook .jp-Cell')]"
                                 ".findIndex(c => c.classList.contains('jp-mod-active'))") == active
            review.scroll_into_view_if_needed()
            review.screenshot(path=str(ARTIFACTS / "browser-signoff.png"))
        except BaseException:
            with contextlib.suppress(Exception):
                page.screenshot(path=str(ARTIFACTS / "browser-signoff-failure.png"), full_page=True)
            raise
        finally:
            browser.close()
