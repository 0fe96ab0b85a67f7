"""Row-wise arithmetic identities written as text, e.g. ``total == upheld + corrected + other + pending``.

The grammar is deliberately small (names, numbers, ``+ - * /``, parentheses, one
comparison) so that a suite file stays readable by an auditor and evaluating it
never runs arbitrary code. Evaluation is vectorised over whole columns.

A missing value need not stop the check. A rule may say what a missing value can be:

- ``"unknowns": "nonnegative"``: it is a count, so it is >= 0;
- ``"bounds": {"withheld": {"min": "withheld_min"}, "table": {"min": "table_min", "max": "table_max"}}``:
  it lies between the values of other columns of the row (a missing bound: no bound that side).

``refute`` then works out, by interval arithmetic, whether the identity can hold for *any*
values the missing ones may take: a row where it cannot is wrong whatever the blank cells
hold; a row where it can is undecided (skipped), never passed.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Mapping
from typing import Any

import numpy as np

from auditkit.errors import ExpressionError
from auditkit.precompiled import dataclass

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_COMPARE = {ast.Eq: "==", ast.LtE: "<=", ast.GtE: ">=", ast.Lt: "<", ast.Gt: ">"}


@dataclass(frozen=True)
class Identity:
    text: str
    op: str  # "==", "<=", ">=", "<", ">"
    lhs: ast.expr
    rhs: ast.expr
    names: tuple[str, ...]  # columns used, in order of appearance


def _check(node: ast.expr, names: list[str]) -> None:
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        _check(node.left, names)
        _check(node.right, names)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        _check(node.operand, names)
    elif isinstance(node, ast.Name):
        if node.id not in names:
            names.append(node.id)
    elif isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        pass
    else:
        raise ExpressionError(f"unsupported element {ast.unparse(node)!r}")


def parse_identity(text: str) -> Identity:
    """Parse ``lhs == rhs`` (or ``<=``, ``>=``, ``<``, ``>``); raises ``ExpressionError``."""
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ExpressionError(f"not an expression: {text!r} ({exc.msg})") from None
    if not (isinstance(tree, ast.Compare) and len(tree.ops) == 1 and type(tree.ops[0]) in _COMPARE):
        raise ExpressionError(f"expected one comparison such as 'a == b + c', got {text!r}")
    names: list[str] = []
    try:
        _check(tree.left, names)
        _check(tree.comparators[0], names)
    except ExpressionError as exc:
        raise ExpressionError(f"{exc} in {text!r}") from None
    return Identity(text.strip(), _COMPARE[type(tree.ops[0])], tree.left, tree.comparators[0], tuple(names))


def _eval(node: ast.expr, columns: Any) -> Any:
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_eval(node.left, columns), _eval(node.right, columns))
    if isinstance(node, ast.UnaryOp):
        return -_eval(node.operand, columns)
    if isinstance(node, ast.Name):
        return np.asarray(columns[node.id], dtype=float)
    return float(node.value)  # type: ignore[attr-defined]


def evaluate(identity: Identity, columns: Any, tolerance: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lhs, rhs, holds) for every row of ``columns`` (a DataFrame or a mapping of arrays).

    A row with a missing value never holds; validation skips such rows before asking.
    """
    n = len(columns[identity.names[0]]) if identity.names else 0
    lhs = np.broadcast_to(_eval(identity.lhs, columns), (n,)).astype(float)
    rhs = np.broadcast_to(_eval(identity.rhs, columns), (n,)).astype(float)
    with np.errstate(invalid="ignore"):
        diff = lhs - rhs
        if identity.op == "==":
            holds = np.abs(diff) <= tolerance
        elif identity.op == "<=":
            holds = diff <= tolerance
        elif identity.op == ">=":
            holds = diff >= -tolerance
        elif identity.op == "<":
            holds = diff < 0
        else:
            holds = diff > 0
    return lhs, rhs, holds & ~np.isnan(diff)


# ---------------------------------------------------------------------------
# Missing values as unknowns within bounds

UNKNOWNS = ("nonnegative",)


@dataclass(frozen=True)
class Unknowns:
    """What a rule says missing values may be (see the module docstring)."""

    nonnegative: bool = False
    bounds: Mapping[str, tuple[str | None, str | None]] | None = None  # column -> (min column, max column)

    @property
    def active(self) -> bool:
        return self.nonnegative or bool(self.bounds)

    def columns(self) -> list[str]:
        """The columns that hold bounds."""
        return [c for lo, hi in (self.bounds or {}).values() for c in (lo, hi) if c]


def unknowns_of(kwargs: Mapping[str, Any]) -> Unknowns:
    """The ``unknowns`` and ``bounds`` of a rule's kwargs; ``ExpressionError`` when malformed."""
    mode = kwargs.get("unknowns")
    if mode is not None and mode not in UNKNOWNS:
        raise ExpressionError(f"unknowns must be one of {', '.join(UNKNOWNS)}, got {mode!r}")
    raw = kwargs.get("bounds") or {}
    if not isinstance(raw, Mapping):
        raise ExpressionError(f"bounds must map a column to {{'min': column, 'max': column}}, got {raw!r}")
    bounds: dict[str, tuple[str | None, str | None]] = {}
    for column, spec in raw.items():
        if not isinstance(spec, Mapping) or not set(spec) <= {"min", "max"} or not spec:
            raise ExpressionError(f"bounds of {column!r} must be {{'min': column, 'max': column}}, got {spec!r}")
        bounds[column] = (spec.get("min"), spec.get("max"))
    return Unknowns(mode == "nonnegative", bounds or None)


@dataclass
class Refutation:
    """Per row: the range each side of the identity can take, and whether no value makes it hold."""

    lhs_lo: np.ndarray
    lhs_hi: np.ndarray
    rhs_lo: np.ndarray
    rhs_hi: np.ndarray
    unknown: np.ndarray  # a value the identity uses is missing
    refuted: np.ndarray  # the identity cannot hold, whatever the missing values are


def _interval(node: ast.expr, columns: Any, unknowns: Unknowns, n: int,
              missing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(node, ast.BinOp):
        a, b = _interval(node.left, columns, unknowns, n, missing)
        c, d = _interval(node.right, columns, unknowns, n, missing)
        if isinstance(node.op, ast.Add):
            return a + c, b + d
        if isinstance(node.op, ast.Sub):
            return a - d, b - c
        if isinstance(node.op, ast.Div):
            with np.errstate(divide="ignore", invalid="ignore"):
                span = (c > 0) | (d < 0)  # a divisor that cannot be 0
                c, d = np.where(span, 1.0 / d, -np.inf), np.where(span, 1.0 / c, np.inf)
        with np.errstate(invalid="ignore"):
            products = np.stack([a * c, a * d, b * c, b * d])
        products = np.where(np.isnan(products), 0.0, products)  # 0 x infinity: 0
        return products.min(axis=0), products.max(axis=0)
    if isinstance(node, ast.UnaryOp):
        lo, hi = _interval(node.operand, columns, unknowns, n, missing)
        return -hi, -lo
    if isinstance(node, ast.Name):
        v = np.asarray(columns[node.id], dtype=float)
        gone = np.isnan(v)
        missing |= gone
        low, high = (unknowns.bounds or {}).get(node.id, (None, None))
        floor = 0.0 if unknowns.nonnegative else -np.inf
        lo = np.asarray(columns[low], dtype=float) if low else np.full(n, np.nan)
        hi = np.asarray(columns[high], dtype=float) if high else np.full(n, np.nan)
        lo = np.where(np.isnan(lo), floor, lo)
        hi = np.where(np.isnan(hi), np.inf, hi)
        return np.where(gone, lo, v), np.where(gone, hi, v)
    c = float(node.value)  # type: ignore[attr-defined]
    return np.full(n, c), np.full(n, c)


def refute(identity: Identity, columns: Any, unknowns: Unknowns, tolerance: float = 0.0) -> Refutation:
    """For every row: can the identity hold for some values of its missing ones (see ``Unknowns``)?"""
    n = len(columns[identity.names[0]]) if identity.names else 0
    missing = np.zeros(n, dtype=bool)
    a, b = _interval(identity.lhs, columns, unknowns, n, missing)
    c, d = _interval(identity.rhs, columns, unknowns, n, missing)
    op = identity.op
    with np.errstate(invalid="ignore"):
        if op == "==":
            refuted = (a > d + tolerance) | (c > b + tolerance)
        elif op == "<=":
            refuted = a > d + tolerance
        elif op == ">=":
            refuted = b < c - tolerance
        elif op == "<":
            refuted = a >= d
        else:
            refuted = b <= c
    return Refutation(a, b, c, d, missing, refuted)
