"""Latency profiles: how long the emulator's resources stay in their transient states.

Every transient state a resource passes through (CREATING, UPDATING, PROPAGATING, DELETING...) lasts one
named duration here: a constant number of seconds, or a distribution drawn per transition from the
world's seeded RNG (so a run replays exactly).
``instant`` makes them all zero (the next call already sees the settled state); ``realistic`` uses
seconds of the order the real service shows, with a small seeded jitter; ``production`` draws from
long-tailed distributions: most deletes take seconds, a few take minutes.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Literal

LatencyKind = Literal["create", "update", "delete_asset", "delete_model", "propagate", "portal_create", "portal_delete"]

# The standard normal quantile of 0.99: a lognormal's p99 is median * exp(sigma * _Z99).
_Z99 = 2.3263478740408408


@dataclass(frozen=True)
class LogNormal:
    """A lognormal duration given by its median and 99th percentile (seconds), optionally capped."""

    median: float
    p99: float
    cap: float | None = None

    def __post_init__(self) -> None:
        if not 0 < self.median <= self.p99:
            raise ValueError("a lognormal needs 0 < median <= p99")
        if self.cap is not None and self.cap < self.median:
            raise ValueError("a lognormal's cap must not be below its median")

    @property
    def sigma(self) -> float:
        return math.log(self.p99 / self.median) / _Z99

    def draw(self, rng: random.Random) -> float:
        seconds = self.median * math.exp(self.sigma * rng.normalvariate(0.0, 1.0))
        return seconds if self.cap is None else min(seconds, self.cap)


@dataclass(frozen=True)
class LongTail:
    """``typical`` seconds for most transitions, ``tail`` seconds for a ``fraction`` of them."""

    typical: float
    tail: float
    fraction: float

    def __post_init__(self) -> None:
        if self.typical < 0 or self.tail < 0 or not 0 <= self.fraction <= 1:
            raise ValueError("a long tail needs non-negative durations and a fraction between 0 and 1")

    def draw(self, rng: random.Random) -> float:
        return self.tail if rng.random() < self.fraction else self.typical


Duration = float | LogNormal | LongTail


@dataclass(frozen=True)
class LatencyProfile:
    """How long each transition takes: seconds, or a distribution (``LogNormal``, ``LongTail``) drawn per
    transition. ``jitter`` is a fraction (0.1 = up to +-10%) drawn per transition of a constant duration."""

    create: Duration = 0.0
    update: Duration = 0.0
    delete_asset: Duration = 0.0
    delete_model: Duration = 0.0
    propagate: Duration = 0.0
    portal_create: Duration = 0.0
    portal_delete: Duration = 0.0
    jitter: float = 0.0

    @classmethod
    def instant(cls) -> LatencyProfile:
        return cls()

    @classmethod
    def realistic(cls) -> LatencyProfile:
        return cls(
            create=1.5,
            update=1.0,
            delete_asset=2.5,
            delete_model=4.0,
            propagate=2.0,
            portal_create=5.0,
            portal_delete=5.0,
            jitter=0.1,
        )

    @classmethod
    def production(cls) -> LatencyProfile:
        """Long tails as a large account shows them (AWS publishes no figures; these are assumptions): a
        delete takes seconds for most resources and minutes for about one in a hundred, capped at 15 min."""
        return cls(
            create=LogNormal(median=2.0, p99=20.0, cap=300.0),
            update=LogNormal(median=1.5, p99=15.0, cap=300.0),
            delete_asset=LogNormal(median=3.0, p99=180.0, cap=900.0),
            delete_model=LogNormal(median=5.0, p99=240.0, cap=900.0),
            propagate=LogNormal(median=3.0, p99=120.0, cap=900.0),
            portal_create=LogNormal(median=30.0, p99=300.0, cap=900.0),
            portal_delete=LogNormal(median=20.0, p99=300.0, cap=900.0),
        )

    @classmethod
    def named(cls, name: str) -> LatencyProfile:
        profiles = {"instant": cls.instant, "realistic": cls.realistic, "production": cls.production}
        if name not in profiles:
            raise ValueError(f"unknown latency profile {name!r}; expected one of {sorted(profiles)}")
        return profiles[name]()

    def duration(self, kind: LatencyKind, rng: random.Random) -> float:
        """The duration of one transition of ``kind``; draws from ``rng`` only for distributions and jitter."""
        spec: Duration = getattr(self, kind)
        if isinstance(spec, LogNormal | LongTail):
            return spec.draw(rng)
        base = float(spec)
        if base <= 0 or self.jitter <= 0:
            return max(base, 0.0)
        return base * (1.0 + rng.uniform(-self.jitter, self.jitter))
