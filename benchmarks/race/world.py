"""The race's world and its emulator: seeded forests of depth 4 to 6 side by side, a backend that also
counts throttles and where the first mutation fell, and the end-state check.

Every strategy gets a fresh backend seeded with the same specs (seeding's ids are uuid5 of the world's name,
seed and paths, so each copy is identical), in-process through ``mock_sitewise`` with instant latency and
no quotas (set-up is not what is measured), then switched to the run's latency profile and the published
quotas, and served over HTTP.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from teardown.emulator import Clock, EmulatorError, SiteWiseBackend, Throttling, is_mutating, mock_sitewise
from teardown.emulator.seed import WorldSpec, random_world, seed_world

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's STS answers this account, so the engine's account guard agrees
# One forest per depth; the fanout shrinks with depth so every forest has trees of its full depth.
FORESTS = ((4, 10), (5, 6), (6, 4))
PROJECTS_PER_FOREST = 2
# What an emptied world has none of (gateways and time series are not seeded).
COLLECTIONS = ("assets", "assetModels", "portals", "projects", "dashboards", "accessPolicies")


def world_specs(assets: int, seed: int, forests: Sequence[tuple[int, int]] = FORESTS) -> list[WorldSpec]:
    """``assets`` assets split over seeded random forests, one per ``(depth, fanout)`` (by default depth 4, 5
    and 6; several models per level, shared child models, a component model; projects with dashboards and
    access policies), deterministic from ``seed``. Their model names carry their own seeds, so they seed
    side by side in one account."""
    if assets < len(forests):
        raise ValueError(f"a race world needs at least {len(forests)} assets")
    share, extra = divmod(assets, len(forests))
    return [
        random_world(seed=seed + i, assets=share + (1 if i < extra else 0), depth=depth, fanout=fanout,
                     projects=PROJECTS_PER_FOREST)
        for i, (depth, fanout) in enumerate(forests)
    ]


@dataclass(frozen=True)
class Mark:
    counts: dict[str, int]
    throttled: dict[str, int]
    at: float  # the emulator's clock when the counts were read


class RaceBackend(SiteWiseBackend):
    """The emulator's backend, also counting throttled calls per operation and the call counts as they stood
    when the first mutating call arrived (so reads after it, the completion reads, can be told apart)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._race_lock = threading.Lock()
        self.throttled: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()  # "Operation ErrorCode": what a strategy was refused
        self.first_mutation: Mark | None = None  # the counts and the clock when the first mutation arrived
        self.mark: Mark | None = None

    def call_counts(self, *, account: str | None = None, region: str | None = None) -> dict[str, int]:
        """The emulator's own counts. Reading them (here, or through the control API's GET /_emulator/calls,
        as the engine strategy does between planning and applying) marks where a strategy's bill starts."""
        counts = super().call_counts(account=account, region=region)
        with self._race_lock:
            self.mark = Mark(counts, dict(self.throttled), self.clock.now())
        return counts

    def handle(self, operation: str, params: dict[str, Any], *, account: str | None = None,
               region: str | None = None) -> dict[str, Any]:
        if self.first_mutation is None and is_mutating(operation):
            with self._race_lock:
                if self.first_mutation is None:
                    self.first_mutation = Mark(super().call_counts(), dict(self.throttled), self.clock.now())
        try:
            return super().handle(operation, params, account=account, region=region)
        except Throttling:
            with self._race_lock:
                self.throttled[operation] += 1
            raise
        except EmulatorError as exc:
            with self._race_lock:
                self.errors[f"{operation} {exc.code}"] += 1
            raise


@dataclass
class SeededRace:
    backend: RaceBackend
    before: dict[str, Any]  # the snapshot the strategy starts from
    counts: dict[str, int]  # call counts before the strategy (seeding's)


def fresh_world(specs: list[WorldSpec], *, clock: Clock, latency: str, quotas: str = "aws") -> SeededRace:
    """A new backend on ``clock`` holding ``specs``, switched to ``latency`` and ``quotas`` (the published
    ones; ``off`` for a manual clock, on which nothing but the engine would refill a bucket)."""
    backend = RaceBackend(clock=clock, latency="instant", quotas="off", account_id=ACCOUNT, region=REGION)
    with mock_sitewise(backend):
        client = boto3.client("iotsitewise", region_name=REGION,
                              config=Config(retries={"total_max_attempts": 1}, max_pool_connections=8))
        for spec in specs:
            seed_world(client, spec, clock=clock)
    backend.latency = latency
    backend.quotas = quotas
    # Seeding is set-up: the first-mutation mark and the refusals start with the strategy.
    backend.first_mutation = None
    backend.throttled.clear()
    backend.errors.clear()
    return SeededRace(backend, backend.snapshot(), backend.call_counts())


def left_over(snapshot: Mapping[str, Any]) -> dict[str, int]:
    """What is still there, per collection (empty when the world ended empty)."""
    return {name: len(snapshot.get(name, [])) for name in COLLECTIONS if snapshot.get(name)}
