"""Pagination under change: a nextToken marks a position by key, so items created or deleted between two
pages never make another item be skipped or listed twice, on every paginated listing the emulator serves."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.service.quotas import QuotaSettings
from teardown.emulator.wire.codec import service_model

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

ROLE = "arn:aws:iam::123456789012:role/portal"
TEMP: Any = {"name": "temp", "dataType": "DOUBLE", "type": {"measurement": {}}}
TOKEN = re.compile(service_model().shape_for("NextToken").metadata["pattern"])


@dataclass
class Listing:
    """One paginated listing and a way to add and remove its items."""

    operation: str  # the boto3 method name
    params: dict[str, Any]
    member: str  # the output list
    make: Callable[[int], str]  # creates item i, returns its id as the listing shows it
    drop: Callable[[str], object]  # removes it from the listing
    ident: Callable[[Any], str] = lambda row: str(row["id"])


def _models(c: IoTSiteWiseClient) -> Listing:
    return Listing(
        "list_asset_models",
        {},
        "assetModelSummaries",
        lambda i: c.create_asset_model(assetModelName=f"m{i}")["assetModelId"],
        lambda x: c.delete_asset_model(assetModelId=x),
    )


def _assets(c: IoTSiteWiseClient, top_level: bool) -> Listing:
    model = c.create_asset_model(assetModelName="m")["assetModelId"]
    params: dict[str, Any] = {"filter": "TOP_LEVEL"} if top_level else {"assetModelId": model}
    return Listing(
        "list_assets",
        params,
        "assetSummaries",
        lambda i: c.create_asset(assetName=f"a{i}", assetModelId=model)["assetId"],
        lambda x: c.delete_asset(assetId=x),
    )


def _children(c: IoTSiteWiseClient) -> Listing:
    leaf = c.create_asset_model(assetModelName="leaf")["assetModelId"]
    root = c.create_asset_model(
        assetModelName="root", assetModelHierarchies=[{"name": "h", "childAssetModelId": leaf}]
    )["assetModelId"]
    hierarchy = c.describe_asset_model(assetModelId=root)["assetModelHierarchies"][0]["id"]
    assert hierarchy is not None
    parent = c.create_asset(assetName="p", assetModelId=root)["assetId"]

    def make(i: int) -> str:
        kid = c.create_asset(assetName=f"k{i}", assetModelId=leaf)["assetId"]
        c.associate_assets(assetId=parent, hierarchyId=hierarchy, childAssetId=kid)
        return kid

    return Listing(
        "list_associated_assets",
        {"assetId": parent},
        "assetSummaries",
        make,
        lambda x: c.disassociate_assets(assetId=parent, hierarchyId=hierarchy, childAssetId=x),
    )


def _portals(c: IoTSiteWiseClient) -> Listing:
    return Listing(
        "list_portals",
        {},
        "portalSummaries",
        lambda i: c.create_portal(portalName=f"p{i}", portalContactEmail="o@example.com", roleArn=ROLE)["portalId"],
        lambda x: c.delete_portal(portalId=x),
    )


def _portal(c: IoTSiteWiseClient) -> str:
    return c.create_portal(portalName="p", portalContactEmail="o@example.com", roleArn=ROLE)["portalId"]


def _projects(c: IoTSiteWiseClient) -> Listing:
    portal = _portal(c)
    return Listing(
        "list_projects",
        {"portalId": portal},
        "projectSummaries",
        lambda i: c.create_project(portalId=portal, projectName=f"p{i}")["projectId"],
        lambda x: c.delete_project(projectId=x),
    )


def _project_assets(c: IoTSiteWiseClient, backend: SiteWiseBackend) -> Listing:
    backend.quotas = QuotaSettings(root_assets_per_project=100)
    project = c.create_project(portalId=_portal(c), projectName="p")["projectId"]
    model = c.create_asset_model(assetModelName="m")["assetModelId"]

    def make(i: int) -> str:
        asset = c.create_asset(assetName=f"a{i}", assetModelId=model)["assetId"]
        c.batch_associate_project_assets(projectId=project, assetIds=[asset])
        return asset

    return Listing(
        "list_project_assets",
        {"projectId": project},
        "assetIds",
        make,
        lambda x: c.batch_disassociate_project_assets(projectId=project, assetIds=[x]),
        ident=str,
    )


def _dashboards(c: IoTSiteWiseClient) -> Listing:
    project = c.create_project(portalId=_portal(c), projectName="p")["projectId"]
    return Listing(
        "list_dashboards",
        {"projectId": project},
        "dashboardSummaries",
        lambda i: c.create_dashboard(projectId=project, dashboardName=f"d{i}", dashboardDefinition="{}")["dashboardId"],
        lambda x: c.delete_dashboard(dashboardId=x),
    )


def _policies(c: IoTSiteWiseClient) -> Listing:
    portal = _portal(c)
    return Listing(
        "list_access_policies",
        {"resourceType": "PORTAL", "resourceId": portal},
        "accessPolicySummaries",
        lambda i: c.create_access_policy(
            accessPolicyIdentity={"user": {"id": f"u{i}"}},
            accessPolicyResource={"portal": {"id": portal}},
            accessPolicyPermission="VIEWER",
        )["accessPolicyId"],
        lambda x: c.delete_access_policy(accessPolicyId=x),
    )


def _gateways(c: IoTSiteWiseClient) -> Listing:
    return Listing(
        "list_gateways",
        {},
        "gatewaySummaries",
        lambda i: c.create_gateway(
            gatewayName=f"g{i}", gatewayPlatform={"greengrassV2": {"coreDeviceThingName": f"t{i}"}}
        )["gatewayId"],
        lambda x: c.delete_gateway(gatewayId=x),
        ident=lambda row: str(row["gatewayId"]),
    )


def _time_series(c: IoTSiteWiseClient) -> Listing:
    model = c.create_asset_model(assetModelName="m", assetModelProperties=[TEMP])["assetModelId"]
    prop = c.describe_asset_model(assetModelId=model)["assetModelProperties"][0]["id"]
    assert prop is not None

    def make(i: int) -> str:
        asset = c.create_asset(assetName=f"a{i}", assetModelId=model)["assetId"]
        c.associate_time_series_to_asset_property(alias=f"/s{i}", assetId=asset, propertyId=prop)
        return c.describe_time_series(alias=f"/s{i}")["timeSeriesId"]

    def drop(series_id: str) -> None:
        row = next(s for s in c.list_time_series()["TimeSeriesSummaries"] if s["timeSeriesId"] == series_id)
        # A bound series is deleted only once disassociated.
        c.disassociate_time_series_from_asset_property(alias=row["alias"], assetId=row["assetId"],
                                                       propertyId=row["propertyId"])
        c.delete_time_series(alias=row["alias"])

    return Listing(
        "list_time_series", {}, "TimeSeriesSummaries", make, drop, ident=lambda row: str(row["timeSeriesId"])
    )


def _composites(c: IoTSiteWiseClient) -> Listing:
    model = c.create_asset_model(assetModelName="m")["assetModelId"]
    return Listing(
        "list_asset_model_composite_models",
        {"assetModelId": model},
        "assetModelCompositeModelSummaries",
        lambda i: c.create_asset_model_composite_model(
            assetModelId=model, assetModelCompositeModelName=f"c{i}", assetModelCompositeModelType="CUSTOM"
        )["assetModelCompositeModelId"],
        lambda x: c.delete_asset_model_composite_model(assetModelId=model, assetModelCompositeModelId=x),
    )


def _compositions(c: IoTSiteWiseClient) -> Listing:
    component = c.create_asset_model(assetModelName="comp", assetModelType="COMPONENT_MODEL")["assetModelId"]
    users: dict[str, str] = {}

    def make(i: int) -> str:
        user = c.create_asset_model(assetModelName=f"u{i}")["assetModelId"]
        users[user] = c.create_asset_model_composite_model(
            assetModelId=user,
            assetModelCompositeModelName="c",
            assetModelCompositeModelType="CUSTOM",
            composedAssetModelId=component,
        )["assetModelCompositeModelId"]
        return user

    return Listing(
        "list_composition_relationships",
        {"assetModelId": component},
        "compositionRelationshipSummaries",
        make,
        lambda x: c.delete_asset_model_composite_model(assetModelId=x, assetModelCompositeModelId=users[x]),
        ident=lambda row: str(row["assetModelId"]),
    )


def _interfaces(c: IoTSiteWiseClient) -> Listing:
    interface = c.create_asset_model(assetModelName="i", assetModelType="INTERFACE")["assetModelId"]

    def make(i: int) -> str:
        model = c.create_asset_model(assetModelName=f"m{i}")["assetModelId"]
        c.put_asset_model_interface_relationship(
            assetModelId=model,
            interfaceAssetModelId=interface,
            propertyMappingConfiguration={"matchByPropertyName": True},
        )
        return model

    return Listing(
        "list_interface_relationships",
        {"interfaceAssetModelId": interface},
        "interfaceRelationshipSummaries",
        make,
        lambda x: c.delete_asset_model_interface_relationship(assetModelId=x, interfaceAssetModelId=interface),
    )


LISTINGS: dict[str, Callable[[IoTSiteWiseClient, SiteWiseBackend], Listing]] = {
    "ListAssetModels": lambda c, b: _models(c),
    "ListAssets": lambda c, b: _assets(c, top_level=False),
    "ListAssets TOP_LEVEL": lambda c, b: _assets(c, top_level=True),
    "ListAssociatedAssets": lambda c, b: _children(c),
    "ListPortals": lambda c, b: _portals(c),
    "ListProjects": lambda c, b: _projects(c),
    "ListProjectAssets": _project_assets,
    "ListDashboards": lambda c, b: _dashboards(c),
    "ListAccessPolicies": lambda c, b: _policies(c),
    "ListGateways": lambda c, b: _gateways(c),
    "ListTimeSeries": lambda c, b: _time_series(c),
    "ListAssetModelCompositeModels": lambda c, b: _composites(c),
    "ListCompositionRelationships": lambda c, b: _compositions(c),
    "ListInterfaceRelationships": lambda c, b: _interfaces(c),
}


def _page(sitewise: IoTSiteWiseClient, listing: Listing, token: str | None) -> tuple[list[str], str | None]:
    params = {**listing.params, "maxResults": 2, **({"nextToken": token} if token else {})}
    answer = getattr(sitewise, listing.operation)(**params)
    token = answer.get("nextToken")
    assert token is None or TOKEN.fullmatch(token), token  # the whole token in the model's NextToken alphabet
    return [listing.ident(row) for row in answer[listing.member]], token


@pytest.mark.parametrize("name", sorted(LISTINGS))
def test_deletes_and_creates_between_pages_skip_nothing(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend, name: str
) -> None:
    """Page 1 lists items 0 and 1; then item 0 (already listed) and item 2 (not yet listed) are removed and
    item 5 is created: the next pages list 3, 4 and 5, each once (an offset would have skipped item 3)."""
    listing = LISTINGS[name](sitewise, backend)
    ids = [listing.make(i) for i in range(5)]
    first, token = _page(sitewise, listing, None)
    assert first == ids[:2] and token is not None
    listing.drop(ids[0])
    listing.drop(ids[2])
    ids.append(listing.make(5))
    rest: list[str] = []
    while token is not None:
        page, token = _page(sitewise, listing, token)
        rest += page
    assert rest == [ids[3], ids[4], ids[5]]


def test_deleting_the_last_listed_item_keeps_the_position(sitewise: IoTSiteWiseClient) -> None:
    """The token's key outlives the item it names: deleting the last item of a page loses nothing after it."""
    listing = _models(sitewise)
    ids = [listing.make(i) for i in range(4)]
    first, token = _page(sitewise, listing, None)
    listing.drop(first[-1])
    second, token = _page(sitewise, listing, token)
    assert (first, second, token) == (ids[:2], ids[2:], None)


def test_an_edited_position_is_refused(sitewise: IoTSiteWiseClient) -> None:
    """A token whose key was edited (its listing hash intact) fails its check: InvalidRequest (400)."""
    listing = _models(sitewise)
    for i in range(3):
        listing.make(i)
    _, token = _page(sitewise, listing, None)
    assert token is not None
    decoded = json.loads(base64.b64decode(token))
    decoded["k"] = [decoded["k"][0] + 1]
    forged = base64.b64encode(json.dumps(decoded).encode()).decode()
    with pytest.raises(ClientError) as caught:
        sitewise.list_asset_models(maxResults=2, nextToken=forged)
    error = caught.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("InvalidRequestException", 400)
