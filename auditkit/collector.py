"""The cyclic garbage collector held back while a batch is validated.

Building the frames and wording the findings make hundreds of thousands of small objects (rows,
strings, dicts) and next to no reference cycles, while the batch's records (10,000 reports: millions
of objects) are alive the whole time. Left alone, the collector keeps walking all of them: at 10,000
reports it cost about a third of the findings stage. Cycles made meanwhile are collected afterwards.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def collector_paused(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` with the cyclic collector off (as it was before, afterwards; calls nest)."""

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        was_on = gc.isenabled()
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            if was_on:
                gc.enable()

    return run
