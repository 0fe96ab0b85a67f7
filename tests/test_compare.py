"""compare_reports on the bundled samples: one report per agency and year, figures from the truth, missing filings."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

import auditkit
from auditkit.compare import FIGURES, report_figures
from tests.conftest import SAMPLES, truth_of

EXPECTED = ["平潭综合实验区", "平潭综合实验区财政金融局", "平潭综合实验区市场监督管理局"]


@pytest.fixture(scope="module")
def batch() -> auditkit.Batch:
    return auditkit.read_reports([SAMPLES], jobs=1, progress=False)


@pytest.fixture(scope="module")
def comparison(batch) -> auditkit.Comparison:
    return auditkit.compare_reports(batch.reports, EXPECTED)


def test_figures_of_one_report_from_its_cells(batch) -> None:
    report = next(r for r in batch.reports if Path(r.source).name == "000_seed-chengxiang_2023.txt")
    truth = truth_of("000_seed-chengxiang_2023.txt")["cells"]
    figures = report_figures(report)
    assert list(figures) == list(FIGURES)
    assert figures["新收申请"] == truth["requests.new_received.total"] == 51
    assert figures["其中：不掌握"] == truth["requests.unavailable_not_held.total"] == 34
    assert figures["公开比例"] == pytest.approx(8 / 51)
    assert figures["行政诉讼"] == truth["appeals.litigation_direct.total"] + truth[
        "appeals.litigation_after_reconsideration.total"]


def test_a_value_the_report_lacks_stays_empty(batch) -> None:
    report = next(r for r in batch.reports if Path(r.source).name == "000_seed-chengxiang_2023.txt")
    blank = type(report).from_record(report.to_record())
    for key in list(blank.cells):
        if key.startswith(("requests.", "appeals.")):
            blank.cells[key] = None
    figures = report_figures(blank)
    assert all(math.isnan(v) for v in figures.values())  # never 0


def test_one_report_per_agency_and_year(batch, comparison) -> None:
    table = comparison.table
    assert not table.duplicated(["agency_key", "年度"]).any() and len(table) == 8
    assert len(table) + len(comparison.copies) == len(batch.reports)
    # The kept copy of an agency and year has at least as many values as each copy left out.
    for row in comparison.copies.itertuples(index=False):
        kept = table[(table["agency_key"] == row.agency_key) & (table["年度"] == row.年度)].iloc[0]
        assert kept["有值单元格"] >= row.有值单元格
    assert comparison.year == int(table["年度"].value_counts().idxmax())


def test_missing_filings_and_agencies_outside_the_list(comparison) -> None:
    assert [y for a, y in comparison.missing() if a == "平潭综合实验区"] == [2020, 2021, 2024]
    assert comparison.filings.at["平潭综合实验区财政金融局", 2022] == "已报送"
    assert "- 平潭综合实验区：2020、2021、2024 年度" in comparison.missing_text()
    assert "淮安市洪泽区人民政府" in comparison.unexpected()
    assert not set(comparison.unexpected()) & set(EXPECTED)


def test_side_by_side_over_the_years_and_written_files(comparison, tmp_path: Path) -> None:
    side = comparison.side_by_side()
    assert list(side.index) == list(FIGURES)
    assert side.shape[1] == (comparison.table["年度"] == comparison.year).sum()
    assert all(v == "" or v.endswith("%") for v in side.loc["公开比例"])
    agencies = comparison.agencies_over_years()
    assert agencies and next(t for t, _ in comparison.over_years()).startswith(f"**{agencies[0]}**")
    assert set(comparison.over_years_frame()["机关"]) == set(agencies)
    comparison.reports_table().to_html()  # the styled tables render
    comparison.filings_table().to_html()
    written = comparison.write(tmp_path / "out")
    assert [p.name for p in written] == ["comparison.csv", "filings.csv"]
    back = pd.read_csv(written[0], encoding="utf-8-sig")
    row = back[(back["机关"] == "城乡一体化示范区党政办公室") & (back["年度"] == 2023)].iloc[0]
    assert (row["新收申请"], row["办理总数"], row["其中：不掌握"]) == (51, 51, 34)
