"""Asset models: create, describe, list, update, delete, and the helpers their parts share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from teardown.emulator.errors import InvalidRequest, ResourceAlreadyExists, ResourceNotFound
from teardown.emulator.service.formulas import formula_dependent, resolve_formulas
from teardown.emulator.service.guards import check_etag, require_mutable, status
from teardown.emulator.service.pagination import paginate
from teardown.emulator.service.resources import AssetModel, CompositeModel, HierarchyDef, ModelVersion
from teardown.emulator.service.world import Answer, Handler, Params, World

_KIND = "asset-model"


def with_ids(w: World, properties: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [{**prop, "id": prop.get("id") or w.new_id()} for prop in properties or []]


def _hierarchies(
    w: World,
    raw: list[dict[str, Any]] | None,
    own_id: str,
    own_external: str | None,
    current: Sequence[HierarchyDef] = (),
) -> list[HierarchyDef]:
    out: list[HierarchyDef] = []
    own_refs = {own_id, f"externalId:{own_external}"} if own_external else {own_id}
    # A hierarchy kept as it is may name a child model deleted since: naming a model does not keep it alive.
    kept = {(h.id, h.child_model_id) for h in current}
    for h in raw or []:
        ref = h["childAssetModelId"]
        if ref in own_refs:
            child_id = own_id  # a model may nest assets of its own kind (Area -> Area)
        elif (h.get("id"), ref) in kept:
            child_id = ref
        else:
            try:
                child_id = w.model(ref).id
            except ResourceNotFound as exc:
                raise InvalidRequest(
                    f"Hierarchy {h['name']} names child asset model {ref}, which does not exist."
                ) from exc
        out.append(HierarchyDef(h.get("id") or w.new_id(), h["name"], child_id, h.get("externalId")))
    return out


def _inline_composites(w: World, raw: list[dict[str, Any]] | None) -> dict[str, CompositeModel]:
    out: dict[str, CompositeModel] = {}
    for c in raw or []:
        cid = c.get("id") or w.new_id()
        out[cid] = CompositeModel(
            cid,
            c["name"],
            c["type"],
            c.get("description"),
            c.get("externalId"),
            properties=with_ids(w, c.get("properties")),
            seq=w.next_seq(),
        )
    return out


def _check_external(w: World, external_id: str | None, current: str | None = None) -> None:
    if external_id is not None and external_id != current and external_id in w.model_by_external:
        taken = w.model_by_external[external_id]
        raise ResourceAlreadyExists(
            f"External id {external_id} is already used by asset model {taken}.",
            resourceId=taken,
            resourceArn=w.arn(_KIND, taken),
        )


def _check_unique_name(w: World, name: str, except_id: str | None = None) -> None:
    for other in w.models.values():
        if other.name == name and other.id != except_id:
            raise ResourceAlreadyExists(
                f"Asset model name {name} is already used by asset model {other.id}.",
                resourceId=other.id,
                resourceArn=other.arn,
            )


def create_asset_model(w: World, p: Params) -> Answer:
    model_id = w.check_new_id(p.get("assetModelId"), w.models, _KIND, "Asset model")
    external_id = p.get("assetModelExternalId")
    _check_external(w, external_id)
    _check_unique_name(w, p["assetModelName"])
    hierarchies = _hierarchies(w, p.get("assetModelHierarchies"), model_id, external_id)
    properties = resolve_formulas(w, model_id, with_ids(w, p.get("assetModelProperties")), hierarchies)
    now = w.now()
    model = AssetModel(
        id=model_id,
        arn=w.arn(_KIND, model_id),
        state="CREATING",
        created=now,
        updated=now,
        name=p["assetModelName"],
        type=p.get("assetModelType", "ASSET_MODEL"),
        description=p.get("assetModelDescription"),
        external_id=external_id,
        properties=properties,
        hierarchies=hierarchies,
        composites=_inline_composites(w, p.get("assetModelCompositeModels")),
        seq=w.next_seq(),
    )
    w.models[model_id] = model
    w.assets_of_model[model_id] = {}
    if external_id is not None:
        w.model_by_external[external_id] = model_id
    if p.get("tags"):
        w.tags[model.arn] = dict(p["tags"])
    w.schedule("model", model, [("ACTIVE", w.duration("create"))])
    return {"assetModelId": model_id, "assetModelArn": model.arn, "assetModelStatus": status(model)}


def model_path(model: AssetModel | ModelVersion, leaf_id: str, leaf_name: str) -> list[dict[str, str]]:
    return [{"id": model.id, "name": model.name}, {"id": leaf_id, "name": leaf_name}]


def composite_summary(model: AssetModel | ModelVersion, c: CompositeModel) -> dict[str, Any]:
    out: dict[str, Any] = {"id": c.id, "name": c.name, "type": c.type, "path": model_path(model, c.id, c.name)}
    if c.external_id is not None:
        out["externalId"] = c.external_id
    if c.description is not None:
        out["description"] = c.description
    return out


def _hierarchy_out(h: HierarchyDef) -> dict[str, Any]:
    out = {"id": h.id, "name": h.name, "childAssetModelId": h.child_model_id}
    if h.external_id is not None:
        out["externalId"] = h.external_id
    return out


def version_of(model: AssetModel, p: Params) -> ModelVersion:
    """The version ``assetModelVersion`` names (LATEST by default); a model not yet ACTIVE has no ACTIVE
    version: ResourceNotFound."""
    if p.get("assetModelVersion", "LATEST") == "LATEST":
        return model.latest()
    if model.active is None:
        raise ResourceNotFound(f"Asset model {model.id} has no ACTIVE version yet ({model.state}).")
    return model.active


def version_status(model: AssetModel, view: ModelVersion) -> dict[str, Any]:
    """The state a version reports: the model's own for its LATEST version; the ACTIVE version of a model
    whose newer version is still UPDATING or PROPAGATING is ACTIVE (DELETING and FAILED are the model's)."""
    if view.version == model.version or model.state in ("DELETING", "FAILED"):
        return status(model)
    return {"state": "ACTIVE"}


def describe_asset_model(w: World, p: Params) -> Answer:
    model = w.model(p["assetModelId"])
    view = version_of(model, p)
    exclude = bool(p.get("excludeProperties"))
    out: dict[str, Any] = {
        "assetModelId": model.id,
        "assetModelArn": model.arn,
        "assetModelName": view.name,
        "assetModelType": model.type,
        "assetModelDescription": view.description,
        "assetModelProperties": []
        if exclude
        else [{**prop, "path": model_path(view, prop["id"], prop["name"])} for prop in view.properties],
        "assetModelHierarchies": [_hierarchy_out(h) for h in view.hierarchies],
        "assetModelCompositeModels": [
            {
                "id": c.id,
                "name": c.name,
                "type": c.type,
                "properties": [] if exclude else list(c.properties),
                **({"externalId": c.external_id} if c.external_id else {}),
                **({"description": c.description} if c.description else {}),
            }
            for c in view.composites.values()
        ],
        "assetModelCompositeModelSummaries": [composite_summary(view, c) for c in view.composites.values()],
        "assetModelCreationDate": model.created,
        "assetModelLastUpdateDate": model.updated,
        "assetModelStatus": version_status(model, view),
        "assetModelVersion": str(view.version),
        "interfaceDetails": [{"id": iid} for iid in view.interfaces],
        "eTag": model.etag_of(view.version),
        "assetModelExternalId": view.external_id,
    }
    return out


def _model_summary(model: AssetModel, view: ModelVersion) -> dict[str, Any]:
    return {
        "id": model.id,
        "arn": model.arn,
        "name": view.name,
        "assetModelType": model.type,
        "description": view.description,
        "creationDate": model.created,
        "lastUpdateDate": model.updated,
        "status": version_status(model, view),
        "version": str(view.version),
        "externalId": view.external_id,
    }


def list_asset_models(w: World, p: Params) -> Answer:
    """Summaries of the version ``assetModelVersion`` names; with ACTIVE, models not yet ACTIVE are left out."""
    types = set(p.get("assetModelTypes") or ("ASSET_MODEL", "COMPONENT_MODEL", "INTERFACE"))
    models = [m for m in w.models.values() if m.type in types]
    if p.get("assetModelVersion") == "ACTIVE":
        models = [m for m in models if m.active is not None]
    page, more = paginate("ListAssetModels", p, models, lambda m: (m.seq,))
    return {"assetModelSummaries": [_model_summary(m, version_of(m, p)) for m in page], **more}


def update_asset_model(w: World, p: Params) -> Answer:
    model = w.model(p["assetModelId"])
    check_etag(model, p)
    external_id = p.get("assetModelExternalId")
    _check_external(w, external_id, model.external_id)
    _check_unique_name(w, p["assetModelName"], except_id=model.id)
    hierarchies = _hierarchies(w, p.get("assetModelHierarchies"), model.id, model.external_id, model.hierarchies)
    properties = resolve_formulas(w, model.id, with_ids(w, p.get("assetModelProperties")), hierarchies)
    kept = {h.id for h in hierarchies}
    for asset_id in w.assets_of_model.get(model.id, {}):
        asset = w.assets[asset_id]
        for child_id, hierarchy_id in asset.children.items():
            if hierarchy_id not in kept:
                raise InvalidRequest(
                    f"Cannot remove hierarchy {hierarchy_id}: asset {asset_id} still has child {child_id} in it."
                )
    require_mutable(model)
    model.name = p["assetModelName"]
    model.description = p.get("assetModelDescription", model.description)
    if external_id is not None:
        w.model_by_external.pop(model.external_id or "", None)
        w.model_by_external[external_id] = model.id
        model.external_id = external_id
    model.properties = properties
    model.hierarchies = hierarchies
    if "assetModelCompositeModels" in p:
        model.composites = {
            **{k: c for k, c in model.composites.items() if c.composed_model_id},
            **_inline_composites(w, p["assetModelCompositeModels"]),
        }
    start_update(w, model)
    return {"assetModelId": model.id, "assetModelStatus": status(model)}


def start_update(w: World, model: AssetModel) -> None:
    """A new LATEST version (a new ETag): UPDATING, then PROPAGATING to the model's assets, then ACTIVE, when
    it becomes the ACTIVE version. Every definition change passes through PROPAGATING, assets or none
    (the strict reading: a client must wait it out either way)."""
    model.version += 1
    model.state = "UPDATING"
    model.updated = w.now()
    w.schedule("model", model, [("PROPAGATING", w.duration("update")), ("ACTIVE", w.duration("propagate"))])


def delete_asset_model(w: World, p: Params) -> Answer:
    model = w.model(p["assetModelId"])
    check_etag(model, p)
    asset_id = next(iter(w.assets_of_model.get(model.id, {})), None)
    if asset_id is not None:
        raise InvalidRequest(
            f"Asset model {model.id} still has asset {asset_id} ({w.assets[asset_id].state}); delete it first."
        )
    dependent = formula_dependent(w, model)
    if dependent is not None:
        parent, prop, hierarchy = dependent
        raise InvalidRequest(
            f"Asset model {model.id} has a formula dependency: property {prop['name']} ({prop['id']}) of parent "
            f"asset model {parent.id} reads it through hierarchy {hierarchy.id}; remove that formula or delete "
            f"asset model {parent.id} first."
        )
    for other in w.models.values():
        if other.id == model.id:
            continue
        for c in other.composites.values():
            if c.composed_model_id == model.id:
                raise InvalidRequest(f"Asset model {model.id} is used as component {c.id} by asset model {other.id}.")
        if model.id in other.interfaces:
            raise InvalidRequest(f"Interface {model.id} is still implemented by asset model {other.id}.")
    require_mutable(model, deleting=True)
    w.begin_delete("model", model, "DeleteAssetModel", "delete_model")
    return {"assetModelId": model.id, "assetModelStatus": {"state": "DELETING"}}


HANDLERS: dict[str, Handler] = {
    "CreateAssetModel": create_asset_model,
    "DescribeAssetModel": describe_asset_model,
    "ListAssetModels": list_asset_models,
    "UpdateAssetModel": update_asset_model,
    "DeleteAssetModel": delete_asset_model,
}
