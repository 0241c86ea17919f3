"""Retry policies, as named tenacity combinations kept in one module (tenacity's own habit).

Clients are built with botocore retries off, so every resend happens on the one request path
(``teardown.aws.calls``): counted, logged, paced and waited on the injected clock. What is worth
resending is ``teardown.aws.classify``'s call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import tenacity

from teardown.aws.classify import is_retryable_mutation, is_transient
from teardown.aws.clock import Clock


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
