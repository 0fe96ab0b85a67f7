"""Reading a case and sorting every cell into right, null with a reason, silent null or wrong.

- right: the value the case expects (a null the document gives, with its diagnostic; where the
  copy's digits determine a value other than the agency wrote, that value or null with a
  diagnostic);
- null with a reason: null, and a diagnostic on that key says why (accuracy lost, not a lie);
- silent null: null with no diagnostic on that key (a defect);
- wrong: a number that is not the expected one (a silent error: the worst defect).

Agency, year and format are checked beside the cells, and the reader's self-check: a value
it found cut out of a number that had its own cell (a ``self_check`` diagnostic) fails the case.
A document the reader refuses with a ``ReadError`` has every cell null with that reason; any
other exception is a crash.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass, field

from tests.torture.cases import Case

RIGHT, REASON, SILENT, WRONG = "right", "null+reason", "silent-null", "WRONG"
VERDICTS = (RIGHT, REASON, SILENT, WRONG)


@dataclass
class Outcome:
    key: str
    expected: float | None
    got: float | None
    verdict: str
    text: str = ""  # the provenance: the text the value was read from...
    location: str = ""  # ...and where it stands
    codes: tuple[str, ...] = ()  # diagnostics on the key
    found: str = ""  # the text the first diagnostic on the key quotes (why a null is null)


@dataclass
class Result:
    case: Case
    outcomes: list[Outcome] = field(default_factory=list)
    meta: list[tuple[str, object, object]] = field(default_factory=list)  # (field, expected, got) that differ
    error: str = ""  # a ReadError's reason, or the crash
    # the reader's self-check: values cut out of a number that had its own cell (a bug; made null)
    self_check: list[str] = field(default_factory=list)
    seconds: float = 0.0  # how long reading took

    @property
    def counts(self) -> Counter[str]:
        return Counter(o.verdict for o in self.outcomes)

    @property
    def crashed(self) -> bool:
        return self.error.startswith("crash")

    def defects(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.verdict in (WRONG, SILENT)]

    @property
    def clean(self) -> bool:
        return not self.defects() and not self.meta and not self.crashed and not self.self_check


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def check(case: Case) -> Result:
    """Read the case's document with ``auditkit.read_report`` and judge every cell."""
    from auditkit import read_report
    from auditkit.errors import ReadError

    result = Result(case)
    start = time.perf_counter()
    try:
        report = read_report(case.path)
    except ReadError as exc:
        result.error = f"ReadError {exc.reason}: {exc.message}"
        result.outcomes = [Outcome(k, v, None, REASON if v is not None else RIGHT, codes=("read_error",))
                           for k, v in case.expected.items()]
        return result
    except Exception as exc:  # a reader bug: the case fails, the run goes on
        result.error = f"crash {type(exc).__name__}: {exc}"
        return result
    finally:
        result.seconds = time.perf_counter() - start
    for name in ("format", "agency", "year"):
        if getattr(report, name) != getattr(case, name):
            result.meta.append((name, getattr(case, name), getattr(report, name)))
    result.self_check = [f"{d.key} from {d.found!r} at {d.location}" for d in report.diagnostics if d.code == "self_check"]
    explained: dict[str, list[str]] = {}
    quoted: dict[str, str] = {}
    for d in report.diagnostics:
        for key in {d.key, *(d.keys or [])} - {None}:
            explained.setdefault(key, []).append(d.code)
            quoted.setdefault(key, d.found or "")
    for key, expected in case.expected.items():
        got = report.cells.get(key)
        codes = tuple(explained.get(key, ()))
        if got is None:
            verdict = (RIGHT if expected is None or key in case.written else REASON) if codes else SILENT
        elif expected is not None and _same(got, expected):
            verdict = RIGHT
        else:
            verdict = WRONG
        prov = report.provenance.get(key)
        result.outcomes.append(Outcome(key, expected, got, verdict, prov.text if prov else "",
                                       prov.location if prov else "", codes, quoted.get(key, "")))
    return result


# ---------------------------------------------------------------- printing


def _number(v: float | None) -> str:
    if v is None:
        return "null"
    return str(int(v)) if float(v).is_integer() else str(v)


def summary_table(results: list[Result]) -> str:
    """One line per case: cells right / null with a reason / silent null / wrong, and meta."""
    w = max([len(r.case.name) for r in results] + [20])
    head = f"{'case':{w}} {'cells':>5} {'right':>5} {'reason':>6} {'silent':>6} {'WRONG':>5} {'read s':>6}  notes"
    lines = [head, "-" * len(head)]
    total: Counter[str] = Counter()
    for r in results:
        c = r.counts
        total.update(c)
        notes = "; ".join([*(f"{f}: expected {e!r}, got {g!r}" for f, e, g in r.meta), *([r.error] if r.error else [])])
        lines.append(f"{r.case.name:{w}} {len(r.outcomes):5} {c[RIGHT]:5} {c[REASON]:6} {c[SILENT]:6} {c[WRONG]:5} "
                     f"{r.seconds:6.2f}  {notes}")
    lines.append("-" * len(head))
    lines.append(f"{'total':{w}} {sum(total.values()):5} {total[RIGHT]:5} {total[REASON]:6} {total[SILENT]:6} "
                 f"{total[WRONG]:5} {sum(r.seconds for r in results):6.1f}")
    return "\n".join(lines)


def defect_list(results: list[Result]) -> str:
    """Every wrong number and silent null: case, key, expected, got, provenance, diagnostics."""
    lines = []
    for r in results:
        for o in sorted(r.defects(), key=lambda o: o.verdict != WRONG):
            where = f"  from {o.text!r} at {o.location}" if o.text or o.location else ""
            codes = f"  [{', '.join(sorted(set(o.codes)))}]" if o.codes else ""
            cut = f" (cut off the paper: truly {_number(r.case.hidden[o.key])})" if o.key in r.case.hidden else ""
            if o.key in r.case.written:
                cut = f" (or null; the agency wrote {_number(r.case.written[o.key])})"
            lines.append(f"{o.verdict:11} {r.case.name}: {o.key} expected {_number(o.expected)}{cut}, "
                         f"got {_number(o.got)}{where}{codes}")
        for f, e, g in r.meta:
            lines.append(f"{'WRONG meta':11} {r.case.name}: {f} expected {e!r}, got {g!r}")
        if r.crashed:
            lines.append(f"{'CRASH':11} {r.case.name}: {r.error}")
        lines.extend(f"{'SELF-CHECK':11} {r.case.name}: {what}" for what in r.self_check)
    return "\n".join(lines)


def loss_list(results: list[Result]) -> str:
    """The nulls with a reason, grouped by case and diagnostic: where accuracy is lost."""
    lines = []
    for r in results:
        groups: Counter[tuple[str, str]] = Counter()
        for o in r.outcomes:
            if o.verdict == REASON:
                groups[(o.codes[0] if o.codes else "", o.found.replace("\n", "⏎").replace("\t", "|"))] += 1
        for (code, found), n in sorted(groups.items(), key=lambda g: -g[1]):
            lines.append(f"{r.case.name}: {n} cells null by {code} {found[:70]!r}")
    return "\n".join(lines)
