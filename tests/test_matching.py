"""Tolerant matching on a real report rewritten the ways real reports vary (issue 2 items 2 and 4)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from auditkit import read_report
from auditkit.digits import Token, count_readings, grouped_sums, read_row, splits, sums_to_last
from auditkit.formats import format_spec, norm
from tests.conftest import SAMPLES

BASE = SAMPLES / "000_seed-chengxiang_2023.txt"


def _variant(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    text = BASE.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    out = tmp_path / "variant.txt"
    out.write_text(text, encoding="utf-8")
    return out


def _variants_of(report) -> dict[str, str]:
    return {d.key: d.found for d in report.diagnostics if d.code == "label_variant"}


@pytest.fixture(scope="module")
def base():
    return read_report(BASE)


def test_normalisation_absorbs_punctuation_spacing_and_width(tmp_path: Path, base) -> None:
    path = _variant(tmp_path,
                    ("1. 属于国家秘密", "1、属于国家秘密"),
                    ("2. 重复申请", "２．重 复 申 请"),
                    ("一、本年新收政府信息公开申请数量", "一、本年新收政府信息 公开申请数量"),
                    ("(二) 部分公开 (区分处理的, 只计这一情形, 不计其他情形)",
                     "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"))
    report = read_report(path)
    assert report.cells == base.cells
    assert set(_variants_of(report)) == set(_variants_of(base))  # only the sample's own typo


def test_full_width_digits_are_numbers(tmp_path: Path) -> None:
    path = _variant(tmp_path, ("一、本年新收政府信息公开申请数量\t\t51\t0\t0\t0\t0\t0\t51",
                               "一、本年新收政府信息公开申请数量\t\t５１\t０\t0\t0\t0\t0\t５１"))
    report = read_report(path)
    assert report.cells["requests.new_received.natural_person"] == 51
    assert report.cells["requests.new_received.total"] == 51
    assert report.provenance["requests.new_received.total"].text == "51"  # NFKC of the text as written


def test_wording_variants_matched_and_reported(tmp_path: Path, base) -> None:
    path = _variant(tmp_path, ("行政规范性文件\t0", "规范性文件\t0"),
                    ("2. 其他法律行政法规禁止公开", "2. 其他法律行政止公开"))
    report = read_report(path)
    assert report.cells == base.cells
    variants = _variants_of(report)
    assert variants["active.normative_documents.issued"] == "规范性文件"
    assert variants["requests.withheld_prohibited_by_law.natural_person"] == "2. 其他法律行政止公开"


def test_merged_other_handling_row(tmp_path: Path) -> None:
    text = BASE.read_text(encoding="utf-8")
    start = text.index("(六) 其他处理")
    end = text.index("(七) 总计")
    merged = "(六) 其他处理\t\t0\t0\t0\t0\t0\t0\t0\t\n"
    path = tmp_path / "merged.txt"
    path.write_text(text[:start] + merged + text[end:], encoding="utf-8")
    report = read_report(path)
    for row in ("other_handling_no_correction", "other_handling_fee_unpaid", "other_handling_other"):
        assert all(v is None for k, v in report.cells.items() if k.startswith(f"requests.{row}."))
    diag = next(d for d in report.diagnostics if d.code == "merged_row")
    assert diag.values == {"natural_person": 0, "commercial": 0, "research": 0, "nonprofit": 0,
                           "legal_services": 0, "other_org": 0, "total": 0}
    assert report.cells["requests.total_handled.total"] == 51


@pytest.mark.parametrize("written,code", [("", "blank_cell"), ("—", "dash_cell"), ("-", "dash_cell"),
                                          ("/", "dash_cell"), ("无", "dash_cell")])
def test_blank_and_dash_are_null_never_zero(tmp_path: Path, written: str, code: str) -> None:
    path = _variant(tmp_path, ("二、上年结转政府信息公开申请数量\t\t0\t0", f"二、上年结转政府信息公开申请数量\t\t{written}\t0"))
    report = read_report(path)
    assert report.cells["requests.carried_over.natural_person"] is None
    diags = report.diagnostics_for("requests.carried_over.natural_person")
    assert [d.code for d in diags] == [code]
    assert report.cells["requests.carried_over.commercial"] == 0


def test_flattened_digits_single_split_taken_several_refused() -> None:
    toks = lambda s: [Token(t, "") for t in s.split()]  # noqa: E731
    one = read_row(toks("801000081"), 7, sums_to_last)
    assert one.values == [80, 1, 0, 0, 0, 0, 81] and one.needed_arithmetic
    two = read_row(toks("191000020"), 7, sums_to_last)
    assert two.values is None
    assert sorted(two.candidates) == [[1, 9, 10, 0, 0, 0, 20], [19, 1, 0, 0, 0, 0, 20]]
    spaced = read_row(toks("1 0 0 0 0 01"), 7, sums_to_last)  # cells spaced, 总计 glued on
    assert spaced.values == [1, 0, 0, 0, 0, 0, 1]
    none = read_row(toks("99"), 7, sums_to_last)
    assert none.values is None and not none.candidates


def test_long_runs_of_digits_are_searched_by_their_sums_not_listed_whole() -> None:
    """An appeals row of fifteen cells run together, with large figures: 459,087 ways to cut
    it, one that adds up group by group. The search drops a group as soon as it fails, so it
    finds that one well within its step limit instead of giving up (or listing every cut)."""
    row = [120, 3, 0, 45, 168, 1200, 0, 37, 9, 1246, 0, 0, 0, 2, 2]
    text = "".join(str(v) for v in row)
    assert count_readings((text,), 15) > 400_000  # more than the old search listed before giving up
    reading = read_row([Token(text, "")], 15, grouped_sums(5))
    assert not reading.gave_up and reading.values == row and reading.needed_arithmetic
    # The same row with one group's total broken: no reading adds up, and the row says so.
    broken = read_row([Token(text[:-1] + "3", "")], 15, grouped_sums(5))
    assert not broken.gave_up and broken.values is None and not broken.candidates


def test_pruned_search_finds_exactly_the_readings_that_add_up() -> None:
    rng = random.Random(11)
    for _ in range(300):
        n, check = rng.choice([(7, sums_to_last), (15, grouped_sums(5))])
        group = 7 if n == 7 else 5
        row: list[int] = []
        for _ in range(n // group):
            parts = [rng.choice([0, 0, 1, 3, 12, 150]) for _ in range(group - 1)]
            row += [*parts, sum(parts)]
        texts, cur = [], ""
        for v in row:
            cur += str(v)
            if rng.random() < 0.4:
                texts.append(cur)
                cur = ""
        texts += [cur] if cur else []
        if count_readings(tuple(texts), n) > 50_000:
            continue
        every = [v for v in splits([Token(t, "") for t in texts], n) if check(v)]  # listed whole, then checked
        assert read_row([Token(t, "") for t in texts], n, check).candidates == every


def test_format_tables_complete() -> None:
    for name, rows, cells in (("2021", 25, 200), ("2019", 23, 198)):
        fmt = format_spec(name)
        assert len(fmt.tables["requests"].rows) == rows
        assert len(fmt.keys) == cells
    assert norm("（三）不予公开") == "不予公开" and norm("1、属于国家秘密") == norm("1. 属于国家秘密")


def test_title_with_chinese_numeral_year(tmp_path: Path) -> None:
    path = _variant(tmp_path, ("城乡一体化示范区党政办公室 2023 年政府信息公开",
                               "城乡一体化示范区党政办公室二〇二三年政府信息公开"))
    report = read_report(path)
    assert (report.agency, report.year) == ("城乡一体化示范区党政办公室", 2023)


def test_agency_from_signature_when_title_lacks_it(tmp_path: Path) -> None:
    text = BASE.read_text(encoding="utf-8").replace("城乡一体化示范区党政办公室 2023 年政府信息公开 工作年度报告",
                                                    "2023 年政府信息公开工作年度报告", 1)
    path = tmp_path / "signed.txt"
    path.write_text(text + "\n\n城乡一体化示范区党政办公室\n2024年1月15日\n", encoding="utf-8")
    report = read_report(path)
    assert (report.agency, report.year) == ("城乡一体化示范区党政办公室", 2023)
    assert any(d.code == "agency_guess" for d in report.diagnostics)
