"""audit.html in headless Chromium with the network cut: numbers, filter, sort, report tables, print.

Fails (never skips) when Chromium or Playwright is missing: the offline promise is only
shown by a real browser that was refused every request.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import read_findings_csv

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]
SEVERITY_LABELS = {"critical": "严重", "warning": "警告", "info": "提示"}


class OfflineBrowser:
    """Chromium whose every request other than file: and data: is refused and recorded."""

    def __init__(self) -> None:
        if not Path(CHROMIUM).is_file():
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (scripts/system-deps.sh)")
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            pytest.fail("playwright is not installed (pip install playwright)")
        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        self.context = self.browser.new_context(viewport={"width": 1400, "height": 900}, offline=True)
        self.attempted: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.attempted.append(url)
            route.abort()

    def open(self, path: Path):
        page = self.context.new_page()
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("requestfailed", lambda r: self.attempted.append(r.url) if not r.url.startswith("file:") else None)
        page.goto(path.as_uri())
        return page

    def close(self) -> None:
        self.context.close()
        self.browser.close()
        self._pw.stop()


@pytest.fixture(scope="module")
def audit_page(sample_audit_dir: Path, tmp_path_factory: pytest.TempPathFactory,
               ) -> Iterator[tuple[object, Path, OfflineBrowser]]:
    from auditkit.render.html import write_audit_html
    from auditkit.review.log import ReviewLog

    audit = Path(shutil.copytree(sample_audit_dir, tmp_path_factory.mktemp("browser") / "audit"))
    csv = read_findings_csv(audit)
    log = ReviewLog.for_audit(audit)
    log.record(csv["finding_id"].iloc[0], "confirmed", note="已核对原文", reviewer="张三")
    log.record(csv["finding_id"].iloc[1], "dismissed", note="读取误差", reviewer="张三")
    path = write_audit_html(audit)
    browser = OfflineBrowser()
    page = browser.open(path)
    page.wait_for_selector("html[data-ready='1']")
    yield page, audit, browser
    browser.close()


def visible_rows(page) -> int:
    return page.locator("#findings-table tbody tr:visible").count()


def test_summary_on_the_page_equals_findings_csv(audit_page) -> None:
    page, audit, browser = audit_page
    everything = read_findings_csv(audit)
    csv = everything[everything["queue"] != "reading"]  # the readings to check by hand are listed apart
    failed = csv[csv["status"] == "failed"]

    def kpi(key: str) -> str:
        return page.locator(f"[data-kpi='{key}'] .n").inner_text().strip()

    assert int(kpi("reports")) == 12
    assert int(kpi("failed")) == len(failed)
    assert int(kpi("readings")) == (everything["queue"] == "reading").sum() > 0
    for sev in SEVERITY_LABELS:
        assert int(kpi(f"failed-{sev}")) == (failed["severity"] == sev).sum()
    assert kpi("reviewed") == f"2 / {len(csv)}"
    for category, n in csv.groupby("category").size().items():
        assert page.locator(f"#by-category tr[data-key='{category}'] td").nth(3).inner_text() == str(n)
    assert page.locator("#f-count").inner_text() == str(len(csv))
    assert visible_rows(page) == len(csv)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "audit-summary.png"))
    assert browser.attempted == [] and browser.errors == []


def test_filter_box_and_selects_show_the_matching_rows(audit_page) -> None:
    page, audit, browser = audit_page
    csv = read_findings_csv(audit)
    csv = csv[csv["queue"] != "reading"].reset_index(drop=True)  # the findings table lists the problems
    # The agency with the fewest findings; a row matches when any shown column contains the words.
    agency = csv["agency"].value_counts().index[-1]
    shown = csv[["agency", "year", "rule_id", "description", "place", "figures_text"]]
    expected = shown.apply(lambda col: col.str.contains(agency, regex=False)).any(axis=1).sum()
    assert 0 < expected < len(csv)
    page.fill("#f-search", agency)
    assert visible_rows(page) == expected
    assert page.locator("#f-count").inner_text() == str(expected)
    # Words are and-ed: an agency and a rule.
    rule = "narrative.figure_plain"
    page.fill("#f-search", f"平潭综合实验区 {rule}")
    assert visible_rows(page) == (csv["agency"].str.contains("平潭综合实验区") & (csv["rule_id"] == rule)).sum() > 0
    page.fill("#f-search", "")
    page.select_option("select[data-col='0']", "严重")
    assert visible_rows(page) == (csv["severity"] == "critical").sum() > 0
    page.select_option("select[data-col='9']", "确认")
    confirmed = csv["finding_id"] == csv["finding_id"].iloc[0]
    assert visible_rows(page) == ((csv["severity"] == "critical") & confirmed).sum()
    page.select_option("select[data-col='0']", "")
    assert visible_rows(page) == 1
    page.click("#f-clear")
    assert visible_rows(page) == len(csv)
    page.fill("#f-search", "没有这样的机关")
    assert visible_rows(page) == 0
    page.click("#f-clear")
    assert browser.attempted == [] and browser.errors == []


def test_sorting_by_a_column(audit_page) -> None:
    page, _, browser = audit_page
    page.click("#findings-table thead th:nth-child(4) button")  # 年度
    years = [int(t) for t in page.locator("#findings-table tbody tr td:nth-child(4)").all_inner_texts()]
    assert years == sorted(years)
    page.click("#findings-table thead th:nth-child(4) button")
    years = [int(t) for t in page.locator("#findings-table tbody tr td:nth-child(4)").all_inner_texts()]
    assert years == sorted(years, reverse=True)
    assert page.locator("#findings-table thead th:nth-child(4)").get_attribute("aria-sort") == "descending"
    assert browser.errors == []


def test_details_link_opens_the_report_with_highlighted_cells(audit_page) -> None:
    page, audit, browser = audit_page
    findings = pd.read_json(audit / "findings.jsonl", lines=True, dtype=False)
    table_keys = findings[findings["keys"].map(lambda ks: any(k.split(".")[0] in ("requests", "appeals") for k in ks))]
    target = table_keys.iloc[0]
    page.fill("#f-search", target["rule_id"])  # the row must be visible to be clicked
    page.click(f"#findings-table a[href='#f-{target['finding_id']}']")
    finding = page.locator(f"#f-{target['finding_id']}")
    finding.wait_for(state="visible")
    report = page.locator("details.report[open]", has=finding)
    assert report.count() == 1
    cells = report.locator("table.fmt td.hl")
    assert cells.count() > 0
    assert report.locator("table.fmt td[data-i]").count() >= 198  # every cell of the format drawn
    titles = " ".join(cells.nth(i).get_attribute("title") or "" for i in range(cells.count()))
    assert target["rule_id"] in titles
    report.locator("div.rtables").scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "audit-report.png"))
    page.click("#f-clear")
    assert browser.attempted == [] and browser.errors == []


def test_decision_and_note_shown_with_the_finding(audit_page) -> None:
    page, audit, _ = audit_page
    csv = read_findings_csv(audit)
    text = page.locator(f"#f-{csv['finding_id'].iloc[0]}").text_content()
    assert "确认" in text and "已核对原文" in text and "张三" in text
    text = page.locator(f"#f-{csv['finding_id'].iloc[1]}").text_content()
    assert "排除（误报）" in text and "读取误差" in text


def test_printing_opens_every_report(audit_page, tmp_path: Path) -> None:
    page, _, browser = audit_page
    pdf = tmp_path / "audit.pdf"
    closed = page.locator("details.report:not([open])").count()
    assert closed > 0
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4", print_background=True)
    page.emulate_media(media="screen")
    data = pdf.read_bytes()
    pages = data.count(b"/Type /Page") - data.count(b"/Type /Pages")
    # Each of the 12 reports starts a new page with its three tables drawn.
    assert pages >= 12 + 2
    assert page.locator("div.rtables[data-filled]").count() == 12
    assert page.locator("details.report:not([open])").count() == closed  # folded again after printing
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(pdf, ARTIFACTS / "audit-print.pdf")
    assert browser.attempted == [] and browser.errors == []


def test_a_finding_shows_where_it_came_from_offline(audit_page) -> None:
    """From the findings table, one click on 详情 and one on 原文出处: the PDF's page region as a picture
    embedded in the page (it loads with the network cut), the HTML report's
    table row as text."""
    page, audit, browser = audit_page
    records = {r["source"]: r for r in (json.loads(x) for x in
                                        (audit / "records.jsonl").read_text(encoding="utf-8").splitlines() if x.strip())
               if "error" not in r}
    csv = read_findings_csv(audit)
    by_kind: dict[str, str] = {}
    for row in csv.itertuples(index=False):
        kind = records.get(row.source, {}).get("kind")
        if kind and page.locator(f"#f-{row.finding_id} details.origin").count():
            by_kind.setdefault(kind, row.finding_id)
    assert {"pdf", "html"} <= set(by_kind)
    page.locator("#f-clear").click()  # the filters other tests chose

    pdf = by_kind["pdf"]
    page.locator(f'#findings-table a[href="#f-{pdf}"]').click()
    finding = page.locator(f"#f-{pdf}")
    finding.wait_for(state="visible")
    assert not finding.locator("details.origin img").first.is_visible()  # closed until asked for
    finding.locator("details.origin summary").click()
    picture = finding.locator("details.origin").locator("img, a").first
    picture.wait_for(state="visible")
    if picture.evaluate("e => e.tagName") == "A":  # the same page is pictured above: the link leads to it
        target = picture.get_attribute("href")
        picture.click()
        image = page.locator(f"{target} img")
        image.evaluate("img => img.closest('details').open = true")
    else:
        image = picture
    image.scroll_into_view_if_needed()
    width = image.evaluate("img => img.complete && img.naturalWidth")
    assert width and width >= 600
    assert image.get_attribute("src").startswith("data:image/jpeg;base64,")
    assert "第" in image.evaluate("img => img.closest('figure').querySelector('figcaption').textContent")
    finding.screenshot(path=str(ARTIFACTS / "browser-report-origin.png"))

    html = by_kind["html"]
    page.locator(f'#findings-table a[href="#f-{html}"]').click()
    finding = page.locator(f"#f-{html}")
    finding.locator("details.origin summary").click()
    row = finding.locator("details.origin figure.ak-origin-row")
    row.wait_for(state="visible")
    assert "表" in row.locator("figcaption").inner_text()
    assert row.locator("td").count() >= 2 and not row.locator("script, img, a").count()
    assert browser.attempted == [] and browser.errors == []
