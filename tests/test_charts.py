"""The notebooks' charts and overview tables: Chinese drawn with a CJK font found as a file, numbers from the audit."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

import auditkit
from auditkit.render.charts import Chart, find_cjk_font_file
from auditkit.vocabulary import SEVERITY_LABELS
from tests.conftest import SAMPLES

BATCH = ("000_seed-chengxiang_2023.txt", "008_pingtan-shiyanqu_2019.txt", "019_pingtan-shichangjianguanju_2021.txt",
         "002_huaian-hongzequ_2024.pdf")


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> auditkit.AuditResult:
    base = tmp_path_factory.mktemp("charts")
    docs = base / "reports"
    docs.mkdir()
    for name in BATCH:
        shutil.copy(SAMPLES / name, docs / name)
    (docs / "empty_2023.txt").write_bytes(b"")
    return auditkit.run_audit([docs], base / "out", store=base / "store.sqlite", jobs=1)


def glyph_warnings(chart: Chart) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = chart.png()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    return [str(w.message) for w in caught if "Glyph" in str(w.message)]


def test_a_cjk_font_file_is_found() -> None:
    path = find_cjk_font_file()
    assert path is not None and path.is_file(), "install a CJK font (Debian: fonts-noto-cjk)"
    family = auditkit.cjk_font()
    assert family and any(w in family for w in ("CJK", "Hei", "Han", "SC"))


def test_chinese_is_drawn_even_when_matplotlib_font_cache_predates_the_cjk_fonts(tmp_path: Path) -> None:
    # A fresh process whose font list lacks every CJK font, as a cache built before they were installed:
    # Chinese labels then come out as boxes with a "Glyph missing" warning, until cjk_font adds the file.
    code = textwrap.dedent("""
        import warnings
        from matplotlib import font_manager
        from matplotlib.figure import Figure

        font_manager.fontManager.ttflist = [f for f in font_manager.fontManager.ttflist
                                            if not any(w in f.name for w in ("CJK", "Hei", "Han", "Ming", "Song"))]

        def draw():
            fig = Figure()
            fig.subplots().set_title("按严重程度：严重、警告、提示")
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                fig.savefig("out.png")
            return sum("Glyph" in str(w.message) for w in caught)

        before = draw()
        from auditkit.render.charts import cjk_font
        family = cjk_font()
        after = draw()
        print(before, after, family)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=300,
                          env={"MPLCONFIGDIR": str(tmp_path / "mpl"), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    before, after, family = done.stdout.split(maxsplit=2)
    assert int(before) > 0  # the simulation is real: without the file, the glyphs are missing
    assert int(after) == 0 and family.strip()


def test_overview_tables_count_the_failed_findings(result: auditkit.AuditResult) -> None:
    overview = auditkit.audit_overview(result)
    f = result.findings
    failed = f[f["status"] == "failed"]
    assert f"共 **{len(failed)}** 项问题，涉及 **{failed['source'].nunique()}** 份报告" in overview.headline
    assert overview.by_severity["问题数"].sum() == len(failed) == overview.by_category["问题数"].sum()
    assert list(overview.by_severity["名称"]) == [SEVERITY_LABELS[s] for s in overview.by_severity.index]
    assert overview.by_rule["问题数"].to_dict() == failed.groupby("rule_id").size().to_dict()
    assert overview.by_agency["合计"].sum() == len(failed)
    assert len(overview.reports) == len(BATCH) and overview.reports["问题数"].sum() == len(failed)
    assert overview.unreadable_note == "**1** 个文件无法读取："
    assert overview.unreadable.to_dict("records")[0]["原因代码"] == "empty"
    assert list(overview.checks["核对"]) == list(result.checks["evaluated"])
    assert {"findings.jsonl", "audit.html", "findings.xlsx"} <= set(overview.files["文件"])


def test_overview_chart_has_no_missing_glyph(result: auditkit.AuditResult, tmp_path: Path) -> None:
    chart = auditkit.overview_chart(auditkit.audit_overview(result))
    assert glyph_warnings(chart) == []
    axes = chart.figure.axes
    assert [ax.get_title() for ax in axes] == ["按严重程度", "按类别", "按机关", "按规则（前15）"]
    labels = {t.get_text() for t in axes[0].get_xticklabels()}
    assert labels and labels <= set(SEVERITY_LABELS.values())
    assert chart.save(tmp_path / "overview.svg").stat().st_size > 0
    assert chart._repr_png_().startswith(b"\x89PNG")  # how a notebook shows it


def test_comparison_chart_has_no_missing_glyph() -> None:
    batch = auditkit.read_reports([SAMPLES], jobs=1, progress=False)
    comparison = auditkit.compare_reports(batch.reports)
    chart = auditkit.comparison_chart(comparison)
    assert chart is not None and glyph_warnings(chart) == []
    legend = {t.get_text() for t in chart.figure.axes[0].get_legend().get_texts()}
    assert legend == set(comparison.agencies_over_years()) and legend
    single = auditkit.compare_reports(batch.reports[:1])
    assert auditkit.comparison_chart(single) is None  # no agency with two years: nothing to draw
