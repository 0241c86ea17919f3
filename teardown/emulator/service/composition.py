"""How asset models are composed: custom composite models (components) and interface relationships."""

from __future__ import annotations

from typing import Any

from teardown.emulator.errors import InvalidRequest, ResourceAlreadyExists, ResourceNotFound
from teardown.emulator.service.guards import check_etag, require_mutable, status
from teardown.emulator.service.models import composite_summary, model_path, start_update, version_of, with_ids
from teardown.emulator.service.pagination import paginate
from teardown.emulator.service.resources import AssetModel, CompositeModel, InterfaceLink
from teardown.emulator.service.world import Answer, Handler, Params, World

# ---- composite models ---------------------------------------------------------------------------------


def create_composite_model(w: World, p: Params) -> Answer:
    model = w.model(p["assetModelId"])
    check_etag(model, p)
    composed_ref = p.get("composedAssetModelId")
    properties = with_ids(w, p.get("assetModelCompositeModelProperties"))
    composed_id: str | None = None
    if composed_ref is not None:
        component = w.model(composed_ref)
        if component.type != "COMPONENT_MODEL":
            raise InvalidRequest(f"Asset model {component.id} is a {component.type}, not a COMPONENT_MODEL.")
        if component.id == model.id:
            raise InvalidRequest(f"Asset model {model.id} cannot compose itself.")
        require_mutable(component)
        composed_id = component.id
        properties = properties or [dict(prop) for prop in component.properties]
    parent_id = p.get("parentAssetModelCompositeModelId")
    if parent_id is not None and parent_id not in model.composites:
        raise ResourceNotFound(f"Composite model {parent_id} not found in asset model {model.id}.")
    composite_id = p.get("assetModelCompositeModelId") or w.new_id()
    if composite_id in model.composites:
        raise ResourceAlreadyExists(
            f"Composite model {composite_id} already exists in asset model {model.id}.",
            resourceId=composite_id,
            resourceArn=model.arn,
        )
    require_mutable(model)
    model.composites[composite_id] = CompositeModel(
        composite_id,
        p["assetModelCompositeModelName"],
        p["assetModelCompositeModelType"],
        p.get("assetModelCompositeModelDescription"),
        p.get("assetModelCompositeModelExternalId"),
        composed_id,
        parent_id,
        properties,
        seq=w.next_seq(),
    )
    start_update(w, model)
    return {
        "assetModelId": model.id,
        "assetModelCompositeModelId": composite_id,
        "assetModelCompositeModelPath": model_path(model, composite_id, p["assetModelCompositeModelName"]),
        "assetModelStatus": status(model),
    }


def list_composite_models(w: World, p: Params) -> Answer:
    view = version_of(w.model(p["assetModelId"]), p)
    page, more = paginate("ListAssetModelCompositeModels", p, list(view.composites.values()), lambda c: (c.seq,))
    return {"assetModelCompositeModelSummaries": [composite_summary(view, c) for c in page], **more}


def delete_composite_model(w: World, p: Params) -> Answer:
    model = w.model(p["assetModelId"])
    composite_id = p["assetModelCompositeModelId"]
    composite = model.composites.get(composite_id)
    if composite is None or composite.deleting:
        raise ResourceNotFound(f"Composite model {composite_id} not found in asset model {model.id}.")
    check_etag(model, p)
    for other in model.composites.values():
        if other.parent_id == composite_id and not other.deleting:
            raise InvalidRequest(f"Composite model {composite_id} still has nested composite model {other.id}.")
    require_mutable(model)
    composite.deleting = True
    start_update(w, model)
    return {"assetModelId": model.id, "assetModelStatus": {"state": "DELETING"}}


def list_composition_relationships(w: World, p: Params) -> Answer:
    component = w.model(p["assetModelId"])
    uses = [(m, c) for m in w.models.values() for c in m.composites.values() if c.composed_model_id == component.id]
    page, more = paginate("ListCompositionRelationships", p, uses, lambda use: (use[0].seq, use[1].seq))
    rows = [
        {"assetModelId": m.id, "assetModelCompositeModelId": c.id, "assetModelCompositeModelType": c.type}
        for m, c in page
    ]
    return {"compositionRelationshipSummaries": rows, **more}


# ---- interface relationships ------------------------------------------------------------------------


def _mappings(model: AssetModel, interface: AssetModel, config: dict[str, Any]) -> InterfaceLink:
    by_name = {prop["name"]: prop["id"] for prop in model.properties}
    pairs: dict[str, str] = {}
    if config.get("matchByPropertyName"):
        for prop in interface.properties:
            if prop["name"] in by_name:
                pairs[prop["id"]] = by_name[prop["name"]]
    for override in config.get("overrides") or []:
        pairs[override["interfaceAssetModelPropertyId"]] = override["assetModelPropertyId"]
    hierarchies = {h.name: h.id for h in model.hierarchies}
    return InterfaceLink(
        interface.id,
        [{"assetModelPropertyId": mine, "interfaceAssetModelPropertyId": theirs} for theirs, mine in pairs.items()],
        [
            {"assetModelHierarchyId": hierarchies[h.name], "interfaceAssetModelHierarchyId": h.id}
            for h in interface.hierarchies
            if h.name in hierarchies
        ],
    )


def put_interface_relationship(w: World, p: Params) -> Answer:
    model = w.model(p["assetModelId"])
    interface = w.model(p["interfaceAssetModelId"])
    if interface.type != "INTERFACE":
        raise InvalidRequest(f"Asset model {interface.id} is a {interface.type}, not an INTERFACE.")
    if model.type != "ASSET_MODEL":
        raise InvalidRequest(f"Only an ASSET_MODEL implements interfaces; {model.id} is a {model.type}.")
    require_mutable(interface)
    require_mutable(model)
    config = p["propertyMappingConfiguration"]
    if config.get("createMissingProperty"):
        names = {prop["name"] for prop in model.properties}
        model.properties += [{**prop, "id": w.new_id()} for prop in interface.properties if prop["name"] not in names]
        config = {**config, "matchByPropertyName": True}
    model.interfaces[interface.id] = _mappings(model, interface, config)
    start_update(w, model)
    return {
        "assetModelId": model.id,
        "interfaceAssetModelId": interface.id,
        "assetModelArn": model.arn,
        "assetModelStatus": status(model),
    }


def _link(w: World, p: Params) -> tuple[AssetModel, InterfaceLink]:
    model = w.model(p["assetModelId"])
    interface_id = w.model(p["interfaceAssetModelId"]).id
    link = model.interfaces.get(interface_id)
    if link is None:
        raise ResourceNotFound(f"Asset model {model.id} does not implement interface {interface_id}.")
    return model, link


def describe_interface_relationship(w: World, p: Params) -> Answer:
    model, link = _link(w, p)
    return {
        "assetModelId": model.id,
        "interfaceAssetModelId": link.interface_id,
        "propertyMappings": list(link.property_mappings),
        "hierarchyMappings": list(link.hierarchy_mappings),
    }


def delete_interface_relationship(w: World, p: Params) -> Answer:
    model, link = _link(w, p)
    if link.deleting:
        raise ResourceNotFound(f"Asset model {model.id} does not implement interface {link.interface_id}.")
    require_mutable(model)
    link.deleting = True
    start_update(w, model)
    return {
        "assetModelId": model.id,
        "interfaceAssetModelId": link.interface_id,
        "assetModelArn": model.arn,
        "assetModelStatus": {"state": "DELETING"},
    }


def list_interface_relationships(w: World, p: Params) -> Answer:
    interface = w.model(p["interfaceAssetModelId"])
    implementers = [m for m in w.models.values() if interface.id in m.interfaces]
    page, more = paginate("ListInterfaceRelationships", p, implementers, lambda m: (m.seq,))
    return {"interfaceRelationshipSummaries": [{"id": m.id} for m in page], **more}


HANDLERS: dict[str, Handler] = {
    "CreateAssetModelCompositeModel": create_composite_model,
    "ListAssetModelCompositeModels": list_composite_models,
    "DeleteAssetModelCompositeModel": delete_composite_model,
    "ListCompositionRelationships": list_composition_relationships,
    "PutAssetModelInterfaceRelationship": put_interface_relationship,
    "DescribeAssetModelInterfaceRelationship": describe_interface_relationship,
    "DeleteAssetModelInterfaceRelationship": delete_interface_relationship,
    "ListInterfaceRelationships": list_interface_relationships,
}
