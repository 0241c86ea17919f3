"""Client-side pacing per quota family, on the injected clock, so the engine stays under SiteWise's TPS
quotas instead of learning them from ThrottlingException.

Each family gets a GCRA-style bucket (a token bucket that hands out reserved start times): ``acquire``
reserves the next free slot under the lock and sleeps outside it, so N workers share the rate fairly.
Adaptive (AIMD): a throttle halves the family's rate, at most once a cooldown (down to a floor); every
success wins a little of it back.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

import structlog

from teardown.aws.clock import Clock
from teardown.kinds import KINDS

log = structlog.get_logger(__name__)

# The last published quota table (requests per second per account and region); adjustable per account.
# Tagging calls serve every resource type and are in none of the table's families (the emulator does not pace
# them): paced apart, at the asset family's rate until a figure is published, so an archive's tag reads do
# not halve the asset family's (``--rate tags=TPS`` sets another; throttling backs it off as any family).
DEFAULT_RATES: Mapping[str, float] = {"asset": 30.0, "model": 10.0, "monitor": 10.0, "time_series": 30.0,
                                      "tags": 30.0}

# The quota family of each read the engine sends (reads share the quota with mutations); the family of each
# mutation is in the action kind table.
_READ_FAMILIES: Mapping[str, str] = {
    "DescribeAsset": "asset",
    "ListAssets": "asset",
    "ListAssociatedAssets": "asset",
    "ListAssetRelationships": "asset",
    "ListTagsForResource": "tags",
    "DescribeAssetModel": "model",
    "ListAssetModels": "model",
    "ListCompositionRelationships": "model",
    "ListProjectAssets": "monitor",
    "DescribeProject": "monitor",
    "ListPortals": "monitor",
    "DescribePortal": "monitor",
    "DescribeDashboard": "monitor",
    "DescribeAccessPolicy": "monitor",
    "ListDashboards": "monitor",
    "ListAccessPolicies": "monitor",
    "ListProjects": "monitor",
    "ListTimeSeries": "time_series",
    "DescribeTimeSeries": "time_series",
    # Gateway quotas are unpublished: paced with the asset family, as DeleteGateway is (see the kind table).
    "ListGateways": "asset",
    "DescribeGateway": "asset",
}
OPERATION_FAMILIES: Mapping[str, str] = {
    **_READ_FAMILIES, **{spec.operation: spec.family for spec in KINDS.values()},
}


def account_rates(rates: Mapping[str, float] | None) -> dict[str, float]:
    """Every family's rate: the account's own where given (``--rate``, a config's ``rates``), else the published."""
    return {**DEFAULT_RATES, **(rates or {})}


def family_of(operation: str) -> str:
    return OPERATION_FAMILIES.get(operation, "asset")


@dataclass(frozen=True)
class AdaptiveSettings:
    """AIMD, as TCP does: a throttle cuts the rate multiplicatively, each success adds a little back.

    A burst of throttles is one signal, not many: the rate is cut at most once per ``cooldown`` clock
    seconds, so throttles that are not caused by our own rate (a storm on the service's side) slow the
    family down once a cooldown instead of collapsing it to the floor, and it wins the rate back quickly.
    """

    enabled: bool = True
    decrease: float = 0.5  # multiply the rate by this on a throttle
    cooldown: float = 1.0  # at most one decrease per this many clock seconds
    floor: float = 0.1  # never below this fraction of the configured rate
    increase: float = 0.05  # add this fraction of the configured rate per success, up to the configured rate


_ANSWER_WEIGHT = 0.05  # of each answer in the learned answer time


class TokenBucket:
    """``rate`` requests per second with bursts of up to ``burst``; thread-safe."""

    def __init__(
        self, clock: Clock, rate: float, burst: int = 1, adaptive: AdaptiveSettings | None = None
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.clock = clock
        self.configured_rate = rate
        self.rate = rate
        self.burst = max(1, burst)
        self.adaptive = adaptive or AdaptiveSettings(enabled=False)
        self._lock = threading.Lock()
        self._next_free: float | None = None  # theoretical arrival time of the next request
        self._last_cut: float | None = None
        self.waited = 0.0
        self.answer_seconds = 0.0  # how long a request takes to be answered, learned (0: none answered yet)

    def reserve(self) -> float:
        """Reserve a slot; answer how long to wait before using it."""
        with self._lock:
            now = self.clock.now()
            interval = 1.0 / self.rate
            tolerance = (self.burst - 1) * interval
            tat = now if self._next_free is None else max(self._next_free, now)
            start = max(now, tat - tolerance)
            self._next_free = tat + interval
            wait = start - now
            self.waited += wait
            return wait

    def backlog(self) -> float:
        """Clock seconds of requests already reserved ahead of now (0 when the family has room now)."""
        with self._lock:
            return 0.0 if self._next_free is None else max(0.0, self._next_free - self.clock.now())

    def acquire(self) -> None:
        wait = self.reserve()
        if wait > 0:
            self.clock.sleep(wait)

    def answered(self, seconds: float) -> None:
        """A request of the family was answered ``seconds`` after it was sent."""
        with self._lock:
            first = self.answer_seconds == 0.0
            self.answer_seconds = seconds if first else self.answer_seconds + _ANSWER_WEIGHT * (
                seconds - self.answer_seconds)

    def concurrency(self) -> float:
        """Requests in flight it takes to keep the family at its rate (Little's law: rate x answer time)."""
        with self._lock:
            return self.rate * self.answer_seconds

    def throttled(self) -> None:
        if not self.adaptive.enabled:
            return
        with self._lock:
            now = self.clock.now()
            if self._last_cut is not None and now - self._last_cut < self.adaptive.cooldown:
                return
            self._last_cut = now
            self.rate = max(self.configured_rate * self.adaptive.floor, self.rate * self.adaptive.decrease)

    def succeeded(self) -> None:
        if not self.adaptive.enabled or self.rate >= self.configured_rate:
            return
        with self._lock:
            self.rate = min(self.configured_rate, self.rate + self.configured_rate * self.adaptive.increase)


class RateLimiter:
    """One bucket per quota family."""

    def __init__(
        self,
        clock: Clock,
        rates: Mapping[str, float] | None = None,
        *,
        burst: int = 1,
        adaptive: AdaptiveSettings | None = None,
    ) -> None:
        adaptive = adaptive or AdaptiveSettings()
        self.buckets = {family: TokenBucket(clock, rate, burst, adaptive)
                        for family, rate in account_rates(rates).items()}

    def bucket(self, family: str) -> TokenBucket:
        return self.buckets[family] if family in self.buckets else self.buckets["asset"]

    def acquire(self, family: str) -> None:
        self.bucket(family).acquire()

    def throttled(self, family: str) -> None:
        bucket = self.bucket(family)
        bucket.throttled()
        log.debug("ratelimit.slowed", family=family, rate=round(bucket.rate, 2))

    def succeeded(self, family: str) -> None:
        self.bucket(family).succeeded()

    def answered(self, family: str, seconds: float) -> None:
        self.bucket(family).answered(seconds)

    def rates(self) -> dict[str, float]:
        return {family: bucket.rate for family, bucket in self.buckets.items()}
