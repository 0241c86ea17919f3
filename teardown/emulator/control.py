"""The control API: ``/_emulator/<path>`` over one backend, JSON in and out.

Settings, the clock and moving it are the whole emulator's. State is per world: ``snapshot``, ``calls`` and
``reset`` take ``?account=`` and ``?region=`` (either left out: the default world's), ``reset?all=true``
forgets every world, and ``worlds`` lists the worlds that exist.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import structlog

from teardown.emulator.clock import ManualClock, ScaledClock
from teardown.emulator.service.consistency import ConsistencySettings
from teardown.emulator.service.faults import FaultSettings
from teardown.emulator.service.latency import Duration, LatencyProfile, LogNormal, LongTail
from teardown.emulator.service.quotas import QuotaSettings

if TYPE_CHECKING:
    from teardown.emulator.backend import SiteWiseBackend
    from teardown.emulator.world_backend import WorldBackend

__all__ = ["CONTROL_PREFIX", "ControlApi", "ControlError"]

_log = structlog.get_logger(__name__)

CONTROL_PREFIX = "/_emulator/"
_ACCOUNT = re.compile(r"\d{12}")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")
_WORLD_PARAMETERS = frozenset({"account", "region"})


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ControlApi:
    """``/_emulator/<path>`` handlers over one backend; each takes the JSON body (and, for a world's state,
    the query's account and region) and returns JSON data."""

    def __init__(self, backend: SiteWiseBackend) -> None:
        self.backend = backend
        # Endpoints on one world's state: the only ones that take ?account= and ?region=. They go through the
        # backend's own methods, so a subclass that watches them (a benchmark's) sees every caller.
        self._world_routes: dict[tuple[str, str], Callable[[WorldBackend], Any]] = {
            ("GET", "snapshot"): lambda world: backend.snapshot(account=world.account_id, region=world.region),
            ("GET", "calls"): lambda world: backend.call_counts(account=world.account_id, region=world.region),
        }
        self._routes: dict[tuple[str, str], Callable[[dict[str, Any]], Any]] = {
            ("GET", "settings"): lambda _: self.settings(),
            ("POST", "settings"): self._update_settings,
            ("POST", "clock/advance"): self._advance,
            ("GET", "worlds"): lambda _: self.worlds(),
        }

    def handle(
        self, method: str, path: str, body: bytes, query: Mapping[str, str] | None = None
    ) -> tuple[int, Any]:
        key = (method.upper(), path.strip("/"))
        query = query or {}
        try:
            if key == ("POST", "reset"):
                return 200, self._reset(query)
            world_route = self._world_routes.get(key)
            if world_route is not None:
                return 200, world_route(self._world(query))
            handler = self._routes.get(key)
            if handler is None:
                return 404, {"message": f"no control endpoint {method} {CONTROL_PREFIX}{path}",
                             "endpoints": self._endpoints()}
            if query:
                raise ControlError(400, f"{CONTROL_PREFIX}{key[1]} is the whole emulator's: it takes no "
                                   f"query parameters (got {sorted(query)})")
            document = json.loads(body) if body.strip() else {}
            if not isinstance(document, dict):
                raise ControlError(400, "the body must be a JSON object")
            return 200, handler(document)
        except json.JSONDecodeError as exc:
            return 400, {"message": f"malformed JSON: {exc}"}
        except ControlError as exc:
            return exc.status, {"message": exc.message}
        except (TypeError, ValueError) as exc:
            return 400, {"message": str(exc)}

    def _endpoints(self) -> list[str]:
        known = [*self._routes, *self._world_routes, ("POST", "reset")]
        return sorted(f"{m} {CONTROL_PREFIX}{p}" for m, p in known)

    def _world(self, query: Mapping[str, str]) -> WorldBackend:
        """The world ``?account=`` and ``?region=`` name (each defaults to the emulator's default world's)."""
        unknown = set(query) - _WORLD_PARAMETERS
        if unknown:
            raise ControlError(400, f"unknown query parameters {sorted(unknown)} (a world is ?account=&region=)")
        account, region = query.get("account"), query.get("region")
        if account is not None and not _ACCOUNT.fullmatch(account):
            raise ControlError(400, f"account {account!r} is not a 12-digit AWS account id")
        if region is not None and not _REGION.fullmatch(region):
            raise ControlError(400, f"region {region!r} is not an AWS region name (like eu-west-1)")
        return self.backend.world(account, region)

    def worlds(self) -> dict[str, Any]:
        default = {"account": self.backend.account_id, "region": self.backend.region}
        return {
            "default": default,
            "worlds": [{"account": account, "region": region} for account, region in self.backend.worlds()],
        }

    def settings(self) -> dict[str, Any]:
        clock = self.backend.clock
        return {
            "clock": "manual" if isinstance(clock, ManualClock) else type(clock).__name__,
            "now": clock.now(),
            "time_scale": clock.scale if isinstance(clock, ScaledClock) else None,
            "latency": _plain(self.backend.latency),
            "latency_profile": _profile_name(self.backend.latency),
            "quotas": _plain(self.backend.quotas),
            "faults": _plain(self.backend.faults),
            "consistency": _plain(self.backend.consistency),
        }

    def _reset(self, query: Mapping[str, str]) -> dict[str, Any]:
        if "all" in query:
            if set(query) != {"all"} or query["all"] != "true":
                raise ControlError(400, "reset?all=true forgets every world; it takes no account or region")
            self.backend.reset_all()
            return {"reset": True}
        world = self._world(query)
        self.backend.reset(account=world.account_id, region=world.region)
        return {"reset": True}

    def _advance(self, document: dict[str, Any]) -> dict[str, Any]:
        clock = self.backend.clock
        if not isinstance(clock, ManualClock):
            raise ControlError(409, "the emulator's clock is not a manual clock; nothing to advance")
        seconds = document.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise ControlError(400, "'seconds' must be a non-negative number")
        clock.advance(float(seconds))
        return {"now": clock.now()}

    def _update_settings(self, document: dict[str, Any]) -> dict[str, Any]:
        unknown = set(document) - {"latency", "time_scale", "quotas", "faults", "consistency"}
        if unknown:
            raise ControlError(400, f"unknown settings {sorted(unknown)}")
        # Build everything first, then apply: a bad field leaves every setting as it was.
        changes: dict[str, Any] = {}
        if "latency" in document:
            changes["latency"] = _latency(document["latency"])
        if "time_scale" in document:
            scale = document["time_scale"]
            if isinstance(scale, bool) or not isinstance(scale, int | float) or scale <= 0:
                raise ControlError(400, "'time_scale' must be a positive number")
            changes["clock"] = ScaledClock(float(scale))
        if "quotas" in document:
            changes["quotas"] = _quotas(document["quotas"])
        if "faults" in document:
            changes["faults"] = _faults(document["faults"])
        if "consistency" in document:
            changes["consistency"] = _consistency(document["consistency"])
        for name, value in changes.items():
            setattr(self.backend, name, value)
        _log.info("emulator.settings_changed", settings=sorted(changes))
        return self.settings()


def _latency(value: Any) -> LatencyProfile:
    if isinstance(value, str):
        return LatencyProfile.named(value)
    if isinstance(value, dict):
        unknown = set(value) - {f.name for f in dataclasses.fields(LatencyProfile)}
        if unknown:
            raise ControlError(400, f"unknown latency settings {sorted(unknown)}")
        fields: dict[str, Any] = {k: float(v) if k == "jitter" else _duration(k, v) for k, v in value.items()}
        return LatencyProfile(**fields)
    raise ControlError(
        400, "'latency' must be a profile name (instant, realistic, production) or an object of durations"
    )


def _duration(name: str, value: Any) -> Duration:
    """Seconds, {"median", "p99"[, "cap"]} (lognormal) or {"typical", "tail", "fraction"} (long tail)."""
    if isinstance(value, dict):
        if {"median", "p99"} <= set(value) <= {"median", "p99", "cap"}:
            return LogNormal(**{k: float(v) for k, v in value.items() if v is not None})
        if set(value) == {"typical", "tail", "fraction"}:
            return LongTail(**{k: float(v) for k, v in value.items()})
        raise ControlError(
            400, f"latency {name!r}: a distribution is {{median, p99[, cap]}} or {{typical, tail, fraction}}"
        )
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ControlError(400, f"latency {name!r} must be seconds or a distribution")
    return float(value)


def _quotas(value: Any) -> QuotaSettings:
    if isinstance(value, str):
        return QuotaSettings.named(value)
    if not isinstance(value, dict):
        raise ControlError(400, "'quotas' must be off, aws or an object of per-family rates")
    fields = {f.name for f in dataclasses.fields(QuotaSettings)}
    # "asset": 5 is shorthand for "asset_tps": 5; null switches a family's rate off.
    spelled = {k if k in fields else f"{k}_tps": v for k, v in value.items()}
    unknown = set(spelled) - fields
    if unknown:
        raise ControlError(400, f"unknown quota settings {sorted(unknown)}")
    return QuotaSettings(**spelled)


def _faults(value: Any) -> FaultSettings:
    if value is None:
        return FaultSettings()
    if not isinstance(value, dict):
        raise ControlError(400, "'faults' must be an object of FaultSettings fields or null")
    spelled = dict(value)
    unknown = set(spelled) - {f.name for f in dataclasses.fields(FaultSettings)}
    if unknown:
        raise ControlError(400, f"unknown fault settings {sorted(unknown)}")
    if "fail_delete_ids" in spelled:
        spelled["fail_delete_ids"] = frozenset(spelled["fail_delete_ids"])
    if spelled.get("operations") is not None:
        spelled["operations"] = frozenset(spelled["operations"])
    return FaultSettings(**spelled)


def _consistency(value: Any) -> ConsistencySettings:
    if value is None:
        return ConsistencySettings()
    if not isinstance(value, dict):
        raise ControlError(400, "'consistency' must be an object of seconds (list_lag, create_lag, delete_lag) or null")
    unknown = set(value) - {f.name for f in dataclasses.fields(ConsistencySettings)}
    if unknown:
        raise ControlError(400, f"unknown consistency settings {sorted(unknown)}")
    return ConsistencySettings(**value)


def _plain(settings: Any) -> Any:
    data = dataclasses.asdict(settings)
    return {k: sorted(v) if isinstance(v, frozenset) else v for k, v in data.items()}


def _profile_name(profile: LatencyProfile) -> str:
    for name in ("instant", "realistic", "production"):
        if profile == LatencyProfile.named(name):
            return name
    return "custom"


