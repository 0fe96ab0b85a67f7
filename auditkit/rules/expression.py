"""Row-wise arithmetic identities written as text, e.g. ``total == upheld + corrected + other + pending``.

The grammar is deliberately small (names, numbers, ``+ - * /``, parentheses, one
comparison) so that a suite file stays readable by an auditor and evaluating it
never runs arbitrary code. Evaluation is vectorised over whole columns.
"""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass
from typing import Any

import numpy as np

from auditkit.errors import ExpressionError

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
