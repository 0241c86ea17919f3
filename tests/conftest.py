"""Suite-wide hygiene: dummy AWS credentials and no machine AWS configuration (nothing can reach a real
account), apply locks in the test's own directory (not the machine-wide one another run may share), and
structlog's defaults, whatever an earlier CLI test set.

And the fixtures more than one folder uses: ``clock``; the seeded worlds of tests/support/worlds.py, ``env``
(the small apply world), ``farm`` (the packaged windfarm) and ``plant`` (examples/worlds/plant.toml, every kind
of resource), all served inside moto's mock_aws on ``clock``;
``lock_dir``, where this test's apply locks go; ``cli``, the command line as a user runs it (its waiting
commands on ``clock``); and ``site_plan`` and ``plan_file``, a plan of the hand-built wind farm of
tests/support/inventories.py (no client, no emulator)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog

from teardown.applying.run import apply
from teardown.cli import apply_cmd, reset_cmd
from teardown.emulator.clock import ManualClock
from teardown.emulator.seed import load_world, windfarm
from teardown.inventory.selectors import SelectionSpec
from teardown.planning.make import make_plan
from teardown.planning.planfile import Plan, write_plan
from teardown.workflows.reset import run_reset
from tests.support import inventories
from tests.support.cli import Cli
from tests.support.worlds import APPLY_WORLD, FAST_OBSERVE, FAST_RETRY, PLANT_WORLD, REGION, Env, seeded


@pytest.fixture(autouse=True)
def _fresh_structlog() -> Iterator[None]:
    structlog.reset_defaults()
    yield
    structlog.reset_defaults()


@pytest.fixture(autouse=True)
def _aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Dummy credentials and region; no profile, config file or endpoint override from the machine."""
    empty = tmp_path_factory.mktemp("aws") / "none"
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_IOTSITEWISE",
        "AWS_ENDPOINT_URL_STS",
        "AWS_DISABLE_HOST_PREFIX_INJECTION",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(autouse=True)
def lock_dir(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Apply locks go to a fresh, empty directory (``SITEWISE_TEARDOWN_LOCK_DIR``): two test runs on one machine
    never share a plan digest's lock. A test that looks into it asks for it by name."""
    path = tmp_path_factory.mktemp("locks")
    monkeypatch.setenv("SITEWISE_TEARDOWN_LOCK_DIR", str(path))
    return path


@pytest.fixture
def clock() -> ManualClock:
    """Time that moves only when the code under test sleeps or the test advances it."""
    return ManualClock()


@pytest.fixture
def env(tmp_path: Path, clock: ManualClock) -> Iterator[Env]:
    """The small apply world of tests/support/worlds.py: three sites' worth of assets, a project, a spare model."""
    with seeded(APPLY_WORLD, tmp_path, clock=clock) as world:
        yield world


@pytest.fixture
def farm(tmp_path: Path, clock: ManualClock) -> Iterator[Env]:
    """The packaged windfarm: 40 assets under one enterprise, a Monitor project holding site 1."""
    with seeded(windfarm(), tmp_path, clock=clock) as world:
        yield world


@pytest.fixture
def plant(tmp_path: Path, clock: ManualClock) -> Iterator[Env]:
    """examples/worlds/plant.toml: every kind of resource the engine deletes (component models, an interface, a
    formula through a hierarchy, two portals with a project each, a gateway with a capability configuration,
    aliased and unaliased series bound to properties, alias-only series)."""
    with seeded(load_world(PLANT_WORLD), tmp_path, clock=clock) as world:
        yield world


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, clock: ManualClock) -> Cli:
    """``cli(*argv)`` runs ``teardown.cli.main`` as a user runs it and answers a ``CliResult`` (tests/support/cli.py):
    the exit code and what was printed. The commands that wait, `apply` and `reset`, run on ``clock`` (the clock
    of ``env`` and ``farm``; apply with fast polls and retries), so nothing sleeps for real; everything else,
    argument parsing, the client built from the global options, STS, the prompt and the output, is real."""

    def apply_on_clock(*args: Any, **kwargs: Any) -> Any:
        return apply(*args, **kwargs, clock=clock, observe=FAST_OBSERVE, retry=FAST_RETRY)

    def reset_on_clock(*args: Any, **kwargs: Any) -> Any:
        return run_reset(*args, **kwargs, clock=clock)

    monkeypatch.setattr(apply_cmd, "apply", apply_on_clock)
    monkeypatch.setattr(reset_cmd, "run_reset", reset_on_clock)
    return Cli(capsys)


@pytest.fixture
def site_plan() -> Plan:
    """``--subtree a-site-1`` of tests/support/inventories.py's wind farm: 7 assets deleted, the kept
    enterprise and a project modified, 15 actions."""
    plan, _ = make_plan(inventories.windfarm(), SelectionSpec(subtrees=("a-site-1",)))
    return plan


@pytest.fixture
def plan_file(site_plan: Plan, tmp_path: Path) -> Path:
    """``site_plan`` written to a plan file."""
    return write_plan(site_plan, tmp_path / "p.plan.json")
