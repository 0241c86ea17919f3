"""What every seeding phase shares: the client, the spec, the retrying caller, the ids, what the service said."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from teardown.emulator.clock import Clock
from teardown.emulator.seed.calls import Caller
from teardown.emulator.seed.seeded import WorldIds
from teardown.emulator.seed.spec import ModelSpec, WorldSpec

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

T = TypeVar("T")
R = TypeVar("R")


class SeedContext:
    """One seeding run's shared state. Phases read it and fill in the ids the service answered."""

    def __init__(self, client: IoTSiteWiseClient, spec: WorldSpec, clock: Clock, *, timeout: float) -> None:
        self.client = client
        self.spec = spec
        self.clock = clock
        self.caller = Caller(clock)
        self.ids = WorldIds(spec)
        self.timeout = timeout
        self.models: dict[str, ModelSpec] = {m.key: m for m in spec.models}
        self.asset_models: dict[str, str] = {a.path: a.model for a in spec.assets}
        # Filled from DescribeAssetModel once ACTIVE: the ids the service actually holds.
        self.hierarchy_ids: dict[str, dict[str, str]] = {}
        self.property_ids: dict[str, dict[str, str]] = {}


def each(pool: ThreadPoolExecutor, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """Run ``fn`` over ``items`` on the pool; wait for all, then raise the first error if any."""
    futures = [pool.submit(fn, item) for item in items]
    errors = [f.exception() for f in futures]
    first = next((e for e in errors if e is not None), None)
    if first is not None:
        raise first
    return [f.result() for f in futures]


def put_optional(params: dict[str, Any], key: str, value: object) -> None:
    """Leave out what is empty: the service model refuses empty descriptions and empty tag maps."""
    if value:
        params[key] = value
