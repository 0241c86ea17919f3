"""Property values (the data plane): data points stored per time series, written and read by asset property
or by alias.

A value written to an asset property with no series yet creates the property's series (bound, no alias); a
value written to an alias no series has creates a disassociated series with that alias, of the first value's
type (as the service does when disassociated data storage is on, its default). Points live in
``World.points`` under their series and go with it: deleting an asset deletes its bound series and their
data, while a series disassociated first keeps its history, readable by alias.

A point is keyed by (seconds, nanos, quality): a newer point with the same timestamp and quality replaces
the older one, one with another quality is kept beside it (as documented for BatchPutAssetPropertyValue).
An attribute with a default value and no written value reads its default as its latest value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from teardown.emulator.errors import InvalidRequest, ResourceNotFound
from teardown.emulator.service.pagination import paginate
from teardown.emulator.service.resources import TimeSeries
from teardown.emulator.service.timeseries import new_series, property_of
from teardown.emulator.service.world import Answer, Handler, Params, World

VARIANTS = {"doubleValue": "DOUBLE", "integerValue": "INTEGER", "stringValue": "STRING", "booleanValue": "BOOLEAN"}
_RANK = {"GOOD": 0, "BAD": 1, "UNCERTAIN": 2}
PAST_WINDOW = 7 * 86400.0  # accepted timestamps: no more than 7 days in the past...
FUTURE_WINDOW = 600.0  # ...and no more than 10 minutes in the future [doc]
HISTORY_PAGE = 20000  # the documented maximum of maxResults, used when none is given
PointKey = tuple[int, int, int]


@dataclass
class _WriteTarget:
    """Where an entry's values go: an existing series, or the series to create on the first accepted value."""

    series: TimeSeries | None
    data_type: str | None  # None: a new alias series takes the type of its first value
    alias: str | None = None
    asset_id: str | None = None
    property_id: str | None = None
    data_type_spec: str | None = None


def _epoch(value: Any) -> float:
    return value.timestamp() if isinstance(value, datetime) else float(value)


def _seconds(ts: dict[str, Any]) -> float:
    return int(ts["timeInSeconds"]) + int(ts.get("offsetInNanos") or 0) / 1e9


def _key(point: dict[str, Any]) -> PointKey:
    ts = point["timestamp"]
    return (int(ts["timeInSeconds"]), int(ts.get("offsetInNanos") or 0), _RANK[point.get("quality") or "GOOD"])


def _stored(point: dict[str, Any]) -> dict[str, Any]:
    ts = point["timestamp"]
    return {
        "value": dict(point["value"]),
        "timestamp": {"timeInSeconds": int(ts["timeInSeconds"]), "offsetInNanos": int(ts.get("offsetInNanos") or 0)},
        "quality": point.get("quality") or "GOOD",
    }


def _pair(p: Params) -> tuple[str | None, str | None, str | None]:
    alias, asset_ref, property_ref = p.get("propertyAlias"), p.get("assetId"), p.get("propertyId")
    if (asset_ref is None) != (property_ref is None):
        raise InvalidRequest("Identify an asset property by assetId and propertyId together, or by propertyAlias.")
    if asset_ref is None and alias is None:
        raise InvalidRequest("Identify an asset property by assetId and propertyId, or by propertyAlias.")
    return alias, asset_ref, property_ref


def _write_target(w: World, entry: Params) -> _WriteTarget:
    alias, asset_ref, property_ref = _pair(entry)
    if asset_ref is not None and property_ref is not None:
        asset = w.asset(asset_ref)
        prop = property_of(w, asset, property_ref)
        kind = next(iter(prop.get("type") or {"measurement": {}}))
        if kind in ("transform", "metric"):
            raise InvalidRequest(f"Property {prop['id']} of asset {asset.id} is a {kind}: SiteWise computes it.")
        bound = w.series_by_property.get((asset.id, prop["id"]))
        series = w.time_series[bound] if bound is not None else None
        if alias is not None and (series is None or series.alias != alias):
            raise InvalidRequest(f"Alias {alias} is not the alias of property {prop['id']} of asset {asset.id}.")
        return _WriteTarget(series, prop["dataType"], None, asset.id, prop["id"], prop.get("dataTypeSpec"))
    series_id = w.series_by_alias.get(alias or "")
    if series_id is not None:
        found = w.time_series[series_id]
        return _WriteTarget(found, found.data_type)
    return _WriteTarget(None, None, alias)


def _point_error(w: World, point: dict[str, Any], data_type: str | None) -> tuple[str, str] | None:
    """(error code, message) for a data point the service would refuse, or None."""
    variants = [k for k in (*VARIANTS, "nullValue") if point["value"].get(k) is not None]
    if len(variants) != 1:
        return (
            "InvalidRequestException",
            "A value has exactly one of doubleValue, integerValue, stringValue, booleanValue or nullValue.",
        )
    at, now = _seconds(point["timestamp"]), w.now()
    if not now - PAST_WINDOW <= at <= now + FUTURE_WINDOW:
        return (
            "TimestampOutOfRangeException",
            "Timestamps must be no more than 7 days in the past and 10 minutes in the future.",
        )
    kind = VARIANTS.get(variants[0])
    if kind is not None and data_type is not None and data_type in VARIANTS.values() and kind != data_type:
        return "InvalidRequestException", f"A {kind} value cannot be stored in a {data_type} property."
    value = point["value"].get("doubleValue")
    if isinstance(value, float) and not math.isfinite(value):
        return "InvalidRequestException", "NaN and Infinity are not accepted."
    return None


def _errors_out(found: dict[str, tuple[str, list[dict[str, Any]]]]) -> list[dict[str, Any]]:
    return [
        {"errorCode": code, "errorMessage": message, "timestamps": stamps} for code, (message, stamps) in found.items()
    ]


def batch_put_asset_property_value(w: World, p: Params) -> Answer:
    """Per-entry failures come back in ``errorEntries`` with 200. Without ``enablePartialEntryProcessing`` an
    invalid value fails its whole entry; with it, the entry's other values are stored."""
    partial = bool(p.get("enablePartialEntryProcessing"))
    error_entries: list[dict[str, Any]] = []
    for entry in p["entries"]:
        points = entry["propertyValues"]
        stamps = [dict(pt["timestamp"]) for pt in points]
        try:
            target = _write_target(w, entry)
        except (ResourceNotFound, InvalidRequest) as exc:
            error_entries.append(
                {"entryId": entry["entryId"], "errors": _errors_out({exc.code: (exc.message, stamps)})}
            )
            continue
        data_type = target.data_type
        found: dict[str, tuple[str, list[dict[str, Any]]]] = {}
        accepted: list[dict[str, Any]] = []
        for point in points:
            problem = _point_error(w, point, data_type)
            if problem is None:
                accepted.append(point)
                if data_type is None:
                    data_type = VARIANTS.get(next(k for k in point["value"] if point["value"][k] is not None))
                continue
            code, message = problem
            found.setdefault(code, (message, []))[1].append(dict(point["timestamp"]))
        if found:
            error_entries.append({"entryId": entry["entryId"], "errors": _errors_out(found)})
            if not partial:
                continue
        if accepted:
            _store(w, target, data_type or "DOUBLE", accepted)
    return {"errorEntries": error_entries}


def _store(w: World, target: _WriteTarget, data_type: str, accepted: list[dict[str, Any]]) -> None:
    series = target.series
    if series is None:
        series = new_series(w, target.alias, data_type, target.data_type_spec)
        if target.asset_id is not None and target.property_id is not None:
            w.bind_series(series, target.asset_id, target.property_id)
    stored = w.points.setdefault(series.id, {})
    for point in accepted:
        stored[_key(point)] = _stored(point)


# ---- reads ------------------------------------------------------------------------------------------------


def _read_source(w: World, p: Params) -> tuple[TimeSeries | None, dict[str, Any] | None]:
    """The series a read names (None: the property has no data yet) and, for an attribute, its default."""
    alias, asset_ref, property_ref = _pair(p)
    if asset_ref is not None and property_ref is not None:
        asset = w.asset(asset_ref)
        prop = property_of(w, asset, property_ref)
        bound = w.series_by_property.get((asset.id, prop["id"]))
        series = w.time_series[bound] if bound is not None else None
        if alias is not None and (series is None or series.alias != alias):
            raise InvalidRequest(f"Alias {alias} is not the alias of property {prop['id']} of asset {asset.id}.")
        default = (prop.get("type") or {}).get("attribute", {}).get("defaultValue")
        if default is None:
            return series, None
        return series, {
            "value": _typed(prop["dataType"], default),
            "timestamp": {"timeInSeconds": int(asset.created), "offsetInNanos": 0},
            "quality": "GOOD",
        }
    series_id = w.series_by_alias.get(alias or "")
    if series_id is None:
        raise ResourceNotFound(f"No time series has the alias {alias}.")
    return w.time_series[series_id], None


def _typed(data_type: str, text: str) -> dict[str, Any]:
    if data_type == "DOUBLE":
        return {"doubleValue": float(text)}
    if data_type == "INTEGER":
        return {"integerValue": int(text)}
    if data_type == "BOOLEAN":
        return {"booleanValue": text.lower() == "true"}
    return {"stringValue": text}


def _latest(w: World, p: Params) -> dict[str, Any] | None:
    series, default = _read_source(w, p)
    points = w.points.get(series.id, {}) if series is not None else {}
    if not points:
        return default
    return dict(points[max(points)])


def get_asset_property_value(w: World, p: Params) -> Answer:
    latest = _latest(w, p)
    return {"propertyValue": latest} if latest is not None else {}


def _history(w: World, query: Params) -> list[tuple[tuple[int, ...], dict[str, Any]]]:
    """(ordering key, point) pairs in the time range, of the qualities asked, in the ordering asked."""
    series, _ = _read_source(w, query)
    start = _epoch(query["startDate"]) if query.get("startDate") is not None else -math.inf
    end = _epoch(query["endDate"]) if query.get("endDate") is not None else math.inf
    if start > end:
        raise InvalidRequest("startDate is after endDate.")
    qualities = set(query.get("qualities") or _RANK)
    sign = -1 if query.get("timeOrdering") == "DESCENDING" else 1
    points = w.points.get(series.id, {}) if series is not None else {}
    return sorted(
        (tuple(sign * part for part in key), point)
        for key, point in points.items()
        if start <= _seconds(point["timestamp"]) <= end and point["quality"] in qualities
    )


def get_asset_property_value_history(w: World, p: Params) -> Answer:
    rows = _history(w, p)
    sized = {**p, "maxResults": p.get("maxResults") or HISTORY_PAGE}
    page, more = paginate("GetAssetPropertyValueHistory", sized, rows, lambda row: row[0])
    return {"assetPropertyValueHistory": [dict(point) for _, point in page], **more}


def _unique_entries(p: Params) -> list[Params]:
    entries: list[Params] = p["entries"]
    ids = [e["entryId"] for e in entries]
    if len(set(ids)) != len(ids):
        raise InvalidRequest("Entry ids must be unique within a batch.")
    return entries


def batch_get_asset_property_value(w: World, p: Params) -> Answer:
    """One page answers every entry, so there are never skipped entries, and no nextToken to come back with."""
    entries = _unique_entries(p)
    if p.get("nextToken") is not None:
        raise InvalidRequest(f"The nextToken {p['nextToken']!r} is not valid.")
    success: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for entry in entries:
        try:
            latest = _latest(w, entry)
        except (ResourceNotFound, InvalidRequest) as exc:
            errors.append({"errorCode": exc.code, "errorMessage": exc.message, "entryId": entry["entryId"]})
            continue
        row: dict[str, Any] = {"entryId": entry["entryId"]}
        if latest is not None:
            row["assetPropertyValue"] = latest
        success.append(row)
    return {"successEntries": success, "errorEntries": errors, "skippedEntries": []}


def batch_get_asset_property_value_history(w: World, p: Params) -> Answer:
    """maxResults counts data points across entries. An entry is answered on the page that holds its points
    (entries in error and entries without points on the first page); on later pages an entry already
    completed is listed in ``skippedEntries`` with its completion status."""
    entries = _unique_entries(p)
    first_page = p.get("nextToken") is None
    failed: dict[int, tuple[str, str]] = {}
    rows: list[tuple[tuple[int, ...], dict[str, Any]]] = []
    last_key: dict[int, tuple[int, ...]] = {}
    for i, entry in enumerate(entries):
        try:
            history = _history(w, entry)
        except (ResourceNotFound, InvalidRequest) as exc:
            failed[i] = (exc.code, exc.message)
            continue
        for key, point in history:
            rows.append(((i, *key), point))
        if history:
            last_key[i] = (i, *history[-1][0])
    sized = {**p, "maxResults": p.get("maxResults") or HISTORY_PAGE}
    page, more = paginate("BatchGetAssetPropertyValueHistory", sized, rows, lambda row: row[0])
    start = page[0][0] if page else None
    in_page: dict[int, list[dict[str, Any]]] = {}
    for key, point in page:
        in_page.setdefault(key[0], []).append(dict(point))
    success: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    for i, entry in enumerate(entries):
        entry_id = entry["entryId"]
        if i in failed:
            code, message = failed[i]
            if first_page:
                errors.append({"errorCode": code, "errorMessage": message, "entryId": entry_id})
            else:
                info = {"errorCode": code, "errorTimestamp": w.now()}
                skipped.append({"entryId": entry_id, "completionStatus": "ERROR", "errorInfo": info})
        elif i in in_page or (first_page and i not in last_key):
            success.append({"entryId": entry_id, "assetPropertyValueHistory": in_page.get(i, [])})
        elif not first_page and (i not in last_key or start is None or last_key[i] < start):
            skipped.append({"entryId": entry_id, "completionStatus": "SUCCESS"})
    return {"successEntries": success, "errorEntries": errors, "skippedEntries": skipped, **more}


HANDLERS: dict[str, Handler] = {
    "BatchPutAssetPropertyValue": batch_put_asset_property_value,
    "GetAssetPropertyValue": get_asset_property_value,
    "GetAssetPropertyValueHistory": get_asset_property_value_history,
    "BatchGetAssetPropertyValue": batch_get_asset_property_value,
    "BatchGetAssetPropertyValueHistory": batch_get_asset_property_value_history,
}
