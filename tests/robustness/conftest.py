"""Fixtures of the robustness tests: the command line run as a user runs it, a guard that fails any test whose
command would build an AWS client, a hand-built inventory and plan file (no client, no emulator), the apply
locks' directory, and a small seeded emulator for the tests that must get as far as talking to AWS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import structlog
from moto import mock_aws

from teardown.aws.target import AwsTarget, sitewise_client
from teardown.cli import main
from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.clock import ManualClock
from teardown.emulator.hook import mock_sitewise
from teardown.emulator.seed import seed_world
from teardown.inventory.selectors import SelectionSpec
from teardown.planning.make import make_plan
from teardown.planning.planfile import write_plan
from tests.robustness.support import ACCOUNT, ASSET, REGION, WORLD, Cli, CliResult, Emulated, hand_built_inventory


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Iterator[Cli]:
    """``cli(*argv)`` runs ``teardown.cli.main`` and returns its exit code (argparse's refusals included, which
    exit through SystemExit) with what it printed. Any other exception fails the test, as a traceback would."""

    def run(*argv: str) -> CliResult:
        capsys.readouterr()
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse refuses a bad flag value by exiting 2
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return CliResult(code=code, out=captured.out, err=captured.err)

    yield run
    structlog.reset_defaults()  # main() pointed structlog at this test's captured stderr


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any boto3 client built from here on fails the test: the refusal under test must come first."""

    def forbidden(self: boto3.Session, service_name: str, *args: object, **kwargs: object) -> object:
        raise AssertionError(f"a {service_name} client was built: the bad input was not refused before AWS")

    monkeypatch.setattr(boto3.session.Session, "client", forbidden)


@pytest.fixture
def inventory_file(tmp_path: Path) -> Path:
    """A saved inventory: one model, one asset (``ASSET``)."""
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps(hand_built_inventory().to_json()) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    """A valid, sealed plan file deleting ``ASSET``, made from the hand-built inventory."""
    plan, _ = make_plan(hand_built_inventory(), SelectionSpec(subtrees=(ASSET,)))
    return write_plan(plan, tmp_path / "plans" / "a1.plan.json")


@pytest.fixture
def lock_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The apply locks' directory for this test (``SITEWISE_TEARDOWN_LOCK_DIR``); not created yet."""
    path = tmp_path / "locks"
    monkeypatch.setenv("SITEWISE_TEARDOWN_LOCK_DIR", str(path))
    return path


@pytest.fixture
def emulated(tmp_path: Path) -> Iterator[Emulated]:
    """A small world seeded instantly in the emulator, served in-process inside moto's ``mock_aws`` (which
    answers STS) to every boto3 client the engine builds."""
    clock = ManualClock()
    backend = SiteWiseBackend(clock=clock, latency="instant", quotas="off", account_id=ACCOUNT, region=REGION)
    with mock_aws(), mock_sitewise(backend):
        client = sitewise_client(AwsTarget(region=REGION))
        world = seed_world(client, WORLD, clock=clock)
        yield Emulated(backend=backend, clock=clock, client=client, world=world, tmp=tmp_path)
