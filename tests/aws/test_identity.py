"""The identity the engine acts as (STS GetCallerIdentity) is read on the same retrying path as every
other pre-flight request: a throttle or 5xx is retried on the injected clock, not fatal."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from teardown.aws import target as target_module
from teardown.aws.target import AwsTarget, caller_identity
from teardown.emulator.clock import ManualClock


def _error(code: str, status: int) -> ClientError:
    response: Any = {"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(response, "GetCallerIdentity")


class _FlakySts:
    """Throttles, then fails with a 503, then answers."""

    def __init__(self) -> None:
        self.calls = 0

    def get_caller_identity(self) -> dict[str, Any]:
        self.calls += 1
        if self.calls == 1:
            raise _error("Throttling", 400)
        if self.calls == 2:
            raise _error("ServiceUnavailable", 503)
        return {"Account": "123456789012"}


def test_caller_identity_retries_throttles_and_5xx_on_the_clock(
    monkeypatch: pytest.MonkeyPatch, clock: ManualClock
) -> None:
    """Two transient failures, then the account: three calls, the waits spent on the clock."""
    sts = _FlakySts()
    monkeypatch.setattr(target_module, "sts_client", lambda *_a, **_k: sts)
    start = clock.now()
    assert caller_identity(AwsTarget(region="eu-west-1"), clock=clock) == ("123456789012", "eu-west-1")
    assert sts.calls == 3
    assert clock.now() > start


def test_caller_identity_does_not_retry_access_denied(monkeypatch: pytest.MonkeyPatch, clock: ManualClock) -> None:
    """AccessDenied is final: one call, the service's error raised."""
    class Denied:
        calls = 0

        def get_caller_identity(self) -> dict[str, Any]:
            Denied.calls += 1
            raise _error("AccessDenied", 403)

    monkeypatch.setattr(target_module, "sts_client", lambda *_a, **_k: Denied())
    with pytest.raises(ClientError, match="AccessDenied"):
        caller_identity(AwsTarget(region="eu-west-1"), clock=clock)
    assert Denied.calls == 1
