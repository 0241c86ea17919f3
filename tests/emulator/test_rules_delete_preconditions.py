"""Delete preconditions: each refusal is InvalidRequest (400) naming the blocking
resource, and leaves the whole state unchanged. Exercised through a real boto3 client."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from teardown.emulator.backend import SiteWiseBackend

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

ROLE = "arn:aws:iam::123456789012:role/portal"
MEASURE: Any = {"name": "temp", "dataType": "DOUBLE", "type": {"measurement": {}}}
RPM: Any = {"name": "rpm", "dataType": "DOUBLE", "type": {"measurement": {}}}


def refused(backend: SiteWiseBackend, call: Any, **kwargs: Any) -> tuple[str, int, str]:
    """Run a call that must fail; check the state did not move; return (code, status, message)."""
    before = backend.snapshot()
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    assert backend.snapshot() == before, "a refused call changed the state"
    error = caught.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Message"]


def tree(sitewise: IoTSiteWiseClient) -> dict[str, str]:
    """Two models (root has a hierarchy of leaf), a root asset with one leaf child."""
    leaf = sitewise.create_asset_model(assetModelName="leaf", assetModelProperties=[MEASURE])["assetModelId"]
    root = sitewise.create_asset_model(
        assetModelName="root", assetModelHierarchies=[{"name": "leaves", "childAssetModelId": leaf}]
    )["assetModelId"]
    hierarchy = sitewise.describe_asset_model(assetModelId=root)["assetModelHierarchies"][0]["id"]
    assert hierarchy is not None
    parent = sitewise.create_asset(assetName="site", assetModelId=root)["assetId"]
    child = sitewise.create_asset(assetName="turbine", assetModelId=leaf)["assetId"]
    sitewise.associate_assets(assetId=parent, hierarchyId=hierarchy, childAssetId=child)
    return {"leaf_model": leaf, "root_model": root, "hierarchy": hierarchy, "parent": parent, "child": child}


def portal_with_project(sitewise: IoTSiteWiseClient) -> tuple[str, str]:
    portal = sitewise.create_portal(portalName="ops", portalContactEmail="ops@example.com", roleArn=ROLE)["portalId"]
    project = sitewise.create_project(portalId=portal, projectName="north")["projectId"]
    return portal, project


def test_delete_asset_with_child_is_refused(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """A parent asset cannot be deleted while it has a child association; the message names the child."""
    world = tree(sitewise)
    code, status, message = refused(backend, sitewise.delete_asset, assetId=world["parent"])
    assert (code, status) == ("InvalidRequestException", 400)
    assert world["child"] in message


def test_delete_asset_with_parent_is_refused(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """A child asset cannot be deleted while it is associated to a parent; the message names the parent."""
    world = tree(sitewise)
    code, status, message = refused(backend, sitewise.delete_asset, assetId=world["child"])
    assert (code, status) == ("InvalidRequestException", 400)
    assert world["parent"] in message


def test_delete_asset_in_a_project_is_refused(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """An asset still in a Monitor project cannot be deleted; the message names the project."""
    model = sitewise.create_asset_model(assetModelName="solo")["assetModelId"]
    asset = sitewise.create_asset(assetName="a", assetModelId=model)["assetId"]
    _, project = portal_with_project(sitewise)
    sitewise.batch_associate_project_assets(projectId=project, assetIds=[asset])
    code, status, message = refused(backend, sitewise.delete_asset, assetId=asset)
    assert (code, status) == ("InvalidRequestException", 400)
    assert project in message


def test_delete_asset_succeeds_once_every_link_is_gone(sitewise: IoTSiteWiseClient) -> None:
    """After disassociation the child deletes: DELETING, then 404 (instant latency) and absent from lists."""
    world = tree(sitewise)
    sitewise.disassociate_assets(assetId=world["parent"], hierarchyId=world["hierarchy"], childAssetId=world["child"])
    answer = sitewise.delete_asset(assetId=world["child"])
    assert answer["assetStatus"]["state"] == "DELETING"
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 202
    with pytest.raises(ClientError) as caught:
        sitewise.describe_asset(assetId=world["child"])
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert sitewise.list_assets(assetModelId=world["leaf_model"])["assetSummaries"] == []


def test_delete_model_with_an_asset_is_refused(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """A model cannot be deleted while one of its assets exists; the message names the asset."""
    model = sitewise.create_asset_model(assetModelName="solo")["assetModelId"]
    asset = sitewise.create_asset(assetName="a", assetModelId=model)["assetId"]
    code, status, message = refused(backend, sitewise.delete_asset_model, assetModelId=model)
    assert (code, status) == ("InvalidRequestException", 400)
    assert asset in message


def test_delete_model_with_a_deleting_asset_is_refused(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """An asset still DELETING (realistic latency, clock not advanced) blocks its model's deletion."""
    backend.latency = "realistic"
    model = sitewise.create_asset_model(assetModelName="solo")["assetModelId"]
    backend.clock.sleep(10)
    asset = sitewise.create_asset(assetName="a", assetModelId=model)["assetId"]
    backend.clock.sleep(10)
    sitewise.delete_asset(assetId=asset)
    assert sitewise.describe_asset(assetId=asset)["assetStatus"]["state"] == "DELETING"
    code, status, message = refused(backend, sitewise.delete_asset_model, assetModelId=model)
    assert (code, status) == ("InvalidRequestException", 400)
    assert asset in message and "DELETING" in message


def test_a_hierarchy_naming_the_model_does_not_block_its_deletion(sitewise: IoTSiteWiseClient) -> None:
    """Once its assets are gone, a model that another model's hierarchy names as child model deletes: only a
    formula that depends on it through the hierarchy blocks (see test_rules_model_formulas)."""
    world = tree(sitewise)
    sitewise.disassociate_assets(assetId=world["parent"], hierarchyId=world["hierarchy"], childAssetId=world["child"])
    sitewise.delete_asset(assetId=world["child"])
    assert sitewise.delete_asset_model(assetModelId=world["leaf_model"])["assetModelStatus"]["state"] == "DELETING"
    described = sitewise.describe_asset_model(assetModelId=world["root_model"])
    assert [h["childAssetModelId"] for h in described["assetModelHierarchies"]] == [world["leaf_model"]]
    # The parent model keeps its hierarchy and still updates with it unchanged.
    sitewise.update_asset_model(
        assetModelId=world["root_model"],
        assetModelName="root",
        assetModelHierarchies=[
            {"id": world["hierarchy"], "name": "leaves", "childAssetModelId": world["leaf_model"]},
        ],
    )


@pytest.mark.parametrize("first", ["a", "b"])
def test_models_whose_hierarchies_name_each_other_delete_in_any_order(sitewise: IoTSiteWiseClient, first: str) -> None:
    """Model a's hierarchy names b and b's names a: either can be deleted first, then the other."""
    a = sitewise.create_asset_model(assetModelName="a")["assetModelId"]
    b = sitewise.create_asset_model(assetModelName="b", assetModelHierarchies=[{"name": "as", "childAssetModelId": a}])[
        "assetModelId"
    ]
    sitewise.update_asset_model(
        assetModelId=a, assetModelName="a", assetModelHierarchies=[{"name": "bs", "childAssetModelId": b}]
    )
    order = [a, b] if first == "a" else [b, a]
    for model in order:
        assert sitewise.delete_asset_model(assetModelId=model)["assetModelStatus"]["state"] == "DELETING"
    assert sitewise.list_asset_models()["assetModelSummaries"] == []


def test_a_self_referencing_hierarchy_does_not_block_deletion(sitewise: IoTSiteWiseClient) -> None:
    """Only *another* model's hierarchy blocks: a recursive model (Area -> Area) deletes."""
    area = sitewise.create_asset_model(
        assetModelName="area",
        assetModelExternalId="area",
        assetModelHierarchies=[{"name": "sub", "childAssetModelId": "externalId:area"}],
    )["assetModelId"]
    described = sitewise.describe_asset_model(assetModelId=area)
    assert described["assetModelHierarchies"][0]["childAssetModelId"] == area
    assert sitewise.delete_asset_model(assetModelId=area)["assetModelStatus"]["state"] == "DELETING"


def test_delete_component_model_in_use_is_refused(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """A component model composed by another model cannot be deleted; the message names the user model."""
    component = sitewise.create_asset_model(
        assetModelName="motor", assetModelType="COMPONENT_MODEL", assetModelProperties=[MEASURE]
    )["assetModelId"]
    user = sitewise.create_asset_model(assetModelName="pump")["assetModelId"]
    composite = sitewise.create_asset_model_composite_model(
        assetModelId=user,
        assetModelCompositeModelName="motor1",
        assetModelCompositeModelType="CUSTOM",
        composedAssetModelId=component,
    )["assetModelCompositeModelId"]
    code, status, message = refused(backend, sitewise.delete_asset_model, assetModelId=component)
    assert (code, status) == ("InvalidRequestException", 400)
    assert user in message
    relations = sitewise.list_composition_relationships(assetModelId=component)["compositionRelationshipSummaries"]
    assert [(r["assetModelId"], r["assetModelCompositeModelId"]) for r in relations] == [(user, composite)]
    # Removing the composite model frees the component.
    assert (
        sitewise.delete_asset_model_composite_model(assetModelId=user, assetModelCompositeModelId=composite)[
            "assetModelStatus"
        ]["state"]
        == "DELETING"
    )
    assert sitewise.list_composition_relationships(assetModelId=component)["compositionRelationshipSummaries"] == []
    assert sitewise.delete_asset_model(assetModelId=component)["assetModelStatus"]["state"] == "DELETING"


def test_delete_implemented_interface_is_refused(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """An INTERFACE still implemented by a model cannot be deleted; the message names the implementer."""
    interface = sitewise.create_asset_model(
        assetModelName="iface", assetModelType="INTERFACE", assetModelProperties=[MEASURE]
    )["assetModelId"]
    model = sitewise.create_asset_model(assetModelName="impl", assetModelProperties=[MEASURE])["assetModelId"]
    sitewise.put_asset_model_interface_relationship(
        assetModelId=model, interfaceAssetModelId=interface, propertyMappingConfiguration={"matchByPropertyName": True}
    )
    mapped = sitewise.describe_asset_model_interface_relationship(assetModelId=model, interfaceAssetModelId=interface)
    assert len(mapped["propertyMappings"]) == 1
    assert sitewise.list_interface_relationships(interfaceAssetModelId=interface)["interfaceRelationshipSummaries"] == [
        {"id": model}
    ]
    code, status, message = refused(backend, sitewise.delete_asset_model, assetModelId=interface)
    assert (code, status) == ("InvalidRequestException", 400)
    assert model in message
    sitewise.delete_asset_model_interface_relationship(assetModelId=model, interfaceAssetModelId=interface)
    assert sitewise.delete_asset_model(assetModelId=interface)["assetModelStatus"]["state"] == "DELETING"


@pytest.mark.parametrize("blocker", ["dashboard", "asset", "access policy"])
def test_delete_project_with_content_is_refused(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend, blocker: str
) -> None:
    """A project with a dashboard, an asset or an access policy cannot be deleted; the message names it."""
    _, project = portal_with_project(sitewise)
    if blocker == "dashboard":
        blocking = sitewise.create_dashboard(projectId=project, dashboardName="d", dashboardDefinition="{}")[
            "dashboardId"
        ]
    elif blocker == "asset":
        model = sitewise.create_asset_model(assetModelName="solo")["assetModelId"]
        blocking = sitewise.create_asset(assetName="a", assetModelId=model)["assetId"]
        sitewise.batch_associate_project_assets(projectId=project, assetIds=[blocking])
    else:
        blocking = sitewise.create_access_policy(
            accessPolicyIdentity={"user": {"id": "u-1"}},
            accessPolicyResource={"project": {"id": project}},
            accessPolicyPermission="VIEWER",
        )["accessPolicyId"]
    code, status, message = refused(backend, sitewise.delete_project, projectId=project)
    assert (code, status) == ("InvalidRequestException", 400)
    assert blocking in message


@pytest.mark.parametrize("blocker", ["project", "access policy"])
def test_delete_portal_with_content_is_refused(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend, blocker: str
) -> None:
    """A portal with a project or an access policy cannot be deleted; the message names it."""
    if blocker == "project":
        portal, blocking = portal_with_project(sitewise)
    else:
        portal = sitewise.create_portal(portalName="p", portalContactEmail="p@example.com", roleArn=ROLE)["portalId"]
        blocking = sitewise.create_access_policy(
            accessPolicyIdentity={"group": {"id": "g-1"}},
            accessPolicyResource={"portal": {"id": portal}},
            accessPolicyPermission="ADMINISTRATOR",
        )["accessPolicyId"]
    code, status, message = refused(backend, sitewise.delete_portal, portalId=portal)
    assert (code, status) == ("InvalidRequestException", 400)
    assert blocking in message


def test_monitor_teardown_in_order_succeeds(sitewise: IoTSiteWiseClient) -> None:
    """Policy, dashboard, project assets, project, portal: each delete goes through once its content is gone."""
    portal, project = portal_with_project(sitewise)
    model = sitewise.create_asset_model(assetModelName="solo")["assetModelId"]
    asset = sitewise.create_asset(assetName="a", assetModelId=model)["assetId"]
    sitewise.batch_associate_project_assets(projectId=project, assetIds=[asset])
    dashboard = sitewise.create_dashboard(projectId=project, dashboardName="d", dashboardDefinition="{}")["dashboardId"]
    policy = sitewise.create_access_policy(
        accessPolicyIdentity={"user": {"id": "u"}},
        accessPolicyResource={"project": {"id": project}},
        accessPolicyPermission="VIEWER",
    )["accessPolicyId"]
    sitewise.delete_access_policy(accessPolicyId=policy)
    sitewise.delete_dashboard(dashboardId=dashboard)
    assert sitewise.batch_disassociate_project_assets(projectId=project, assetIds=[asset])["errors"] == []
    assert sitewise.delete_project(projectId=project)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert sitewise.delete_portal(portalId=portal)["portalStatus"]["state"] == "DELETING"
    assert sitewise.list_portals()["portalSummaries"] == []
    with pytest.raises(ClientError) as caught:
        sitewise.describe_project(projectId=project)
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_disassociating_a_missing_association_is_refused(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """DisassociateAssets of an association that does not exist is InvalidRequest, nothing changes."""
    world = tree(sitewise)
    sitewise.disassociate_assets(assetId=world["parent"], hierarchyId=world["hierarchy"], childAssetId=world["child"])
    code, status, message = refused(
        backend,
        sitewise.disassociate_assets,
        assetId=world["parent"],
        hierarchyId=world["hierarchy"],
        childAssetId=world["child"],
    )
    assert (code, status) == ("InvalidRequestException", 400)
    assert world["child"] in message


def test_deleting_an_asset_deletes_its_bound_time_series(sitewise: IoTSiteWiseClient) -> None:
    """A series bound to the asset goes with it; a series disassociated first survives."""
    model = sitewise.create_asset_model(assetModelName="m", assetModelProperties=[MEASURE, RPM])["assetModelId"]
    props = {p["name"]: p["id"] for p in sitewise.describe_asset_model(assetModelId=model)["assetModelProperties"]}
    asset = sitewise.create_asset(assetName="a", assetModelId=model)["assetId"]
    sitewise.associate_time_series_to_asset_property(alias="/bound", assetId=asset, propertyId=props["temp"])
    sitewise.associate_time_series_to_asset_property(alias="/kept", assetId=asset, propertyId=props["rpm"])
    sitewise.disassociate_time_series_from_asset_property(alias="/kept", assetId=asset, propertyId=props["rpm"])
    sitewise.delete_asset(assetId=asset)
    remaining = sitewise.list_time_series()["TimeSeriesSummaries"]
    assert [(s.get("alias"), s.get("assetId")) for s in remaining] == [("/kept", None)]
    with pytest.raises(ClientError) as caught:
        sitewise.describe_time_series(alias="/bound")
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
