"""How seeding talks to SiteWise: retry transient refusals and wait for states, on an injected clock.

Transient means worth retrying with the same request (and the same clientToken, so nothing happens
twice): ConflictingOperationException (the resource is CREATING/UPDATING), ThrottlingException, and 5xx.
Anything else is the world's fault or the service's and is raised as ``SeedError``. Sleeps go to the
clock, so under a ManualClock a test's "realistic" seconds pass instantly.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import structlog
from botocore.exceptions import ClientError
from tenacity import Future, RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from teardown.emulator.clock import Clock
from teardown.emulator.seed.errors import SeedError

T = TypeVar("T")
log = structlog.get_logger(__name__)

TRANSIENT_CODES = frozenset(
    {
        "ConflictingOperationException",
        "ThrottlingException",
        "InternalFailureException",
        "ServiceUnavailableException",
    }
)
# Poll intervals while waiting for a state: a quick first look (instant emulators settle at once), then
# half a second, so a wait overshoots a realistic one-to-five-second transition by little.
POLL_INTERVALS = (0.1, 0.2, 0.3, 0.5)
# A conflict clears when the resource settles (about a second): retry soon. Throttling needs room.
CONFLICT_BACKOFF_MAX = 0.5


def error_code(exc: BaseException) -> str | None:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code"))
    return None


def _outcome_code(outcome: Future | None) -> str | None:
    exc = outcome.exception() if outcome is not None else None
    return error_code(exc) if exc is not None else None


class Caller:
    """Runs one request with retries on transient refusals, sleeping on the clock between attempts."""

    def __init__(self, clock: Clock, *, attempts: int = 60, max_backoff: float = 2.0) -> None:
        self.clock = clock
        self.attempts = attempts
        self.max_backoff = max_backoff

    def call(
        self,
        what: str,
        request: Callable[..., T],
        params: Mapping[str, Any] | None = None,
        *,
        transient: frozenset[str] = TRANSIENT_CODES,
    ) -> T:
        """``request(**params)``, retried while it fails with one of the ``transient`` codes."""
        retrying = Retrying(
            sleep=self.clock.sleep,
            stop=stop_after_attempt(self.attempts),
            wait=self._backoff,
            retry=retry_if_exception(lambda exc: error_code(exc) in transient),
            before_sleep=lambda state: log.debug(
                "seed.retry",
                what=what,
                attempt=state.attempt_number,
                code=_outcome_code(state.outcome),
            ),
            reraise=True,
        )
        try:
            return retrying(request, **(params or {}))
        except ClientError as exc:
            raise SeedError(f"{what}: {error_code(exc)}: {exc.response.get('Error', {}).get('Message')}") from exc

    def _backoff(self, state: RetryCallState) -> float:
        n = state.attempt_number
        if _outcome_code(state.outcome) == "ConflictingOperationException":
            return min(0.1 * n, CONFLICT_BACKOFF_MAX)
        return float(min(0.1 * 2**n, self.max_backoff))

    def wait_until(self, what: str, probe: Callable[[], bool], *, timeout: float) -> None:
        """Call ``probe`` (itself retried) until it answers True; it raises ``SeedError`` on FAILED."""
        deadline = self.clock.now() + timeout
        intervals = itertools.chain(POLL_INTERVALS, itertools.repeat(POLL_INTERVALS[-1]))
        while not self.call(what, probe):
            if self.clock.now() >= deadline:
                raise SeedError(f"{what}: still not ready after {timeout:g} s")
            self.clock.sleep(next(intervals))


def check_state(what: str, state: str | None, ready: str = "ACTIVE", error: object = None) -> bool:
    """True when ``state`` is ``ready``; SeedError when FAILED; False otherwise (keep waiting)."""
    if state == "FAILED":
        raise SeedError(f"{what} ended FAILED: {error}")
    return state == ready
