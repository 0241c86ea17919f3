"""Seeding time series, after the assets: aliased series associated to their property, values written where
asked, and the series that only writing creates (a property's series with no alias, an alias-only stream)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from teardown.emulator.seed.context import SeedContext, each
from teardown.emulator.seed.errors import SeedError
from teardown.emulator.seed.seeded import SeededWorld
from teardown.emulator.seed.spec_edge import TimeSeriesSpec


def bind_time_series(ctx: SeedContext, world: SeededWorld, pool: ThreadPoolExecutor) -> None:
    """Every series of the spec, and its id recorded under its key."""
    world.time_series.update(each(pool, lambda s: (s.key, _seed_series(ctx, s)), ctx.spec.time_series))


def _seed_series(ctx: SeedContext, series: TimeSeriesSpec) -> str:
    where: dict[str, str] = {"alias": series.alias} if series.alias is not None else {}
    data_type = series.data_type
    if series.asset is not None:
        model_key = ctx.asset_models[series.asset]
        prop = next(p for p in ctx.models[model_key].properties if p.name == series.property)
        data_type = prop.data_type
        bound = {
            "assetId": ctx.ids.asset(series.asset),
            "propertyId": ctx.property_ids.get(model_key, {}).get(prop.name)
            or ctx.ids.of("property", f"{model_key}/{prop.name}"),
        }
        if series.alias is None:
            where = bound
        else:
            ctx.caller.call(
                f"AssociateTimeSeriesToAssetProperty {series.key}",
                ctx.client.associate_time_series_to_asset_property,
                {**where, **bound, "clientToken": ctx.ids.token("AssociateTimeSeriesToAssetProperty", series.key)},
            )
    if series.points:
        _write(ctx, series, where, data_type)
    described = ctx.caller.call(f"DescribeTimeSeries {series.key}", ctx.client.describe_time_series, where)
    return str(described["timeSeriesId"])


def _write(ctx: SeedContext, series: TimeSeriesSpec, where: dict[str, str], data_type: str) -> None:
    """``points`` values, one a second up to now, in one entry (resending one replaces it, so a retry is safe)."""
    now = int(ctx.clock.now())
    values = [{"value": _value(data_type, i), "timestamp": {"timeInSeconds": now - series.points + i},
               "quality": "GOOD"} for i in range(1, series.points + 1)]
    key = {"propertyAlias": where["alias"]} if "alias" in where else where
    answer = ctx.caller.call(
        f"BatchPutAssetPropertyValue {series.key}",
        ctx.client.batch_put_asset_property_value,
        {"entries": [{"entryId": "1", **key, "propertyValues": values}]},
    )
    errors = answer.get("errorEntries", ())
    if errors:
        first = errors[0]["errors"][0]
        raise SeedError(f"time series {series.key}: values not written: {first['errorCode']}: {first['errorMessage']}")


def _value(data_type: str, i: int) -> dict[str, Any]:
    if data_type == "INTEGER":
        return {"integerValue": i}
    if data_type == "STRING":
        return {"stringValue": str(i)}
    if data_type == "BOOLEAN":
        return {"booleanValue": i % 2 == 0}
    return {"doubleValue": float(i)}
