"""Suite-wide hygiene: dummy AWS credentials and no machine AWS configuration (nothing can reach a real
account), apply locks in the test's own directory (not the machine-wide one another run may share), and
structlog's defaults, whatever an earlier CLI test set.

And the fixtures more than one folder uses: ``clock``, and the two seeded worlds of tests/support/worlds.py,
``env`` (the small apply world) and ``farm`` (the packaged windfarm), both served inside moto's mock_aws."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from teardown.emulator.clock import ManualClock
from teardown.emulator.seed import windfarm
from tests.support.worlds import APPLY_WORLD, REGION, Env, seeded


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
def _lock_dir(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Apply locks go to a fresh directory: two test runs on one machine never share a plan digest's lock."""
    monkeypatch.setenv("SITEWISE_TEARDOWN_LOCK_DIR", str(tmp_path_factory.mktemp("locks")))


@pytest.fixture
def clock() -> ManualClock:
    """Time that moves only when the code under test sleeps or the test advances it."""
    return ManualClock()


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    """The small apply world of tests/support/worlds.py: three sites' worth of assets, a project, a spare model."""
    with seeded(APPLY_WORLD, tmp_path) as world:
        yield world


@pytest.fixture
def farm(tmp_path: Path) -> Iterator[Env]:
    """The packaged windfarm: 40 assets under one enterprise, a Monitor project holding site 1."""
    with seeded(windfarm(), tmp_path) as world:
        yield world
