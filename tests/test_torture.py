"""The torture set (issue 12): reading never gives a wrong number as if it were true.

Each case is a document made from a truth (tests/torture/cases.py lists them: PDFs printed
by LibreOffice from web pages and Word files, PDFs drawn as WPS and print drivers draw them,
web pages of other CMSs, crawler copies with the cells run together). Every cell must read
as its expected value, or null with a diagnostic on its key; a null without one (a silent
null) or any other number (a silent error) fails the case, listed with where it was read.
`.venv/bin/python bench/silent_errors.py` prints the same counts for all cases at once.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.torture.cases import NAMES, SPECS, Case, build_cases
from tests.torture.harness import Result, check, defect_list, summary_table


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    """Every case, written once (LibreOffice prints all pages in one run, all Word files in another)."""
    folder: Path = tmp_path_factory.mktemp("torture")
    return {c.name: c for c in build_cases(folder)}


@pytest.fixture(scope="module")
def results(cases: dict[str, Case]) -> dict[str, Result]:
    return {name: check(case) for name, case in cases.items()}


def test_every_case_shows_what_it_claims(cases: dict[str, Case]) -> None:
    """A generator that stopped making its trouble (a table no longer across pages, no column
    cut off) would make its case pass for nothing."""
    problems = [f"{s.name}: {p}" for s in SPECS if s.shows for p in s.shows(cases[s.name])]
    assert not problems, "\n".join(problems)


def test_expected_values_cover_the_format(cases: dict[str, Case]) -> None:
    from auditkit.formats import all_keys

    for case in cases.values():
        assert set(case.expected) == set(all_keys(case.format)), case.name
        assert set(case.hidden) <= {k for k, v in case.expected.items() if v is None}, case.name


@pytest.mark.parametrize("name", NAMES)
def test_no_wrong_number_and_no_silent_null(name: str, results: dict[str, Result]) -> None:
    result = results[name]
    if not result.clean:  # the table and the list say it all: no traceback of the harness
        pytest.fail(f"{name}: {result.case.exhibits}\n{summary_table([result])}\n{defect_list([result])}", pytrace=False)
