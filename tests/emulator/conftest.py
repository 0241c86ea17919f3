"""Fixtures for the emulator's tests: a manual clock, a backend on it, and a real boto3 client served
in-process by that backend. Every test here runs with dummy credentials and no AWS configuration, so
nothing can reach a real account."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.config import Config

from teardown.emulator import EmulatorServer, serve
from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.clock import ManualClock
from teardown.emulator.hook import mock_sitewise

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

REGION = "us-east-1"

# One attempt, no botocore retries: a retry would sleep for real and hide the emulator's first answer.
NO_RETRIES = Config(retries={"total_max_attempts": 1})


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


@pytest.fixture
def server(backend: SiteWiseBackend) -> Iterator[EmulatorServer]:
    """``backend`` served over HTTP on a loopback port, for the test."""
    with serve(backend) as running:
        yield running
