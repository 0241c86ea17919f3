"""Properties of assets and asset models: listings, UpdateAssetProperty, composite model details, and the
account's storage configuration.

An asset's own settings of a property (unit, notification state) live in ``World.property_settings`` and go
with the asset; its alias is the alias of the time series bound to it (see ``timeseries``).
"""

from __future__ import annotations

from typing import Any

from teardown.emulator.errors import InvalidRequest, ResourceNotFound
from teardown.emulator.service.assets import property_out
from teardown.emulator.service.guards import require_mutable
from teardown.emulator.service.models import model_path, version_of
from teardown.emulator.service.pagination import paginate
from teardown.emulator.service.resources import Asset, AssetModel, CompositeModel, ModelVersion
from teardown.emulator.service.timeseries import new_series, property_of
from teardown.emulator.service.world import EXTERNAL_PREFIX, Answer, Handler, Params, World

# A property's position in a listing: (0, index) for the model's own, (composite seq, index) for a composite's.
_Row = tuple[tuple[int, int], CompositeModel | None, dict[str, Any]]


def _rows(composites: dict[str, CompositeModel], own: list[dict[str, Any]], listing: str) -> list[_Row]:
    rows: list[_Row] = [((0, i), None, prop) for i, prop in enumerate(own)]
    if listing == "ALL":
        for c in composites.values():
            rows += [((c.seq, i), c, prop) for i, prop in enumerate(c.properties)]
    return rows


def list_asset_properties(w: World, p: Params) -> Answer:
    """BASE (the default) lists the model's own properties; ALL adds those of its composite models."""
    asset = w.asset(p["assetId"])
    model = w.models[asset.model_id]
    rows = _rows(model.composites, model.properties, p.get("filter") or "BASE")
    page, more = paginate("ListAssetProperties", p, rows, lambda row: row[0])
    root = {"id": asset.id, "name": asset.name}
    out: list[dict[str, Any]] = []
    for _, composite, prop in page:
        path = [root] + ([{"id": composite.id, "name": composite.name}] if composite is not None else [])
        full = property_out(w, asset, prop, [*path, {"id": prop["id"], "name": prop["name"]}])
        summary: dict[str, Any] = {
            k: full[k] for k in ("id", "externalId", "alias", "unit", "notification", "path") if k in full
        }
        if composite is not None:
            summary["assetCompositeModelId"] = composite.id
        out.append(summary)
    return {"assetPropertySummaries": out, **more}


def _model_property_out(view: AssetModel | ModelVersion, prop: dict[str, Any], composite: CompositeModel | None) -> Any:
    out = {
        k: v for k, v in prop.items() if k in ("id", "externalId", "name", "dataType", "dataTypeSpec", "unit", "type")
    }
    if composite is None:
        out["path"] = model_path(view, prop["id"], prop["name"])
    else:
        out["assetModelCompositeModelId"] = composite.id
        out["path"] = [*model_path(view, composite.id, composite.name), {"id": prop["id"], "name": prop["name"]}]
    return out


def list_asset_model_properties(w: World, p: Params) -> Answer:
    model = w.model(p["assetModelId"])
    view = version_of(model, p)
    rows = _rows(view.composites, view.properties, p.get("filter") or "BASE")
    page, more = paginate("ListAssetModelProperties", p, rows, lambda row: row[0])
    return {"assetModelPropertySummaries": [_model_property_out(view, prop, c) for _, c, prop in page], **more}


def update_asset_property(w: World, p: Params) -> Answer:
    """Alias, notification state and unit of one asset property. An omitted alias removes the alias, an
    omitted notification state is DISABLED and an omitted unit is the model's again (as documented). An alias
    another series already has is refused (the operation declares no ResourceAlreadyExists)."""
    asset = w.asset(p["assetId"])
    prop = property_of(w, asset, p["propertyId"])
    alias = p.get("propertyAlias") or None
    bound_id = w.series_by_property.get((asset.id, prop["id"]))
    taken = w.series_by_alias.get(alias) if alias is not None else None
    if taken is not None and taken != bound_id:
        raise InvalidRequest(
            f"Alias {alias} is already used by time series {taken}; an alias is unique in the account."
        )
    require_mutable(asset)
    bound = w.time_series[bound_id] if bound_id is not None else None
    if bound is not None and bound.alias != alias:
        if bound.alias is not None:
            w.series_by_alias.pop(bound.alias, None)
        bound.alias = alias
        bound.updated = w.now()
        if alias is not None:
            w.series_by_alias[alias] = bound.id
    elif bound is None and alias is not None:
        w.bind_series(new_series(w, alias, prop["dataType"], prop.get("dataTypeSpec")), asset.id, prop["id"])
    settings: dict[str, str] = {"notification": p.get("propertyNotificationState") or "DISABLED"}
    if p.get("propertyUnit") is not None:
        settings["unit"] = p["propertyUnit"]
    w.property_settings.setdefault(asset.id, {})[prop["id"]] = settings
    asset.state = "UPDATING"
    asset.updated = w.now()
    w.schedule("asset", asset, [("ACTIVE", w.duration("update"))])
    return {}


def _composite(composites: dict[str, CompositeModel], ref: str, owner: str) -> CompositeModel:
    for c in composites.values():
        if ref == c.id or (c.external_id is not None and ref == f"{EXTERNAL_PREFIX}{c.external_id}"):
            return c
    raise ResourceNotFound(f"Composite model {ref} not found in {owner}.")


def _children(composites: dict[str, CompositeModel], parent: CompositeModel, path: list[dict[str, str]]) -> Any:
    out = []
    for c in composites.values():
        if c.parent_id == parent.id:
            row: dict[str, Any] = {
                "id": c.id,
                "name": c.name,
                "type": c.type,
                "path": [*path, {"id": c.id, "name": c.name}],
            }
            if c.external_id is not None:
                row["externalId"] = c.external_id
            if c.description is not None:
                row["description"] = c.description
            out.append(row)
    return out


def describe_asset_composite_model(w: World, p: Params) -> Answer:
    asset: Asset = w.asset(p["assetId"])
    model = w.models[asset.model_id]
    c = _composite(model.composites, p["assetCompositeModelId"], f"asset {asset.id}")
    path = [{"id": asset.id, "name": asset.name}, {"id": c.id, "name": c.name}]
    out: dict[str, Any] = {
        "assetId": asset.id,
        "assetCompositeModelId": c.id,
        "assetCompositeModelPath": path,
        "assetCompositeModelName": c.name,
        "assetCompositeModelDescription": c.description,
        "assetCompositeModelType": c.type,
        "assetCompositeModelProperties": [
            property_out(w, asset, prop, [*path, {"id": prop["id"], "name": prop["name"]}]) for prop in c.properties
        ],
        "assetCompositeModelSummaries": _children(model.composites, c, path),
        "actionDefinitions": [],
    }
    if c.external_id is not None:
        out["assetCompositeModelExternalId"] = c.external_id
    return out


def describe_asset_model_composite_model(w: World, p: Params) -> Answer:
    model = w.model(p["assetModelId"])
    view = version_of(model, p)
    c = _composite(view.composites, p["assetModelCompositeModelId"], f"asset model {model.id}")
    path = model_path(view, c.id, c.name)
    out: dict[str, Any] = {
        "assetModelId": model.id,
        "assetModelCompositeModelId": c.id,
        "assetModelCompositeModelPath": path,
        "assetModelCompositeModelName": c.name,
        "assetModelCompositeModelDescription": c.description,
        "assetModelCompositeModelType": c.type,
        "assetModelCompositeModelProperties": [
            {**_model_property_out(view, prop, None), "path": [*path, {"id": prop["id"], "name": prop["name"]}]}
            for prop in c.properties
        ],
        "assetModelCompositeModelSummaries": _children(view.composites, c, path),
        "actionDefinitions": [],
    }
    if c.composed_model_id is not None:
        out["compositionDetails"] = {"compositionRelationship": [{"id": c.composed_model_id}]}
    if c.external_id is not None:
        out["assetModelCompositeModelExternalId"] = c.external_id
    return out


def describe_storage_configuration(w: World, p: Params) -> Answer:
    """The account's default: SiteWise storage, unlimited retention, disassociated streams stored."""
    return {
        "storageType": "SITEWISE_DEFAULT_STORAGE",
        "disassociatedDataStorage": "ENABLED",
        "retentionPeriod": {"unlimited": True},
        "configurationStatus": {"state": "ACTIVE"},
        "warmTier": "DISABLED",
        "disallowIngestNullNaN": False,
    }


HANDLERS: dict[str, Handler] = {
    "ListAssetProperties": list_asset_properties,
    "ListAssetModelProperties": list_asset_model_properties,
    "UpdateAssetProperty": update_asset_property,
    "DescribeAssetCompositeModel": describe_asset_composite_model,
    "DescribeAssetModelCompositeModel": describe_asset_model_composite_model,
    "DescribeStorageConfiguration": describe_storage_configuration,
}
