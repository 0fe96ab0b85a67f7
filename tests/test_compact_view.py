"""The compact view labels are searched in (match/stream.py) is the same by both of its paths:
pure Python for a web page's short texts (numpy never loaded), numpy's lookup tables over a long
batch of long texts."""

from __future__ import annotations

import random
import subprocess
import sys

from auditkit.match.stream import Compact

# code points where NFKC, spaces and punctuation matter: ASCII, Latin, general punctuation, CJK
# punctuation and ideographs, compatibility ideographs and forms, full-width forms, the table
# mark, characters outside the plane, combining marks, squared words (NFKC gives several)
_POOLS = [range(0x20, 0x7F), range(0xA0, 0x250), range(0x2000, 0x2500), range(0x3000, 0x3400), range(0x4E00, 0x4F00),
          range(0xF900, 0xFB00), range(0xFE30, 0xFF70), range(0xE000, 0xE002), range(0x1D400, 0x1D420),
          range(0x2F800, 0x2F810), range(0x300, 0x370), range(0x3300, 0x3400)]


def _texts() -> list[str]:
    rng = random.Random(12)
    out = ["本年新收政府信息公开申请数量（件）：１２，３ ４；二、主动公开\ue000", "", " ，。", "⑴㎡１２"]
    for _ in range(400):
        pool = _POOLS if rng.random() < 0.5 else _POOLS[3:5]  # some texts without any character that changes
        out.append("".join(chr(rng.choice(rng.choice(pool))) for _ in range(rng.choice([3, 40, 300]))))
    return out


def test_both_paths_give_the_same_view() -> None:
    from auditkit.match import stream

    stream._compact_luts.cache_clear()  # no tables yet: Compact.of takes the pure-Python path
    assert stream._pure_chars[0] < stream._NUMPY_AFTER
    texts = _texts()
    pure = [(Compact.of(t, 9), Compact.text_of(t)) for t in texts]
    assert not stream._compact_luts.cache_info().currsize
    for text, (view, compact_text) in zip(texts, pure, strict=True):
        tables = Compact._by_tables(text, 9)  # the view as auditkit always made it
        assert view == tables, text
        assert compact_text == tables.text, text


def test_matching_a_web_page_loads_no_numpy() -> None:
    """Reading and matching a web page stay pure Python (the compact view of short texts);
    numpy comes in only after, when the read worker works out the n-grams the batch's
    repetition check compares (narrative.read_figures), once per worker process."""
    code = ("import sys, hashlib; from auditkit.readers import read_layout; from auditkit.match import match_layout; "
            "p = 'auditkit/data/samples/011_pingtan-shiyanqu_2023.html'; "
            "r = match_layout(read_layout(p), hashlib.sha256(open(p, 'rb').read()).hexdigest()); "
            "assert r.cells['requests.new_received.total'] is not None; print('numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_view_of_a_text_is_the_join_of_its_pieces_views() -> None:
    """A table's compact text is made cell by cell (match.grid.table_text): the view is made
    character by character, so cutting a text anywhere gives the same view joined; and so does
    table_text for a table with characters beyond U+FFFF, which it takes whole."""
    rng = random.Random(7)
    for text in _texts():
        # (one plane: beyond it a character is kept or mapped by what else the text holds, and
        # table_text takes such a table whole)
        text = "".join(ch for ch in text if ch <= "\uffff")
        cuts = sorted(rng.sample(range(len(text) + 1), min(3, len(text) + 1)))
        pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
        assert "".join(Compact.text_of(p) for p in pieces) == Compact.text_of(text), text
    from auditkit.layout import Cell, Table
    from auditkit.match.grid import table_text

    for text in _texts():
        cells = [Cell(text[i:i + 7], f"table 1, row 1, col {k + 1}") for k, i in enumerate(range(0, len(text), 7))]
        assert table_text(Table([cells], "table 1")) == Compact.text_of(text), text
