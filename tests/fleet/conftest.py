"""A fleet of emulated accounts and regions, and an S3 state store, for the fleet tests.

Until the emulator keeps one world per account and region (branch ``fleet-emu``), each target run gets an
HTTP emulator of its own, reached through the target's ``endpoint_url``; moto answers STS (AssumeRole gives
credentials of the role's account, so the guard sees a different account per target) and S3 (the state
store, ``AWS_ENDPOINT_URL_S3``) on the same ports, one moto state for the process. Switching to one server
later is this file alone: ``fleet`` starts one server, seeds each world with credentials of its account and
a client of its region, and every target's ``endpoint_url`` is that server's.

Every backend and the engine share one ManualClock, so nothing sleeps for real.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.clock import ManualClock
from teardown.emulator.seed import SeededWorld, seed_world
from teardown.emulator.server import EmulatorServer, serve
from teardown.fleet.s3_store import S3Store
from tests.support.worlds import APPLY_WORLD

BUCKET = "fleet-state"
# name, account, region: three target runs, each its own account and region.
TARGETS = (("dev", "111111111111", "eu-west-1"), ("qa", "222222222222", "us-east-1"),
           ("stage", "333333333333", "eu-central-1"))


@dataclass
class Member:
    """One emulated account-region: its server, backend and seeded world."""

    name: str
    account: str
    region: str
    server: EmulatorServer
    backend: SiteWiseBackend
    world: SeededWorld

    def assets_left(self) -> int:
        return len(self.backend.snapshot()["assets"])


@dataclass
class Fleet:
    members: list[Member]
    clock: ManualClock
    targets_file: Path
    tmp: Path

    def store(self, cache: str = "runner-a") -> S3Store:
        # A prefix per test: moto's S3 is one state for the whole process.
        return S3Store(BUCKET, f"fleets/{self.tmp.name}", cache_dir=self.tmp / cache, clock=self.clock)


def targets_toml(members: list[Member]) -> str:
    parts = ["[defaults.select]\nall = true\n\n[defaults.apply]\nworkers = 4\n"]
    for m in members:
        parts.append(f'[[targets]]\nname = "{m.name}"\naccount = "{m.account}"\nregions = ["{m.region}"]\n'
                     f'role_arn = "arn:aws:iam::{m.account}:role/sitewise-reset"\nexternal_id = "ext-{m.name}"\n'
                     f'endpoint_url = "{m.server.url}"\n')
    return "\n".join(parts)


@pytest.fixture
def fleet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Fleet]:
    clock = ManualClock()
    members: list[Member] = []
    servers: list[EmulatorServer] = []
    try:
        for name, account, region in TARGETS:
            backend = SiteWiseBackend(clock=clock, latency="instant", quotas="off", account_id=account, region=region)
            server = serve(backend)
            servers.append(server)
            client = boto3.client("iotsitewise", endpoint_url=server.url, region_name=region,
                                  config=Config(inject_host_prefix=False, retries={"total_max_attempts": 1}))
            members.append(Member(name, account, region, server, backend, seed_world(client, APPLY_WORLD, clock=clock)))
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", servers[0].url)
        with contextlib.suppress(ClientError):  # made by an earlier test: moto's S3 lives as long as the process
            boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)
        targets = tmp_path / "targets.toml"
        targets.write_text(targets_toml(members), encoding="utf-8")
        yield Fleet(members, clock, targets, tmp_path)
    finally:
        for server in servers:
            server.shutdown()
