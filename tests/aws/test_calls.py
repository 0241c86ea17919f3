"""The one request path (teardown.aws.calls): pacing, retries and counting, on fakes and a manual clock."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from teardown.aws.calls import Calls, CallStats
from teardown.aws.pacing import RateLimiter
from teardown.aws.retry import RetrySettings
from teardown.emulator.clock import ManualClock
from tests.support.fakes import Throttling, not_found


def test_request_path_retries_throttles_counts_them_and_slows_the_family(clock: ManualClock,
                                                                         throttled_twice: Throttling) -> None:
    """Two throttles then success: three calls, two retries, two throttles, the asset rate lowered."""
    limiter = RateLimiter(clock)
    stats = CallStats()
    calls = Calls(throttled_twice, clock, limiter=limiter, retry=RetrySettings(initial=0.01), stats=stats)
    assert calls.mutate("DeleteAsset", assetId="a1")["assetStatus"]["state"] == "DELETING"
    snap = stats.snapshot()
    assert snap["calls"] == {"DeleteAsset": 3}
    assert snap["retries"] == {"DeleteAsset": 2}
    assert snap["throttles"] == {"DeleteAsset": 2}
    assert limiter.rates()["asset"] < 30.0


def test_request_path_does_not_retry_structural_errors(clock: ManualClock) -> None:
    """A 404 comes straight back to the executor, which handles it as a result."""

    class Gone:
        def describe_asset(self, **params: Any) -> dict[str, Any]:
            raise not_found()

    stats = CallStats()
    with pytest.raises(ClientError):
        Calls(Gone(), clock, stats=stats).read("DescribeAsset", assetId="a1")
    assert stats.snapshot()["calls"] == {"DescribeAsset": 1}
