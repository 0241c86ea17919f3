"""Clocks: the ``Clock`` protocol the emulator and its seeding run on, ``ManualClock`` and ``ScaledClock``.

States move on the clock, so tests control time instead of sleeping. Any object with ``now()`` and
``sleep()`` is a clock, the engine's included: tests hand the same ``ManualClock`` to both, so the
engine's polling waits move the emulator's time.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    """What the emulator needs of time: the current time and a way to let it pass."""

    def now(self) -> float:
        """Seconds since the epoch."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait that long (or, for a manual clock, move time on by that much)."""
        ...


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

    def wait_event(self, event: threading.Event, seconds: float) -> bool:
        """Wait up to ``seconds`` of this clock, or less if ``event`` is set first (a sleep that can be cut
        short); answer whether it was set."""
        return event.wait(max(seconds, 0.0) / self.scale)
