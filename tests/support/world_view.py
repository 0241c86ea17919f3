"""What a round trip compares: a world as SiteWise answers it, every id replaced by the name of what it names, so
a world and its restored copy compare equal exactly when restore brought back what the teardown took.
``enrich`` gives the packaged windfarm what a seeded world lacks (external ids, descriptions, a unit of the
asset's own, notifications, attribute values written). No tests here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.support.worlds import Env

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

ALL_TYPES: Any = ["ASSET_MODEL", "COMPONENT_MODEL", "INTERFACE"]


def _tags(client: IoTSiteWiseClient, arn: str) -> dict[str, str]:
    return dict(client.list_tags_for_resource(resourceArn=arn).get("tags", {}))


def _models(client: IoTSiteWiseClient) -> tuple[dict[str, Any], dict[str, str]]:
    summaries = client.list_asset_models(assetModelTypes=ALL_TYPES, maxResults=250)["assetModelSummaries"]
    names = {m["id"]: m["name"] for m in summaries}
    out: dict[str, Any] = {}
    for m in summaries:
        d = client.describe_asset_model(assetModelId=m["id"])
        composites = []
        for c in d.get("assetModelCompositeModels", []):
            detail = client.describe_asset_model_composite_model(assetModelId=m["id"],
                                                                 assetModelCompositeModelId=c["id"])
            relation = detail.get("compositionDetails", {}).get("compositionRelationship", [])
            composites.append((c["name"], c["type"], names.get(relation[0]["id"]) if relation else None,
                               sorted(p["name"] for p in c.get("properties", []))))
        out[m["name"]] = {
            "type": d["assetModelType"], "externalId": d.get("assetModelExternalId"),
            "description": d.get("assetModelDescription"),
            "properties": sorted((p["name"], p["dataType"], p.get("unit"), sorted(p["type"]),
                                  p["type"].get("attribute", {}).get("defaultValue"))
                                 for p in d.get("assetModelProperties", [])),
            "hierarchies": sorted((h["name"], names[h["childAssetModelId"]]) for h in d["assetModelHierarchies"]),
            "composites": sorted(composites),
            "interfaces": sorted(names[i["id"]] for i in d.get("interfaceDetails", [])),
            "tags": _tags(client, d["assetModelArn"]),
        }
    return out, names


def _value(client: IoTSiteWiseClient, asset_id: str, property_id: str) -> Any:
    answer = client.get_asset_property_value(assetId=asset_id, propertyId=property_id)
    return answer.get("propertyValue", {}).get("value")


def world_view(client: IoTSiteWiseClient) -> dict[str, Any]:
    """Models, assets, hierarchy, properties, project links, Monitor resources and gateways, by name (a property never
    updated has no notification state to show: it is DISABLED, as the service defaults it)."""
    models, model_names = _models(client)
    described: dict[str, Any] = {}
    for model_id, model_name in model_names.items():
        if models[model_name]["type"] != "ASSET_MODEL":
            continue
        for a in client.list_assets(assetModelId=model_id, filter="ALL", maxResults=250)["assetSummaries"]:
            described[a["id"]] = client.describe_asset(assetId=a["id"])
    parents: dict[str, tuple[str, str]] = {}
    for asset_id, d in described.items():
        for h in d["assetHierarchies"]:
            children = client.list_associated_assets(assetId=asset_id, hierarchyId=h["id"],
                                                     traversalDirection="CHILD")["assetSummaries"]
            parents.update({c["id"]: (d["assetName"], h["name"]) for c in children})
    assets: dict[str, Any] = {}
    for asset_id, d in described.items():
        props: dict[str, tuple[Any, ...]] = {
            p["name"]: (p.get("alias"), p.get("unit"), p.get("notification", {}).get("state", "DISABLED"),
                        _value(client, asset_id, p["id"]))
            for p in d["assetProperties"]
        }
        for c in d.get("assetCompositeModels", []):
            props.update({f"{c['name']}/{p['name']}": (p.get("alias"), p.get("unit")) for p in c["properties"]})
        assets[d["assetName"]] = {
            "model": model_names[d["assetModelId"]], "externalId": d.get("assetExternalId"),
            "description": d.get("assetDescription"), "parent": parents.get(asset_id), "properties": props,
            "tags": _tags(client, d["assetArn"]),
        }
    asset_names = {asset_id: d["assetName"] for asset_id, d in described.items()}
    return {"models": models, "assets": assets, "monitor": _monitor(client, asset_names),
            "gateways": _gateways(client)}


def _gateways(client: IoTSiteWiseClient) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for g in client.list_gateways()["gatewaySummaries"]:
        configurations = {
            c["capabilityNamespace"]: client.describe_gateway_capability_configuration(
                gatewayId=g["gatewayId"], capabilityNamespace=c["capabilityNamespace"])["capabilityConfiguration"]
            for c in g.get("gatewayCapabilitySummaries", [])
        }
        out[g["gatewayName"]] = {"platform": g["gatewayPlatform"], "capabilities": configurations}
    return out


def _policies(client: IoTSiteWiseClient, kind: Any, rid: str) -> list[Any]:
    rows = client.list_access_policies(resourceType=kind, resourceId=rid)["accessPolicySummaries"]
    return sorted((str(sorted(p["identity"].items())), p["permission"]) for p in rows)


def _monitor(client: IoTSiteWiseClient, asset_names: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for portal in client.list_portals()["portalSummaries"]:
        d = client.describe_portal(portalId=portal["id"])
        projects = {}
        for project in client.list_projects(portalId=portal["id"])["projectSummaries"]:
            p = client.describe_project(projectId=project["id"])
            linked = client.list_project_assets(projectId=project["id"], maxResults=250)["assetIds"]
            dashboards = client.list_dashboards(projectId=project["id"])["dashboardSummaries"]
            projects[p["projectName"]] = {
                "description": p.get("projectDescription"),
                "assets": sorted(asset_names.get(a, a) for a in linked),
                "dashboards": sorted(x["name"] for x in dashboards),
                "policies": _policies(client, "PROJECT", project["id"]),
            }
        out[d["portalName"]] = {"contact": d["portalContactEmail"], "description": d.get("portalDescription"),
                                "projects": projects, "policies": _policies(client, "PORTAL", portal["id"])}
    return out


def enrich(env: Env) -> None:
    """External ids, descriptions, an asset's own unit, a notification, written attribute values, and a model and
    asset that carry external ids of their own: the details a round trip must bring back."""
    client = env.client
    for path, external in (("enterprise", "contoso"), ("enterprise/site-1", "site-1"),
                           ("enterprise/site-1/line-1/turbine-2", "s1-l1-t2")):
        d = client.describe_asset(assetId=env.asset(path))
        client.update_asset(assetId=d["assetId"], assetName=d["assetName"], assetExternalId=external,
                            assetDescription=f"{d['assetName']}, described")
        env.clock.advance(30)
    turbine = client.describe_asset(assetId=env.asset("enterprise/site-1/line-1/turbine-3"))
    by_name = {p["name"]: p["id"] for p in turbine["assetProperties"]}
    client.update_asset_property(assetId=turbine["assetId"], propertyId=by_name["wind-speed"], propertyUnit="knots",
                                 propertyNotificationState="ENABLED")
    env.clock.advance(30)
    client.batch_put_asset_property_value(entries=[{
        "entryId": "serial", "assetId": turbine["assetId"], "propertyId": by_name["serial-number"],
        "propertyValues": [{"value": {"stringValue": "SN-0003"}, "timestamp": {"timeInSeconds": int(env.clock.now())}}],
    }])
    meter = client.create_asset_model(
        assetModelName="Meter", assetModelExternalId="meter-model", assetModelDescription="A revenue meter",
        assetModelProperties=[{"name": "rating", "dataType": "INTEGER", "type": {"attribute": {"defaultValue": "5"}}},
                              {"name": "energy", "dataType": "DOUBLE", "unit": "kWh", "type": {"measurement": {}}}],
    )["assetModelId"]
    env.clock.advance(30)
    asset = client.create_asset(assetName="Meter 1", assetModelId=meter, assetExternalId="meter-1")["assetId"]
    env.clock.advance(30)
    rating = next(p["id"] for p in client.describe_asset(assetId=asset)["assetProperties"] if p["name"] == "rating")
    client.batch_put_asset_property_value(entries=[{
        "entryId": "rating", "assetId": asset, "propertyId": rating,
        "propertyValues": [{"value": {"integerValue": 7}, "timestamp": {"timeInSeconds": int(env.clock.now())}}],
    }])
    env.clock.advance(30)
