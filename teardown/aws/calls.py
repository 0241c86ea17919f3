"""The one request path: every SiteWise request the engine sends, discovery, the stale check, execution
and observation alike, goes through ``Calls``: paced per quota family, retried by the named policies of
``teardown.aws.retry`` (on the injected clock), classified by ``teardown.aws.classify``, and counted.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import structlog
import tenacity
from botocore import xform_name
from botocore.exceptions import ClientError

from teardown.aws.classify import error_text, is_throttling
from teardown.aws.clock import Clock
from teardown.aws.pacing import RateLimiter, family_of
from teardown.aws.retry import DEFAULT_RETRY, RetryHook, RetrySettings, mutation_policy, read_policy

log = structlog.get_logger(__name__)

PAGE_SIZE = 250  # the largest page SiteWise serves: the fewest calls


@dataclass
class CallStats:
    """Requests sent (attempts included), retries and throttles, per operation; thread-safe."""

    calls: Counter[str] = field(default_factory=Counter)
    retries: Counter[str] = field(default_factory=Counter)
    throttles: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, counter: Counter[str], operation: str) -> None:
        with self._lock:
            counter[operation] += 1

    def snapshot(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {
                "calls": dict(sorted(self.calls.items())),
                "retries": dict(sorted(self.retries.items())),
                "throttles": dict(sorted(self.throttles.items())),
            }


class Calls:
    """Sends requests by operation name (``"ListAssets"``) through one boto3 ``iotsitewise`` client."""

    def __init__(
        self,
        client: Any,
        clock: Clock,
        *,
        limiter: RateLimiter | None = None,
        retry: RetrySettings = DEFAULT_RETRY,
        stats: CallStats | None = None,
    ) -> None:
        self.client = client
        self.clock = clock
        self.limiter = limiter or RateLimiter(clock)
        self.retry = retry
        self.stats = stats or CallStats()

    def with_stats(self, stats: CallStats) -> Calls:
        """The same client, clock, pacing and retries, counted apart (the pre-flight versus the run)."""
        return Calls(self.client, self.clock, limiter=self.limiter, retry=self.retry, stats=stats)

    def with_client(self, client: Any) -> Calls:
        """Another client with the same clock, pacing, retries and counts."""
        return Calls(client, self.clock, limiter=self.limiter, retry=self.retry, stats=self.stats)

    def read(self, operation: str, /, **params: Any) -> dict[str, Any]:
        """A Describe or List: retried on transient errors only."""
        return self._send(read_policy, operation, params)

    def mutate(self, operation: str, /, **params: Any) -> dict[str, Any]:
        """A mutation: also retried while its resource is busy (ConflictingOperationException)."""
        return self._send(mutation_policy, operation, params)

    def pages(self, operation: str, key: str, /, **params: Any) -> Iterator[Any]:
        """Every item of a paginated list, the largest pages first; each page is its own retried request."""
        for response in self.responses(operation, **params):
            yield from response.get(key, [])

    def responses(self, operation: str, /, *, page_size: int | None = PAGE_SIZE,
                  **params: Any) -> Iterator[dict[str, Any]]:
        """Each answer of a paginated read, as it arrives, following ``nextToken`` to the last; ``page_size``
        is its ``maxResults`` (None: the operation's default). Each is its own retried request."""
        size = {} if page_size is None else {"maxResults": page_size}
        token: str | None = None
        while True:
            extra = {"nextToken": token} if token else {}
            response = self.read(operation, **size, **params, **extra)
            yield response
            token = response.get("nextToken")
            if not token:
                return

    def _send(
        self,
        policy: Callable[[Clock, RetrySettings, RetryHook | None], tenacity.Retrying],
        operation: str,
        params: Mapping[str, Any],
    ) -> dict[str, Any]:
        method = getattr(self.client, xform_name(operation))
        family = family_of(operation)

        def attempt() -> dict[str, Any]:
            self.limiter.acquire(family)
            self.stats.count(self.stats.calls, operation)
            sent = self.clock.now()
            try:
                response: dict[str, Any] = method(**params)
            except ClientError as exc:
                self.limiter.answered(family, self.clock.now() - sent)
                if is_throttling(exc):
                    self.stats.count(self.stats.throttles, operation)
                    self.limiter.throttled(family)
                raise
            self.limiter.answered(family, self.clock.now() - sent)
            self.limiter.succeeded(family)
            return response

        def on_retry(exc: BaseException, attempt_number: int, wait: float) -> None:
            self.stats.count(self.stats.retries, operation)
            log.info("request.retry", operation=operation, attempt=attempt_number, wait=round(wait, 3),
                     error=error_text(exc))

        result: dict[str, Any] = policy(self.clock, self.retry, on_retry)(attempt)
        return result
