"""The SiteWise backend: one account's state and rules behind a single ``handle(operation, params)``.

The wire codec (or any caller) hands it an operation name and the boto3-shaped input; it answers the
output members or raises an error of ``teardown.emulator.errors``. Every call goes through the same
pipeline, in this order: count -> rate quota -> error rules and injected failures before -> injected
latency -> settle due state transitions -> the operation (with clientToken replay) -> error rules and
injected failures after.
"""

from __future__ import annotations

import copy
import functools
import threading
from collections import Counter
from typing import Any

import botocore.session
import structlog

from teardown.emulator.clock import Clock, ScaledClock
from teardown.emulator.errors import EmulatorError, InternalFailure, NotImplementedByEmulator, Throttling
from teardown.emulator.service.access_policies import HANDLERS as ACCESS_POLICY_HANDLERS
from teardown.emulator.service.assets import HANDLERS as ASSET_HANDLERS
from teardown.emulator.service.composition import HANDLERS as COMPOSITION_HANDLERS
from teardown.emulator.service.consistency import LISTED, ConsistencySettings
from teardown.emulator.service.error_rules import READ_TIMEOUT, ErrorRule
from teardown.emulator.service.faults import FaultDice, FaultSettings
from teardown.emulator.service.gateways import HANDLERS as GATEWAY_HANDLERS
from teardown.emulator.service.idempotency import TokenLedger
from teardown.emulator.service.latency import LatencyProfile
from teardown.emulator.service.models import HANDLERS as MODEL_HANDLERS
from teardown.emulator.service.monitor import HANDLERS as MONITOR_HANDLERS
from teardown.emulator.service.properties import HANDLERS as PROPERTY_HANDLERS
from teardown.emulator.service.quotas import QuotaSettings, TokenBucket, family_of
from teardown.emulator.service.tags import HANDLERS as TAG_HANDLERS
from teardown.emulator.service.timeseries import HANDLERS as SERIES_HANDLERS
from teardown.emulator.service.updates import HANDLERS as UPDATE_HANDLERS
from teardown.emulator.service.values import HANDLERS as VALUE_HANDLERS
from teardown.emulator.service.world import Handler, World

__all__ = ["ClockLike", "SiteWiseBackend"]

# The name this module has always exported for "any clock"; it is the emulator's Clock protocol.
ClockLike = Clock

log = structlog.get_logger(__name__)

_HANDLERS: dict[str, Handler] = {
    **MODEL_HANDLERS,
    **COMPOSITION_HANDLERS,
    **ASSET_HANDLERS,
    **MONITOR_HANDLERS,
    **ACCESS_POLICY_HANDLERS,
    **GATEWAY_HANDLERS,
    **SERIES_HANDLERS,
    **TAG_HANDLERS,
    **PROPERTY_HANDLERS,
    **VALUE_HANDLERS,
    **UPDATE_HANDLERS,
}


@functools.cache
def _service_operations() -> frozenset[str]:
    model = botocore.session.get_session().get_service_model("iotsitewise")
    return frozenset(model.operation_names)


class SiteWiseBackend:
    """State and rules of one emulated account and region; thread-safe (one lock around each call)."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        latency: LatencyProfile | str = "instant",
        quotas: QuotaSettings | str = "off",
        faults: FaultSettings | None = None,
        consistency: ConsistencySettings | None = None,
        account_id: str = "123456789012",
        region: str = "us-east-1",
    ) -> None:
        self._lock = threading.RLock()
        self._counts: Counter[str] = Counter()
        self._ledger = TokenLedger()
        self._buckets: dict[str, TokenBucket] = {}
        resolved_clock: Clock = clock if clock is not None else ScaledClock(1.0)
        self._faults = faults or FaultSettings()
        self._world = World(
            clock=resolved_clock,
            latency=LatencyProfile.named(latency) if isinstance(latency, str) else latency,
            quotas=QuotaSettings.named(quotas) if isinstance(quotas, str) else quotas,
            dice=FaultDice(self._faults),
            account_id=account_id,
            region=region,
            consistency=consistency,
        )
        self.account_id = account_id
        self.region = region

    # ---- settings, changeable at runtime --------------------------------------------------------------
    @property
    def clock(self) -> Clock:
        return self._world.clock

    @clock.setter
    def clock(self, value: Clock) -> None:
        with self._lock:
            self._world.clock = value
            self._buckets.clear()

    @property
    def latency(self) -> LatencyProfile:
        return self._world.latency

    @latency.setter
    def latency(self, value: LatencyProfile | str) -> None:
        with self._lock:
            self._world.latency = LatencyProfile.named(value) if isinstance(value, str) else value

    @property
    def quotas(self) -> QuotaSettings:
        return self._world.quotas

    @quotas.setter
    def quotas(self, value: QuotaSettings | str) -> None:
        with self._lock:
            self._world.quotas = QuotaSettings.named(value) if isinstance(value, str) else value
            self._buckets.clear()

    @property
    def faults(self) -> FaultSettings:
        return self._faults

    @faults.setter
    def faults(self, value: FaultSettings | None) -> None:
        with self._lock:
            self._faults = value or FaultSettings()
            self._world.dice = FaultDice(self._faults)

    @property
    def consistency(self) -> ConsistencySettings:
        return self._world.consistency

    @consistency.setter
    def consistency(self, value: ConsistencySettings | None) -> None:
        with self._lock:
            self._world.consistency = value or ConsistencySettings()

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
        if rule is not None:
            raise self._struck(rule, operation, params, applied=False)
        if delay > 0:
            # Outside the lock: an injected slow call must not stall every other caller.
            self.clock.sleep(delay)
        # Handlers keep parts of the input (properties, tags): the caller's objects must stay theirs.
        params = copy.deepcopy(params)
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
                return copy.deepcopy(answer)
        raise self._struck(rule, operation, params, applied=True)

    def _struck(self, rule: ErrorRule, operation: str, params: dict[str, Any], *, applied: bool) -> EmulatorError:
        """The error ``rule`` answers; a ReadTimeout first holds the call for its stall (outside the lock)."""
        log.info("emulator.fault", kind="error_rule", code=rule.code, operation=operation, when=rule.when)
        with self._lock:
            error = rule.error(operation, applied=applied, conflict=self._conflict_members(rule, params))
        if rule.code == READ_TIMEOUT and rule.stall > 0:
            self.clock.sleep(rule.stall)
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
        handler = _HANDLERS.get(operation)
        if handler is not None:
            return handler
        if operation in _service_operations():
            raise NotImplementedByEmulator(
                f"The SiteWise emulator does not serve {operation}; it serves {len(_HANDLERS)} operations "
                "(see SiteWiseBackend.served_operations())."
            )
        raise NotImplementedByEmulator(f"{operation} is not an operation of iotsitewise.")

    def _throttle(self, operation: str) -> None:
        family = family_of(operation)
        rate = self._world.quotas.rate_of(family)
        if rate is None:
            return
        now = self.clock.now()
        bucket = self._buckets.get(family)
        if bucket is None or bucket.rate != rate:
            bucket = self._buckets[family] = TokenBucket(rate, now)
        if not bucket.take(now):
            raise Throttling(f"Rate exceeded for the {family} family ({rate:g} requests per second).")

    # ---- introspection and control -------------------------------------------------------------------
    def served_operations(self) -> frozenset[str]:
        return frozenset(_HANDLERS)

    def call_counts(self) -> dict[str, int]:
        """Calls per operation, refused ones included (also those the wire layer refused, see count_refused)."""
        with self._lock:
            return dict(self._counts)

    def count_refused(self, operation: str) -> None:
        """Count a call the wire layer refused before ``handle`` (validation, unserved operation)."""
        with self._lock:
            self._counts[operation] += 1

    def reset(self) -> None:
        """Empty state, call counts and tokens; settings (clock, latency, quotas, faults, consistency) stay."""
        with self._lock:
            self._world.clear()
            self._counts.clear()
            self._ledger.clear()
            self._buckets.clear()
            self._world.dice = FaultDice(self._faults)

    def snapshot(self) -> dict[str, Any]:
        """The whole state (after settling what is due) as JSON-able data."""
        with self._lock:
            self._world.settle()
            return self._world.snapshot()
