"""The one request path (teardown.aws.calls): pacing, retries and counting, on fakes and a manual clock."""

from __future__ import annotations

from typing import Any

import pytest
import structlog.testing
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


def test_each_retry_is_logged_with_its_operation_attempt_wait_and_error(clock: ManualClock,
                                                                        throttled_twice: Throttling) -> None:
    """A throttled call logs request.retry once per resend, numbered, with the wait and the service's text."""
    calls = Calls(throttled_twice, clock, retry=RetrySettings(initial=0.01, max_wait=0.5))
    with structlog.testing.capture_logs() as logs:
        calls.mutate("DeleteAsset", assetId="a1")
    retries = [e for e in logs if e["event"] == "request.retry"]
    assert [(e["operation"], e["attempt"], e["error"]) for e in retries] == [
        ("DeleteAsset", 1, "ThrottlingException: slow down"),
        ("DeleteAsset", 2, "ThrottlingException: slow down"),
    ]
    assert all(e["log_level"] == "info" and 0 <= e["wait"] <= 0.5 for e in retries)


def test_a_call_that_succeeds_at_once_logs_no_retry(clock: ManualClock) -> None:
    """No resend, no request.retry event."""
    with structlog.testing.capture_logs() as logs:
        Calls(Throttling(0), clock).mutate("DeleteAsset", assetId="a1")
    assert [e for e in logs if e["event"] == "request.retry"] == []
