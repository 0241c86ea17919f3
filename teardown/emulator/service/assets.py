"""Assets: create, describe, list, update, delete, and the parent/child hierarchy between them."""

from __future__ import annotations

from typing import Any

from teardown.emulator.errors import InvalidRequest, LimitExceeded, ResourceAlreadyExists
from teardown.emulator.service.guards import require_mutable, status
from teardown.emulator.service.pagination import paginate
from teardown.emulator.service.resources import Asset, AssetModel, HierarchyDef
from teardown.emulator.service.world import EXTERNAL_PREFIX, Answer, Handler, Params, World

_KIND = "asset"


def hierarchy_of(w: World, model: AssetModel, ref: str) -> HierarchyDef:
    """A hierarchy of ``model`` by id or ``externalId:X``; InvalidRequest when the model has none such."""
    for h in model.hierarchies:
        if ref == h.id or (h.external_id is not None and ref == f"{EXTERNAL_PREFIX}{h.external_id}"):
            return h
    raise InvalidRequest(f"Hierarchy {ref} is not defined by asset model {model.id}.")


def _hierarchies_out(model: AssetModel) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for h in model.hierarchies:
        row = {"id": h.id, "name": h.name}
        if h.external_id is not None:
            row["externalId"] = h.external_id
        out.append(row)
    return out


def asset_summary(w: World, asset: Asset) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": asset.id,
        "arn": asset.arn,
        "name": asset.name,
        "assetModelId": asset.model_id,
        "creationDate": asset.created,
        "lastUpdateDate": asset.updated,
        "status": status(asset),
        "hierarchies": _hierarchies_out(w.models[asset.model_id]),
    }
    if asset.external_id is not None:
        out["externalId"] = asset.external_id
    if asset.description is not None:
        out["description"] = asset.description
    return out


def create_asset(w: World, p: Params) -> Answer:
    model = w.model(p["assetModelId"])
    if model.type != "ASSET_MODEL":
        raise InvalidRequest(f"Asset model {model.id} is a {model.type}; assets need an ASSET_MODEL.")
    asset_id = w.check_new_id(p.get("assetId"), w.assets, _KIND, "Asset")
    external_id = p.get("assetExternalId")
    if external_id is not None and external_id in w.asset_by_external:
        taken = w.asset_by_external[external_id]
        raise ResourceAlreadyExists(
            f"External id {external_id} is already used by asset {taken}.",
            resourceId=taken,
            resourceArn=w.arn(_KIND, taken),
        )
    if len(w.assets_of_model[model.id]) >= w.quotas.assets_per_model:
        raise LimitExceeded(f"Asset model {model.id} already has {w.quotas.assets_per_model} assets (quota).")
    require_mutable(model)
    now = w.now()
    asset = Asset(
        id=asset_id,
        arn=w.arn(_KIND, asset_id),
        state="CREATING",
        created=now,
        updated=now,
        name=p["assetName"],
        model_id=model.id,
        description=p.get("assetDescription"),
        external_id=external_id,
        seq=w.next_seq(),
    )
    w.assets[asset_id] = asset
    w.assets_of_model[model.id][asset_id] = None
    if external_id is not None:
        w.asset_by_external[external_id] = asset_id
    if p.get("tags"):
        w.tags[asset.arn] = dict(p["tags"])
    w.schedule("asset", asset, [("ACTIVE", w.duration("create"))])
    return {"assetId": asset_id, "assetArn": asset.arn, "assetStatus": status(asset)}


def notification_topic(asset: Asset, property_id: str) -> str:
    return f"$aws/sitewise/asset-models/{asset.model_id}/assets/{asset.id}/properties/{property_id}"


def property_out(w: World, asset: Asset, prop: dict[str, Any], path: list[dict[str, str]]) -> dict[str, Any]:
    """An asset property as DescribeAsset shows it: the model's definition, the asset's own unit and
    notification state (UpdateAssetProperty), and the alias of the series bound to it."""
    out: dict[str, Any] = {"id": prop["id"], "name": prop["name"], "dataType": prop["dataType"], "path": path}
    for key in ("externalId", "dataTypeSpec", "unit"):
        if prop.get(key) is not None:
            out[key] = prop[key]
    settings = w.property_settings.get(asset.id, {}).get(prop["id"], {})
    if "unit" in settings:
        out["unit"] = settings["unit"]
    if "notification" in settings:
        out["notification"] = {"topic": notification_topic(asset, prop["id"]), "state": settings["notification"]}
    series_id = w.series_by_property.get((asset.id, prop["id"]))
    alias = w.time_series[series_id].alias if series_id is not None else None
    if alias is not None:
        out["alias"] = alias
    return out


def describe_asset(w: World, p: Params) -> Answer:
    asset = w.asset(p["assetId"])
    model = w.models[asset.model_id]
    exclude = bool(p.get("excludeProperties"))
    root = {"id": asset.id, "name": asset.name}
    composites = []
    for c in model.composites.values():
        row: dict[str, Any] = {
            "id": c.id,
            "name": c.name,
            "type": c.type,
            "properties": []
            if exclude
            else [
                property_out(
                    w, asset, prop, [root, {"id": c.id, "name": c.name}, {"id": prop["id"], "name": prop["name"]}]
                )
                for prop in c.properties
            ],
        }
        if c.description is not None:
            row["description"] = c.description
        if c.external_id is not None:
            row["externalId"] = c.external_id
        composites.append(row)
    out: dict[str, Any] = {
        "assetId": asset.id,
        "assetArn": asset.arn,
        "assetName": asset.name,
        "assetModelId": asset.model_id,
        "assetProperties": []
        if exclude
        else [
            property_out(w, asset, prop, [root, {"id": prop["id"], "name": prop["name"]}]) for prop in model.properties
        ],
        "assetHierarchies": _hierarchies_out(model),
        "assetCompositeModels": composites,
        "assetCompositeModelSummaries": [
            {
                "id": c.id,
                "name": c.name,
                "type": c.type,
                "description": c.description,
                "path": [root, {"id": c.id, "name": c.name}],
                **({"externalId": c.external_id} if c.external_id else {}),
            }
            for c in model.composites.values()
        ],
        "assetCreationDate": asset.created,
        "assetLastUpdateDate": asset.updated,
        "assetStatus": status(asset),
    }
    if asset.external_id is not None:
        out["assetExternalId"] = asset.external_id
    if asset.description is not None:
        out["assetDescription"] = asset.description
    return out


def list_assets(w: World, p: Params) -> Answer:
    listing = p.get("filter", "ALL")
    model_ref = p.get("assetModelId")
    if listing == "ALL" and model_ref is None:
        raise InvalidRequest(
            "ListAssets with filter ALL needs an assetModelId; there is no call that lists every asset."
        )
    if model_ref is not None:
        candidates = [w.assets[a] for a in w.assets_of_model[w.model(model_ref).id]]
    else:
        candidates = list(w.assets.values())
    if listing == "TOP_LEVEL":
        candidates = [a for a in candidates if a.parent is None]
    page, more = paginate("ListAssets", p, candidates, lambda a: (a.seq,))
    return {"assetSummaries": [asset_summary(w, a) for a in page], **more}


def update_asset(w: World, p: Params) -> Answer:
    asset = w.asset(p["assetId"])
    external_id = p.get("assetExternalId")
    if external_id is not None and external_id != asset.external_id and external_id in w.asset_by_external:
        taken = w.asset_by_external[external_id]
        raise ResourceAlreadyExists(
            f"External id {external_id} is already used by asset {taken}.",
            resourceId=taken,
            resourceArn=w.arn(_KIND, taken),
        )
    require_mutable(asset)
    asset.name = p["assetName"]
    asset.description = p.get("assetDescription", asset.description)
    if external_id is not None:
        w.asset_by_external.pop(asset.external_id or "", None)
        w.asset_by_external[external_id] = asset.id
        asset.external_id = external_id
    asset.state = "UPDATING"
    asset.updated = w.now()
    w.schedule("asset", asset, [("ACTIVE", w.duration("update"))])
    return {"assetId": asset.id, "assetStatus": status(asset)}


def delete_asset(w: World, p: Params) -> Answer:
    asset = w.asset(p["assetId"])
    child_id = next(iter(asset.children), None)
    if child_id is not None:
        raise InvalidRequest(f"Asset {asset.id} still has child asset {child_id}; disassociate it first.")
    if asset.parent is not None:
        raise InvalidRequest(
            f"Asset {asset.id} is still associated to parent asset {asset.parent[0]} "
            f"(hierarchy {asset.parent[1]}); disassociate it first."
        )
    project_id = next(iter(asset.project_ids), None)
    if project_id is not None:
        raise InvalidRequest(f"Asset {asset.id} is still in project {project_id}; remove it from the project first.")
    require_mutable(asset, deleting=True)
    w.begin_delete("asset", asset, "DeleteAsset", "delete_asset")
    return {"assetId": asset.id, "assetStatus": {"state": "DELETING"}}


# ---- hierarchy ---------------------------------------------------------------------------------------


def _depth(w: World, asset: Asset) -> int:
    """Levels from the root down to ``asset`` (a root is level 1)."""
    levels = 1
    while asset.parent is not None:
        asset = w.assets[asset.parent[0]]
        levels += 1
    return levels


def _height(w: World, asset: Asset) -> int:
    """Levels of the subtree under ``asset``, itself included."""
    return 1 + max((_height(w, w.assets[c]) for c in asset.children), default=0)


def _ancestors(w: World, asset: Asset) -> list[str]:
    out = [asset.id]
    while asset.parent is not None:
        asset = w.assets[asset.parent[0]]
        out.append(asset.id)
    return out


def _touch_parent(w: World, parent: Asset) -> None:
    parent.state = "UPDATING"
    parent.updated = w.now()
    w.schedule("asset", parent, [("ACTIVE", w.duration("update"))])


def associate_assets(w: World, p: Params) -> Answer:
    parent = w.asset(p["assetId"])
    child = w.asset(p["childAssetId"])
    hierarchy = hierarchy_of(w, w.models[parent.model_id], p["hierarchyId"])
    if child.model_id != hierarchy.child_model_id:
        raise InvalidRequest(
            f"Asset {child.id} is of model {child.model_id}, but hierarchy {hierarchy.id} takes children of "
            f"model {hierarchy.child_model_id}."
        )
    if child.parent is not None:
        raise InvalidRequest(f"Asset {child.id} is already a child of asset {child.parent[0]}.")
    if child.id in _ancestors(w, parent):
        raise InvalidRequest(f"Associating asset {child.id} under asset {parent.id} would make a cycle.")
    if len(parent.children) >= w.quotas.children_per_parent:
        raise LimitExceeded(f"Asset {parent.id} already has {w.quotas.children_per_parent} children (quota).")
    if _depth(w, parent) + _height(w, child) > w.quotas.hierarchy_depth:
        raise LimitExceeded(
            f"Associating asset {child.id} under asset {parent.id} exceeds the hierarchy depth of "
            f"{w.quotas.hierarchy_depth} levels (quota)."
        )
    require_mutable(parent)
    require_mutable(child)
    child.parent = (parent.id, hierarchy.id)
    parent.children[child.id] = hierarchy.id
    _touch_parent(w, parent)
    return {}


def disassociate_assets(w: World, p: Params) -> Answer:
    parent = w.asset(p["assetId"])
    child = w.asset(p["childAssetId"])
    hierarchy = hierarchy_of(w, w.models[parent.model_id], p["hierarchyId"])
    if child.parent != (parent.id, hierarchy.id):
        raise InvalidRequest(
            f"Asset {child.id} is not a child of asset {parent.id} in hierarchy {hierarchy.id}; "
            "nothing to disassociate."
        )
    require_mutable(parent)
    require_mutable(child)
    child.parent = None
    del parent.children[child.id]
    _touch_parent(w, parent)
    return {}


def list_associated_assets(w: World, p: Params) -> Answer:
    asset = w.asset(p["assetId"])
    if p.get("traversalDirection", "CHILD") == "PARENT":
        related = [w.assets[asset.parent[0]]] if asset.parent is not None else []
    elif p.get("hierarchyId") is None:
        # Without a hierarchyId, every immediate child across the model's hierarchies (the current API).
        related = [w.assets[c] for c in asset.children]
    else:
        hierarchy = hierarchy_of(w, w.models[asset.model_id], p["hierarchyId"])
        related = [w.assets[c] for c, h in asset.children.items() if h == hierarchy.id]
    page, more = paginate("ListAssociatedAssets", p, related, lambda a: (a.seq,))
    return {"assetSummaries": [asset_summary(w, a) for a in page], **more}


def list_asset_relationships(w: World, p: Params) -> Answer:
    """PATH_TO_ROOT: one entry per asset on the path, the given asset first and the root last (as the API
    reference says); each names its parent, except the root's."""
    asset = w.asset(p["assetId"])
    rows: list[dict[str, Any]] = []
    for asset_id in _ancestors(w, asset):
        info = {"childAssetId": asset_id}
        parent = w.assets[asset_id].parent
        if parent is not None:
            info["parentAssetId"] = parent[0]
        rows.append({"hierarchyInfo": info, "relationshipType": "HIERARCHY"})
    # A path has no creation order: its position is the distance from the given asset.
    page, more = paginate("ListAssetRelationships", p, enumerate(rows), lambda row: (row[0],))
    return {"assetRelationshipSummaries": [row for _, row in page], **more}


HANDLERS: dict[str, Handler] = {
    "CreateAsset": create_asset,
    "DescribeAsset": describe_asset,
    "ListAssets": list_assets,
    "UpdateAsset": update_asset,
    "DeleteAsset": delete_asset,
    "AssociateAssets": associate_assets,
    "DisassociateAssets": disassociate_assets,
    "ListAssociatedAssets": list_associated_assets,
    "ListAssetRelationships": list_asset_relationships,
}
