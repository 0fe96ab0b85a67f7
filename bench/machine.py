"""The shared machine's speed just now, printed beside every benchmark's figures: a fixed loop."""

from __future__ import annotations

import time


def calibration_ms() -> float:
    """A fixed pure-Python loop (one million additions), CPU milliseconds: the machine's speed just now."""
    t0 = time.process_time()
    total = 0
    for i in range(1_000_000):
        total += i
    return (time.process_time() - t0) * 1000
