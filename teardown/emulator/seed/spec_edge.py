"""What sits beside a world's asset tree: gateways (with capability configurations) and time series, bound to
asset properties (with or without an alias) or alias-only streams; and the rules they obey."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from teardown.emulator.seed.errors import WorldFileError

# BatchPutAssetPropertyValue takes at most 10 values per entry: a series is seeded with one call.
MAX_POINTS = 10
# Properties a value can be written to (SiteWise computes metrics and transforms itself).
WRITABLE_KINDS = ("measurement", "attribute")


@dataclass(frozen=True)
class GatewaySpec:
    key: str
    name: str
    core_device: str  # Greengrass V2 core device thing name
    tags: Mapping[str, str] = field(default_factory=dict)
    # (capability namespace, configuration JSON text), set with UpdateGatewayCapabilityConfiguration.
    capabilities: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class TimeSeriesSpec:
    """One series: bound to ``asset``'s ``property`` (aliased or not), or alias-only (``asset`` None).

    A bound series with an alias is associated by alias; one without an alias, and an alias-only one, come
    into being when ``points`` values are first written (so they need at least one)."""

    key: str  # logical name of this one series
    alias: str | None
    asset: str | None = None  # asset path
    property: str | None = None  # property name on the asset's model
    data_type: str = "DOUBLE"  # alias-only series only: a bound one has its property's
    points: int = 0  # values written, one a second up to the seeding time


def validate_edge(
    gateways: tuple[GatewaySpec, ...],
    series: tuple[TimeSeriesSpec, ...],
    asset_models: Mapping[str, str],
    properties: Mapping[str, Mapping[str, str]],
    data_types: tuple[str, ...],
) -> None:
    """``asset_models``: asset path -> model key; ``properties``: model key -> property name -> kind."""
    _unique([g.key for g in gateways], "gateways")
    for gateway in gateways:
        _unique([ns for ns, _ in gateway.capabilities], f"gateways.{gateway.key}.capabilities")
    _unique([t.key for t in series], "time_series")
    _unique([t.alias for t in series if t.alias is not None], "time_series aliases")
    bound: Counter[tuple[str, str]] = Counter()
    for t in series:
        where = f"time_series.{t.key}"
        if not 0 <= t.points <= MAX_POINTS:
            raise WorldFileError(f"{where}.points: between 0 and {MAX_POINTS}, got {t.points}")
        if t.asset is None:
            if t.alias is None:
                raise WorldFileError(f"{where}: an alias-only series needs an alias")
            if t.data_type not in data_types:
                raise WorldFileError(f"{where}.data_type: {t.data_type!r} is not one of {', '.join(data_types)}")
        else:
            if t.asset not in asset_models:
                raise WorldFileError(f"{where}.asset: unknown asset {t.asset!r}")
            model = asset_models[t.asset]
            kind = properties[model].get(t.property or "")
            if kind is None:
                raise WorldFileError(f"{where}.property: model {model!r} has no property {t.property!r}")
            bound[(t.asset, t.property or "")] += 1
            if t.points and kind not in WRITABLE_KINDS:
                raise WorldFileError(f"{where}.points: property {t.property!r} is a {kind}; SiteWise computes it")
        if t.points == 0 and (t.alias is None or t.asset is None):
            raise WorldFileError(f"{where}.points: a series without an alias, or without an asset, is created by "
                                 "writing values to it: give points = 1 or more")
    twice = sorted(k for k, n in bound.items() if n > 1)
    if twice:
        raise WorldFileError(f"time_series: property {twice[0][1]!r} of asset {twice[0][0]!r} holds one series only")


def _unique(keys: list[str], what: str) -> None:
    dupes = sorted(k for k, n in Counter(keys).items() if n > 1)
    if dupes:
        raise WorldFileError(f"{what}.{dupes[0]}: defined more than once")
