"""Benchmark: precision and recall of the text-against-table rules on the phrasing bank.

Not a test: run it by hand (``python bench/narrative_bench.py``) and read the figures. The bank
(``tests/data/narrative_bank.json``) holds sentences as real reports phrase them, right and
wrong, each with the tables it is checked against; every sentence is audited as its own report
in one batch (``tests/narrative_bank.py``). It prints, per kind of statement and overall, how
many wrong sentences were found by the rule meant for them (recall), how many findings were
right (precision), and the false alarms on right sentences (the aim: none), then lists every
sentence that did not come out as expected.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

os.environ["GX_ANALYTICS_ENABLED"] = "false"
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bank", default=None, help="another bank file (same format)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every sentence with its outcome")
    args = parser.parse_args()

    from tests.narrative_bank import BANK, run_bank, score

    t = time.perf_counter()
    outcomes = run_bank(Path(args.bank) if args.bank else BANK)
    took = time.perf_counter() - t
    by_kind = defaultdict(list)
    for o in outcomes:
        by_kind[o.entry.kind].append(o)
    print(f"{len(outcomes)} sentences audited in {took:.1f} s")
    print(f"{'kind':>8} {'sentences':>9} {'wrong':>6} {'found':>6} {'right':>6} {'alarms':>7} {'precision':>9} {'recall':>7}")
    for kind, group in [*by_kind.items(), ("all", outcomes)]:
        s = score(group)
        print(f"{kind:>8} {s['sentences']:>9} {s['wrong']:>6} {s['found']:>6} {s['right']:>6} {s['false_alarms']:>7} "
              f"{s['precision']:>9.3f} {s['recall']:>7.3f}")
    odd = [o for o in outcomes if not o.as_expected]
    if odd or args.verbose:
        print()
    for o in outcomes if args.verbose else odd:
        e = o.entry
        mark = "ok " if o.as_expected else "!! "
        print(f"{mark}{e.id} [{e.expect}{' by ' + e.rule if e.rule else ''}] found {o.rules or '-'} "
              f"skipped {o.skipped or '-'}\n      {e.text}")


if __name__ == "__main__":
    main()
