"""The progress of an apply, for a person: a live rich display on a terminal, plain lines elsewhere.

Both are fed the ``Progress`` snapshots ``apply`` sends after every walk event and only ever render them;
the engine's numbers (rate, ETA, throttles, retries) are the engine's, measured on its clock.

- ``LiveProgress`` (a terminal): one bar per action kind and one for the whole plan, actions in flight,
  rate, ETA, throttles, retries, failures and skips as they happen, and the last event. It starts at the
  first snapshot (after the confirmation prompt), quiets info logs while it runs (unless ``--verbose``) and
  routes whatever is still logged to a terminal stderr through the display, so nothing tears it.
- ``PlainProgress`` (CI logs, files, ``NO_COLOR``, ``--log-format json``): one line per step, at most one
  every ``every`` seconds of wall time plus the last, in the format ``render`` returns.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol, TextIO

import structlog
from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from teardown.applying.progress import Progress
from teardown.cli.terminal import ERROR_STYLE, OK_STYLE, WARNING_STYLE, Screen
from teardown.kinds import KINDS

_SHORT = {kind.value: spec.short for kind, spec in KINDS.items()}
_RANK = {kind.value: i for i, kind in enumerate(KINDS)}
_WIDTH = 24  # the plain line's bar
_BAR = 40  # the live display's bars
LINE_EVERY = 2.0  # wall seconds between plain progress lines: a log stays readable at 100k actions
_REFRESH_PER_SECOND = 8  # live redraws: a fast apply must not spend itself on the terminal


class ProgressDisplay(Protocol):
    def update(self, progress: Progress) -> None: ...

    def close(self) -> None: ...


def progress_display(screen: Screen, *, verbose: bool = False) -> ProgressDisplay:
    """The live display on a styled screen, else plain lines on the screen's stream."""
    if screen.styled:
        return LiveProgress(screen.console, quiet_logs=not verbose)
    return PlainProgress(screen.stream)


# -- plain lines -----------------------------------------------------------------------------------------


class PlainProgress:
    """One ``render`` line per step, at most one per ``every`` seconds (``clock``), and always the last."""

    def __init__(self, stream: TextIO, *, every: float = LINE_EVERY,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.every = every
        self.clock = clock
        self._last_at: float | None = None
        self._latest: Progress | None = None
        self._printed: Progress | None = None
        self._lock = threading.Lock()

    def update(self, progress: Progress) -> None:
        with self._lock:
            self._latest = progress
            now = self.clock()
            due = self._last_at is None or now - self._last_at >= self.every
            if due or progress.settled == progress.total:
                self._print(progress)
                self._last_at = now

    def close(self) -> None:
        """The last state, if the rate bound held it back (an interrupted or failed run ends on it)."""
        with self._lock:
            if self._latest is not None and self._latest is not self._printed:
                self._print(self._latest)

    def _print(self, progress: Progress) -> None:
        line = f"  {render(progress)}"
        if self._printed is not None and render(self._printed) == line[2:]:
            self._printed = progress
            return
        self.stream.write(line + "\n")
        self.stream.flush()
        self._printed = progress


def render(p: Progress) -> str:
    """The plain line, e.g. ``[#####-------] 12/40 assets 8/30 models 0/7 | running 3 | 2.1/s ETA 13s``."""
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
    if p.throttles:
        extra.append(f"throttled {p.throttles}")
    if p.retries:
        extra.append(f"retries {p.retries}")
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


# -- the live display ------------------------------------------------------------------------------------


def progress_view(p: Progress) -> RenderableType:
    """What the live display draws for one snapshot (no spinner: a pure function of the snapshot)."""
    bars = Table.grid(padding=(0, 1))
    bars.add_column(min_width=10)
    bars.add_column()
    bars.add_column(justify="right")
    bars.add_column(justify="right")
    for kind in sorted(p.totals, key=lambda k: _RANK.get(k, len(_RANK))):
        n = p.totals[kind]
        done = p.finished.get(kind, 0)
        bars.add_row(_SHORT.get(kind, kind), _bar(n, done), f"{done}/{n}", _percent(done, n))
    overall = _bar(p.total, p.settled, failed=bool(p.failed))
    bars.add_row(Text("all", style="bold"), overall, Text(f"{p.settled}/{p.total}", style="bold"),
                 _percent(p.settled, p.total))

    eta = "done" if p.settled >= p.total else f"ETA {_duration(p.eta)}"
    status = Text.assemble(
        (f"{p.in_flight} in flight", "bold" if p.in_flight else ""), "  ",
        f"{p.rate:.1f} actions/s", "  ", eta, "  ", f"elapsed {_duration(p.elapsed)}",
    )
    counters = Text.assemble(
        (f"throttled {p.throttles}", WARNING_STYLE if p.throttles else "dim"), "  ",
        (f"retries {p.retries}", WARNING_STYLE if p.retries else "dim"), "  ",
        (f"failed {p.failed}", ERROR_STYLE if p.failed else "dim"), "  ",
        (f"skipped {p.skipped}", WARNING_STYLE if p.skipped else "dim"),
    )
    parts: list[RenderableType] = [bars, status, counters]
    if p.last:
        parts.append(Text(f"last: {_EVENT.get(p.event or '', p.event or '')} {p.last}", style="dim",
                          overflow="ellipsis", no_wrap=True))
    if p.stopping:
        parts.append(Text("stopping: no new actions; letting in-flight ones settle (Ctrl-C again to abort)",
                          style=WARNING_STYLE))
    return Group(*parts)


_EVENT = {"started": "started", "succeeded": "done", "failed": "FAILED", "skipped": "skipped",
          "stopping": "stopping"}


def _bar(total: int, completed: int, *, failed: bool = False) -> ProgressBar:
    # An empty kind (a resumed run with nothing left of it) reads as complete, not as a zero-width bar.
    return ProgressBar(total=max(total, 1), completed=completed if total else 1, width=_BAR,
                       complete_style=ERROR_STYLE if failed else "bar.complete",
                       finished_style=ERROR_STYLE if failed else OK_STYLE)


def _percent(done: int, total: int) -> str:
    return f"{100 * done // total}%" if total else "100%"


class LiveProgress:
    """A rich ``Live`` display of the latest snapshot, started at the first one."""

    def __init__(self, console: Console, *, quiet_logs: bool = True, auto_refresh: bool = True,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.console = console
        self.quiet_logs = quiet_logs
        self.auto_refresh = auto_refresh
        self.clock = clock
        self._spinner = Spinner("dots", style="cyan")
        self._latest: Progress | None = None
        self._live: Live | None = None
        self._saved_logging: dict[str, Any] | None = None
        self._last_refresh: float | None = None
        self._lock = threading.Lock()

    def update(self, progress: Progress) -> None:
        with self._lock:
            self._latest = progress
            if self._live is None:
                self._start()
            elif not self.auto_refresh:
                now = self.clock()
                if self._last_refresh is None or now - self._last_refresh >= 1 / _REFRESH_PER_SECOND:
                    self._refresh(now)

    def close(self) -> None:
        with self._lock:
            if self._live is None:
                return
            self._live.refresh()
            self._live.stop()
            self._live = None
            if self._saved_logging is not None:
                structlog.configure(**self._saved_logging)
                self._saved_logging = None

    def _start(self) -> None:
        if self.quiet_logs:
            # Info events (one per action) would scroll the display away; the journal and the report carry
            # the same facts, and warnings still show, printed above the display.
            self._saved_logging = {"wrapper_class": structlog.get_config()["wrapper_class"]}
            structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
        self._live = Live(
            console=self.console, auto_refresh=self.auto_refresh, refresh_per_second=_REFRESH_PER_SECOND,
            get_renderable=self._renderable, redirect_stdout=self.console.file is sys.stdout,
            # Route stderr through the display only when it is the terminal too: a log file stays a log file.
            redirect_stderr=_isatty(sys.stderr),
        )
        self._live.start(refresh=True)
        self._last_refresh = self.clock()

    def _refresh(self, now: float) -> None:
        assert self._live is not None
        self._live.refresh()
        self._last_refresh = now

    def _renderable(self) -> RenderableType:
        latest = self._latest
        if latest is None:
            return Text("")
        head = Table.grid(padding=(0, 1))
        head.add_row(self._spinner if latest.settled < latest.total and not latest.stopping else
                     Text("✔", style=OK_STYLE if not latest.failed else ERROR_STYLE),
                     Text(f"Applying {latest.total} actions", style="bold"))
        return Group(head, progress_view(latest))


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False

