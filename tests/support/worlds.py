"""The one way the engine's tests build a world: ``seeded(spec, tmp)`` seeds a WorldSpec into a fresh emulator
backend on a ManualClock that emulator and engine share, serves it in-process to a real boto3 client
inside moto's ``mock_aws`` (which answers STS GetCallerIdentity), and hands back an ``Env``.
The fixtures built on it, ``env`` and ``farm``, are in tests/conftest.py. No tests here.

``APPLY_WORLD``, the small world of the apply tests (``env``):

    site-1 (site)  -- turbines: site-1/t1, site-1/t2, site-1/t3   (site-1 and t1 in project "ops")
    site-2 (site)  -- turbines: site-2/t1
    spare  (spare) -- no children, its own model

``teardown.emulator.seed.windfarm()``, the packaged world of the discovery and planning tests (``farm``):
1 enterprise, 3 sites, 2 lines each, 5 turbines each (40 assets), a Monitor project holding site 1.

``PLANT_WORLD``, examples/worlds/plant.toml (``plant``): every kind of resource the engine deletes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from botocore import xform_name
from moto import mock_aws

from teardown.applying.effects import ObserveSettings
from teardown.applying.report import ApplyReport
from teardown.applying.run import apply as apply_plan
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
from teardown.inventory.records import Inventory
from teardown.inventory.selectors import SelectionSpec
from teardown.kinds import ActionKind
from teardown.planning.make import make_plan
from teardown.planning.planfile import Plan, write_plan

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

ACCOUNT = "123456789012"  # moto's STS answers this account, and the backend is built for it
REGION = "us-east-1"
TARGET = AwsTarget(region=REGION)
# Fast polls and retries in clock seconds: a ManualClock makes every wait free anyway.
FAST_OBSERVE = ObserveSettings(timeout=600.0)
FAST_RETRY = RetrySettings(initial=0.05, max_wait=2.0, deadline=120.0)
SETTLE = 30.0  # clock seconds: longer than any realistic latency of the emulator
# The example world holding every kind of resource the engine deletes (the ``plant`` fixture).
PLANT_WORLD = Path(__file__).resolve().parents[2] / "examples" / "worlds" / "plant.toml"

E = TypeVar("E", bound=Exception)

APPLY_WORLD = WorldSpec(
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
    """A seeded world: the emulator, its clock, a client, the seeded ids, a place for plans."""

    backend: SiteWiseBackend
    clock: ManualClock
    client: IoTSiteWiseClient
    world: SeededWorld
    tmp: Path

    def asset(self, path: str) -> str:
        """The id of the asset seeded at ``path``."""
        return self.world.assets[path]

    def children(self, path: str, hierarchy: str) -> set[str]:
        """The ids of the children of the asset at ``path`` in ``hierarchy`` ("model key/hierarchy name")."""
        out = self.client.list_associated_assets(assetId=self.asset(path), traversalDirection="CHILD",
                                                 hierarchyId=self.world.hierarchies[hierarchy])
        return {a["id"] for a in out["assetSummaries"]}

    def calls(self) -> Calls:
        """The engine's request path over this world's client and clock."""
        return Calls(self.client, self.clock)

    def discover(self, spec: SelectionSpec, *, account: str = ACCOUNT, region: str = REGION) -> Inventory:
        return discover(self.calls(), spec, account=account, region=region)

    def plan(self, spec: SelectionSpec, *, account: str = ACCOUNT, region: str = REGION,
             name: str = "plan.json") -> tuple[Plan, Path]:
        """A real plan of a discovery of this world, written under ``tmp``."""
        plan, _ = make_plan(self.discover(spec, account=account, region=region), spec)
        return plan, write_plan(plan, self.tmp / name)

    def apply(self, plan: Plan | Path, **options: Any) -> ApplyReport:
        """``teardown.applying.run.apply`` on this world as the tests run it: its client and clock, fast polls and
        retries, auto-approved. ``options`` override any of these, or add others."""
        defaults: dict[str, Any] = {"client": self.client, "clock": self.clock, "auto_approve": True,
                                    "observe": FAST_OBSERVE, "retry": FAST_RETRY}
        return apply_plan(plan, **{**defaults, **options})

    def refused(self, plan: Plan | Path, error: type[E], match: str, **options: Any) -> E:
        """``apply`` of ``plan`` (with ``options``) raises ``error`` matching ``match``, and sends no mutating
        call first; answers the error."""
        before = self.mutating_calls()
        with pytest.raises(error, match=match) as info:
            self.apply(plan, **options)
        assert self.mutating_calls() == before, "a refusal sent a mutating call"
        return info.value

    def run_in_order(self, plan: Plan, *, settle: float = SETTLE) -> None:
        """The simplest executor: one action at a time, in plan order, waiting out every latency.

        If the order were wrong, the strict emulator would refuse a call (a delete with a link left, a model
        with assets left) and the ClientError would fail the test.
        """
        for action in plan.actions:
            out = getattr(self.client, xform_name(action.kind.operation))(**action.params)
            if action.kind is ActionKind.DISASSOCIATE_PROJECT_ASSETS:
                assert out.get("errors", []) == []
            self.clock.advance(settle)

    def mutating_calls(self) -> dict[str, int]:
        """Mutating requests the emulator has served so far (seeding included), by operation."""
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

    def resources(self) -> dict[str, dict[str, Any]]:
        """Every resource of the emulator's state by id (series by id too), as the snapshot shows it: what a test
        compares before and after to see exactly what an apply touched."""
        snapshot = self.backend.snapshot()
        return {item["id"]: item for name, items in snapshot.items() if name != "tags" for item in items}


@contextmanager
def seeded(spec: WorldSpec, tmp: Path, *, clock: ManualClock | None = None) -> Iterator[Env]:
    """``spec`` seeded instantly in a fresh backend (no quotas); then the clock and the latency are the test's.
    The backend runs on ``clock`` (a fresh ManualClock unless given: the fixtures give the test's ``clock``, the
    one the ``cli`` fixture runs the waiting commands on).

    Served inside ``mock_aws`` (dummy credentials come from tests/conftest.py), so the engine's STS account
    check answers with ``ACCOUNT``, the account the backend is built for.
    """
    clock = clock if clock is not None else ManualClock()
    backend = SiteWiseBackend(clock=clock, latency="instant", quotas="off", account_id=ACCOUNT, region=REGION)
    with mock_aws(), mock_sitewise(backend):
        client = sitewise_client(TARGET)
        world = seed_world(client, spec, clock=clock)
        yield Env(backend=backend, clock=clock, client=client, world=world, tmp=tmp)
