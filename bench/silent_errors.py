"""Silent errors in reading, counted cell by cell (issue 12: "0 silent errors").

Three sets of documents, each cell sorted into right / null with a reason / silent null /
WRONG (a number that is not the true one) by tests/torture/harness.py:

- torture: the torture set of tests/torture (PDFs from LibreOffice and drawn as other
  producers draw them, other CMSs' pages, crawler copies; built into a temporary folder);
- round-trip: every truth file drawn as a web page in the official layout, UTF-8 and GBK;
- samples: the bundled sample reports against their truth files (tests/data/truth).

Prints a table per set, then every wrong number and silent null with where it was read,
and with ``--losses`` the nulls with a reason grouped by diagnostic (accuracy lost).
Run: ``.venv/bin/python bench/silent_errors.py [--sets torture,roundtrip,samples] [--losses]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.torture, run as a script from anywhere

from tests.torture.cases import Case, build_cases  # noqa: E402
from tests.torture.harness import RIGHT, SILENT, WRONG, Result, check, defect_list, loss_list, summary_table  # noqa: E402

SAMPLES = ROOT / "auditkit" / "data" / "samples"
TRUTH = ROOT / "tests" / "data" / "truth"


def _truths() -> list[tuple[str, dict]]:
    return [(p.name.removesuffix(".json"), json.loads(p.read_text(encoding="utf-8")))
            for p in sorted(TRUTH.glob("*.json"))]


def _case(name: str, exhibits: str, path: Path, truth: dict) -> Case:
    return Case(name, exhibits, path, truth["format"], truth["agency"], truth["year"], dict(truth["cells"]))


def roundtrip_cases(folder: Path) -> list[Case]:
    """Every truth file as a web page in the official layout of its format, UTF-8 and GBK."""
    from tests.official_pages import official_page

    cases = []
    for name, truth in _truths():
        for charset in ("utf-8", "gbk"):
            path = folder / f"{Path(name).stem}.{charset}.html"
            path.write_bytes(official_page(truth, charset).encode("gb18030" if charset == "gbk" else "utf-8"))
            cases.append(_case(f"{name} {charset}", "official page", path, truth))
    return cases


def sample_cases() -> list[Case]:
    """The bundled samples; their truth's unreadable cells read null with a reason, or true."""
    return [_case(name, "bundled sample", SAMPLES / name, truth) for name, truth in _truths()
            if (SAMPLES / name).exists()]


def _cases(name: str, folder: Path) -> list[Case]:
    if name == "torture":
        return build_cases(folder)
    return roundtrip_cases(folder) if name == "roundtrip" else sample_cases()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="torture,roundtrip,samples", help="comma-separated: torture,roundtrip,samples")
    parser.add_argument("--losses", action="store_true", help="also list the nulls with a reason, by diagnostic")
    args = parser.parse_args()
    wanted = args.sets.split(",")
    totals: dict[str, Counter[str]] = {}
    with tempfile.TemporaryDirectory(prefix="silent-errors-") as tmp:
        for name in ("torture", "roundtrip", "samples"):
            if name not in wanted:
                continue
            start = time.perf_counter()
            folder = Path(tmp) / name
            folder.mkdir()
            cases = _cases(name, folder)
            built = time.perf_counter()
            results: list[Result] = [check(c) for c in cases]
            done = time.perf_counter()
            print(f"\n== {name}: {len(cases)} documents (made in {built - start:.1f} s, read in {done - built:.1f} s)\n")
            print(summary_table(results))
            defects = defect_list(results)
            print("\n" + (defects or "no wrong number, no silent null"))
            if args.losses:
                print("\n" + (loss_list(results) or "no null with a reason"))
            totals[name] = sum((r.counts for r in results), Counter())
            totals[name]["meta"] = sum(len(r.meta) for r in results)
            totals[name]["crash"] = sum(r.crashed for r in results)
    print("\n== all sets")
    for name, c in totals.items():
        print(f"{name:10} cells {sum(c[v] for v in (RIGHT, 'null+reason', SILENT, WRONG)):6}  right {c[RIGHT]:6}  "
              f"null+reason {c['null+reason']:5}  silent-null {c[SILENT]:4}  WRONG {c[WRONG]:4}  "
              f"wrong meta {c['meta']}  crashes {c['crash']}")
    return 1 if any(c[WRONG] or c[SILENT] or c["meta"] or c["crash"] for c in totals.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
