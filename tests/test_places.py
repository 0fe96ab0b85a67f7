"""Cells, places and evidence named as the printed report names them (auditkit.render.places)."""

from __future__ import annotations

import pytest

from auditkit.render.places import cell_name, cells_text, readable_text, report_position


@pytest.mark.parametrize(("key", "name"), [
    ("requests.unavailable_not_held.total", "表三 三、本年度办理结果（四）无法提供 1.本机关不掌握相关政府信息 — 总计"),
    ("requests.new_received.commercial", "表三 一、本年新收政府信息公开申请数量 — 法人或其他组织 商业企业"),
    ("requests.carried_forward.total", "表三 四、结转下年度继续办理 — 总计"),
    ("requests.other_handling.total", "表三 三、本年度办理结果（六）其他处理 — 总计"),  # the 2019 format's single row
    ("active.regulations.in_force", "表二 第二十条第（一）项 规章 — 现行有效件数"),
    ("active.procurement.amount", "表二 第二十条第（九）项 政府集中采购 — 采购总金额"),
    ("appeals.litigation_direct.corrected", "表四 行政诉讼 未经复议直接起诉 — 结果纠正"),
    ("section.problems", "五、存在的主要问题及改进情况"),
    ("table.appeals", "表四（四、政府信息公开行政复议、行政诉讼情况）整表"),
    ("meta.published", "发布日期"),
])
def test_cell_name(key: str, name: str) -> None:
    assert cell_name(key) == name


def test_cells_text_keeps_a_row_together() -> None:
    row = [f"requests.total_handled.{c}" for c in ("natural_person", "commercial", "research", "nonprofit",
                                                   "legal_services", "other_org", "total")]
    assert cells_text(row) == "表三 三、本年度办理结果（七）总计 — 各列"
    assert cells_text(["requests.granted.natural_person", "requests.granted.total", "meta.published"]) == (
        "表三 三、本年度办理结果（一）予以公开 — 自然人、总计；发布日期")


def test_places_follow_the_report() -> None:
    order = ["meta.published", "section.overview", "active.regulations.issued", "requests.new_received.total",
             "requests.granted.natural_person", "requests.total_handled.total", "appeals.reconsideration.upheld",
             "section.problems"]
    assert sorted(order, key=lambda k: report_position([k])) == order
    assert report_position([]) == report_position(["meta.year"])


def test_readable_text_names_cells_locations_and_files() -> None:
    text = ("requests.new_received.total「95」（page 3, table 2, row 4, col 10）；requests.granted.total：取自同一报告的"
            "另一文件 /home/auditor/下载/011_pingtan.html = 22；C:\\Users\\a\\r.pdf")
    assert readable_text(text, ["/home/auditor/下载/011_pingtan.html"]) == (
        "表三 一、本年新收政府信息公开申请数量 — 总计「95」（第3页 第2个表格 第4行 第10列）；"
        "表三 三、本年度办理结果（一）予以公开 — 总计：取自同一报告的另一文件 011_pingtan.html = 22；r.pdf")
    # A ratio and an English word are left alone; so is a key-like word that is not a key.
    assert readable_text("3/4 of requests.foo；line") == "3/4 of requests.foo；line"
