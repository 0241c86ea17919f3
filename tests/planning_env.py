"""Set-up for discovery and planning integration tests: the packaged windfarm seeded in the emulator,
served in-process to a real boto3 client, on a manual clock. No tests here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from teardown.aws.calls import Calls
from teardown.aws.discover import discover
from teardown.aws.target import AwsTarget, sitewise_client
from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.clock import ManualClock
from teardown.emulator.hook import mock_sitewise
from teardown.emulator.seed import SeededWorld, seed_world, windfarm
from teardown.inventory.records import Inventory
from teardown.inventory.selectors import SelectionSpec

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

ACCOUNT = "123456789012"
REGION = "us-east-1"


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


@pytest.fixture
def farm() -> Iterator[Farm]:
    """The windfarm (40 assets, a project on site 1), seeded instantly; the clock is then the test's."""
    clock = ManualClock()
    backend = SiteWiseBackend(clock=clock, latency="instant", quotas="off", account_id=ACCOUNT, region=REGION)
    with mock_sitewise(backend):
        client = sitewise_client(AwsTarget(region=REGION))
        world = seed_world(client, windfarm(), clock=clock)
        yield Farm(backend=backend, clock=clock, client=client, world=world)
