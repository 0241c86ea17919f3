"""Latency profiles: how long the emulator's resources stay in their transient states.

Every transient state a resource passes through (CREATING, UPDATING, PROPAGATING, DELETING...) lasts one
named duration here.
``instant`` makes them all zero (the next call already sees the settled state); ``realistic`` uses
seconds of the order the real service shows, with a small seeded jitter so runs stay reproducible.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

LatencyKind = Literal["create", "update", "delete_asset", "delete_model", "propagate", "portal_create", "portal_delete"]


@dataclass(frozen=True)
class LatencyProfile:
    """Seconds each transition takes; ``jitter`` is a fraction (0.1 = up to +-10%) drawn per transition."""

    create: float = 0.0
    update: float = 0.0
    delete_asset: float = 0.0
    delete_model: float = 0.0
    propagate: float = 0.0
    portal_create: float = 0.0
    portal_delete: float = 0.0
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
    def named(cls, name: str) -> LatencyProfile:
        profiles = {"instant": cls.instant, "realistic": cls.realistic}
        if name not in profiles:
            raise ValueError(f"unknown latency profile {name!r}; expected one of {sorted(profiles)}")
        return profiles[name]()

    def duration(self, kind: LatencyKind, rng: random.Random) -> float:
        """The duration of one transition of ``kind``; draws from ``rng`` only when jitter applies."""
        base: float = getattr(self, kind)
        if base <= 0 or self.jitter <= 0:
            return max(base, 0.0)
        return base * (1.0 + rng.uniform(-self.jitter, self.jitter))
