"""Set-up for discovery and planning integration tests: the packaged windfarm seeded in the emulator,
served in-process to a real boto3 client, on a manual clock. No tests here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from botocore import xform_name

from teardown.aws.calls import Calls
from teardown.aws.discover import discover
from teardown.aws.target import AwsTarget, sitewise_client
from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.clock import ManualClock
from teardown.emulator.hook import mock_sitewise
from teardown.emulator.seed import SeededWorld, seed_world, windfarm
from teardown.inventory.records import Inventory
from teardown.inventory.selectors import SelectionSpec
from teardown.kinds import ActionKind
from teardown.planning.planfile import Plan

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

ACCOUNT = "123456789012"
REGION = "us-east-1"
SETTLE = 30.0  # clock seconds: longer than any realistic latency of the emulator


@dataclass
class Farm:
    backend: SiteWiseBackend
    clock: ManualClock
    client: IoTSiteWiseClient
    world: SeededWorld

    def calls(self) -> Calls:
        return Calls(self.client, self.clock)

    def discover(self, spec: SelectionSpec) -> Inventory:
        return discover(self.calls(), spec, account=ACCOUNT, region=REGION)

    def asset(self, path: str) -> str:
        return self.world.assets[path]

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


@pytest.fixture
def farm() -> Iterator[Farm]:
    """The windfarm (40 assets, a project on site 1), seeded instantly; the clock is then the test's."""
    clock = ManualClock()
    backend = SiteWiseBackend(clock=clock, latency="instant", quotas="off", account_id=ACCOUNT, region=REGION)
    with mock_sitewise(backend):
        client = sitewise_client(AwsTarget(region=REGION))
        world = seed_world(client, windfarm(), clock=clock)
        yield Farm(backend=backend, clock=clock, client=client, world=world)
