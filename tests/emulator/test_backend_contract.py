"""The backend's own contract: served operations, unserved ones refused loudly, call counts, reset,
JSON-able snapshots, answers that fit the service model's output shapes, and thread safety."""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any

import botocore.session
import pytest
from botocore.model import ListShape, Shape, StructureShape

from teardown.emulator import FaultSettings, LatencyProfile
from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.clock import ManualClock
from teardown.emulator.errors import NotImplementedByEmulator, ResourceNotFound

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

SERVICE = botocore.session.get_session().get_service_model("iotsitewise")
ROLE = "arn:aws:iam::123456789012:role/portal"


def test_served_operations_are_service_operations(backend: SiteWiseBackend) -> None:
    """Every served name is a real operation, and the teardown-relevant ones are all there."""
    served = backend.served_operations()
    assert served <= set(SERVICE.operation_names)
    for name in ("DeleteAsset", "DisassociateAssets", "BatchDisassociateProjectAssets", "DeleteTimeSeries"):
        assert name in served
    assert "ListAssetProjects" not in served


def test_unserved_operation_is_refused_loudly(backend: SiteWiseBackend) -> None:
    """A service operation without a handler raises NotImplementedByEmulator naming it, and is counted."""
    with pytest.raises(NotImplementedByEmulator, match="CreateBulkImportJob"):
        backend.handle("CreateBulkImportJob", {})
    with pytest.raises(NotImplementedByEmulator, match="not an operation"):
        backend.handle("MadeUp", {})
    assert backend.call_counts() == {"CreateBulkImportJob": 1, "MadeUp": 1}


def test_reset_empties_state_but_keeps_settings(backend: SiteWiseBackend) -> None:
    """reset() drops resources, counts and tokens; latency, quotas and faults stay as set."""
    backend.latency = LatencyProfile.realistic()
    backend.faults = FaultSettings(added_latency=0.0, seed=3)
    backend.handle("CreateAssetModel", {"assetModelName": "m", "clientToken": "t" * 36})
    backend.reset()
    assert backend.snapshot()["assetModels"] == []
    assert backend.call_counts() == {}
    assert backend.latency == LatencyProfile.realistic()
    assert backend.faults.seed == 3
    # The token is forgotten: the same token now creates again.
    backend.handle("CreateAssetModel", {"assetModelName": "m", "clientToken": "t" * 36})
    assert len(backend.snapshot()["assetModels"]) == 1


def test_snapshot_is_json(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """The snapshot survives a JSON round trip unchanged."""
    model = sitewise.create_asset_model(assetModelName="m", tags={"team": "ops"})["assetModelId"]
    sitewise.create_asset(assetName="a", assetModelId=model)
    snapshot = backend.snapshot()
    assert json.loads(json.dumps(snapshot)) == json.loads(json.dumps(snapshot, sort_keys=True))
    assert snapshot["tags"] == {snapshot["assetModels"][0]["arn"]: {"team": "ops"}}


def _unknown_members(value: Any, shape: Shape, path: str) -> list[str]:
    """Members the model does not define, and required members that are missing, anywhere in ``value``."""
    if isinstance(shape, StructureShape):
        assert isinstance(value, dict), path
        problems = [f"{path}.{k}" for k in value if k not in shape.members]
        problems += [f"{path}.{k} missing" for k in shape.required_members if k not in value]
        for key, item in value.items():
            if key in shape.members:
                problems += _unknown_members(item, shape.members[key], f"{path}.{key}")
        return problems
    if isinstance(shape, ListShape):
        return [p for i, item in enumerate(value) for p in _unknown_members(item, shape.member, f"{path}[{i}]")]
    return []


def test_answers_fit_the_output_shapes(clock: ManualClock) -> None:
    """A scenario touching every served operation answers only members of each output shape, with the
    required ones present (checked on the backend's raw answers, before any codec)."""
    backend = SiteWiseBackend(clock=clock)
    answers: dict[str, dict[str, Any]] = {}

    def call(operation: str, **params: Any) -> dict[str, Any]:
        answers[operation] = backend.handle(operation, params)
        return answers[operation]

    measure = {"name": "t", "dataType": "DOUBLE", "type": {"measurement": {}}}
    component = call("CreateAssetModel", assetModelName="c", assetModelType="COMPONENT_MODEL")["assetModelId"]
    interface = call("CreateAssetModel", assetModelName="i", assetModelType="INTERFACE", assetModelProperties=[measure])
    leaf = call("CreateAssetModel", assetModelName="leaf", assetModelProperties=[measure])["assetModelId"]
    root = call(
        "CreateAssetModel", assetModelName="root", assetModelHierarchies=[{"name": "h", "childAssetModelId": leaf}]
    )["assetModelId"]
    hierarchy = call("DescribeAssetModel", assetModelId=root)["assetModelHierarchies"][0]["id"]
    prop = backend.handle("DescribeAssetModel", {"assetModelId": leaf})["assetModelProperties"][0]["id"]
    call("ListAssetModels")
    call(
        "UpdateAssetModel",
        assetModelId=root,
        assetModelName="root2",
        assetModelHierarchies=[{"id": hierarchy, "name": "h", "childAssetModelId": leaf}],
    )
    composite = call(
        "CreateAssetModelCompositeModel",
        assetModelId=root,
        assetModelCompositeModelName="cc",
        assetModelCompositeModelType="CUSTOM",
        composedAssetModelId=component,
    )["assetModelCompositeModelId"]
    call("ListAssetModelCompositeModels", assetModelId=root)
    call("ListCompositionRelationships", assetModelId=component)
    call(
        "PutAssetModelInterfaceRelationship",
        assetModelId=leaf,
        interfaceAssetModelId=interface["assetModelId"],
        propertyMappingConfiguration={"matchByPropertyName": True},
    )
    call("DescribeAssetModelInterfaceRelationship", assetModelId=leaf, interfaceAssetModelId=interface["assetModelId"])
    call("ListInterfaceRelationships", interfaceAssetModelId=interface["assetModelId"])
    parent = call("CreateAsset", assetName="p", assetModelId=root, tags={"k": "v"})
    child = call("CreateAsset", assetName="c", assetModelId=leaf)["assetId"]
    call("UpdateAsset", assetId=child, assetName="c2")
    call("AssociateAssets", assetId=parent["assetId"], hierarchyId=hierarchy, childAssetId=child)
    call("DescribeAsset", assetId=parent["assetId"])
    call("ListAssets", assetModelId=root)
    call("ListAssociatedAssets", assetId=parent["assetId"], hierarchyId=hierarchy)
    call("ListAssetRelationships", assetId=child, traversalType="PATH_TO_ROOT")
    call("AssociateTimeSeriesToAssetProperty", alias="/a", assetId=child, propertyId=prop)
    call("DescribeTimeSeries", alias="/a")
    call("ListTimeSeries")
    call("ListAssetProperties", assetId=child, filter="ALL")
    call("ListAssetModelProperties", assetModelId=leaf, filter="ALL")
    call("UpdateAssetProperty", assetId=child, propertyId=prop, propertyAlias="/a", propertyNotificationState="ENABLED")
    call("DescribeAssetCompositeModel", assetId=parent["assetId"], assetCompositeModelId=composite)
    call("DescribeAssetModelCompositeModel", assetModelId=root, assetModelCompositeModelId=composite)
    call("DescribeStorageConfiguration")
    point = {"value": {"doubleValue": 1.5}, "timestamp": {"timeInSeconds": int(backend.clock.now())}}
    call("BatchPutAssetPropertyValue", entries=[{"entryId": "e", "propertyAlias": "/a", "propertyValues": [point]}])
    call("GetAssetPropertyValue", propertyAlias="/a")
    call("GetAssetPropertyValueHistory", assetId=child, propertyId=prop)
    call(
        "BatchGetAssetPropertyValue",
        entries=[{"entryId": "e", "propertyAlias": "/a"}, {"entryId": "x", "propertyAlias": "/x"}],
    )
    call(
        "BatchGetAssetPropertyValueHistory",
        entries=[{"entryId": "e", "propertyAlias": "/a"}, {"entryId": "x", "propertyAlias": "/x"}],
    )
    call("DisassociateTimeSeriesFromAssetProperty", alias="/a", assetId=child, propertyId=prop)
    call("DeleteTimeSeries", alias="/a")
    portal = call("CreatePortal", portalName="p", portalContactEmail="p@example.com", roleArn=ROLE)["portalId"]
    call("DescribePortal", portalId=portal)
    call("ListPortals")
    project = call("CreateProject", portalId=portal, projectName="x")["projectId"]
    call("DescribeProject", projectId=project)
    call("ListProjects", portalId=portal)
    call("BatchAssociateProjectAssets", projectId=project, assetIds=[parent["assetId"]])
    call("ListProjectAssets", projectId=project)
    call("BatchDisassociateProjectAssets", projectId=project, assetIds=[parent["assetId"]])
    dashboard = call("CreateDashboard", projectId=project, dashboardName="d", dashboardDefinition="{}")["dashboardId"]
    call("DescribeDashboard", dashboardId=dashboard)
    call("ListDashboards", projectId=project)
    call("UpdateDashboard", dashboardId=dashboard, dashboardName="d2", dashboardDefinition="{}")
    call("UpdateProject", projectId=project, projectName="x2")
    call("UpdatePortal", portalId=portal, portalName="p2", portalContactEmail="p@example.com", roleArn=ROLE)
    call("DeleteDashboard", dashboardId=dashboard)
    policy = call(
        "CreateAccessPolicy",
        accessPolicyIdentity={"user": {"id": "u"}},
        accessPolicyResource={"portal": {"id": portal}},
        accessPolicyPermission="VIEWER",
    )["accessPolicyId"]
    call("DescribeAccessPolicy", accessPolicyId=policy)
    call(
        "UpdateAccessPolicy",
        accessPolicyId=policy,
        accessPolicyIdentity={"user": {"id": "u"}},
        accessPolicyResource={"portal": {"id": portal}},
        accessPolicyPermission="ADMINISTRATOR",
    )
    call("ListAccessPolicies", resourceType="PORTAL", resourceId=portal)
    call("DeleteAccessPolicy", accessPolicyId=policy)
    call("DeleteProject", projectId=project)
    call("DeletePortal", portalId=portal)
    gateway = call("CreateGateway", gatewayName="g", gatewayPlatform={"greengrassV2": {"coreDeviceThingName": "t"}})
    call("UpdateGateway", gatewayId=gateway["gatewayId"], gatewayName="g2")
    call(
        "UpdateGatewayCapabilityConfiguration",
        gatewayId=gateway["gatewayId"],
        capabilityNamespace="iotsitewise:opcuacollector:3",
        capabilityConfiguration="{}",
    )
    call(
        "DescribeGatewayCapabilityConfiguration",
        gatewayId=gateway["gatewayId"],
        capabilityNamespace="iotsitewise:opcuacollector:3",
    )
    call("DescribeGateway", gatewayId=gateway["gatewayId"])
    call("ListGateways")
    call("TagResource", resourceArn=gateway["gatewayArn"], tags={"a": "b"})
    call("ListTagsForResource", resourceArn=gateway["gatewayArn"])
    call("UntagResource", resourceArn=gateway["gatewayArn"], tagKeys=["a"])
    call("DeleteGateway", gatewayId=gateway["gatewayId"])
    call("DisassociateAssets", assetId=parent["assetId"], hierarchyId=hierarchy, childAssetId=child)
    call("DeleteAsset", assetId=child)
    call("DeleteAssetModelInterfaceRelationship", assetModelId=leaf, interfaceAssetModelId=interface["assetModelId"])
    call("DeleteAssetModelCompositeModel", assetModelId=root, assetModelCompositeModelId=composite)
    call("DeleteAssetModel", assetModelId=component)

    assert set(answers) == backend.served_operations()
    problems: list[str] = []
    for operation, answer in answers.items():
        output = SERVICE.operation_model(operation).output_shape
        if output is None:
            assert answer == {}, operation
        else:
            problems += _unknown_members(answer, output, operation)
    assert problems == []


def test_handle_is_thread_safe(clock: ManualClock) -> None:
    """Eight threads creating assets concurrently lose no write and break no index."""
    backend = SiteWiseBackend(clock=clock)
    model = backend.handle("CreateAssetModel", {"assetModelName": "m"})["assetModelId"]

    def worker(n: int) -> None:
        for i in range(50):
            backend.handle("CreateAsset", {"assetName": f"a{n}-{i}", "assetModelId": model})

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(backend.snapshot()["assets"]) == 400
    assert backend.call_counts()["CreateAsset"] == 400
    listed = backend.handle("ListAssets", {"assetModelId": model, "maxResults": 250})
    assert len(listed["assetSummaries"]) == 250


def test_external_id_references_resolve(backend: SiteWiseBackend) -> None:
    """externalId:X works wherever an asset or model id is taken; an unknown one is ResourceNotFound."""
    backend.handle("CreateAssetModel", {"assetModelName": "m", "assetModelExternalId": "mx"})
    asset = backend.handle("CreateAsset", {"assetName": "a", "assetModelId": "externalId:mx", "assetExternalId": "ax"})
    assert backend.handle("DescribeAsset", {"assetId": "externalId:ax"})["assetId"] == asset["assetId"]
    with pytest.raises(ResourceNotFound, match="externalId:nope"):
        backend.handle("DescribeAsset", {"assetId": "externalId:nope"})
