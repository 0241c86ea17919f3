"""What the robustness tests share besides fixtures (those are in conftest.py): the command line's result,
the emulated world, the hand-built inventory. Built here on purpose, not imported from the other test
modules (which are being moved around)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from teardown.applying.observe import ObserveSettings
from teardown.aws.calls import Calls
from teardown.aws.discover import discover
from teardown.aws.retry import RetrySettings
from teardown.emulator import is_mutating
from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.clock import ManualClock
from teardown.emulator.seed import AssetSpec, ModelSpec, SeededWorld, WorldSpec
from teardown.inventory.records import AssetRecord, Inventory, ModelRecord, ModelType
from teardown.inventory.selectors import SelectionSpec
from teardown.planning.make import make_plan
from teardown.planning.planfile import Plan, write_plan

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

ACCOUNT = "123456789012"  # what moto's STS answers
REGION = "us-east-1"  # what tests/conftest.py puts in the environment
ASSET = "a1"  # the one asset of the hand-built inventory


@dataclass(frozen=True)
class CliResult:
    """What one ``teardown.cli.main`` run returned and printed."""

    code: int
    out: str
    err: str

    @property
    def errors(self) -> list[str]:
        """The ``error: ...`` lines on stderr."""
        return [line for line in self.err.splitlines() if line.startswith("error: ") or ": error: " in line]

    @property
    def clean(self) -> bool:
        """No Python traceback was printed."""
        return "Traceback" not in self.err and "Traceback" not in self.out


Cli = Callable[..., CliResult]


def hand_built_inventory() -> Inventory:
    """One model, one asset (``ASSET``), as a saved inventory holds them."""
    inventory = Inventory(account=ACCOUNT, region=REGION, endpoint=None, tags_loaded=True, monitor_loaded=True)
    inventory.models["m1"] = ModelRecord(id="m1", name="Model", arn="arn:aws:iotsitewise:::asset-model/m1",
                                         type=ModelType.ASSET_MODEL, status="ACTIVE", last_update=1.0)
    inventory.assets[ASSET] = AssetRecord(id=ASSET, name="Asset", arn=f"arn:aws:iotsitewise:::asset/{ASSET}",
                                          model_id="m1", status="ACTIVE", last_update=1.0)
    return inventory


WORLD = WorldSpec(
    name="robustness",
    seed=11,
    models=(
        ModelSpec(key="site", name="Site", hierarchies=(("turbines", "turbine"),)),
        ModelSpec(key="turbine", name="Turbine"),
    ),
    assets=(
        AssetSpec(path="site", name="Site", model="site"),
        AssetSpec(path="site/t1", name="Turbine 1", model="turbine", parent="site", hierarchy="turbines"),
        AssetSpec(path="spare", name="Spare", model="turbine"),
    ),
)


@dataclass
class Emulated:
    """The emulator, its clock, a client, the seeded ids, and a directory for plans."""

    backend: SiteWiseBackend
    clock: ManualClock
    client: IoTSiteWiseClient
    world: SeededWorld
    tmp: Path

    def plan(self, spec: SelectionSpec, *paths: Path) -> tuple[Plan, list[Path]]:
        """Discover and plan ``spec``, and write the same plan to each of ``paths``."""
        inventory = discover(Calls(self.client, self.clock), spec, account=ACCOUNT, region=REGION)
        plan, _ = make_plan(inventory, spec)
        return plan, [write_plan(plan, path) for path in paths]

    def mutating_calls(self) -> dict[str, int]:
        return {op: n for op, n in self.backend.call_counts().items() if is_mutating(op)}

    def asset_exists(self, path: str) -> bool:
        try:
            self.client.describe_asset(assetId=self.world.assets[path])
        except self.client.exceptions.ResourceNotFoundException:
            return False
        return True


# Fast polls and retries in clock seconds: on the emulator's ManualClock every wait is free anyway.
FAST_OBSERVE = ObserveSettings(interval=0.5, timeout=600.0)
FAST_RETRY = RetrySettings(initial=0.05, max_wait=2.0, deadline=120.0)
