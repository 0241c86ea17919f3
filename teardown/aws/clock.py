"""Time, injected. The engine never calls time.time or time.sleep directly, so tests never sleep for real.

Any object with ``now()`` and ``sleep(seconds)`` will do: tests pass the emulator's manual clock, so the
engine's waits move the emulator's time instead of the wall clock. A clock may also offer
``wait_event(event, seconds)``, a sleep that an event cuts short (the observer waits on it for the next
check, and wakes early when an effect is registered that is due sooner); without it, ``sleep`` is used.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait that long (or, for a manual clock, move time on by that much)."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def wait_event(self, event: threading.Event, seconds: float) -> bool:
        """Wait up to ``seconds``, or less if ``event`` is set first; answer whether it was set."""
        return event.wait(max(seconds, 0.0))
