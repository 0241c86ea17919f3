"""pytest fixtures for any project that tests IoT SiteWise code: installing ``sitewise-teardown[emulator]`` is
all it takes (the ``pytest11`` entry point ``sitewise`` registers this module; no conftest needed).

- ``sitewise_backend``: a fresh, strict emulator for one test (manual clock, instant latency, quotas off)
  that answers every boto3 ``iotsitewise`` client the test creates, in-process. Dummy credentials and a
  region are in the environment for that test only (restored after it), so nothing can reach AWS.
  Its clock, settings (faults, latency, consistency), snapshot and call counts are the test's to use.
- ``sitewise``: a boto3 ``iotsitewise`` client answered by that emulator (one attempt: botocore's retries
  would sleep for real and hide the emulator's first answer).
- ``sitewise_server``: an emulator over HTTP for the whole session (``.url``; ``.env``, the environment
  for a subprocess that should reach it; ``.backend``); it is shared, so reset it where a test needs a clean
  account: ``.backend.reset()`` empties the default world, ``.backend.reset_all()`` every world.

The emulator keeps a world per account and region (the signing region; the account of a role assumed
through moto's STS): ``backend.snapshot(account=..., region=...)`` and ``backend.world(account, region)``
reach the others, and every method without them means the default world (us-east-1, 123456789012).

A project's own fixtures of the same names take precedence over these, as pytest always arranges.
Everything is imported when a fixture is first used, so merely having the plugin installed costs nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

    from teardown.emulator.backend import SiteWiseBackend

REGION = "us-east-1"
DUMMY_KEY = "testing"
# Set (or removed) for the length of one in-process test, so clients built inside it resolve dummy
# credentials and a region whatever the developer's shell or ~/.aws say.
_TEST_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": DUMMY_KEY,
    "AWS_SECRET_ACCESS_KEY": DUMMY_KEY,
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}
_REMOVED = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
_NOT_FOR_CLIENTS = (*_REMOVED, "AWS_ENDPOINT_URL")

__all__ = ["SiteWiseServer", "sitewise", "sitewise_backend", "sitewise_server"]


@dataclass(frozen=True)
class SiteWiseServer:
    """A running HTTP emulator: its endpoint, what a client process needs to reach it, and its backend.

    ``variables``: the emulator's endpoint (SiteWise and STS), host prefix injection off, dummy credentials
    and the region. ``env``: the whole environment for a subprocess (``subprocess.run(..., env=server.env)``),
    i.e. this process's, less what would send a client elsewhere (a profile, a session token, a global
    endpoint), plus those variables.
    """

    url: str
    variables: dict[str, str]
    backend: SiteWiseBackend

    @property
    def env(self) -> dict[str, str]:
        kept = {k: v for k, v in os.environ.items() if k not in _NOT_FOR_CLIENTS}
        return {**kept, **self.variables}


@pytest.fixture
def sitewise_backend(monkeypatch: pytest.MonkeyPatch) -> Iterator[SiteWiseBackend]:
    """A fresh strict emulator answering every boto3 ``iotsitewise`` client of this test, in-process."""
    from teardown.emulator.backend import SiteWiseBackend  # noqa: PLC0415
    from teardown.emulator.clock import ManualClock  # noqa: PLC0415
    from teardown.emulator.hook import mock_sitewise  # noqa: PLC0415

    for name, value in _TEST_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    for name in _REMOVED:
        monkeypatch.delenv(name, raising=False)
    backend = SiteWiseBackend(clock=ManualClock(), latency="instant", quotas="off", region=REGION)
    with mock_sitewise(backend):
        yield backend


@pytest.fixture
def sitewise(sitewise_backend: SiteWiseBackend) -> IoTSiteWiseClient:
    """A boto3 ``iotsitewise`` client answered by ``sitewise_backend`` (one attempt, no retries)."""
    import boto3  # noqa: PLC0415
    from botocore.config import Config  # noqa: PLC0415

    session = boto3.session.Session(
        aws_access_key_id=DUMMY_KEY, aws_secret_access_key=DUMMY_KEY, region_name=sitewise_backend.region
    )
    return session.client("iotsitewise", config=Config(retries={"total_max_attempts": 1}))


@pytest.fixture(scope="session")
def sitewise_server() -> Iterator[SiteWiseServer]:
    """An HTTP emulator (SiteWise, and STS through moto) on a loopback port for the whole session."""
    from teardown.emulator.backend import SiteWiseBackend  # noqa: PLC0415
    from teardown.emulator.clock import ManualClock  # noqa: PLC0415
    from teardown.emulator.server import client_environment, serve  # noqa: PLC0415

    backend = SiteWiseBackend(clock=ManualClock(), latency="instant", quotas="off", region=REGION)
    with serve(backend) as server:
        yield SiteWiseServer(url=server.url, variables=client_environment(server.url, REGION), backend=backend)
