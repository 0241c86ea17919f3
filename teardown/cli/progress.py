"""A one-line progress bar for a terminal: counts per action type, failures, rate and ETA (plain ``\\r``)."""

from __future__ import annotations

import time
from typing import TextIO

from teardown.applying.progress import Progress
from teardown.kinds import KINDS

_SHORT = {kind.value: spec.short for kind, spec in KINDS.items()}
_WIDTH = 24
_REDRAW_SECONDS = 0.1  # wall time between redraws: a fast apply must not spend itself on the terminal


class ProgressBar:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._last_draw = 0.0
        self._last_len = 0
        self._latest: Progress | None = None

    def update(self, progress: Progress) -> None:
        self._latest = progress
        now = time.monotonic()
        if now - self._last_draw >= _REDRAW_SECONDS or progress.settled == progress.total:
            self._draw(progress)
            self._last_draw = now

    def close(self) -> None:
        if self._latest is not None:
            self._draw(self._latest)
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self, p: Progress) -> None:
        line = render(p)
        pad = max(0, self._last_len - len(line))
        self.stream.write("\r" + line + " " * pad)
        self.stream.flush()
        self._last_len = len(line)


def render(p: Progress) -> str:
    """The bar as text, e.g. ``[#####-------] 12/40 assets 8/30 models 0/7 | 2.1/s ETA 13s``."""
    total = max(p.total, 1)
    filled = round(_WIDTH * p.settled / total)
    bar = "#" * filled + "-" * (_WIDTH - filled)
    kinds = " ".join(
        f"{_SHORT.get(kind, kind)} {p.finished.get(kind, 0)}/{n}" for kind, n in p.totals.items()
    )
    extra = []
    if p.failed:
        extra.append(f"failed {p.failed}")
    if p.skipped:
        extra.append(f"skipped {p.skipped}")
    if p.in_flight:
        extra.append(f"running {p.in_flight}")
    eta = f"ETA {_duration(p.eta)}" if p.eta is not None and p.settled < p.total else f"{_duration(p.elapsed)}"
    state = " stopping: letting in-flight actions settle" if p.stopping else ""
    tail = " ".join(extra)
    return f"[{bar}] {p.settled}/{p.total} {kinds} | {tail + ' | ' if tail else ''}{p.rate:.1f}/s {eta}{state}"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, sec = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{sec:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
