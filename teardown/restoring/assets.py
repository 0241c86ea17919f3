"""Restoring assets, their hierarchy and their project links.

An asset is reused when it still exists: the one with its external id, else one of its model with its name
where it hung (under its reused or kept parent, or at the top level for a reused model). Otherwise it is
created under the id restore chose (see ``context``), waited ACTIVE, and given back its property aliases,
units and notification states (UpdateAssetProperty), its kept time series (AssociateTimeSeriesToAssetProperty,
by alias) and its attribute values (BatchPutAssetPropertyValue).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from teardown.archive.shapes import typed_value
from teardown.restoring.context import Restorer, StepFailed, StepResult
from teardown.restoring.steps import PROJECT_BATCH, Step

_VALUES_PER_CALL = 10  # BatchPutAssetPropertyValue takes at most 10 entries


def restore_asset(r: Restorer, step: Step) -> StepResult:
    archived = r.assets[step.ref]
    model_id = r.new(str(archived["assetModelId"]))
    resumed = step.id in r.resumed
    if not resumed:
        existing = _existing(r, archived, model_id)
        if existing is not None:
            return StepResult({step.ref: existing}, reused=True)
    new_id = r.fresh(step.ref)
    what = f"asset {archived['assetName']!r} ({new_id})"
    if not resumed or r.describe("DescribeAsset", assetId=new_id) is None:
        params: dict[str, Any] = {"assetName": archived["assetName"], "assetModelId": model_id, "assetId": new_id}
        for key, value in (("assetExternalId", archived.get("assetExternalId")),
                           ("assetDescription", archived.get("assetDescription")),
                           ("tags", {t["key"]: t["value"] for t in archived.get("tags", [])})):
            if value:
                params[key] = value
        r.mutate("CreateAsset", step.id, **params)
    r.wait_active("DescribeAsset", "assetStatus", what, assetId=new_id)
    kept = {(str(k["assetId"]), str(k["propertyId"])): str(k["alias"]) for k in r.archive.section("keptTimeSeries")}
    attributes: list[tuple[str, str]] = []
    for prop in archived.get("assetProperties", []):
        property_id = r.new(str(prop["id"]))
        kept_alias = kept.get((step.ref, str(prop["id"])))
        settings = {"propertyAlias": None if kept_alias else prop.get("alias"), "propertyUnit": prop.get("unit"),
                    "propertyNotificationState": prop.get("propertyNotificationState")}
        if any(settings.values()):
            r.mutate("UpdateAssetProperty", step.id, f"property/{prop['id']}", assetId=new_id,
                     propertyId=property_id, **{k: v for k, v in settings.items() if v})
            r.wait_active("DescribeAsset", "assetStatus", what, assetId=new_id)
        if "attributeValue" in prop:
            attributes.append((property_id, str(prop["attributeValue"])))
    for (asset_ref, property_ref), alias in sorted(kept.items()):
        if asset_ref == step.ref:
            _bind_kept_series(r, step, alias, new_id, r.new(property_ref))
    _write_attributes(r, step, new_id, model_id, attributes)
    return StepResult({step.ref: new_id})


def _existing(r: Restorer, archived: Mapping[str, Any], model_id: str) -> str | None:
    external = archived.get("assetExternalId")
    if external:
        found = r.describe("DescribeAsset", assetId=f"externalId:{external}")
        if found is not None:
            return str(found["assetId"])
    where = _where_it_hung(r, str(archived["assetId"]))
    if where is None:
        if str(archived["assetModelId"]) not in r.reused and model_id == r.fresh(str(archived["assetModelId"])):
            return None  # a model restore just created has no assets yet
        candidates = r.calls.pages("ListAssets", "assetSummaries", assetModelId=model_id, filter="TOP_LEVEL")
    else:
        parent, kept = where
        if not kept and parent not in r.reused:
            return None  # a parent restore just created has no children yet
        candidates = r.calls.pages("ListAssociatedAssets", "assetSummaries", assetId=r.new(parent),
                                   traversalDirection="CHILD")
    for summary in candidates:
        if summary["name"] == archived["assetName"] and summary["assetModelId"] == model_id:
            return str(summary["id"])
    return None


def _where_it_hung(r: Restorer, asset_id: str) -> tuple[str, bool] | None:
    """(parent id, whether the parent is kept), or None for a root."""
    for parent in r.archive.assets:
        if any(h["childAssetId"] == asset_id for h in parent.get("assetHierarchies", [])):
            return str(parent["assetId"]), False
    for link in r.archive.section("keptParents"):
        if link["assetId"] == asset_id:
            return str(link["parentAssetId"]), True
    return None


def _bind_kept_series(r: Restorer, step: Step, alias: str, asset_id: str, property_id: str) -> None:
    series = r.describe("DescribeTimeSeries", alias=alias)
    if series is None:
        raise StepFailed(f"kept time series {alias!r} no longer exists; its history cannot be bound back")
    if series.get("assetId") == asset_id and series.get("propertyId") == property_id:
        return  # bound by an earlier run
    r.mutate("AssociateTimeSeriesToAssetProperty", step.id, f"series/{alias}", alias=alias, assetId=asset_id,
             propertyId=property_id)


def _write_attributes(r: Restorer, step: Step, asset_id: str, model_id: str,
                      attributes: list[tuple[str, str]]) -> None:
    if not attributes:
        return
    data_types = _data_types(r, model_id)
    now = int(r.clock.now())
    entries = [{"entryId": f"a{i}", "assetId": asset_id, "propertyId": pid,
                "propertyValues": [{"value": typed_value(data_types.get(pid, "STRING"), text),
                                    "timestamp": {"timeInSeconds": now, "offsetInNanos": 0},
                                    "quality": "GOOD"}]}
               for i, (pid, text) in enumerate(attributes)]
    for start in range(0, len(entries), _VALUES_PER_CALL):
        chunk = entries[start:start + _VALUES_PER_CALL]
        answer = r.calls.mutate("BatchPutAssetPropertyValue", entries=chunk)
        errors = answer.get("errorEntries") or []
        if errors:
            first = errors[0]["errors"][0]
            raise StepFailed(f"attribute values of asset {asset_id} not written: {first.get('errorCode')}: "
                             f"{first.get('errorMessage')}")


def _data_types(r: Restorer, model_id: str) -> dict[str, str]:
    model = r.live_model(model_id)
    props = [*model.get("assetModelProperties", []),
             *(p for c in model.get("assetModelCompositeModels", []) for p in c.get("properties", []))]
    return {p["id"]: p["dataType"] for p in props}


def associate(r: Restorer, step: Step) -> StepResult:
    _, parent_old, child_old = step.id.split("/")
    hierarchy_old = _hierarchy_of(r, parent_old, child_old)
    parent, child, hierarchy = r.new(parent_old), r.new(child_old), r.new(hierarchy_old)
    if step.id in r.resumed or {parent_old, child_old} & r.reused:
        current = r.calls.read("ListAssociatedAssets", assetId=child, traversalDirection="PARENT")
        if any(a["id"] == parent for a in current.get("assetSummaries", [])):
            return StepResult({}, reused=True)
    if r.describe("DescribeAsset", assetId=parent) is None:
        raise StepFailed(f"parent asset {parent} no longer exists; {child} is left without its parent")
    r.mutate("AssociateAssets", step.id, assetId=parent, hierarchyId=hierarchy, childAssetId=child)
    r.wait_active("DescribeAsset", "assetStatus", f"parent asset {parent}", assetId=parent)
    return StepResult({})


def _hierarchy_of(r: Restorer, parent: str, child: str) -> str:
    if parent in r.assets:
        for h in r.assets[parent].get("assetHierarchies", []):
            if h["childAssetId"] == child:
                return str(h["id"])
    for link in r.archive.section("keptParents"):
        if link["assetId"] == child and link["parentAssetId"] == parent:
            return str(link["hierarchyId"])
    raise StepFailed(f"the archive names no hierarchy between {parent} and {child}")


def link_project(r: Restorer, step: Step) -> StepResult:
    link = next(x for x in r.archive.section("projectLinks") if x["projectId"] == step.ref)
    batch = int(step.id.rsplit("/", 1)[1])
    asset_ids = [r.new(str(a)) for a in list(link["assetIds"])[batch * PROJECT_BATCH:(batch + 1) * PROJECT_BATCH]]
    project = r.new(step.ref)
    present = set(r.calls.pages("ListProjectAssets", "assetIds", projectId=project))
    missing = [a for a in asset_ids if a not in present]
    if not missing:
        return StepResult({}, reused=True)
    answer = r.mutate("BatchAssociateProjectAssets", step.id, projectId=project, assetIds=missing)
    present = set(r.calls.pages("ListProjectAssets", "assetIds", projectId=project))
    still = [a for a in missing if a not in present]
    if still:
        reasons = "; ".join(f"{e.get('assetId')}: {e.get('code')}: {e.get('message')}"
                            for e in answer.get("errors", []))
        raise StepFailed(f"not in project {project}: {', '.join(still)}" + (f" ({reasons})" if reasons else ""))
    return StepResult({})
