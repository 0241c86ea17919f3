"""Optional members a resource does not have are absent from every answer, never ``''``: a world whose
resources have no descriptions, read through every Describe and List operation the emulator serves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from teardown.emulator.backend import SiteWiseBackend

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

ROLE = "arn:aws:iam::123456789012:role/portal"
TEMP: Any = {"name": "temp", "dataType": "DOUBLE", "type": {"measurement": {}}}


def _empty_strings(value: Any, path: str = "") -> Iterator[str]:
    if value == "":
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != "ResponseMetadata":
                yield from _empty_strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _empty_strings(item, f"{path}[{i}]")


def _world(c: IoTSiteWiseClient) -> dict[str, str]:
    """One of each resource, none with a description."""
    interface = c.create_asset_model(assetModelName="i", assetModelType="INTERFACE")["assetModelId"]
    leaf = c.create_asset_model(assetModelName="leaf", assetModelProperties=[TEMP])["assetModelId"]
    component = c.create_asset_model(assetModelName="comp", assetModelType="COMPONENT_MODEL")["assetModelId"]
    root = c.create_asset_model(
        assetModelName="root", assetModelHierarchies=[{"name": "h", "childAssetModelId": leaf}]
    )["assetModelId"]
    composite = c.create_asset_model_composite_model(
        assetModelId=root,
        assetModelCompositeModelName="c",
        assetModelCompositeModelType="CUSTOM",
        composedAssetModelId=component,
    )["assetModelCompositeModelId"]
    c.put_asset_model_interface_relationship(
        assetModelId=root, interfaceAssetModelId=interface, propertyMappingConfiguration={"matchByPropertyName": True}
    )
    hierarchy = c.describe_asset_model(assetModelId=root)["assetModelHierarchies"][0]["id"]
    assert hierarchy is not None
    parent = c.create_asset(assetName="p", assetModelId=root)["assetId"]
    child = c.create_asset(assetName="k", assetModelId=leaf)["assetId"]
    c.associate_assets(assetId=parent, hierarchyId=hierarchy, childAssetId=child)
    prop = c.describe_asset_model(assetModelId=leaf)["assetModelProperties"][0]["id"]
    assert prop is not None
    c.associate_time_series_to_asset_property(alias="/t", assetId=child, propertyId=prop)
    portal = c.create_portal(portalName="p", portalContactEmail="o@example.com", roleArn=ROLE)["portalId"]
    project = c.create_project(portalId=portal, projectName="pr")["projectId"]
    c.batch_associate_project_assets(projectId=project, assetIds=[parent])
    dashboard = c.create_dashboard(projectId=project, dashboardName="d", dashboardDefinition="{}")["dashboardId"]
    policy = c.create_access_policy(
        accessPolicyIdentity={"user": {"id": "u"}},
        accessPolicyResource={"project": {"id": project}},
        accessPolicyPermission="VIEWER",
    )["accessPolicyId"]
    gateway = c.create_gateway(gatewayName="g", gatewayPlatform={"greengrassV2": {"coreDeviceThingName": "t"}})[
        "gatewayId"
    ]
    c.update_gateway_capability_configuration(
        gatewayId=gateway, capabilityNamespace="iotsitewise:opcuacollector:3", capabilityConfiguration="{}"
    )
    return {
        "composite": composite,
        "interface": interface,
        "leaf": leaf,
        "component": component,
        "root": root,
        "parent": parent,
        "child": child,
        "portal": portal,
        "project": project,
        "dashboard": dashboard,
        "policy": policy,
        "gateway": gateway,
    }


def test_no_answer_carries_an_empty_string(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """Every served Describe and List operation, on resources without descriptions: no member is ''."""
    w = _world(sitewise)
    reads: dict[str, dict[str, Any]] = {
        "DescribeAssetModel": {"assetModelId": w["root"]},
        "ListAssetModels": {},
        "ListAssetModelCompositeModels": {"assetModelId": w["root"]},
        "ListCompositionRelationships": {"assetModelId": w["component"]},
        "DescribeAssetModelInterfaceRelationship": {
            "assetModelId": w["root"],
            "interfaceAssetModelId": w["interface"],
        },
        "ListInterfaceRelationships": {"interfaceAssetModelId": w["interface"]},
        "DescribeAsset": {"assetId": w["parent"]},
        "ListAssets": {"assetModelId": w["root"]},
        "ListAssociatedAssets": {"assetId": w["parent"]},
        "ListAssetRelationships": {"assetId": w["child"], "traversalType": "PATH_TO_ROOT"},
        "DescribeTimeSeries": {"alias": "/t"},
        "ListTimeSeries": {},
        "DescribePortal": {"portalId": w["portal"]},
        "ListPortals": {},
        "DescribeProject": {"projectId": w["project"]},
        "ListProjects": {"portalId": w["portal"]},
        "ListProjectAssets": {"projectId": w["project"]},
        "DescribeDashboard": {"dashboardId": w["dashboard"]},
        "ListDashboards": {"projectId": w["project"]},
        "DescribeAccessPolicy": {"accessPolicyId": w["policy"]},
        "ListAccessPolicies": {},
        "DescribeGateway": {"gatewayId": w["gateway"]},
        "ListGateways": {},
        "ListAssetProperties": {"assetId": w["parent"], "filter": "ALL"},
        "ListAssetModelProperties": {"assetModelId": w["root"], "filter": "ALL"},
        "DescribeAssetCompositeModel": {"assetId": w["parent"], "assetCompositeModelId": w["composite"]},
        "DescribeAssetModelCompositeModel": {"assetModelId": w["root"], "assetModelCompositeModelId": w["composite"]},
        "DescribeStorageConfiguration": {},
        "DescribeGatewayCapabilityConfiguration": {
            "gatewayId": w["gateway"],
            "capabilityNamespace": "iotsitewise:opcuacollector:3",
        },
        "ListTagsForResource": {"resourceArn": sitewise.describe_asset(assetId=w["parent"])["assetArn"]},
    }
    served_reads = {op for op in backend.served_operations() if op.startswith(("Describe", "List"))}
    assert served_reads == set(reads)
    methods = {api: python for python, api in sitewise.meta.method_to_api_mapping.items()}
    found = {op: list(_empty_strings(getattr(sitewise, methods[op])(**params))) for op, params in reads.items()}
    assert {op: paths for op, paths in found.items() if paths} == {}
    described = sitewise.describe_asset_model(assetModelId=w["root"])
    assert "assetModelDescription" not in described
    assert all("description" not in m for m in sitewise.list_asset_models()["assetModelSummaries"])
