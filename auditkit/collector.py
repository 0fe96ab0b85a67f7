"""The cyclic garbage collector held back while a batch is read or validated.

Building the frames and wording the findings make hundreds of thousands of small objects (rows,
strings, dicts) and next to no reference cycles, while the batch's records (10,000 reports: millions
of objects) are alive the whole time. Left alone, the collector keeps walking all of them: at 10,000
reports it cost about a third of the findings stage. Cycles made meanwhile are collected afterwards.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


# While a batch is read: reading a document makes many short-lived objects and few cycles, so
# young objects are collected less often.
READING_THRESHOLD = (10_000, 50, 100)


@contextmanager
def collector_tuned_for_reading() -> Iterator[Callable[[], None]]:
    """Young objects collected less often while in the block; it gives ``gc.freeze``, to call once what
    start-up and the first document loaded (modules, format tables, compiled patterns: most of the heap,
    and never garbage) should be left out of every later collection. Both undone on leaving (tests call
    the CLI in their own process)."""
    threshold = gc.get_threshold()
    gc.set_threshold(*READING_THRESHOLD)
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
