"""Describe answers turned into archive entries: bulk schema models and assets, and the extension's rows.

Pure: each function takes what one Describe answered and keeps exactly what the schemas allow, leaving out
what the service fills in itself (ARNs, dates, states, paths) and what the schema cannot hold (an empty
description).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# What each property type keeps (the bulk schema's PropertyType); variables keep their property and hierarchy.
_TYPE_KEYS: Mapping[str, tuple[str, ...]] = {
    "attribute": ("defaultValue",),
    "measurement": ("processingConfig",),
    "metric": ("expression", "variables", "window", "processingConfig"),
    "transform": ("expression", "variables", "processingConfig"),
}
_VARIABLE_KEYS = ("propertyId", "propertyExternalId", "hierarchyId", "hierarchyExternalId")


def some(out: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """Set ``key`` only when there is something to say (the schemas refuse empty strings)."""
    if value not in (None, "", [], {}):
        out[key] = value
    return out


def property_type(raw: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind, keys in _TYPE_KEYS.items():
        if kind not in raw:
            continue
        body = {k: raw[kind][k] for k in keys if raw[kind].get(k) not in (None, "")}
        if "variables" in body:
            body["variables"] = [
                {"name": v["name"], "value": {k: v["value"][k] for k in _VARIABLE_KEYS if v["value"].get(k)}}
                for v in body["variables"]
            ]
        out[kind] = body
    return out


def model_property(raw: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": raw["id"], "name": raw["name"], "dataType": raw["dataType"],
                           "type": property_type(raw.get("type") or {})}
    for key in ("externalId", "dataTypeSpec", "unit"):
        some(out, key, raw.get(key))
    return out


def asset_model(described: Mapping[str, Any], composed: Mapping[str, str], tags: Mapping[str, str]) -> dict[str, Any]:
    """A bulk ``assetModels`` entry. ``composed`` maps a composite model id to the component model it composes
    (DescribeAssetModelCompositeModel's compositionDetails)."""
    out: dict[str, Any] = {"assetModelId": described["assetModelId"], "assetModelName": described["assetModelName"]}
    some(out, "assetModelExternalId", described.get("assetModelExternalId"))
    some(out, "assetModelDescription", described.get("assetModelDescription"))
    out["assetModelType"] = described.get("assetModelType", "ASSET_MODEL")
    out["assetModelProperties"] = [model_property(p) for p in described.get("assetModelProperties", [])]
    out["assetModelHierarchies"] = [
        some({"id": h["id"], "name": h["name"], "childAssetModelId": h["childAssetModelId"]},
              "externalId", h.get("externalId"))
        for h in described.get("assetModelHierarchies", [])
    ]
    composites = []
    for c in described.get("assetModelCompositeModels", []):
        row: dict[str, Any] = {"id": c["id"], "name": c["name"], "type": c["type"]}
        some(row, "externalId", c.get("externalId"))
        some(row, "description", c.get("description"))
        some(row, "composedAssetModelId", composed.get(c["id"]))
        row["properties"] = [model_property(p) for p in c.get("properties", [])]
        composites.append(row)
    out["assetModelCompositeModels"] = composites
    return some(out, "tags", tag_list(tags))


def tag_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in sorted(tags.items())]


def attribute_text(value: Mapping[str, Any]) -> str | None:
    """A property value (GetAssetPropertyValue's ``value``) as the bulk schema's string attribute value."""
    for key in ("stringValue", "integerValue", "doubleValue", "booleanValue"):
        if key in value:
            raw = value[key]
            text = ("true" if raw else "false") if key == "booleanValue" else str(raw)
            return text or None
    return None


def typed_value(data_type: str, text: str) -> dict[str, Any]:
    """The reverse of ``attribute_text``: a BatchPutAssetPropertyValue ``value`` of the property's data type."""
    if data_type == "INTEGER":
        return {"integerValue": int(text)}
    if data_type == "DOUBLE":
        return {"doubleValue": float(text)}
    if data_type == "BOOLEAN":
        return {"booleanValue": text.lower() == "true"}
    return {"stringValue": text}


def asset_property(raw: Mapping[str, Any], model_unit: str | None, attribute: str | None) -> dict[str, Any] | None:
    """An ``assetProperties`` entry, or None when the asset says nothing its model does not (no alias, its
    model's unit, notifications off, no attribute value)."""
    out: dict[str, Any] = {"id": raw["id"]}
    some(out, "externalId", raw.get("externalId"))
    some(out, "alias", raw.get("alias"))
    if raw.get("unit") is not None and raw.get("unit") != model_unit:
        out["unit"] = raw["unit"]
    some(out, "attributeValue", attribute)
    if (raw.get("notification") or {}).get("state") == "ENABLED":
        out["propertyNotificationState"] = "ENABLED"
    return out if set(out) - {"id", "externalId"} else None


def asset(described: Mapping[str, Any], model: Mapping[str, Any], properties: list[dict[str, Any]],
          tags: Mapping[str, str]) -> dict[str, Any]:
    """A bulk ``assets`` entry, its hierarchies left empty (they come from the plan's links)."""
    out: dict[str, Any] = {"assetId": described["assetId"], "assetName": described["assetName"],
                           "assetModelId": described["assetModelId"]}
    some(out, "assetExternalId", described.get("assetExternalId"))
    some(out, "assetModelExternalId", model.get("assetModelExternalId"))
    some(out, "assetDescription", described.get("assetDescription"))
    out["assetProperties"] = properties
    out["assetHierarchies"] = []
    return some(out, "tags", tag_list(tags))


def picked(described: Mapping[str, Any], required: tuple[str, ...], optional: tuple[str, ...]) -> dict[str, Any]:
    """A Monitor resource's row: the keys its Create call takes back, from its Describe answer."""
    out = {key: described[key] for key in required}
    for key in optional:
        some(out, key, described.get(key))
    return out


PORTAL_KEYS = (("portalId", "portalName", "portalContactEmail", "roleArn"),
               ("portalDescription", "portalAuthMode", "portalType"))
PROJECT_KEYS = (("projectId", "portalId", "projectName"), ("projectDescription",))
DASHBOARD_KEYS = (("dashboardId", "projectId", "dashboardName", "dashboardDefinition"), ("dashboardDescription",))
POLICY_KEYS = (("accessPolicyId", "accessPolicyIdentity", "accessPolicyResource", "accessPolicyPermission"), ())
