"""A fleet of emulated accounts and regions on ONE emulator server, and an S3 state store, for the fleet tests.

One HTTP emulator keeps a world per (account, region): each target reaches it through the same
``endpoint_url`` with a ``role_arn`` that moto's STS (on the same port) answers with credentials of the
role's account, and signs for its own region. Each world is seeded with such credentials and a client of its
region, and read back with ``backend.snapshot(account=, region=)``. moto's S3 on that port is the state store
(``AWS_ENDPOINT_URL_S3``); moto keeps one state for the whole process.

Every world holds the same resources, but under ids of its own (the seed's uuid5 namespace is the world
spec's name, here one per run). Faults are the emulator's, not a world's: a test aims them at one target by
that world's ids (``Member.ids``).

Every backend and the engine share one ManualClock, so nothing sleeps for real.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
# The target runs in file order (name, account, region): dev in two regions, qa in dev's first region under
# another account, stage alone. So a run has neighbours in its account and in its region.
RUNS = (("dev", "111111111111", "eu-west-1"), ("dev", "111111111111", "us-east-1"),
        ("qa", "222222222222", "eu-west-1"), ("stage", "333333333333", "eu-central-1"))


@dataclass
class Member:
    """One target run's world on the shared emulator: its account, region and what was seeded there."""

    name: str
    account: str
    region: str
    backend: SiteWiseBackend
    world: SeededWorld

    def snapshot(self) -> dict[str, Any]:
        return self.backend.snapshot(account=self.account, region=self.region)

    def assets_left(self) -> int:
        return len(self.snapshot()["assets"])

    def ids(self) -> frozenset[str]:
        """This world's asset and model ids: what a fault aimed at this target alone names."""
        return frozenset(self.world.assets.values()) | frozenset(self.world.models.values())


@dataclass
class Fleet:
    members: list[Member]  # one per target run, in run order
    server: EmulatorServer
    backend: SiteWiseBackend
    clock: ManualClock
    targets_file: Path
    tmp: Path

    def store(self, cache: str = "runner-a") -> S3Store:
        # A prefix per test: moto's S3 is one state for the whole process.
        return S3Store(BUCKET, f"fleets/{self.tmp.name}", cache_dir=self.tmp / cache, clock=self.clock)


def role_arn(account: str) -> str:
    return f"arn:aws:iam::{account}:role/sitewise-reset"


def world_client(url: str, account: str, region: str) -> Any:
    """A SiteWise client of ``region`` acting in ``account``: a role assumed through the server's STS."""
    sts = boto3.client("sts", endpoint_url=url, region_name=region)
    keys = sts.assume_role(RoleArn=role_arn(account), RoleSessionName="seed")["Credentials"]
    return boto3.client("iotsitewise", endpoint_url=url, region_name=region,
                        aws_access_key_id=keys["AccessKeyId"], aws_secret_access_key=keys["SecretAccessKey"],
                        aws_session_token=keys["SessionToken"],
                        config=Config(inject_host_prefix=False, retries={"total_max_attempts": 1}))


def targets_toml(url: str) -> str:
    parts = ["[defaults.select]\nall = true\n\n[defaults.apply]\nworkers = 4\n"]
    names = dict.fromkeys(name for name, _, _ in RUNS)
    for name in names:
        account = next(a for n, a, _ in RUNS if n == name)
        regions = ", ".join(f'"{r}"' for n, _, r in RUNS if n == name)
        parts.append(f'[[targets]]\nname = "{name}"\naccount = "{account}"\nregions = [{regions}]\n'
                     f'role_arn = "{role_arn(account)}"\nexternal_id = "ext-{name}"\nendpoint_url = "{url}"\n')
    return "\n".join(parts)


@pytest.fixture
def fleet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Fleet]:
    clock = ManualClock()
    backend = SiteWiseBackend(clock=clock, latency="instant", quotas="off")
    with serve(backend) as server:
        members = [Member(name, account, region, backend, seed_world(
            world_client(server.url, account, region), dataclasses.replace(APPLY_WORLD, name=f"{name}-{region}"),
            clock=clock)) for name, account, region in RUNS]
        # Each seed landed in its own world, none in the default one.
        assert backend.worlds() == sorted({(backend.account_id, backend.region), *((a, r) for _, a, r in RUNS)})
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", server.url)
        with contextlib.suppress(ClientError):  # made by an earlier test: moto's S3 lives as long as the process
            boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)
        targets = tmp_path / "targets.toml"
        targets.write_text(targets_toml(server.url), encoding="utf-8")
        yield Fleet(members, server, backend, clock, targets, tmp_path)
