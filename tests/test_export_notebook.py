"""``auditkit export-notebook``: a notebook with widgets and a table, run headless, opened offline."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from auditkit.errors import NotebookRunError, OfflineError, UsageError
from auditkit.render.notebook import WIDGETS_JS, export_notebook, widgets_js
from auditkit.render.offline import outside_references

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def write_notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 审核笔记本\n小部件与表格")]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


WIDGET_CELLS = (
    "import ipywidgets as w\nimport pandas as pd\n"
    "slider = w.IntSlider(value=7, min=0, max=20, description='阈值')\nslider",
    "dd = w.Dropdown(options=['确认', '排除（误报）', '待跟进'], value='待跟进', description='结论')\ndd",
    # Read beside the notebook: the notebook runs in its own folder.
    "pd.read_csv('agencies.csv')",
)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    from auditkit.cli import main

    folder = tmp_path_factory.mktemp("notebook")
    (folder / "agencies.csv").write_text("机关,问题\n甲局,3\n乙局,5\n", encoding="utf-8")
    nb = write_notebook(folder / "review.ipynb", *WIDGET_CELLS)
    out = folder / "export" / "review.html"
    assert main(["export-notebook", str(nb), "--out", str(out)]) == 0
    yield out, out.read_text(encoding="utf-8")


def test_exported_page_references_no_other_host(exported) -> None:
    _, page = exported
    assert outside_references(page, trusted=[widgets_js()]) == []
    # Everything but the vendored bundle is held to the strict check, links included.
    stripped = page.replace(widgets_js(), "")
    assert outside_references(stripped) == []
    assert "cdn.jsdelivr" not in stripped and "unpkg" not in stripped and "cdnjs" not in stripped
    assert widgets_js() in page  # the renderer is inlined, not linked
    assert '<html lang="zh">' in page


def test_widget_state_and_table_are_saved(exported) -> None:
    _, page = exported
    assert 'application/vnd.jupyter.widget-state+json' in page
    assert page.count('<script type="application/vnd.jupyter.widget-view+json">') == 2
    assert '"value": 7' in page and '"index": 2' in page
    assert "甲局" in page and "dataframe" in page


def test_vendored_renderer_is_the_recorded_one() -> None:
    recorded = (WIDGETS_JS.parent / "SHA256SUMS").read_text().split()[0]
    assert hashlib.sha256(WIDGETS_JS.read_bytes()).hexdigest() == recorded
    assert (WIDGETS_JS.parent / "HTML_MANAGER_VERSION").read_text().startswith("1.0.")
    assert not any(line.startswith("//# sourceMappingURL") for line in widgets_js().splitlines())  # map not shipped


def test_widgets_are_drawn_offline_in_chromium(exported) -> None:
    from test_browser_report import OfflineBrowser  # the same network-refusing Chromium

    path, _ = exported
    browser = OfflineBrowser()
    try:
        page = browser.open(path)
        page.wait_for_selector(".widget-slider .widget-readout", timeout=20000)
        assert page.locator(".widget-slider .widget-readout").inner_text().strip() == "7"
        assert page.locator(".widget-slider .widget-label").inner_text().strip() == "阈值"
        assert page.locator(".widget-dropdown select").input_value() == "待跟进"
        assert page.locator(".widget-dropdown select option").count() == 3
        assert "乙局" in page.locator("table.dataframe").inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "notebook-export.png"), full_page=True)
        assert browser.attempted == []
        assert browser.errors == []
    finally:
        browser.close()


def test_a_failing_cell_stops_the_export(tmp_path: Path) -> None:
    nb = write_notebook(tmp_path / "bad.ipynb", "x = 1", "1 / 0")
    out = tmp_path / "bad.html"
    with pytest.raises(NotebookRunError, match="ZeroDivisionError"):
        export_notebook(nb, out)
    assert not out.exists()


def test_a_notebook_that_loads_from_the_web_is_refused(tmp_path: Path) -> None:
    nb = write_notebook(tmp_path / "remote.ipynb",
                        "from IPython.display import HTML\nHTML('<img src=\"https://example.org/logo.png\">')")
    out = tmp_path / "remote.html"
    with pytest.raises(OfflineError, match=r"example\.org/logo\.png"):
        export_notebook(nb, out)
    assert not out.exists()


def test_missing_notebook(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"none\.ipynb"):
        export_notebook(tmp_path / "none.ipynb", tmp_path / "none.html")
