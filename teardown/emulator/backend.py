"""The SiteWise backend: one world per (account, region), behind a single ``handle(operation, params)``.

The wire codec (or any caller) hands it an operation name, the boto3-shaped input and the caller's account
and region; it answers the output members or raises an error of ``teardown.emulator.errors``. Worlds are
created on first use, as moto's backends are; each has its own state, call counts, clientTokens and token
buckets (``WorldBackend``, which also runs the call pipeline). The clock, latency profile, quota rates,
faults and consistency are settings of the whole emulator. Without an account or region, every method
means the default world: the ``account_id`` and ``region`` the backend was built with.
"""

from __future__ import annotations

import functools
import threading
import zlib
from typing import Any

import botocore.session

from teardown.emulator.clock import Clock, ScaledClock
from teardown.emulator.service.access_policies import HANDLERS as ACCESS_POLICY_HANDLERS
from teardown.emulator.service.assets import HANDLERS as ASSET_HANDLERS
from teardown.emulator.service.composition import HANDLERS as COMPOSITION_HANDLERS
from teardown.emulator.service.consistency import ConsistencySettings
from teardown.emulator.service.faults import FaultDice, FaultSettings
from teardown.emulator.service.gateways import HANDLERS as GATEWAY_HANDLERS
from teardown.emulator.service.latency import LatencyProfile
from teardown.emulator.service.models import HANDLERS as MODEL_HANDLERS
from teardown.emulator.service.monitor import HANDLERS as MONITOR_HANDLERS
from teardown.emulator.service.properties import HANDLERS as PROPERTY_HANDLERS
from teardown.emulator.service.quotas import QuotaSettings
from teardown.emulator.service.tags import HANDLERS as TAG_HANDLERS
from teardown.emulator.service.timeseries import HANDLERS as SERIES_HANDLERS
from teardown.emulator.service.updates import HANDLERS as UPDATE_HANDLERS
from teardown.emulator.service.values import HANDLERS as VALUE_HANDLERS
from teardown.emulator.service.world import Handler, World
from teardown.emulator.world_backend import WorldBackend

__all__ = ["ClockLike", "SiteWiseBackend", "WorldKey"]

# The name this module has always exported for "any clock"; it is the emulator's Clock protocol.
ClockLike = Clock
# (account id, region): what names one world.
WorldKey = tuple[str, str]

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
    """The emulated service: a world per (account, region), created on first use; thread-safe (one lock).

    ``handle``, ``snapshot``, ``call_counts``, ``reset`` and ``count_refused`` take ``account=`` and
    ``region=``; either left out means the default world's (``account_id``, ``region``).
    ``world(account, region)`` is one world's own ``WorldBackend`` (the same methods, no arguments).
    """

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
        self._clock: Clock = clock if clock is not None else ScaledClock(1.0)
        self._latency = LatencyProfile.named(latency) if isinstance(latency, str) else latency
        self._quotas = QuotaSettings.named(quotas) if isinstance(quotas, str) else quotas
        self._faults = faults or FaultSettings()
        # One dice for every world: an error rule's count or a seeded roll spans the whole emulator.
        self._dice = FaultDice(self._faults)
        self._consistency = consistency or ConsistencySettings()
        self._default: WorldKey = (account_id, region)
        self._worlds: dict[WorldKey, WorldBackend] = {}
        self.world()

    # ---- worlds ---------------------------------------------------------------------------------------
    @property
    def account_id(self) -> str:
        """The default world's account: the one a request answers in when nothing names another."""
        return self._default[0]

    @property
    def region(self) -> str:
        """The default world's region: for a request that is not SigV4-signed."""
        return self._default[1]

    def world(self, account: str | None = None, region: str | None = None) -> WorldBackend:
        """The world of ``account`` in ``region`` (either None: the default's), created empty on first use."""
        key = (account or self.account_id, region or self.region)
        with self._lock:
            found = self._worlds.get(key)
            if found is None:
                found = self._worlds[key] = self._new_world(*key)
            return found

    def worlds(self) -> list[WorldKey]:
        """Every (account, region) that has a world so far, the default's included, sorted."""
        with self._lock:
            return sorted(self._worlds)

    def _new_world(self, account: str, region: str) -> WorldBackend:
        # The default world keeps seed 0 (the ids it has always generated); any other world draws its own,
        # stable per (account, region), so two worlds never hand out the same resource ids.
        is_default = (account, region) == self._default
        state = World(
            clock=self._clock,
            latency=self._latency,
            quotas=self._quotas,
            dice=self._dice,
            account_id=account,
            region=region,
            seed=0 if is_default else zlib.crc32(f"{account}/{region}".encode()),
            consistency=self._consistency,
        )
        return WorldBackend(state, lock=self._lock, handlers=_HANDLERS, service_operations=_service_operations)

    def _every_world(self, name: str, value: Any, *, refill_tokens: bool = False) -> None:
        for world in self._worlds.values():
            setattr(world.state, name, value)
            if refill_tokens:
                world.refill_tokens()

    # ---- settings of the whole emulator, changeable at runtime ---------------------------------------
    @property
    def clock(self) -> Clock:
        return self._clock

    @clock.setter
    def clock(self, value: Clock) -> None:
        with self._lock:
            self._clock = value
            self._every_world("clock", value, refill_tokens=True)

    @property
    def latency(self) -> LatencyProfile:
        return self._latency

    @latency.setter
    def latency(self, value: LatencyProfile | str) -> None:
        with self._lock:
            self._latency = LatencyProfile.named(value) if isinstance(value, str) else value
            self._every_world("latency", self._latency)

    @property
    def quotas(self) -> QuotaSettings:
        return self._quotas

    @quotas.setter
    def quotas(self, value: QuotaSettings | str) -> None:
        with self._lock:
            self._quotas = QuotaSettings.named(value) if isinstance(value, str) else value
            self._every_world("quotas", self._quotas, refill_tokens=True)

    @property
    def faults(self) -> FaultSettings:
        return self._faults

    @faults.setter
    def faults(self, value: FaultSettings | None) -> None:
        with self._lock:
            self._faults = value or FaultSettings()
            self._refill_dice()

    @property
    def consistency(self) -> ConsistencySettings:
        return self._consistency

    @consistency.setter
    def consistency(self, value: ConsistencySettings | None) -> None:
        with self._lock:
            self._consistency = value or ConsistencySettings()
            self._every_world("consistency", self._consistency)

    def _refill_dice(self) -> None:
        self._dice = FaultDice(self._faults)
        self._every_world("dice", self._dice)

    # ---- calls, introspection and control (the default world unless told otherwise) ------------------
    def handle(
        self, operation: str, params: dict[str, Any], *, account: str | None = None, region: str | None = None
    ) -> dict[str, Any]:
        return self.world(account, region).handle(operation, params)

    def served_operations(self) -> frozenset[str]:
        return frozenset(_HANDLERS)

    def call_counts(self, *, account: str | None = None, region: str | None = None) -> dict[str, int]:
        """Calls per operation in one world, refused ones included (also those the wire layer refused)."""
        return self.world(account, region).call_counts()

    def count_refused(self, operation: str, *, account: str | None = None, region: str | None = None) -> None:
        """Count a call the wire layer refused before ``handle`` (validation, unserved operation)."""
        self.world(account, region).count_refused(operation)

    def reset(self, *, account: str | None = None, region: str | None = None) -> None:
        """Empty one world's state, call counts and tokens, and refill the (emulator-wide) fault dice; the
        settings (clock, latency, quotas, faults, consistency) stay."""
        with self._lock:
            self.world(account, region).reset()
            self._refill_dice()

    def reset_all(self) -> None:
        """Forget every world but the default, empty that one, and refill the fault dice; settings stay."""
        with self._lock:
            default = self.world()
            default.reset()
            self._worlds = {self._default: default}
            self._refill_dice()

    def snapshot(self, *, account: str | None = None, region: str | None = None) -> dict[str, Any]:
        """One world's whole state (after settling what is due) as JSON-able data."""
        return self.world(account, region).snapshot()
