"""Shared set-up for the apply tests (this module holds fixtures and helpers, no tests).

A small world seeded in the emulator on a ManualClock shared by emulator and engine, served in-process
to real boto3 clients inside moto's ``mock_aws`` (which answers STS GetCallerIdentity), and a real plan
made by the planner from a discovery of that world.

    site-1 (site)  -- turbines: site-1/t1, site-1/t2, site-1/t3   (site-1 and t1 in project "ops")
    site-2 (site)  -- turbines: site-2/t1
    spare  (spare) -- no children, its own model
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from moto import mock_aws

from teardown.applying.observe import ObserveSettings
from teardown.aws.calls import Calls
from teardown.aws.discover import discover
from teardown.aws.retry import RetrySettings
from teardown.aws.target import AwsTarget, sitewise_client
from teardown.emulator import is_mutating
from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.clock import ManualClock
from teardown.emulator.hook import mock_sitewise
from teardown.emulator.seed import (
    AssetSpec,
    ModelSpec,
    PortalSpec,
    ProjectSpec,
    PropertySpec,
    SeededWorld,
    WorldSpec,
    seed_world,
)
from teardown.inventory.selectors import SelectionSpec
from teardown.planning.make import make_plan
from teardown.planning.planfile import Plan, write_plan

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

ACCOUNT = "123456789012"  # moto's STS answers this account, and the backend is built for it
REGION = "us-east-1"
TARGET = AwsTarget(region=REGION)
# Fast polls and retries in clock seconds: a ManualClock makes every wait free anyway.
FAST_OBSERVE = ObserveSettings(interval=0.5, timeout=600.0)
FAST_RETRY = RetrySettings(initial=0.05, max_wait=2.0, deadline=120.0)

WORLD = WorldSpec(
    name="apply-tests",
    seed=7,
    models=(
        ModelSpec(key="turbine", name="Turbine", properties=(PropertySpec("rpm"),)),
        ModelSpec(key="site", name="Site", hierarchies=(("turbines", "turbine"),)),
        ModelSpec(key="spare", name="Spare"),
    ),
    assets=(
        AssetSpec(path="site-1", name="Site 1", model="site"),
        *(AssetSpec(path=f"site-1/t{i}", name=f"Site 1 T{i}", model="turbine", parent="site-1",
                    hierarchy="turbines") for i in (1, 2, 3)),
        AssetSpec(path="site-2", name="Site 2", model="site"),
        AssetSpec(path="site-2/t1", name="Site 2 T1", model="turbine", parent="site-2", hierarchy="turbines"),
        AssetSpec(path="spare", name="Spare", model="spare"),
    ),
    portals=(PortalSpec(key="portal", name="Portal"),),
    projects=(ProjectSpec(key="ops", name="Ops", portal="portal", assets=("site-1", "site-1/t1")),),
)


@dataclass
class Env:
    """Everything a test needs: the emulator, its clock, a client, the seeded ids, a place for plans."""

    backend: SiteWiseBackend
    clock: ManualClock
    client: IoTSiteWiseClient
    world: SeededWorld
    tmp: Path

    def plan(self, spec: SelectionSpec, *, account: str = ACCOUNT, region: str = REGION,
             name: str = "plan.json") -> tuple[Plan, Path]:
        inventory = discover(Calls(self.client, self.clock), spec, account=account, region=region)
        plan, _ = make_plan(inventory, spec)
        return plan, write_plan(plan, self.tmp / name)

    def mutating_calls(self) -> dict[str, int]:
        return {op: n for op, n in self.backend.call_counts().items() if is_mutating(op)}

    def exists(self, operation: str, **params: str) -> bool:
        try:
            getattr(self.client, operation)(**params)
        except self.client.exceptions.ResourceNotFoundException:
            return False
        return True

    def asset_exists(self, path: str) -> bool:
        return self.exists("describe_asset", assetId=self.world.assets[path])

    def model_exists(self, key: str) -> bool:
        return self.exists("describe_asset_model", assetModelId=self.world.models[key])


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    """A seeded world, served in-process inside mock_aws (dummy credentials come from tests/conftest.py)."""
    clock = ManualClock()
    backend = SiteWiseBackend(clock=clock, latency="instant", quotas="off", account_id=ACCOUNT, region=REGION)
    with mock_aws(), mock_sitewise(backend):
        client = sitewise_client(TARGET)
        world = seed_world(client, WORLD, clock=clock)
        yield Env(backend=backend, clock=clock, client=client, world=world, tmp=tmp_path)
