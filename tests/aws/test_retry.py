"""Retry policies: which errors are resent, on the injected clock, until a deadline."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from teardown.aws.classify import error_text
from teardown.aws.retry import RetrySettings, mutation_policy, read_policy
from teardown.emulator.clock import ManualClock
from tests.support.fakes import client_error


class Flaky:
    """Raises the given errors in turn, then answers."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


@pytest.mark.parametrize(
    "error",
    [
        client_error("ThrottlingException", 429),
        client_error("InternalFailureException", 500),
        client_error("ServiceUnavailableException", 503),
        client_error("SomethingNew", 502),
        client_error("ConflictingOperationException", 409),
        EndpointConnectionError(endpoint_url="http://x"),
    ],
)
def test_mutation_retries_transient_errors(error: BaseException, clock: ManualClock) -> None:
    """Transient errors and conflicts are resent; the clock moved instead of a real sleep."""
    start = clock.now()
    fn = Flaky(error, error)
    assert mutation_policy(clock)(fn) == "ok"
    assert fn.calls == 3
    assert clock.now() > start


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("InvalidRequestException", 400),
        ("LimitExceededException", 410),
        ("ResourceNotFoundException", 404),
        ("PreconditionFailedException", 412),
    ],
)
def test_structural_errors_are_never_retried(code: str, status: int, clock: ManualClock) -> None:
    """InvalidRequest, LimitExceeded (even though botocore calls 410 throttling), 404 and 412: one try."""
    fn = Flaky(client_error(code, status))
    with pytest.raises(ClientError) as info:
        mutation_policy(clock)(fn)
    assert info.value.response["Error"]["Code"] == code
    assert fn.calls == 1


def test_reads_do_not_retry_conflicts(clock: ManualClock) -> None:
    """A conflict on a read is not a transient state to wait out."""
    fn = Flaky(client_error("ConflictingOperationException", 409))
    with pytest.raises(ClientError):
        read_policy(clock)(fn)
    assert fn.calls == 1


def test_deadline_on_the_injected_clock_stops_retrying(clock: ManualClock) -> None:
    """A resource busy forever: retries stop at the deadline and the last service error surfaces."""
    start = clock.now()

    def always() -> Any:
        raise client_error("ConflictingOperationException", 409, "still UPDATING")

    seen: list[int] = []
    settings = RetrySettings(initial=1.0, max_wait=5.0, deadline=30.0)
    policy = mutation_policy(clock, settings, on_retry=lambda e, n, w: seen.append(n))
    with pytest.raises(ClientError, match="still UPDATING"):
        policy(always)
    assert 30.0 <= clock.now() - start <= 35.0
    assert seen == list(range(1, len(seen) + 1))
    assert len(seen) >= 6


def test_error_text_names_code_and_message() -> None:
    """Reports show the service's own code and message."""
    assert error_text(client_error("InvalidRequestException", 400, "asset has children")) == (
        "InvalidRequestException: asset has children"
    )
