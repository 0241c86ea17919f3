"""Time series (data streams): association with asset properties, describe, list, delete."""

from __future__ import annotations

from typing import Any

from teardown.emulator.errors import InvalidRequest, ResourceNotFound
from teardown.emulator.service.guards import require_mutable
from teardown.emulator.service.pagination import paginate
from teardown.emulator.service.resources import Asset, TimeSeries
from teardown.emulator.service.world import Answer, Handler, Params, World


def property_of(w: World, asset: Asset, property_id: str) -> dict[str, Any]:
    model = w.models[asset.model_id]
    candidates = list(model.properties) + [prop for c in model.composites.values() for prop in c.properties]
    for prop in candidates:
        if property_id == prop["id"] or (prop.get("externalId") and property_id == f"externalId:{prop['externalId']}"):
            return prop
    raise ResourceNotFound(f"Property {property_id} not found on asset {asset.id}.")


def new_series(w: World, alias: str | None, data_type: str, data_type_spec: str | None = None) -> TimeSeries:
    """A new series, registered (and indexed by its alias, if any), bound to nothing yet."""
    now = w.now()
    series_id = w.new_id()
    series = TimeSeries(series_id, w.arn("time-series", series_id), now, now, data_type, alias, seq=w.next_seq())
    series.data_type_spec = data_type_spec
    w.time_series[series_id] = series
    if alias is not None:
        w.series_by_alias[alias] = series_id
    return series


def _series_out(s: TimeSeries) -> dict[str, Any]:
    out: dict[str, Any] = {
        "timeSeriesId": s.id,
        "dataType": s.data_type,
        "timeSeriesCreationDate": s.created,
        "timeSeriesLastUpdateDate": s.updated,
        "timeSeriesArn": s.arn,
    }
    for key, value in (
        ("alias", s.alias),
        ("assetId", s.asset_id),
        ("propertyId", s.property_id),
        ("dataTypeSpec", s.data_type_spec),
    ):
        if value is not None:
            out[key] = value
    return out


def associate_time_series(w: World, p: Params) -> Answer:
    """Binds the series named by ``alias`` to the property; creates the series if none has that alias yet
    (as for a disassociated series BatchPutAssetPropertyValue made by writing to an unknown alias)."""
    asset = w.asset(p["assetId"])
    prop = property_of(w, asset, p["propertyId"])
    alias = p["alias"]
    bound_id = w.series_by_property.get((asset.id, prop["id"]))
    aliased_id = w.series_by_alias.get(alias)
    if bound_id is not None and bound_id != aliased_id:
        raise InvalidRequest(f"Property {prop['id']} of asset {asset.id} already has time series {bound_id}.")
    if aliased_id is not None and bound_id is None and w.time_series[aliased_id].asset_id is not None:
        raise InvalidRequest(f"Time series {aliased_id} with alias {alias} is associated with another property.")
    require_mutable(asset)
    if bound_id is not None:
        return {}  # already bound to exactly this alias: nothing to do
    now = w.now()
    if aliased_id is None:
        series = new_series(w, alias, prop["dataType"], prop.get("dataTypeSpec"))
    else:
        series = w.time_series[aliased_id]
        series.updated = now
    w.bind_series(series, asset.id, prop["id"])
    return {}


def disassociate_time_series(w: World, p: Params) -> Answer:
    asset = w.asset(p["assetId"])
    prop = property_of(w, asset, p["propertyId"])
    series_id = w.series_by_alias.get(p["alias"])
    if series_id is None or w.series_by_property.get((asset.id, prop["id"])) != series_id:
        raise InvalidRequest(
            f"No time series with alias {p['alias']} is associated with property {prop['id']} of asset {asset.id}."
        )
    require_mutable(asset)
    series = w.time_series[series_id]
    w.unbind_series(series)
    series.updated = w.now()
    return {}


def _find(w: World, p: Params) -> TimeSeries:
    alias, asset_ref, property_ref = p.get("alias"), p.get("assetId"), p.get("propertyId")
    if (asset_ref is None) != (property_ref is None):
        raise InvalidRequest("Identify a time series by alias, or by assetId and propertyId together.")
    by_property: str | None = None
    if asset_ref is not None and property_ref is not None:
        asset = w.asset(asset_ref)
        by_property = w.series_by_property.get((asset.id, property_of(w, asset, property_ref)["id"]))
        if by_property is None:
            raise ResourceNotFound(f"No time series is associated with property {property_ref} of asset {asset.id}.")
    if alias is None:
        if by_property is None:
            raise InvalidRequest("Identify a time series by alias, or by assetId and propertyId together.")
        return w.time_series[by_property]
    by_alias = w.series_by_alias.get(alias)
    if by_alias is None:
        raise ResourceNotFound(f"Time series with alias {alias} not found.")
    if by_property is not None and by_property != by_alias:
        raise InvalidRequest(f"Alias {alias} and the given asset property name different time series.")
    return w.time_series[by_alias]


def describe_time_series(w: World, p: Params) -> Answer:
    return _series_out(_find(w, p))


def list_time_series(w: World, p: Params) -> Answer:
    candidates = list(w.time_series.values())
    if p.get("assetId") is not None:
        asset_id = w.asset(p["assetId"]).id
        candidates = [s for s in candidates if s.asset_id == asset_id]
    if p.get("aliasPrefix") is not None:
        candidates = [s for s in candidates if s.alias is not None and s.alias.startswith(p["aliasPrefix"])]
    if p.get("timeSeriesType") == "ASSOCIATED":
        candidates = [s for s in candidates if s.asset_id is not None]
    elif p.get("timeSeriesType") == "DISASSOCIATED":
        candidates = [s for s in candidates if s.asset_id is None]
    page, more = paginate("ListTimeSeries", p, candidates, lambda s: (s.seq,))
    return {"TimeSeriesSummaries": [_series_out(s) for s in page], **more}


def delete_time_series(w: World, p: Params) -> Answer:
    """Only a series bound to no asset property is deleted [strict]: the API reference reads as if a bound one
    could be (the property stays, unbound), the user guide says to disassociate a series before deleting it.
    The strict reading: a bound series goes with its asset, or is disassociated first."""
    series = _find(w, p)
    if series.asset_id is not None:
        raise InvalidRequest(
            f"Time series {series.id} is associated with property {series.property_id} of asset {series.asset_id}; "
            "disassociate it first (DisassociateTimeSeriesFromAssetProperty)."
        )
    w.drop_series(series)
    return {}


HANDLERS: dict[str, Handler] = {
    "AssociateTimeSeriesToAssetProperty": associate_time_series,
    "DisassociateTimeSeriesFromAssetProperty": disassociate_time_series,
    "DescribeTimeSeries": describe_time_series,
    "ListTimeSeries": list_time_series,
    "DeleteTimeSeries": delete_time_series,
}
