"""Service quotas: request rates per operation family (token buckets) and the resource quotas.

Rates are measured on the backend's clock, so a ScaledClock speeds quotas up together with latencies,
and a ManualClock lets a test exhaust a bucket in one instant and refill it with ``advance``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import botocore.session

FAMILIES = ("asset", "model", "monitor", "time_series", "gateway", "data", "other")


@dataclass(frozen=True)
class QuotaSettings:
    """Per-family transactions per second (None = unlimited) and the resource quotas that shape worlds.

    Resource quotas are always enforced (they are rules of the service, not load limits); only the
    rates are switched off by ``QuotaSettings.off()``.
    """

    asset_tps: float | None = None
    model_tps: float | None = None
    monitor_tps: float | None = None
    time_series_tps: float | None = None
    children_per_parent: int = 100
    hierarchy_depth: int = 10
    assets_per_model: int = 10_000
    root_assets_per_project: int = 1

    @classmethod
    def off(cls) -> QuotaSettings:
        return cls()

    @classmethod
    def aws(cls) -> QuotaSettings:
        return cls(asset_tps=30.0, model_tps=10.0, monitor_tps=10.0, time_series_tps=30.0)

    @classmethod
    def named(cls, name: str) -> QuotaSettings:
        presets = {"off": cls.off, "aws": cls.aws}
        if name not in presets:
            raise ValueError(f"unknown quota preset {name!r}; expected one of {sorted(presets)}")
        return presets[name]()

    def rate_of(self, family: str) -> float | None:
        rates = {
            "asset": self.asset_tps,
            "model": self.model_tps,
            "monitor": self.monitor_tps,
            "time_series": self.time_series_tps,
        }
        return rates.get(family)


@functools.cache
def _host_prefixes() -> dict[str, str]:
    model = botocore.session.get_session().get_service_model("iotsitewise")
    prefixes: dict[str, str] = {}
    for name in model.operation_names:
        endpoint = model.operation_model(name).endpoint
        prefixes[name] = str(endpoint.get("hostPrefix", "")) if isinstance(endpoint, dict) else ""
    return prefixes


def family_of(operation: str) -> str:
    """The quota family of a service-model operation.

    Portals, projects, dashboards, access policies and project assets (the ``monitor.`` host prefix) are
    "monitor"; time series operations "time_series"; asset model, composite and interface operations
    "model"; the other asset operations "asset"; then "gateway", "data" (the ``data.`` prefix) and "other".
    """
    prefix = _host_prefixes().get(operation)
    if prefix is None:
        raise ValueError(f"{operation!r} is not an iotsitewise operation")
    if prefix.startswith("monitor"):
        return "monitor"
    if prefix.startswith("data"):
        return "data"
    if "TimeSeries" in operation:
        return "time_series"
    if "AssetModel" in operation or "Interface" in operation or "Composition" in operation:
        return "model"
    if "Asset" in operation:
        return "asset"
    if "Gateway" in operation:
        return "gateway"
    return "other"


class TokenBucket:
    """``rate`` tokens per second of clock time, holding at most one second's worth (the burst)."""

    def __init__(self, rate: float, now: float) -> None:
        self.rate = rate
        self.capacity = max(rate, 1.0)
        self.tokens = self.capacity
        self.stamp = now

    def take(self, now: float) -> bool:
        elapsed = max(now - self.stamp, 0.0)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        self.stamp = now
        # Epoch-sized floats lose ~1e-7 s per subtraction: do not refuse a token that is due.
        if self.tokens >= 1.0 - 1e-6:
            self.tokens = max(self.tokens - 1.0, 0.0)
            return True
        return False
