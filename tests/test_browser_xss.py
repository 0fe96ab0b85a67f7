"""Markup in a report, its file name or a review note is shown as text, never run (issue 11: what holds today).

A report whose title, text and a table label carry script, ``onerror``, ``javascript:`` and
``</script>`` probes, in a file named with one, is audited; a decision is recorded with a probe
as its note and another as the reviewer's name. audit.html, and a notebook showing the reviewer
exported with ``export_notebook``, are opened in Chromium with the network cut: no probe runs
(each would set ``window.__xss``), no element carries an ``onerror``, and the probes read as text.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from test_browser_report import OfflineBrowser

from tests.conftest import SAMPLES

PROBES = {
    "script": "<script>window.__xss=1</script>",
    "onerror": '<img src=x onerror="window.__xss=2">',
    "javascript": "javascript:window.__xss=3",
    "close_script": "</script><script>window.__xss=4</script>",
}
FILE_PROBE = "<img src=x onerror=window.__xss=5>"
NOTE = PROBES["close_script"] + PROBES["onerror"]
REVIEWER = PROBES["javascript"] + "<svg onload=window.__xss=6>"


@pytest.fixture(scope="module")
def hostile_audit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from auditkit.audit import run_audit
    from auditkit.render import rebuild_report
    from auditkit.review.widget import Reviewer

    base = tmp_path_factory.mktemp("xss")
    text = (SAMPLES / "007_pingtan-shiyanqu_2025.txt").read_text(encoding="utf-8")
    text = text.replace("标题: 平潭综合实验区", f"标题: {PROBES['script']}平潭综合实验区", 1)
    # In the text, after a figure that disagrees with the table: the sentence becomes a finding's evidence.
    text = text.replace("全区共收到政府信息公开申请154件，",
                        f"全区共收到政府信息公开申请155件{PROBES['onerror']}{PROBES['javascript']}"
                        f"{PROBES['close_script']}，")
    text = text.replace("（一）予以公开33", f"（一）予以公开{PROBES['onerror']}33")  # a table label
    reports = base / "reports"
    reports.mkdir()
    (reports / f"{FILE_PROBE}.txt").write_text(text, encoding="utf-8")
    out = base / "out"
    result = run_audit([reports], out, store=base / "store.sqlite")
    assert result.reports[0].agency.startswith(PROBES["script"])  # the probe reached the record
    session = Reviewer.from_audit(out).session  # the first finding the reviewer shows gets the decision
    session.decide("confirmed", NOTE, reviewer=REVIEWER)
    rebuild_report(out)
    return out


@pytest.fixture()
def browser() -> Iterator[OfflineBrowser]:
    b = OfflineBrowser()
    yield b
    b.close()


def assert_nothing_ran(page, browser: OfflineBrowser, dialogs: list[str]) -> None:
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert dialogs == []
    assert page.locator("[onerror], [onload]:not(body)").count() == 0
    assert browser.attempted == [] and browser.errors == []


def test_audit_html_shows_every_probe_as_text(hostile_audit: Path, browser: OfflineBrowser) -> None:
    page = browser.open(hostile_audit / "audit.html")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.wait_for_selector("html[data-ready='1']")
    source = (hostile_audit / "audit.html").read_text(encoding="utf-8")
    for probe in (PROBES["script"], PROBES["onerror"], PROBES["close_script"], FILE_PROBE, NOTE, REVIEWER):
        assert probe not in source, probe  # never as markup in the file
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    shown = page.locator("body").inner_text()
    for probe in (PROBES["script"], PROBES["onerror"], PROBES["javascript"], PROBES["close_script"], FILE_PROBE,
                  NOTE, REVIEWER):
        assert probe in shown, probe
    # The page's own scripts handle the text too: the search box and a link to a finding.
    page.fill("#f-search", PROBES["onerror"])
    page.goto((hostile_audit / "audit.html").as_uri() + "#" + PROBES["script"])
    page.wait_for_selector("html[data-ready='1']")
    assert_nothing_ran(page, browser, dialogs)


def test_exported_notebook_shows_every_probe_as_text(hostile_audit: Path, browser: OfflineBrowser,
                                                      tmp_path: Path) -> None:
    from auditkit.render.notebook import export_notebook

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(
        "import auditkit\nimport pandas as pd\npd.set_option('display.max_colwidth', None)\n"
        f"data = auditkit.load_audit({str(hostile_audit)!r})\n"
        "data.findings[['agency', 'source', 'evidence', 'note', 'reviewer']]"),
        nbformat.v4.new_code_cell(f"auditkit.Reviewer.from_audit({str(hostile_audit)!r})")]
    path = tmp_path / "review.ipynb"
    nbformat.write(nb, path)
    out = export_notebook(path, tmp_path / "review.html")
    page = browser.open(out)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.wait_for_selector(".ak-review .ak-card", timeout=30000)
    card = page.locator(".ak-card").inner_text()
    assert PROBES["script"] in card and FILE_PROBE in card  # agency and file name, as text
    assert NOTE in card and REVIEWER in card  # the decision, with its note and reviewer
    table = page.locator("table.dataframe").inner_text()
    assert PROBES["close_script"] in table and FILE_PROBE in table
    assert_nothing_ran(page, browser, dialogs)
