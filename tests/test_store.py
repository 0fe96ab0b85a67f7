"""The report store: records kept by content, agencies matched across name changes, no half writes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from auditkit.agency import normalise_agency
from auditkit.record import Report
from auditkit.store import ReportStore, StoreError, default_store_path, resolve_priors


def report(agency: str, year: int, sha: str, carried_forward: int = 0, **cells: int) -> Report:
    return Report(source=f"{sha}.txt", sha256=sha, kind="text", format="2021", agency=agency, year=year,
                  published=None, cells={"requests.carried_forward.total": carried_forward, **cells},
                  sections={"overview": f"{agency}{year}年总体情况"})


@pytest.fixture
def store(tmp_path: Path):
    with ReportStore(tmp_path / "store.sqlite") as s:
        yield s


@pytest.mark.parametrize(("a", "b"), [
    ("平潭综合实验区管委会", "平潭综合实验区"),
    ("平潭综合实验区管理委员会", "平潭综合实验区"),
    ("淮安市洪泽区人民政府", "淮安市洪泽区"),
    (" 平潭综合实验区 财政金融局", "平潭综合实验区财政金融局"),
    ("（平潭）综合实验区", "平潭综合实验区"),
])
def test_normalised_names_match(a: str, b: str) -> None:
    assert normalise_agency(a) == normalise_agency(b)


@pytest.mark.parametrize(("a", "b"), [
    ("平潭综合实验区管委会办公室", "平潭综合实验区"),  # an office publishes its own report: alias, not rule
    ("平潭综合实验区财政金融局", "平潭综合实验区"),
    ("淮安市洪泽区人民政府办公室", "淮安市洪泽区人民政府"),
])
def test_different_bodies_stay_apart(a: str, b: str) -> None:
    assert normalise_agency(a) != normalise_agency(b)


def test_wal_mode_and_schema(store: ReportStore) -> None:
    db = sqlite3.connect(store.path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"reports", "aliases"} <= tables


def test_same_file_is_not_duplicated(store: ReportStore) -> None:
    r = report("平潭综合实验区", 2022, "aa" * 32)
    assert store.put([r]) == (1, 0)
    assert store.put([r]) == (0, 1)
    assert store.count() == 1
    again = store.get("aa" * 32)
    assert again is not None and again.report.to_record() == r.to_record()


def test_find_by_normalised_name_and_alias(store: ReportStore) -> None:
    store.put([report("平潭综合实验区管委会办公室", 2022, "b1" * 32, carried_forward=3)])
    assert store.find("平潭综合实验区", 2022) is None  # an office is not the zone, until the auditor says so
    store.add_alias("平潭综合实验区管委会办公室", "平潭综合实验区", note="同一报告主体")
    found = store.find("平潭综合实验区管委会", 2022)
    assert found is not None
    assert (found.sha256, found.year, found.source) == ("b1" * 32, 2022, f"{'b1' * 32}.txt")
    assert found.report.cells["requests.carried_forward.total"] == 3
    assert store.aliases()[0]["canonical"] == "平潭综合实验区"
    assert store.remove_alias("平潭综合实验区管委会办公室")
    assert store.find("平潭综合实验区", 2022) is None


def test_alias_loops_are_refused(store: ReportStore) -> None:
    store.add_alias("甲局", "乙局")
    with pytest.raises(StoreError):
        store.add_alias("乙局", "甲局")


def test_most_complete_copy_wins(store: ReportStore) -> None:
    thin = report("某县", 2022, "c1" * 32)
    full = report("某县人民政府", 2022, "c2" * 32, **{"requests.new_received.total": 4})
    store.put([thin, full])
    assert store.find("某县人民政府", 2022).sha256 == "c2" * 32


def test_failed_write_leaves_nothing(store: ReportStore) -> None:
    good = report("某区", 2021, "d1" * 32)
    bad = report("某区", 2022, "d2" * 32)
    bad.cells = {"requests.carried_forward.total": object()}  # not JSON: fails mid-transaction
    with pytest.raises(TypeError):
        store.put([good, bad])
    assert store.count() == 0
    store.put([good])
    assert store.count() == 1


def test_data_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with ReportStore(path) as s:
        s.put([report("某市", 2023, "e1" * 32)])
        s.add_alias("某市人民政府办公室", "某市")
    with ReportStore(path) as s:
        assert s.count() == 1 and s.find("某市人民政府办公室", 2023) is not None


def test_priors_from_batch_before_store(store: ReportStore) -> None:
    store.put([report("某区", 2022, "f1" * 32, carried_forward=1)])
    this_year = report("某区人民政府", 2023, "f3" * 32)
    in_batch = report("某区", 2022, "f2" * 32, carried_forward=2)
    priors = resolve_priors([this_year, in_batch], store)
    assert priors[0].origin == "batch" and priors[0].report.sha256 == "f2" * 32
    assert priors[1] is None
    priors = resolve_priors([this_year], store)
    assert priors[0].origin == "store" and priors[0].report.sha256 == "f1" * 32
    assert "报告库" in priors[0].describe() and "2022" in priors[0].describe()


def test_store_does_not_load_frames() -> None:
    # Priors are plain records: looking them up needs neither the frames nor pandas.
    code = ("import sys; from auditkit.record import Report; from auditkit.store import resolve_priors; "
            "r = [Report(source=f'{y}.txt', sha256=None, kind='text', format='2021', agency='某区', year=y, "
            "published=None, cells={}, sections={}) for y in (2022, 2023)]; "
            "assert resolve_priors(r)[1].report is r[0]; "
            "assert 'auditkit.frames' not in sys.modules and 'pandas' not in sys.modules, 'frames loaded'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_default_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AUDITKIT_STORE", str(tmp_path / "x.sqlite"))
    assert default_store_path() == tmp_path / "x.sqlite"
    monkeypatch.delenv("AUDITKIT_STORE")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    if default_store_path().parts[-3:] != ("data", "auditkit", "store.sqlite"):
        pytest.skip("not an XDG platform")
    assert default_store_path() == tmp_path / "data" / "auditkit" / "store.sqlite"
