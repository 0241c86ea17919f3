"""One emulated (account, region): its state, call counts, clientToken ledger and token buckets, and the call
pipeline that runs every request against them.

The pipeline, in this order: count -> rate quota -> error rules and injected failures before -> injected
latency -> settle due state transitions -> the operation (with clientToken replay) -> error rules and
injected failures after. The settings it reads (clock, latency, quota rates, fault dice, consistency) sit
on the ``World`` and are the same for every world of a ``SiteWiseBackend``, which also owns the lock.
"""

from __future__ import annotations

import copy
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import structlog

from teardown.emulator.errors import EmulatorError, InternalFailure, NotImplementedByEmulator, Throttling
from teardown.emulator.service.consistency import LISTED
from teardown.emulator.service.error_rules import READ_TIMEOUT, ErrorRule
from teardown.emulator.service.idempotency import TokenLedger
from teardown.emulator.service.quotas import TokenBucket, family_of
from teardown.emulator.service.world import Handler, World

__all__ = ["WorldBackend"]

log = structlog.get_logger(__name__)

_IMMUTABLE = (str, int, float, bool, type(None), bytes)


def _copied(value: Any) -> Any:
    """A deep copy of a request's or an answer's JSON-like value: three times faster than ``copy.deepcopy``
    for the dicts and lists they are made of (a page of 250 summaries is copied under the world's lock)."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    if isinstance(value, _IMMUTABLE):
        return value
    return copy.deepcopy(value)


class WorldBackend:
    """The state and rules of one account and region (``SiteWiseBackend.world(account, region)``)."""

    def __init__(
        self,
        world: World,
        *,
        lock: threading.RLock,
        handlers: dict[str, Handler],
        service_operations: Callable[[], frozenset[str]],
    ) -> None:
        self._world = world
        self._lock = lock
        self._handlers = handlers
        self._service_operations = service_operations
        self._counts: Counter[str] = Counter()
        self._buckets: dict[str, TokenBucket] = {}
        self._ledger = TokenLedger()

    @property
    def account_id(self) -> str:
        return self._world.account_id

    @property
    def region(self) -> str:
        return self._world.region

    @property
    def state(self) -> World:
        """The raw state (for the backend's settings and for tests; hold no reference across calls)."""
        return self._world

    # ---- the call pipeline ----------------------------------------------------------------------------
    def handle(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._counts[operation] += 1
            handler = self._handler(operation)
            self._throttle(operation)
            dice = self._world.dice
            rule = dice.error_rule("before", operation, params)
            if rule is None:
                if dice.throttle_before(operation):
                    log.info("emulator.fault", kind="throttle_before", operation=operation)
                    raise Throttling(f"Injected throttling of {operation} (nothing was applied).")
                if dice.internal_before(operation):
                    log.info("emulator.fault", kind="internal_before", operation=operation)
                    raise InternalFailure(f"Injected internal failure before {operation} (nothing was applied).")
            delay = dice.added_latency(operation)
            clock = self._world.clock
        if rule is not None:
            raise self._struck(rule, operation, params, applied=False)
        if delay > 0:
            # Outside the lock: an injected slow call must not stall every other caller.
            clock.sleep(delay)
        # Handlers keep parts of the input (properties, tags): the caller's objects must stay theirs.
        params = _copied(params)
        with self._lock:
            self._world.settle()
            self._world.operation = operation
            answer = self._ledger.replay(operation, params)
            if answer is None:
                if operation in LISTED and not self._world.consistency.strict:
                    answer = self._world.lagging_list(operation, handler, params)
                else:
                    answer = handler(self._world, params)
                self._ledger.record(operation, params, answer)
            rule = self._world.dice.error_rule("after", operation, params)
            if rule is None:
                if self._world.dice.internal_after(operation):
                    log.info("emulator.fault", kind="internal_after", operation=operation)
                    raise InternalFailure(f"Injected internal failure after {operation} (it was applied).")
                copied: dict[str, Any] = _copied(answer)
                return copied
        raise self._struck(rule, operation, params, applied=True)

    def _struck(self, rule: ErrorRule, operation: str, params: dict[str, Any], *, applied: bool) -> EmulatorError:
        """The error ``rule`` answers; a ReadTimeout first holds the call for its stall (outside the lock)."""
        log.info("emulator.fault", kind="error_rule", code=rule.code, operation=operation, when=rule.when)
        with self._lock:
            error = rule.error(operation, applied=applied, conflict=self._conflict_members(rule, params))
            clock = self._world.clock
        if rule.code == READ_TIMEOUT and rule.stall > 0:
            clock.sleep(rule.stall)
        return error

    def _conflict_members(self, rule: ErrorRule, params: dict[str, Any]) -> tuple[str, str]:
        """resourceId and resourceArn for an injected ConflictingOperationException: the rule's resource, else
        the first id the call names."""
        resource_id = rule.resource or next(
            (v for k, v in params.items() if k.endswith("Id") and isinstance(v, str)), ""
        )
        w = self._world
        for store in (w.assets, w.models, w.portals, w.projects, w.dashboards, w.policies, w.gateways):
            found = store.get(resource_id)
            if found is not None:
                return resource_id, str(found.arn)
        return resource_id, w.arn("resource", resource_id)

    def _handler(self, operation: str) -> Handler:
        handler = self._handlers.get(operation)
        if handler is not None:
            return handler
        if operation in self._service_operations():
            raise NotImplementedByEmulator(
                f"The SiteWise emulator does not serve {operation}; it serves {len(self._handlers)} operations "
                "(see SiteWiseBackend.served_operations())."
            )
        raise NotImplementedByEmulator(f"{operation} is not an operation of iotsitewise.")

    def _throttle(self, operation: str) -> None:
        # The buckets are this world's: on the real service every account has its own quotas in each region.
        family = family_of(operation)
        rate = self._world.quotas.rate_of(family)
        if rate is None:
            return
        now = self._world.clock.now()
        bucket = self._buckets.get(family)
        if bucket is None or bucket.rate != rate:
            bucket = self._buckets[family] = TokenBucket(rate, now)
        if not bucket.take(now):
            raise Throttling(f"Rate exceeded for the {family} family ({rate:g} requests per second).")

    # ---- introspection and control -------------------------------------------------------------------
    def served_operations(self) -> frozenset[str]:
        return frozenset(self._handlers)

    def call_counts(self) -> dict[str, int]:
        """Calls per operation, refused ones included (also those the wire layer refused, see count_refused)."""
        with self._lock:
            return dict(self._counts)

    def count_refused(self, operation: str) -> None:
        """Count a call the wire layer refused before ``handle`` (validation, unserved operation)."""
        with self._lock:
            self._counts[operation] += 1

    def refill_tokens(self) -> None:
        """Forget the token buckets (the clock or the rates changed): the next call starts a full bucket."""
        with self._lock:
            self._buckets.clear()

    def reset(self) -> None:
        """Empty this world's state, call counts, clientTokens and token buckets."""
        with self._lock:
            self._world.clear()
            self._counts.clear()
            self._ledger.clear()
            self._buckets.clear()

    def snapshot(self) -> dict[str, Any]:
        """The whole state of this world (after settling what is due) as JSON-able data."""
        with self._lock:
            self._world.settle()
            return self._world.snapshot()
