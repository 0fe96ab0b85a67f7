"""Agencies side by side and over the years, and who did not file: what ``compare_reports`` returns.

From a batch of records: the main figures of each report (tables 三 and 四's totals,
and two shares of the year's requests handled), one report per agency and year
(when several files hold the same report, the one with the most values read, then
one with a publication date; the others are listed in ``copies``), the agencies of
one year side by side, each agency's years, and which of the agencies expected to
file have no report for a year. Agency names are compared in their normalised form
(平潭综合实验区管委会 is 平潭综合实验区), and the expected list's spelling is shown.

A cell the report gives no value for stays empty (NaN), never 0: a share whose
denominator is unknown or 0 is empty too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditkit.precompiled import dataclass
from auditkit.vocabulary import DECISION_COLOURS, SEVERITY_BACKGROUNDS, SEVERITY_COLOURS

if TYPE_CHECKING:
    import pandas as pd
    from pandas.io.formats.style import Styler

    from auditkit.record import Report

UNKNOWN_AGENCY = "（未识别）"
FILED, NOT_FILED = "已报送", "未报送"
# The figures compared, in the order shown; the shares are of 办理总数 ((七)总计 of table 三).
FIGURES = ("新收申请", "上年结转", "办理总数", "予以公开", "部分公开", "不予公开", "无法提供", "其中：不掌握", "不予处理",
           "其他处理", "结转下年度", "公开比例", "不掌握占比", "行政复议", "复议纠正", "行政诉讼", "诉讼纠正")
SHARES = ("公开比例", "不掌握占比")
APPEALS = "复议诉讼"  # 行政复议 + 行政诉讼, drawn over the years
LITIGATION = ("litigation_direct", "litigation_after_reconsideration")
DESCRIBING = ("机关", "agency_key", "年度", "文件", "有值单元格", "发布日期")


def report_figures(report: Report) -> dict[str, float]:
    """The main figures of one report (``FIGURES``), NaN where the report has no value."""
    import numpy as np
    import pandas as pd

    from auditkit.frames import request_groups

    cells = report.cells
    groups = request_groups(report.format if report.format in ("2021", "2019") else "2021")

    def value(key: str) -> float:
        v = cells.get(key)
        return np.nan if v is None else float(v)

    def total(keys: Iterable[str]) -> float:
        # A sum of cells that are all blank is unknown, not 0.
        return pd.Series([value(k) for k in keys], dtype=float).sum(min_count=1)

    def outcome(term: str) -> float:  # an outcome group (e.g. （三）不予公开) is the sum of its rows
        return total(f"requests.{row}.total" for row in groups[term])

    handled = value("requests.total_handled.total")
    granted, partial = value("requests.granted.total"), value("requests.partially_granted.total")
    not_held = value("requests.unavailable_not_held.total")
    return {
        "新收申请": value("requests.new_received.total"),
        "上年结转": value("requests.carried_over.total"),
        "办理总数": handled,
        "予以公开": granted,
        "部分公开": partial,
        "不予公开": outcome("withheld"),
        "无法提供": outcome("unavailable"),
        "其中：不掌握": not_held,
        "不予处理": outcome("not_processed"),
        "其他处理": outcome("other_handling"),
        "结转下年度": value("requests.carried_forward.total"),
        "公开比例": (granted + partial) / handled if handled else np.nan,
        "不掌握占比": not_held / handled if handled else np.nan,
        "行政复议": value("appeals.reconsideration.total"),
        "复议纠正": value("appeals.reconsideration.corrected"),
        "行政诉讼": total(f"appeals.{g}.total" for g in LITIGATION),
        "诉讼纠正": total(f"appeals.{g}.corrected" for g in LITIGATION),
    }


@dataclass
class Comparison:
    """A batch's reports compared; every table is ready to display, every text is Markdown."""

    table: pd.DataFrame  # one report per agency and year: 机关, agency_key, 年度, 文件, 有值单元格, 发布日期, FIGURES
    copies: pd.DataFrame  # the other files of an agency and year, left out of the comparison
    year: int | None  # the year shown side by side
    expected: list[str]  # the agencies that should file, as given
    years: list[int]  # the years checked for filings
    filings: pd.DataFrame  # expected agency x year: 已报送 / 未报送
    figures: tuple[str, ...] = FIGURES
    shares: tuple[str, ...] = SHARES
    names: dict[str, str] = field(default_factory=dict)  # normalised agency name -> the expected spelling

    # -- all reports -------------------------------------------------------

    def reports_table(self) -> Styler:
        """Every report compared, numbers as whole numbers, shares as percentages, no value as empty."""
        return _styled(self.table.drop(columns="agency_key"), self.figures, self.shares).hide(axis="index")

    # -- one year, agencies side by side -----------------------------------

    def side_by_side(self) -> pd.DataFrame:
        """The figures (rows) of each agency (columns) for ``year``, as text."""
        side = self.table[self.table["年度"] == self.year].set_index("机关")[list(self.figures)].T
        shown = side.astype(object)
        for m in self.figures:
            shown.loc[m] = [_text(v, m in self.shares) for v in side.loc[m]]
        return shown

    def side_by_side_title(self) -> str:
        return f"**{self.year} 年度**，{int((self.table['年度'] == self.year).sum())} 个机关："

    # -- agencies over the years ---------------------------------------------

    def agencies_over_years(self) -> list[str]:
        """The agencies with reports for two years or more."""
        years = self.table.groupby("机关")["年度"].nunique()
        return list(years[years >= 2].index)

    def over_years(self) -> list[tuple[str, Styler]]:
        """For each agency of ``agencies_over_years``: a title and its figures (rows) by year (columns)."""
        import pandas as pd

        out = []
        for agency in self.agencies_over_years():
            series = self.table[self.table["机关"] == agency].set_index("年度")[list(self.figures)].sort_index()
            title = f"**{agency}**（{series.index.min()}–{series.index.max()}，{len(series)} 个年度有报告）"
            style = (series.T.style.format(lambda v: _text(v, False))
                     .format(lambda v: _text(v, True), subset=pd.IndexSlice[list(self.shares), :]))
            out.append((title, style))
        return out

    def over_years_frame(self) -> pd.DataFrame:
        """The reports of the agencies with two years or more, with 复议诉讼 (复议 + 诉讼), for the chart."""
        data = self.table[self.table["机关"].isin(self.agencies_over_years())]
        return data.assign(**{APPEALS: data[["行政复议", "行政诉讼"]].sum(axis=1, min_count=1)})

    # -- who did not file -------------------------------------------------------

    def missing(self) -> list[tuple[str, int]]:
        """(agency, year) of every expected report that is not in the batch."""
        return [(a, y) for a in self.expected for y in self.years if self.filings.at[a, y] == NOT_FILED]

    def filings_table(self) -> Styler:
        """The filings, 未报送 in red."""
        missing = f"background-color:{SEVERITY_BACKGROUNDS['critical']};color:{SEVERITY_COLOURS['critical']}"
        return self.filings.style.map(lambda v: missing if v == NOT_FILED else f"color:{DECISION_COLOURS['confirmed']}")

    def missing_text(self) -> str:
        """How many reports are missing, and for each agency the years."""
        missing = self.missing()
        lines = [f"**{len(missing)}** 份报告未报送（{len(self.expected)} 个机关 × {len(self.years)} 个年度）："]
        for agency in self.expected:
            gaps = [y for a, y in missing if a == agency]
            if gaps:
                lines.append(f"- {agency}：{'、'.join(map(str, gaps))} 年度")
        return "\n".join(lines)

    def unexpected(self) -> list[str]:
        """Agencies with reports in the batch that the expected list does not name."""
        return sorted({a for a, k in zip(self.table["机关"], self.table["agency_key"], strict=True) if k not in self.names})

    def write(self, out: str | Path) -> list[Path]:
        """``out``/comparison.csv (every report compared) and filings.csv, UTF-8 with a BOM for Excel."""
        from auditkit.csvfile import write_frame

        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        return [write_frame(self.table.drop(columns="agency_key"), out / "comparison.csv"),
                write_frame(self.filings, out / "filings.csv", index=True)]


def compare_reports(reports: Sequence[Report], expected_agencies: Iterable[str] = (), years: Iterable[int] | None = None,
                    year: int | None = None) -> Comparison:
    """Compare a batch's reports. ``years``: the years whose filings are checked (default: the
    batch's first to last); ``year``: the year shown side by side (default: the one with most reports)."""
    import pandas as pd

    from auditkit.agency import normalise_agency

    expected = list(expected_agencies)
    names = {normalise_agency(a): a for a in expected}  # the expected spelling wins
    rows = []
    for r in reports:
        key = normalise_agency(r.agency)
        rows.append({"机关": names.get(key, r.agency or UNKNOWN_AGENCY), "agency_key": key, "年度": r.year,
                     "文件": Path(r.source).name, "有值单元格": sum(v is not None for v in r.cells.values()),
                     "发布日期": r.published, **report_figures(r)})
    every = pd.DataFrame(rows, columns=[*DESCRIBING, *FIGURES])
    # One report per agency and year: the copy with the most cells read, then one with a publication date.
    ranked = every.assign(_dated=every["发布日期"].notna()).sort_values(
        ["agency_key", "年度", "有值单元格", "_dated", "文件"], ascending=[True, True, False, False, True])
    table = ranked.drop_duplicates(["agency_key", "年度"]).drop(columns="_dated").reset_index(drop=True)
    copies = ranked[ranked.duplicated(["agency_key", "年度"])].drop(columns="_dated").reset_index(drop=True)

    counts = table["年度"].value_counts()
    if year is None and len(counts):
        year = int(max(counts.index, key=lambda y: (counts[y], y)))
    present = table["年度"].dropna().astype(int)
    if years is None:
        years = range(present.min(), present.max() + 1) if len(present) else []
    years = [int(y) for y in years]
    filed = {(k, int(y)) for k, y in zip(table["agency_key"], table["年度"], strict=True) if pd.notna(y)}
    filings = pd.DataFrame(
        [[FILED if (normalise_agency(a), y) in filed else NOT_FILED for y in years] for a in expected],
        index=pd.Index(expected, name="机关"), columns=pd.Index(years, name="年度"))
    return Comparison(table, copies, year, expected, years, filings, names=names)


def _text(value: Any, share: bool) -> str:
    import pandas as pd

    if pd.isna(value):
        return ""
    return f"{value:.0%}" if share else f"{value:.0f}"


def _styled(frame: pd.DataFrame, figures: Sequence[str], shares: Sequence[str]) -> Styler:
    counts = [m for m in figures if m not in shares]
    return (frame.style.format(na_rep="", subset=["发布日期"])
            .format("{:.0%}", subset=list(shares), na_rep="")
            .format("{:.0f}", subset=counts, na_rep=""))
