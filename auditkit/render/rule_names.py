"""Rules as a person names them: the Chinese name each rule carries in its suite (``meta.name``),
the id kept, small, beside it.

The suites describe each rule in a sentence; tables, the reviewer and the decisions export
need a name that fits a column. The names live in the suites, so that a rule author names a
rule without touching Python; a rule without one is named by its description's first clause.
"""

from __future__ import annotations

from functools import lru_cache

from auditkit.precompiled import compile_re


@lru_cache(maxsize=1)
def bundled_names() -> dict[str, str]:
    """Rule id -> name, for the rules that ship with auditkit (read once)."""
    from auditkit.rules.suites import load_specs

    return {r.rule_id: r.name for spec in load_specs() for r in spec.rules if r.meta.get("name")}


_CLAUSE = compile_re(r"[：:，,。；;（(]")


def rule_name(rule_id: object, description: object = "") -> str:
    """The Chinese name of a rule; for a rule without one, its description's first clause."""
    name = bundled_names().get(str(rule_id))
    if name:
        return name
    first = _CLAUSE.split(str(description or "").strip(), maxsplit=1)[0].strip()
    if not first:
        return str(rule_id)
    return first if len(first) <= 20 else first[:19] + "…"
