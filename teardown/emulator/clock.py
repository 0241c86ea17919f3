"""Clocks for the emulator. States move on the clock, so tests control time instead of sleeping.

The engine accepts any object with ``now()`` and ``sleep()``: tests hand the same ``ManualClock`` to
both, so the engine's polling waits move the emulator's time.
"""

from __future__ import annotations

import threading
import time


class ManualClock:
    """Time that moves only when told: ``advance`` or ``sleep`` (which advances instead of waiting)."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time does not go backwards")
        with self._lock:
            self._now += seconds

    def sleep(self, seconds: float) -> None:
        self.advance(max(seconds, 0.0))


class ScaledClock:
    """Wall time sped up ``scale`` times: realistic latencies and quota rates shrink together."""

    def __init__(self, scale: float = 1.0) -> None:
        if scale <= 0:
            raise ValueError("scale must be positive")
        self.scale = scale
        self._origin_wall = time.time()
        self._origin_mono = time.monotonic()

    def now(self) -> float:
        return self._origin_wall + (time.monotonic() - self._origin_mono) * self.scale

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds / self.scale)
