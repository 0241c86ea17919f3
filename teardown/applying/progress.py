"""Progress of an apply, for displays: a snapshot after every change, and the tracker that keeps it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from teardown.aws.calls import CallStats


@dataclass(frozen=True)
class Progress:
    """A snapshot for progress displays, sent after every change; ``last`` is the action that changed."""

    totals: Mapping[str, int]  # per kind
    finished: Mapping[str, int]  # per kind: done or already done
    failed: int
    skipped: int
    in_flight: int
    elapsed: float
    rate: float  # finished actions per second in this run
    eta: float | None
    last: str | None = None
    event: str | None = None
    stopping: bool = False
    throttles: int = 0  # requests the service answered with throttling, so far in this run
    retries: int = 0  # requests resent so far in this run (after a throttle, a 5xx or a busy resource)

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    @property
    def settled(self) -> int:
        return sum(self.finished.values()) + self.failed + self.skipped


@dataclass
class Tracker:
    kinds: dict[str, str]
    totals: dict[str, int]
    started_at: float
    finished: Counter[str] = field(default_factory=Counter)
    finished_this_run: int = 0
    failed: int = 0
    skipped: int = 0
    in_flight: int = 0
    stopping: bool = False
    stats: CallStats | None = None  # the run's request counts, read for each snapshot

    def progress(self, now: float, last: str | None, event: str | None) -> Progress:
        elapsed = max(0.0, now - self.started_at)
        rate = self.finished_this_run / elapsed if elapsed > 0 else 0.0
        left = sum(self.totals.values()) - sum(self.finished.values()) - self.failed - self.skipped
        eta = left / rate if rate > 0 else None
        counts = self.stats.snapshot() if self.stats is not None else {}
        return Progress(dict(self.totals), dict(self.finished), self.failed, self.skipped, self.in_flight,
                        elapsed, rate, eta, last, event, self.stopping,
                        throttles=sum(counts.get("throttles", {}).values()),
                        retries=sum(counts.get("retries", {}).values()))
