"""The one request path (teardown.aws.calls): pacing, retries and counting, on fakes and a manual clock."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from teardown.aws.calls import Calls, CallStats
from teardown.aws.pacing import RateLimiter
from teardown.aws.retry import RetrySettings
from teardown.emulator.clock import ManualClock
from tests.support.fakes import client_error, not_found


class _Throttling:
    """A fake client method: throttles ``n`` times, then answers."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.calls = 0

    def delete_asset(self, **params: Any) -> dict[str, Any]:
        self.calls += 1
        if self.calls <= self.n:
            raise client_error("ThrottlingException", 429, "slow down", "DeleteAsset")
        return {"assetStatus": {"state": "DELETING"}}


def test_request_path_retries_throttles_counts_them_and_slows_the_family() -> None:
    """Two throttles then success: three calls, two retries, two throttles, the asset rate lowered."""
    clock = ManualClock()
    limiter = RateLimiter(clock)
    stats = CallStats()
    fake = _Throttling(2)
    calls = Calls(fake, clock, limiter=limiter, retry=RetrySettings(initial=0.01), stats=stats)
    assert calls.mutate("DeleteAsset", assetId="a1")["assetStatus"]["state"] == "DELETING"
    snap = stats.snapshot()
    assert snap["calls"] == {"DeleteAsset": 3}
    assert snap["retries"] == {"DeleteAsset": 2}
    assert snap["throttles"] == {"DeleteAsset": 2}
    assert limiter.rates()["asset"] < 30.0


def test_request_path_does_not_retry_structural_errors() -> None:
    """A 404 comes straight back to the executor, which handles it as a result."""
    clock = ManualClock()

    class Gone:
        def describe_asset(self, **params: Any) -> dict[str, Any]:
            raise not_found()

    stats = CallStats()
    with pytest.raises(ClientError):
        Calls(Gone(), clock, stats=stats).read("DescribeAsset", assetId="a1")
    assert stats.snapshot()["calls"] == {"DescribeAsset": 1}
