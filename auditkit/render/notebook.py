"""``auditkit export-notebook``: run a notebook headless and export it to one HTML file that opens offline.

The notebook runs with nbclient in its own folder (so relative paths in it work),
with the widget state saved into the notebook. It is exported with nbconvert's
lab template adapted by ``templates/offline``: require.js, MathJax and Mermaid,
which the lab template loads from CDNs, are left out, and the widget renderer
(``@jupyter-widgets/html-manager``, vendored under ``assets/vendor`` at build
time) is inlined, so the widgets are drawn in their saved state without any
network. Before the file is written the page is checked with
``outside_references``; a notebook whose own outputs load something from the
web (an image by URL, a CDN script) is refused unless ``allow_remote``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from auditkit.errors import NotebookRunError, OfflineError, UsageError
from auditkit.render.offline import outside_references

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
WIDGETS_JS = HERE / "assets" / "vendor" / "html-manager-embed.js"
CELL_TIMEOUT = 600  # seconds a single cell may run


def export_notebook(notebook: Path, out: Path, *, allow_remote: bool = False, timeout: int = CELL_TIMEOUT) -> Path:
    """Run ``notebook`` headless and write it, with its outputs and widgets, to ``out`` (one HTML file).

    Raises ``UsageError`` when there is no such notebook, ``NotebookRunError`` when a cell fails or
    the kernel dies, ``OfflineError`` when the page would load something from another host."""
    notebook, out = Path(notebook), Path(out)
    if not notebook.is_file():
        raise UsageError(f"{notebook}: 笔记本不存在 (no such notebook)")
    executed = run_notebook(notebook, timeout=timeout)
    page = notebook_html(executed, title=notebook.stem)
    if not allow_remote:
        found = outside_references(page, trusted=[widgets_js()], links=False)
        if found:
            more = f"; … ({len(found)} in all)" if len(found) > 3 else ""
            raise OfflineError(f"{notebook}: 导出的页面会从其他主机加载内容，离线无法打开 "
                               f"(the page would load from other hosts): {'; '.join(found[:3])}{more}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out)
    return out


def run_notebook(notebook: Path, timeout: int = CELL_TIMEOUT) -> Any:
    """Execute the notebook in its own folder; returns the executed ``NotebookNode`` (widget state kept)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = nbformat.read(notebook, as_version=4)
    kernel = nb.metadata.get("kernelspec", {}).get("name") or "python3"
    client = NotebookClient(
        nb, timeout=timeout, kernel_name=kernel, store_widget_state=True,
        resources={"metadata": {"path": str(notebook.parent.resolve())}},
        # Tracebacks without terminal colour codes read better in the exported page.
        extra_arguments=["--InteractiveShell.colors=nocolor"],
    )
    # The kernel's own stderr (start-up chatter such as its TCP warning) is kept out of the user's
    # terminal; cell output travels over the kernel protocol, and the log is shown if the kernel dies.
    with tempfile.TemporaryFile() as kernel_log:
        try:
            client.execute(stderr=kernel_log)
        except CellExecutionError as exc:
            raise NotebookRunError(f"{notebook}: 笔记本运行出错 (a cell failed): {_last_line(exc)}") from None
        except (CellTimeoutError, DeadKernelError) as exc:
            kernel_log.seek(0)
            said = [x for x in kernel_log.read()[-2000:].decode("utf-8", "replace").splitlines() if x.strip()]
            last = f" (kernel: {said[-1].strip()})" if said else ""
            raise NotebookRunError(f"{notebook}: 笔记本未能运行完 (the notebook did not finish): "
                                   f"{_last_line(exc)}{last}") from None
        except Exception as exc:
            if type(exc).__name__ == "NoSuchKernel":
                raise NotebookRunError(f"{notebook}: 找不到内核 {kernel} (no such kernel)") from None
            raise
    return nb


def notebook_html(nb: Any, title: str | None = None) -> str:
    """An executed notebook as one offline HTML page."""
    from nbconvert import HTMLExporter

    if title:
        nb.metadata["title"] = title
    # lang="zh" makes browsers pick Simplified Chinese glyphs from the system CJK fonts.
    exporter = HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATES)], language_code="zh")
    body, _ = exporter.from_notebook_node(nb, resources={"auditkit_widgets_js": widgets_js()})
    return body


def widgets_js() -> str:
    """The vendored widget renderer, ready to inline."""
    text = WIDGETS_JS.read_text(encoding="utf-8")
    # Inside an inline <script> these sequences would end the element early or confuse the HTML parser.
    if "</script" in text.lower() or "<!--" in text:
        raise NotebookRunError(f"{WIDGETS_JS}: 不能内联 (cannot be inlined safely)")
    return text


def _last_line(exc: Exception) -> str:
    lines = [x for x in str(exc).splitlines() if x.strip()]
    # nbclient's message ends with the error name and value; that is the line an auditor needs.
    return lines[-1] if lines else type(exc).__name__
