"""Every sample report reads to its truth file, cell by cell (issue 2 item 7, issue 3 item 5)."""

from __future__ import annotations

import re
from functools import cache

import pytest

from auditkit import read_report
from auditkit.formats import all_keys
from auditkit.record import Report
from tests.conftest import SAMPLES, sample_names, truth_of

ALL = sample_names(".txt", ".html", ".pdf", ".docx", ".doc")
KEY = re.compile(r"\b(active|requests|appeals)\.[a-z_]+(?:\.[a-z_]+)?")


@cache
def parsed(name: str) -> Report:
    return read_report(SAMPLES / name)


def test_every_sample_is_covered() -> None:
    assert len(ALL) == 12  # txt x7, html, pdf x2, docx, doc


@pytest.mark.parametrize("name", ALL)
def test_metadata(name: str) -> None:
    truth, report = truth_of(name), parsed(name)
    assert (report.format, report.agency, report.year, report.published) == (
        truth["format"], truth["agency"], truth["year"], truth["published"])


@pytest.mark.parametrize("name", ALL)
def test_cells_equal_truth(name: str) -> None:
    truth, report = truth_of(name), parsed(name)
    assert set(report.cells) == set(all_keys(truth["format"]))
    unreadable = set(truth["unreadable"])
    wrong = {k: (report.cells[k], v) for k, v in truth["cells"].items()
             if v is not None and k not in unreadable and report.cells[k] != v}
    assert not wrong, wrong
    # Unreadable: null (and said why) or the true value; never a guess.
    for key in unreadable:
        got = report.cells[key]
        assert got is None or got == truth["cells"][key], (key, got)
        if got is None:
            assert report.diagnostics_for(key), f"{key} is null without a diagnostic"


@pytest.mark.parametrize("name", ALL)
def test_nulls_never_silent(name: str) -> None:
    report = parsed(name)
    for key, value in report.cells.items():
        if value is None:
            assert report.diagnostics_for(key), f"{key} is null without a diagnostic"


@pytest.mark.parametrize("name", ALL)
def test_values_keep_their_source(name: str) -> None:
    report = parsed(name)
    for key, value in report.cells.items():
        if value is not None:
            prov = report.provenance[key]
            assert prov.location and prov.text.strip(), key


@pytest.mark.parametrize("name", ALL)
def test_no_value_is_cut_out_of_a_number_with_its_own_cell(name: str) -> None:
    """The reader's self-check (issue 12): every value read from a table cell is what that cell
    says, never digits split off a number written in a cell of its own."""
    from auditkit.match.selfcheck import cells_by_location, split_own_cells
    from auditkit.readers import read_layout

    report = parsed(name)
    assert not [d for d in report.diagnostics if d.code == "self_check"]
    by_location = cells_by_location(read_layout(SAMPLES / name).tables)
    assert not split_own_cells(report.cells, report.provenance, by_location, set())
    from_cells = sum(1 for k, v in report.cells.items() if v is not None and report.provenance[k].location in by_location)
    assert from_cells > 100 if by_location else not from_cells  # a document with tables: the check saw its values


def _expected_variant_keys(defect: dict) -> list[str]:
    where = defect["where"]
    if "section heading" in where:
        table = KEY.search(where) or re.match(r"(\w+)", where)
        return [f"section.{table.group(1)}"]
    return [m.group(0) for m in KEY.finditer(where)]


@pytest.mark.parametrize("name", ALL)
def test_label_variants_reported(name: str) -> None:
    truth, report = truth_of(name), parsed(name)
    variants = [d for d in report.diagnostics if d.code == "label_variant"]
    for defect in truth["defects"]:
        if defect["kind"] != "label_variant":
            continue
        for expected in _expected_variant_keys(defect):
            assert any(d.key == expected or d.key.startswith(expected + ".") or expected in (d.keys or [])
                       for d in variants), (expected, [(d.key, d.found) for d in variants])


@pytest.mark.parametrize("name", ALL)
def test_merged_rows_reported(name: str) -> None:
    truth, report = truth_of(name), parsed(name)
    merged = [d for d in report.diagnostics if d.code == "merged_row"]
    assert len(merged) == len(truth["merged_rows"])
    for m in truth["merged_rows"]:
        diag = next(d for d in merged if all(any(k.startswith(f"{row}.") for k in d.keys) for row in m["keys"]))
        assert diag.values == m["values"]
        for row in m["keys"]:
            assert all(v is None for k, v in report.cells.items() if k.startswith(row + "."))


def test_no_label_variant_where_truth_lists_none() -> None:
    for name in ALL:
        truth = truth_of(name)
        if not any(d["kind"] == "label_variant" for d in truth["defects"]):
            assert not [d for d in parsed(name).diagnostics if d.code == "label_variant"], name


def test_twins_agree() -> None:
    """The web page, Word, legacy Word and printed PDF of report 011 give the same cells."""
    twins = [n for n in ALL if n.startswith("011_")]
    assert len(twins) == 4
    first = parsed(twins[0]).cells
    for name in twins[1:]:
        assert parsed(name).cells == first, name


def test_recovered_cells_are_marked() -> None:
    """A split chosen by the row's arithmetic says so, so rules never count it as a pass."""
    report = parsed("010_pingtan-shiyanqu_2023.txt")
    recovered = {k for d in report.diagnostics if d.code == "recovered_by_arithmetic" for k in d.keys}
    assert "requests.new_received.natural_person" in recovered  # '801000081'
    assert report.cells["requests.new_received.natural_person"] == 80
    ambiguous = [d for d in report.diagnostics if d.code == "ambiguous_digits"
                 and d.key == "requests.partially_granted.natural_person"]
    assert ambiguous and [19, 1, 0, 0, 0, 0, 20] in ambiguous[0].candidates


def test_batch_frames() -> None:
    """A batch gives a long cells frame and a tidy frame per table (issue 2 item 5)."""
    from auditkit import read_reports

    batch = read_reports([SAMPLES], jobs=2, progress=False)
    assert len(batch.reports) == 12 and not batch.failures
    cells = batch.cells
    assert {"report", "table", "row", "column", "value", "text", "location"} <= set(cells.columns)
    assert len(cells) == sum(len(all_keys(r.format)) for r in batch.reports)
    one = cells[(cells.source.str.endswith("000_seed-chengxiang_2023.txt")) & (cells.key == "requests.new_received.total")]
    assert one.value.tolist() == [51] and one.text.tolist() == ["51"] and one.location.iloc[0].startswith("line ")
    requests = batch.table("requests")
    per_report = requests.groupby("source").size()
    for r in batch.reports:
        assert per_report[r.source] == (25 if r.format == "2021" else 23)
    row = requests[(requests.source == batch.reports[0].source) & (requests.row == "new_received")].iloc[0]
    assert row["total"] == batch.reports[0].cells["requests.new_received.total"]
