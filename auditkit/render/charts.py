"""The notebooks' charts: matplotlib figures with Chinese labels, in the vocabulary's colours.

Chinese needs a CJK font, and matplotlib's font cache (``~/.cache/matplotlib``) may
have been built before one was installed, in which case it draws every character as
an empty box with a "Glyph missing" warning. So the font is not looked up by name in
that cache: ``cjk_font`` searches the usual font folders for a CJK font *file* (Noto
Sans CJK, Source Han Sans, WenQuanYi, Microsoft YaHei, SimHei, PingFang …) and adds
it to matplotlib directly.

Each chart function returns a ``Chart``: it shows itself as a PNG in a notebook and
saves with ``save``. Figures are built without pyplot, so no global figure is left
open and nothing depends on the notebook's matplotlib backend. matplotlib is imported
only here, and only when a chart is drawn.
"""

from __future__ import annotations

import io
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditkit.vocabulary import SEVERITIES, SEVERITY_COLOURS, SEVERITY_LABELS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from auditkit.compare import Comparison
    from auditkit.render.overview import AuditOverview

FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts",
             "/Library/Fonts", "/System/Library/Fonts", "~/Library/Fonts", "C:/Windows/Fonts")
# File names of fonts with Simplified Chinese glyphs, best first (sans-serif before serif).
CJK_FONT_FILES = ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf", "NotoSansSC-Regular.otf",
                  "NotoSansSC-Regular.ttf", "SourceHanSansSC-Regular.otf", "SourceHanSans-Regular.ttc",
                  "wqy-microhei.ttc", "wqy-zenhei.ttc", "msyh.ttc", "simhei.ttf", "PingFang.ttc",
                  "Hiragino Sans GB.ttc", "NotoSerifCJK-Regular.ttc", "SourceHanSerifSC-Regular.otf")
NEUTRAL = "#495057"  # bars that stand for no severity


def find_cjk_font_file(dirs: tuple[str, ...] = FONT_DIRS) -> Path | None:
    """The best CJK font file in the font folders (``$AUDITKIT_CJK_FONT`` first, if set), or None."""
    given = os.environ.get("AUDITKIT_CJK_FONT")
    if given and Path(given).is_file():
        return Path(given)
    found: dict[str, Path] = {}
    for d in dirs:
        root = Path(d).expanduser()
        if not root.is_dir():
            continue
        for path in root.rglob("*"):
            if path.name in CJK_FONT_FILES and path.name not in found:
                found[path.name] = path
    return next((found[name] for name in CJK_FONT_FILES if name in found), None)


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Add a CJK font file to matplotlib and make it the first sans-serif font; returns its family
    name (the Simplified Chinese face of a collection), or None when the machine has no CJK font."""
    from matplotlib import font_manager, rcParams

    path = find_cjk_font_file()
    if path is None:
        return None
    font_manager.fontManager.addfont(str(path))  # every face of a .ttc collection
    families = {f.name for f in font_manager.fontManager.ttflist if Path(f.fname) == path}
    if not families:
        return None
    family = min(families, key=lambda n: (not n.endswith(" SC"), "Sans" not in n, n))
    rcParams["font.sans-serif"] = [family, *[f for f in rcParams["font.sans-serif"] if f != family]]
    rcParams["font.family"] = "sans-serif"
    rcParams["axes.unicode_minus"] = False  # CJK fonts often lack the minus sign
    return family


class Chart:
    """A matplotlib figure that a notebook shows as a PNG."""

    def __init__(self, figure: Figure) -> None:
        self.figure = figure

    def png(self, dpi: int = 100) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
        return buffer.getvalue()

    def _repr_png_(self) -> bytes:
        return self.png()

    def save(self, path: str | Path, dpi: int = 150) -> Path:
        """Write the chart to ``path`` (PNG, SVG or PDF by its suffix)."""
        self.figure.savefig(path, dpi=dpi, bbox_inches="tight")
        return Path(path)


def _figure(rows: int, columns: int, size: tuple[float, float]) -> tuple[Figure, Any]:
    from matplotlib.figure import Figure

    cjk_font()
    figure = Figure(figsize=size)
    return figure, figure.subplots(rows, columns, squeeze=False)


def overview_chart(overview: AuditOverview) -> Chart:
    """Failed findings by severity, by category, by agency (stacked by severity) and the 15 commonest rules."""
    figure, axes = _figure(2, 2, (13, 9))
    sev, cat, agency, rule = axes[0, 0], axes[0, 1], axes[1, 0], axes[1, 1]
    by_sev = overview.by_severity
    sev.bar(list(by_sev["名称"]), list(by_sev["问题数"]), color=[SEVERITY_COLOURS[s] for s in by_sev.index])
    sev.set_title("按严重程度")
    by_cat = overview.by_category.sort_values("问题数")
    cat.barh(list(by_cat["名称"]), list(by_cat["问题数"]), color=NEUTRAL)
    cat.set_title("按类别")
    by_agency = overview.by_agency.drop(columns="合计").iloc[::-1]
    left = [0] * len(by_agency)
    for s in SEVERITIES:
        label = SEVERITY_LABELS[s]
        if label in by_agency:
            values = list(by_agency[label])
            agency.barh(list(by_agency.index), values, left=left, color=SEVERITY_COLOURS[s], label=label)
            left = [a + b for a, b in zip(left, values, strict=True)]
    if len(by_agency):
        agency.legend(fontsize=8)
    agency.set_title("按机关")
    top = overview.by_rule["问题数"].head(15).iloc[::-1]
    rule.barh(list(top.index), list(top), color=[SEVERITY_COLOURS[overview.rule_severities[r]] for r in top.index])
    rule.set_title("按规则（前15）")
    figure.tight_layout()
    return Chart(figure)


# Panels of the comparison over the years: (metric, title).
YEAR_PANELS = (("新收申请", "新收申请（件）"), ("公开比例", "予以公开 + 部分公开 占办理总数"),
               ("不掌握占比", "本机关不掌握 占办理总数"), ("复议诉讼", "行政复议 + 行政诉讼（件）"))


def comparison_chart(comparison: Comparison) -> Chart | None:
    """Each agency with reports for two years or more, one line per agency in each panel; None when
    no agency has."""
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    data = comparison.over_years_frame()
    if not len(data):
        return None
    figure, axes = _figure(1, len(YEAR_PANELS), (16, 3.6))
    years = range(int(data["年度"].min()), int(data["年度"].max()) + 1)
    for ax, (metric, title) in zip(axes[0], YEAR_PANELS, strict=True):
        for agency, part in data.groupby("机关"):
            # Years without a report stay gaps in the line instead of being bridged.
            series = part.set_index("年度")[metric].reindex(years)
            ax.plot(list(series.index), series.to_numpy(dtype=float), marker="o", label=agency)
        ax.set_title(title)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if metric in comparison.shares:
            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    axes[0, 0].legend(fontsize=8)
    figure.tight_layout()
    return Chart(figure)
