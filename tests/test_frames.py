"""Records -> frames: shapes, merged rows, nulls, keys behind each value, deadlines, twin files."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from auditkit.agency import Prior, agency_kind, publication_deadline
from auditkit.formats import format_spec
from auditkit.frames import APPLICANTS, FRAME_NAMES, KEY_INDEX, build_frames, cells_frame, table_frame
from auditkit.record import Diagnostic, Provenance, Report

TRUTH = Path(__file__).resolve().parent / "data" / "truth"


def from_truth(name: str) -> Report:
    """A record as the matcher would give it, from a truth file (diagnostics for its nulls)."""
    t = json.loads((TRUTH / f"{name}.json").read_text(encoding="utf-8"))
    diags = [Diagnostic("ambiguous_digits", "digits run together", key=k) for k in t["unreadable"]
             if t["cells"].get(k) is None]
    for m in t["merged_rows"]:
        keys = [f"{r}.{c}" for r in m["keys"] for c in APPLICANTS]
        diags.append(Diagnostic("merged_row", "merged", key=keys[0], keys=keys, found=m["row"], values=m["values"]))
    explained = {k for d in diags for k in (d.keys or [d.key])}
    for k, v in t["cells"].items():
        if v is None and k not in explained:
            diags.append(Diagnostic("missing_values", "row has no values", key=k, keys=[k]))
    return Report(t["file"], f"sha-{t['file']}", "text", t["format"], t["agency"], t["year"], t["published"],
                  dict(t["cells"]), {}, diags, {k: Provenance(str(v), f"cell {k}") for k, v in t["cells"].items()
                                                if v is not None})


def test_requests_columns_one_row_per_applicant_column() -> None:
    reports = [from_truth("000_seed-chengxiang_2023.txt"), from_truth("008_pingtan-shiyanqu_2019.txt")]
    fr = build_frames(reports)["requests_columns"]
    assert len(fr.data) == 14
    row = fr.data[(fr.data.report == 0) & (fr.data.applicant == "total")].iloc[0]
    assert (row.new_received, row.carried_over, row.total_handled, row.carried_forward) == (51, 0, 51, 0)
    # 8 + 0 + (1) + 34 + 8 + 0: the groups are the sums of their sub-rows
    assert (row.granted, row.withheld, row.unavailable, row.not_processed, row.other_handling) == (8, 1, 34, 8, 0)
    # 2019: （六）其他处理 is one row of its own
    pos = int(np.flatnonzero((fr.data.report == 1) & (fr.data.applicant == "total"))[0])
    frames = build_frames(reports)
    assert frames.keys("requests_columns", pos, ["other_handling"]) == ["requests.other_handling.total"]
    pos0 = int(np.flatnonzero((fr.data.report == 0) & (fr.data.applicant == "natural_person"))[0])
    assert frames.keys("requests_columns", pos0, ["other_handling"]) == [
        "requests.other_handling_no_correction.natural_person", "requests.other_handling_fee_unpaid.natural_person",
        "requests.other_handling_other.natural_person"]


def test_every_named_frame_is_built_in_order() -> None:
    # The suites check ``meta.frame`` against FRAME_NAMES; the builders live in their own modules.
    frames = build_frames([from_truth("000_seed-chengxiang_2023.txt")])
    assert tuple(frames.frames) == FRAME_NAMES
    assert all(frames[name].name == name for name in FRAME_NAMES)


def test_requests_rows_per_format() -> None:
    reports = [from_truth("000_seed-chengxiang_2023.txt"), from_truth("008_pingtan-shiyanqu_2019.txt")]
    rows = build_frames(reports)["requests_rows"].data
    assert (rows.report == 0).sum() == 25 and (rows.report == 1).sum() == 23


def test_merged_row_counted_once_with_its_values() -> None:
    r = from_truth("002_huaian-hongzequ_2024.pdf")
    frames = build_frames([r])
    rows = frames["requests_rows"].data
    merged = rows[rows.merged]
    assert list(merged.row) == ["other_handling"] and merged.iloc[0].total == 0
    assert not rows.row.isin(["other_handling_no_correction", "other_handling_fee_unpaid"]).any()
    cols = frames["requests_columns"].data
    assert cols.other_handling.notna().all()  # the merged values stand in for the null sub-rows
    pos = int(np.flatnonzero(rows.merged)[0])
    assert len(frames.keys("requests_rows", pos, ["merged"])) == 21


def test_cell_values_per_report_name_the_offending_cells() -> None:
    r = from_truth("007_pingtan-shiyanqu_2025.txt")
    frames = build_frames([r])
    row = frames["cell_values"].data.iloc[0]
    assert row.min_value == 0 and row.max_fraction == 0  # fees 4166.241619 are an amount, not a count
    r.cells["appeals.reconsideration.other"] = -8
    r.cells["requests.carried_forward.total"] = 6.5
    frames = build_frames([r])
    row = frames["cell_values"].data.iloc[0]
    assert (row.min_value, row.max_fraction) == (-8, 0.5)
    assert frames.keys("cell_values", 0, ["min_value"]) == ["appeals.reconsideration.other"]
    assert frames.keys("cell_values", 0, ["max_fraction"]) == ["requests.carried_forward.total"]
    assert "其他结果" in frames["cell_values"].where(0)


def test_signed_change_may_be_negative() -> None:
    r = from_truth("008_pingtan-shiyanqu_2019.txt")
    r.cells["active.licensing.change"] = -3  # 2019: 本年增/减
    assert build_frames([r])["cell_values"].data.iloc[0].min_value == 0


def test_null_states_from_diagnostics() -> None:
    r = from_truth("019_pingtan-shichangjianguanju_2021.txt")
    frames = build_frames([r])
    assert frames.state(0, "requests.other_handling_other.total") == "missing"
    assert frames.state(0, "active.normative_documents.issued") == "unreadable"
    rows = frames["table_rows"].data
    missing = rows[rows.n_missing > 0]
    assert set(missing.row) == {"other_handling_fee_unpaid", "other_handling_other"}
    pos = int(missing.index[0])
    assert all(k.startswith("requests.other_handling_") for k in frames.keys("table_rows", pos, ["n_missing"]))


def test_a_whole_table_missing() -> None:
    r = from_truth("016_pingtan-caizhengjinrongju_2022.txt")
    keys = format_spec("2021").tables["appeals"].keys
    for k in keys:
        r.cells[k] = None
    r.diagnostics.append(Diagnostic("missing_table", "no table 4", key=keys[0], keys=keys))
    parts = build_frames([r])["report_parts"].data
    assert parts[(parts.kind == "table")].set_index("part").state.to_dict() == {
        "active": "present", "requests": "present", "appeals": "missing"}


def test_label_variants_compared_in_normal_form() -> None:
    r = from_truth("000_seed-chengxiang_2023.txt")
    r.diagnostics += [
        Diagnostic("label_variant", "x", key="active.regulations.repealed", found="本年度止件数"),
        Diagnostic("label_variant", "x", key="active.normative_documents.repealed", found="本年度止件数"),
        Diagnostic("label_variant", "x", key="section.appeals", found="四、政府信息公开行政复议 、行政诉讼情况"),
    ]
    frames = build_frames([r])
    labels = frames["labels"].data
    variant = labels[labels.found == "本年度止件数"].iloc[0]
    assert variant.official == "本年废止件数" and variant.found_norm != variant.official_norm
    assert frames.keys("labels", int(variant.row_id), ["found_norm"]) == [
        "active.regulations.repealed", "active.normative_documents.repealed"]
    spacing = labels[labels.found.str.startswith("四")].iloc[0]
    assert spacing.found_norm == spacing.official_norm  # spacing only: no variant


def test_carry_over_and_in_force_frames() -> None:
    last = from_truth("009_pingtan-shiyanqu_2022.txt")
    this = from_truth("011_pingtan-shiyanqu_2023.html")
    frames = build_frames([this, last], [Prior(last, "batch"), None])
    co = frames["carry_over"].data
    assert len(co) == 7 and (co.carried_over == co.prev_carried_forward).all()
    assert "009_pingtan-shiyanqu_2022.txt" in frames["carry_over"].evidence(0)
    inf = frames["in_force"].data.set_index("document")
    assert inf.loc["regulations"].prev_in_force == 0
    assert np.isnan(inf.loc["normative_documents"].prev_in_force)  # 009 cannot be read there


def test_in_force_across_format_change() -> None:
    last = from_truth("008_pingtan-shiyanqu_2019.txt")
    this = from_truth("019_pingtan-shichangjianguanju_2021.txt")
    inf = build_frames([this], [Prior(last, "store")])["in_force"].data
    assert not inf.same_format.any() and inf.prev_in_force.isna().all()


@pytest.mark.parametrize(("name", "kind"), [
    ("平潭综合实验区", "government"), ("平潭综合实验区管委会", "government"), ("淮安市洪泽区人民政府", "government"),
    ("某某县", "government"), ("平潭综合实验区财政金融局", "department"), ("城乡一体化示范区党政办公室", "department"),
    ("某市人民政府办公室", "department"), ("某市发展和改革委员会", "department"), (None, "unknown"),
])
def test_agency_kind(name: str | None, kind: str) -> None:
    assert agency_kind(name) == kind


def test_deadlines_article_49() -> None:
    assert publication_deadline(2023, "department") == dt.date(2024, 1, 31)
    assert publication_deadline(2023, "government") == dt.date(2024, 3, 31)
    assert publication_deadline(2023, "unknown") == dt.date(2024, 3, 31)
    reports = build_frames([from_truth("016_pingtan-caizhengjinrongju_2022.txt")])["reports"].data
    assert str(reports.deadline.iloc[0].date()) == "2023-01-31" and str(reports.published.iloc[0].date()) == "2023-01-05"


def test_twin_file_settles_unreadable_cells() -> None:
    crawl = from_truth("010_pingtan-shiyanqu_2023.txt")
    page = from_truth("011_pingtan-shiyanqu_2023.html")
    keys = ["active.normative_documents.issued", "active.normative_documents.repealed",
            "active.normative_documents.in_force"]
    for k in keys:
        crawl.cells[k] = None
    crawl.diagnostics = [Diagnostic("ambiguous_digits", "x", key=keys[0], keys=keys, found="77132470",
                                    candidates=[[77, 132, 470], [771, 32, 470], [7, 7132, 470]])]
    frames = build_frames([crawl, page])
    assert frames.values[0, KEY_INDEX[keys[2]]] == 470
    assert frames.recovered[0].sum() == 3  # filled from the twin: never "independently verified"
    assert "011_pingtan-shiyanqu_2023.html" in frames.evidence(0, [keys[2]])
    # a twin whose row is not among the possible splits settles nothing
    crawl.diagnostics[0].candidates = [[771, 32, 470]]
    frames = build_frames([crawl, page])
    assert frames.recovered[0].sum() == 0


def test_tidy_frames_for_batch() -> None:
    reports = [from_truth("000_seed-chengxiang_2023.txt")]
    cells = cells_frame(reports)
    assert len(cells) == 200 and set(cells.columns) >= {"key", "value", "text", "location"}
    t = table_frame(reports, "appeals")
    assert list(t.row) == ["reconsideration", "litigation_direct", "litigation_after_reconsideration"]
    assert t.set_index("row").loc["litigation_direct", "corrected"] == 1
    with pytest.raises(ValueError):
        table_frame(reports, "nope")


def test_frames_do_not_import_great_expectations() -> None:
    code = ("import sys, auditkit, auditkit.frames, auditkit.narrative, auditkit.store, auditkit.agency, auditkit.findings, "
            "auditkit.rules.suites; assert 'great_expectations' not in sys.modules, 'GX imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
    done = subprocess.run([sys.executable, "-c", "import sys, auditkit; print('pandas' in sys.modules)"],
                          check=True, capture_output=True, text=True)
    assert done.stdout.strip() == "False"
