"""The objects an apply holds for its whole run, kept out of CPython's full collections.

A plan, its action graph and what the run keeps of each finished action live until the apply ends: at
10,000 assets, hundreds of thousands of objects. CPython's full (generation 2) collection walks every tracked
object, and runs again each time the survivors grow by a quarter. Measured in the race benchmark
(``benchmarks.teardown_race``, time scale 10): three pauses of 70-115 ms at 1,000 assets, and pauses of
40-160 ms every few seconds at 10,000, each holding every thread of the engine (no request is sent
meanwhile): a fixed wall-clock stall that no quota scales. Frozen (``gc.freeze``, O(1)), these objects are
skipped by every collection until the apply ends; what the run makes and drops is collected as before.

Applies may run side by side in one process (a fleet's threads): the heap is unfrozen when the last of
them ends, and never where the process had frozen objects of its own before the first began.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable, Iterator


class _Holders:
    """The applies in this process holding the heap frozen."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0
        self.host_froze = False  # the process had frozen objects before the first holder began


_HOLDERS = _Holders()


@contextlib.contextmanager
def long_lived() -> Iterator[Callable[[], None]]:
    """Freeze what the collector tracks now, and hand out a callable that freezes what was made since (for
    what the rest of the run keeps); unfreeze when the last holder in the process ends."""
    with _HOLDERS.lock:
        if _HOLDERS.count == 0:
            _HOLDERS.host_froze = gc.get_freeze_count() > 0
        _HOLDERS.count += 1
        gc.freeze()
    try:
        yield gc.freeze
    finally:
        with _HOLDERS.lock:
            _HOLDERS.count -= 1
            if _HOLDERS.count == 0 and not _HOLDERS.host_froze:
                gc.unfreeze()
