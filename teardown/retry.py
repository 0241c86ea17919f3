"""Retry policies, as named tenacity combinations kept in one module (tenacity's own habit).

Clients are built with botocore retries off (``retries="none"``) so every resend happens here: counted,
logged, paced by the injected clock, and classified by the rules of the behaviour contract:

- retried: throttling, internal failures, unavailability and other 5xx, connection errors, and (for
  mutations) ConflictingOperationException, a resource still UPDATING or CREATING;
- never retried: InvalidRequestException and PreconditionFailedException (the plan is wrong or stale),
  LimitExceededException (a resource quota, although botocore's standard mode treats 410 as throttling),
  ResourceNotFoundException (the caller handles it as a result: "already gone").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import tenacity
from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

from teardown.clock import Clock

THROTTLING_CODES = frozenset(
    {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded", "SlowDown"}
)
TRANSIENT_CODES = frozenset(
    {"InternalFailureException", "InternalFailure", "ServiceUnavailableException", "ServiceUnavailable",
     "InternalServerError", "RequestTimeout", "RequestTimeoutException"}
)
CONFLICT_CODES = frozenset({"ConflictingOperationException"})
NEVER_RETRIED_CODES = frozenset(
    {"InvalidRequestException", "LimitExceededException", "ResourceNotFoundException",
     "PreconditionFailedException", "AccessDeniedException", "UnauthorizedException",
     "ResourceAlreadyExistsException", "ValidationException"}
)


def error_code(exc: BaseException) -> str | None:
    """The AWS error code of a botocore ClientError, else None."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "")) or None
    return None


def error_status(exc: BaseException) -> int | None:
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return int(status) if status is not None else None
    return None


def error_text(exc: BaseException) -> str:
    """``Code: message`` for a service error, the exception's own text otherwise."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        return f"{err.get('Code', 'Error')}: {err.get('Message', '')}".rstrip(": ")
    return f"{type(exc).__name__}: {exc}"


def is_throttling(exc: BaseException) -> bool:
    return error_code(exc) in THROTTLING_CODES


def is_transient(exc: BaseException) -> bool:
    """Worth resending any request: throttled, 5xx, or the connection broke."""
    if isinstance(exc, ConnectionError | HTTPClientError):
        return True
    code = error_code(exc)
    if code is None or code in NEVER_RETRIED_CODES:
        return False
    if code in THROTTLING_CODES or code in TRANSIENT_CODES:
        return True
    status = error_status(exc)
    return status is not None and status >= 500


def is_retryable_mutation(exc: BaseException) -> bool:
    """A mutation is also resent while its resource is busy (UPDATING, CREATING): that passes."""
    return is_transient(exc) or error_code(exc) in CONFLICT_CODES


# Named in lower case like tenacity's own strategies, which it composes with.
class stop_at_clock_deadline(tenacity.stop.stop_base):
    """Stop once the injected clock passes a deadline (tenacity's own delay stop reads the wall clock).

    The deadline starts when the strategy is built, so build one policy per request.
    """

    def __init__(self, clock: Clock, seconds: float) -> None:
        self.clock = clock
        self.deadline = clock.now() + seconds

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        return self.clock.now() >= self.deadline


@dataclass(frozen=True)
class RetrySettings:
    """Backoff shape: full-jitter exponential (AWS's recommendation), capped, until a deadline."""

    initial: float = 0.2
    max_wait: float = 10.0
    deadline: float = 300.0
    max_attempts: int = 50


DEFAULT_RETRY = RetrySettings()
RetryHook = Callable[[BaseException, int, float], None]


def _policy(
    retry_if: Callable[[BaseException], bool],
    clock: Clock,
    settings: RetrySettings,
    on_retry: RetryHook | None,
) -> tenacity.Retrying:
    def before_sleep(state: tenacity.RetryCallState) -> None:
        if on_retry is not None and state.outcome is not None:
            exc = state.outcome.exception()
            if exc is not None:
                wait = state.next_action.sleep if state.next_action is not None else 0.0
                on_retry(exc, state.attempt_number, float(wait))

    return tenacity.Retrying(
        sleep=clock.sleep,
        stop=stop_at_clock_deadline(clock, settings.deadline) | tenacity.stop_after_attempt(
            settings.max_attempts
        ),
        wait=tenacity.wait_random_exponential(multiplier=settings.initial, max=settings.max_wait),
        retry=tenacity.retry_if_exception(retry_if),
        before_sleep=before_sleep,
        reraise=True,  # the caller sees the service's last error, not tenacity's RetryError
    )


def mutation_policy(
    clock: Clock, settings: RetrySettings = DEFAULT_RETRY, on_retry: RetryHook | None = None
) -> tenacity.Retrying:
    """For DeleteAsset, DisassociateAssets, ...: transient errors and busy resources, until the deadline."""
    return _policy(is_retryable_mutation, clock, settings, on_retry)


def read_policy(
    clock: Clock, settings: RetrySettings = DEFAULT_RETRY, on_retry: RetryHook | None = None
) -> tenacity.Retrying:
    """For Describe and List calls: transient errors only; a conflict cannot happen on a read."""
    return _policy(is_transient, clock, settings, on_retry)
