"""Inventory records from SiteWise's answers: the one place that knows which response member is which."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from teardown.inventory.records import (
    AssetRecord,
    GatewayRecord,
    Hierarchy,
    ModelRecord,
    ModelType,
    ParentLink,
    SeriesRecord,
)


def epoch(value: datetime | float | None) -> float:
    """Epoch seconds of a date as botocore parsed it (a datetime, whole microseconds) or as the service sent
    it (a client with ``wire_timestamps``): rounded to the microsecond, both give the same float, so a plan's
    fingerprint compares equal whichever client read it."""
    if value is None:
        return 0.0
    return value.timestamp() if isinstance(value, datetime) else round(float(value), 6)


def asset_from_summary(summary: Any, parent: ParentLink | None = None) -> AssetRecord:
    return AssetRecord(
        id=summary["id"], name=summary["name"], arn=summary["arn"], model_id=summary["assetModelId"],
        status=summary["status"]["state"], last_update=epoch(summary.get("lastUpdateDate")),
        external_id=summary.get("externalId"),
        hierarchy_ids=tuple(h["id"] for h in summary.get("hierarchies", ()) if "id" in h),
        parent=parent,
    )


def asset_from_describe(out: Any) -> AssetRecord:
    return AssetRecord(
        id=out["assetId"], name=out["assetName"], arn=out["assetArn"], model_id=out["assetModelId"],
        status=out["assetStatus"]["state"], last_update=epoch(out.get("assetLastUpdateDate")),
        external_id=out.get("assetExternalId"),
        hierarchy_ids=tuple(h["id"] for h in out.get("assetHierarchies", ()) if "id" in h),
    )


def series_from_summary(summary: Any) -> SeriesRecord:
    return SeriesRecord(
        id=summary["timeSeriesId"], alias=summary.get("alias"), asset_id=summary.get("assetId"),
        property_id=summary.get("propertyId"), last_update=epoch(summary.get("timeSeriesLastUpdateDate")),
    )


def gateway_from_summary(summary: Any, arn: str) -> GatewayRecord:
    """A ListGateways summary (which carries no ARN: the caller builds it from account and region)."""
    return GatewayRecord(
        id=summary["gatewayId"], name=summary["gatewayName"], arn=arn, last_update=epoch(summary.get("lastUpdateDate")),
        capabilities=tuple(sorted(c["capabilityNamespace"] for c in summary.get("gatewayCapabilitySummaries", ()))),
    )


def property_names(out: Any) -> dict[str, str]:
    """Property id -> name, of a DescribeAsset answer (its own properties and its composite models')."""
    properties = [*out.get("assetProperties", ()),
                  *(p for c in out.get("assetCompositeModels", ()) for p in c.get("properties", ()))]
    return {p["id"]: p["name"] for p in properties}


def formula_hierarchies(properties: Iterable[Any]) -> set[str]:
    """The hierarchy ids that the model's metrics and transforms read child properties through."""
    found: set[str] = set()
    for prop in properties:
        kind = prop.get("type", {})
        for formula in (kind.get("metric"), kind.get("transform")):
            for variable in (formula or {}).get("variables", ()):
                hierarchy = variable.get("value", {}).get("hierarchyId")
                if hierarchy:
                    found.add(hierarchy)
    return found


def model_from_describe(out: Any) -> ModelRecord:
    """A DescribeAssetModel answer (with its properties, for the hierarchies formulas read through)."""
    through_formulas = formula_hierarchies(out.get("assetModelProperties", ()))
    return ModelRecord(
        id=out["assetModelId"], name=out["assetModelName"], arn=out["assetModelArn"],
        type=ModelType(out.get("assetModelType", "ASSET_MODEL")), status=out["assetModelStatus"]["state"],
        last_update=epoch(out.get("assetModelLastUpdateDate")), external_id=out.get("assetModelExternalId"),
        hierarchies=tuple(
            Hierarchy(id=h["id"], name=h["name"], child_model_id=h["childAssetModelId"],
                      formula=h["id"] in through_formulas)
            for h in out.get("assetModelHierarchies", ()) if "id" in h
        ),
        interface_ids=tuple(i["id"] for i in out.get("interfaceDetails", ())),
    )
