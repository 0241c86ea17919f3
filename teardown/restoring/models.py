"""Restoring one asset model: reuse the one that still exists (same external id, else same name), or create it
with its properties, hierarchies and inline composite models, then add its custom composite models and its
interface links, waiting for ACTIVE after each change. Answers the ids it establishes: the model's, and its
properties', hierarchies' and composite models' (matched by name on the model as it is now)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from teardown.restoring.context import Restorer, StepResult
from teardown.restoring.steps import Step

_MODEL_TYPES = ["ASSET_MODEL", "COMPONENT_MODEL", "INTERFACE"]


def restore_model(r: Restorer, step: Step) -> StepResult:
    archived = r.models[step.ref]
    if step.id not in r.resumed:
        existing = _existing(r, archived)
        if existing is not None:
            return StepResult(_matched(archived, r.live_model(existing)), reused=True)
    new_id = r.fresh(step.ref)
    what = f"asset model {archived['assetModelName']!r} ({new_id})"
    if step.id not in r.resumed or r.describe("DescribeAssetModel", assetModelId=new_id) is None:
        r.mutate("CreateAssetModel", step.id, **_create_params(r, step.ref, archived, new_id))
    r.wait_active("DescribeAssetModel", "assetModelStatus", what, assetModelId=new_id)
    current = r.calls.read("DescribeAssetModel", assetModelId=new_id)
    have = {c["id"] for c in current.get("assetModelCompositeModels", [])}
    for c in archived.get("assetModelCompositeModels", []):
        if c.get("composedAssetModelId") is None or r.fresh(c["id"]) in have:
            continue
        params: dict[str, Any] = {
            "assetModelId": new_id, "assetModelCompositeModelId": r.fresh(c["id"]),
            "assetModelCompositeModelName": c["name"], "assetModelCompositeModelType": c["type"],
            "composedAssetModelId": r.new(c["composedAssetModelId"]),
        }
        _put(params, "assetModelCompositeModelDescription", c.get("description"))
        _put(params, "assetModelCompositeModelExternalId", c.get("externalId"))
        r.mutate("CreateAssetModelCompositeModel", step.id, f"composite/{c['id']}", **params)
        r.wait_active("DescribeAssetModel", "assetModelStatus", what, assetModelId=new_id)
    implemented = {i["id"] for i in current.get("interfaceDetails", [])}
    for link in r.archive.section("interfaceLinks"):
        interface = r.new(str(link["interfaceAssetModelId"]))
        if link["assetModelId"] != step.ref or interface in implemented:
            continue
        overrides = [{"assetModelPropertyId": r.fresh(m["assetModelPropertyId"]),
                      "interfaceAssetModelPropertyId": r.new(m["interfaceAssetModelPropertyId"])}
                     for m in link["propertyMappings"]]
        r.mutate("PutAssetModelInterfaceRelationship", step.id, f"interface/{link['interfaceAssetModelId']}",
                 assetModelId=new_id, interfaceAssetModelId=interface,
                 propertyMappingConfiguration={"matchByPropertyName": False, "overrides": overrides})
        r.wait_active("DescribeAssetModel", "assetModelStatus", what, assetModelId=new_id)
    return StepResult(_matched(archived, r.calls.read("DescribeAssetModel", assetModelId=new_id)))


def _existing(r: Restorer, archived: Mapping[str, Any]) -> str | None:
    """The live model this archived one is: the one with its external id, else the one with its name."""
    external = archived.get("assetModelExternalId")
    if external:
        found = r.describe("DescribeAssetModel", assetModelId=f"externalId:{external}")
        if found is not None:
            return str(found["assetModelId"])
    for summary in r.calls.pages("ListAssetModels", "assetModelSummaries", assetModelTypes=_MODEL_TYPES):
        if summary["name"] == archived["assetModelName"]:
            return str(summary["id"])
    return None


def _create_params(r: Restorer, old_id: str, archived: Mapping[str, Any], new_id: str) -> dict[str, Any]:
    own_properties = {p["id"] for p in _all_properties(archived)}
    own_hierarchies = {h["id"] for h in archived.get("assetModelHierarchies", [])}

    def ref(old: str, own: set[str]) -> str:
        return r.fresh(old) if old in own or old == old_id else r.new(old)

    # A variable through a hierarchy reads the child model's property: this model's own only when it nests itself.
    nesting_itself = {h["id"] for h in archived.get("assetModelHierarchies", []) if h["childAssetModelId"] == old_id}

    def variable(v: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(v)
        hierarchy = v.get("hierarchyId")
        own = own_properties if hierarchy is None or hierarchy in nesting_itself else set()
        out["propertyId"] = ref(v["propertyId"], own)
        if hierarchy is not None:
            out["hierarchyId"] = ref(hierarchy, own_hierarchies)
        return out

    def prop(p: Mapping[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in p.items() if k != "type"}
        out["id"] = r.fresh(p["id"])
        out["type"] = {kind: _translated(body, variable) for kind, body in p["type"].items()}
        return out

    params: dict[str, Any] = {
        "assetModelId": new_id,
        "assetModelName": archived["assetModelName"],
        "assetModelType": "INTERFACE" if old_id in r.interfaces else archived.get("assetModelType", "ASSET_MODEL"),
        "assetModelProperties": [prop(p) for p in archived.get("assetModelProperties", [])],
        "assetModelHierarchies": [
            {**{k: v for k, v in h.items() if k != "childAssetModelId"}, "id": r.fresh(h["id"]),
             "childAssetModelId": ref(h["childAssetModelId"], set())}
            for h in archived.get("assetModelHierarchies", [])
        ],
        "assetModelCompositeModels": [
            {**{k: v for k, v in c.items() if k != "properties"}, "id": r.fresh(c["id"]),
             "properties": [prop(p) for p in c.get("properties", [])]}
            for c in archived.get("assetModelCompositeModels", []) if c.get("composedAssetModelId") is None
        ],
    }
    _put(params, "assetModelExternalId", archived.get("assetModelExternalId"))
    _put(params, "assetModelDescription", archived.get("assetModelDescription"))
    _put(params, "tags", {t["key"]: t["value"] for t in archived.get("tags", [])})
    return params


def _translated(body: Mapping[str, Any], variable: Callable[[Mapping[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    out = dict(body)
    if "variables" in out:
        out["variables"] = [{"name": v["name"], "value": variable(v["value"])} for v in out["variables"]]
    return out


def _all_properties(model: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [*model.get("assetModelProperties", []),
            *(p for c in model.get("assetModelCompositeModels", []) for p in c.get("properties", []))]


def _matched(archived: Mapping[str, Any], live: Mapping[str, Any]) -> dict[str, str]:
    """Old id -> live id for the model and its parts, matched by name (a composite model's properties by the
    composite model's name and their own)."""
    ids = {str(archived["assetModelId"]): str(live["assetModelId"])}
    live_props = {("", p["name"]): p["id"] for p in live.get("assetModelProperties", [])}
    live_composites = {c["name"]: c for c in live.get("assetModelCompositeModels", [])}
    for c in live_composites.values():
        live_props.update({(c["name"], p["name"]): p["id"] for p in c.get("properties", [])})
    for p in archived.get("assetModelProperties", []):
        _match(ids, p["id"], live_props.get(("", p["name"])))
    for c in archived.get("assetModelCompositeModels", []):
        _match(ids, c["id"], (live_composites.get(c["name"]) or {}).get("id"))
        for p in c.get("properties", []):
            _match(ids, p["id"], live_props.get((c["name"], p["name"])))
    live_hierarchies = {h["name"]: h["id"] for h in live.get("assetModelHierarchies", [])}
    for h in archived.get("assetModelHierarchies", []):
        _match(ids, h["id"], live_hierarchies.get(h["name"]))
    return ids


def _match(ids: dict[str, str], old: str, new: str | None) -> None:
    if new is not None:
        ids[old] = str(new)


def _put(params: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, "", {}, []):
        params[key] = value
