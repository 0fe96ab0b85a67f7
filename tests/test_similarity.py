"""Label similarity (match/similarity.py) is rapidfuzz's ``fuzz.ratio`` to the last bit: the matcher's
thresholds (80 for a row or section title, 60 for a column label) fall where they did with rapidfuzz."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

from rapidfuzz.fuzz import ratio as rapidfuzz_ratio

import auditkit
from auditkit.formats import format_spec
from auditkit.match.similarity import ratio


def _labels() -> list[str]:
    names = set()
    for fmt in ("2019", "2021"):
        for spec in format_spec(fmt).tables.values():
            names |= spec.label_names
    return sorted(names)


def test_same_score_as_rapidfuzz_on_labels_and_their_variants() -> None:
    labels = _labels()
    rng = random.Random(7)
    pairs = [("", ""), ("", "总计"), ("总计", ""), ("this is a test", "this is a test!")]
    for a in labels:
        for b in rng.sample(labels, 8):
            pairs.append((a, b))
        cut = rng.randrange(len(a) + 1)
        pairs.append((a, a[:cut] + a[cut + 1:]))  # a character lost
        pairs.append((a, a[:cut] + "的" + a[cut:]))  # a character added
        pairs.append((a, "".join(rng.sample(a, len(a)))))  # the same characters in another order
    for a, b in pairs:
        assert ratio(a, b) == rapidfuzz_ratio(a, b), (a, b)


def test_same_score_as_rapidfuzz_on_random_text() -> None:
    rng = random.Random(11)
    alphabets = ["ab", "政府信息公开申请本年新收上年结转自然人（）、", "abcdefghij0123456789，。", "a政\U00020000😀"]
    for _ in range(3000):
        alphabet = rng.choice(alphabets)
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 90)))
        b = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 90)))
        assert ratio(a, b) == rapidfuzz_ratio(a, b), (a, b)


def test_reading_a_web_page_loads_no_rapidfuzz() -> None:
    """The point of the module: `auditkit parse` of a web page starts without rapidfuzz's compiled modules."""
    page = Path(auditkit.__file__).parent / "data" / "samples" / "011_pingtan-shiyanqu_2023.html"
    code = (f"import sys; from auditkit.batch import read_report; read_report({str(page)!r}, grams=False); "
            "print('rapidfuzz' in sys.modules)")
    assert subprocess.check_output([sys.executable, "-c", code], text=True).strip() == "False"
