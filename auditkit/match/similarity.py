"""How alike two labels are: rapidfuzz's ``fuzz.ratio`` (the normalised Indel similarity), in Python.

Label matching asks this a few times per report. Importing rapidfuzz (seven compiled modules) cost
every ``auditkit parse`` about 10 ms of start-up, more than all the comparisons of a batch of pages
take here (a few microseconds each). The score is rapidfuzz's to the last bit (``tests/test_similarity.py``
compares them), so a threshold such as 80 falls exactly where it did. (``partial_ratio_alignment``,
needed only for labels run into other text, still comes from rapidfuzz, imported where it is used.)
"""

from __future__ import annotations


def ratio(a: str, b: str) -> float:
    """``rapidfuzz.fuzz.ratio(a, b)``: 100 × (1 − indel distance / (len a + len b)), 100 for two empty strings."""
    total = len(a) + len(b)
    if not total:
        return 100.0
    distance = total - 2 * _common_subsequence(a, b)
    return (1.0 - distance / total) * 100  # in rapidfuzz's order of operations: the same float


def _common_subsequence(a: str, b: str) -> int:
    """Length of the longest common subsequence of ``a`` and ``b``, bit-parallel (Allison–Dix, Hyyrö):
    one pass over ``b``, with one bit per character of ``a`` in a Python integer."""
    if not a or not b:
        return 0
    where: dict[str, int] = {}
    for i, ch in enumerate(a):
        where[ch] = where.get(ch, 0) | 1 << i
    full = (1 << len(a)) - 1
    v = full
    for ch in b:
        u = v & where.get(ch, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - v.bit_count()
