"""Fixtures for the emulator's tests: a manual clock, a backend on it, and a real boto3 client served
in-process by that backend. Every test here runs with dummy credentials and no AWS configuration, so
nothing can reach a real account."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.config import Config

from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.clock import ManualClock
from teardown.emulator.hook import mock_sitewise

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

REGION = "us-east-1"

# One attempt, no botocore retries: a retry would sleep for real and hide the emulator's first answer.
NO_RETRIES = Config(retries={"total_max_attempts": 1})


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


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def backend(clock: ManualClock) -> SiteWiseBackend:
    return SiteWiseBackend(clock=clock, latency="instant", quotas="off")


@pytest.fixture
def sitewise(backend: SiteWiseBackend) -> Iterator[IoTSiteWiseClient]:
    """A real boto3 client (host prefix injection on, as against AWS) answered by ``backend``."""
    with mock_sitewise(backend):
        yield boto3.client("iotsitewise", region_name=REGION, config=NO_RETRIES)


@pytest.fixture
def lax_sitewise(backend: SiteWiseBackend) -> Iterator[Any]:
    """A client that skips boto3's own parameter checks, so bad or placeholder input reaches the emulator
    (and the emulator alone has to refuse it)."""
    config = NO_RETRIES.merge(Config(parameter_validation=False))
    with mock_sitewise(backend):
        yield boto3.client("iotsitewise", config=config)
