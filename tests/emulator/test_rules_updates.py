"""Update calls of Monitor resources and gateways through a real boto3 client: what changes, the states the
service reports, and the refusals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from teardown.emulator import LatencyProfile
from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.clock import ManualClock

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

ROLE = "arn:aws:iam::123456789012:role/portal"
MISSING = "99999999-9999-4999-8999-999999999999"
NAMESPACE = "iotsitewise:opcuacollector:3"


def code_of(call: Any, **kwargs: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    error = caught.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def monitor(sitewise: IoTSiteWiseClient) -> dict[str, str]:
    portal = sitewise.create_portal(portalName="p", portalContactEmail="o@example.com", roleArn=ROLE)["portalId"]
    project = sitewise.create_project(portalId=portal, projectName="pr", projectDescription="old")["projectId"]
    dashboard = sitewise.create_dashboard(projectId=project, dashboardName="d", dashboardDefinition="{}")["dashboardId"]
    return {"portal": portal, "project": project, "dashboard": dashboard}


def test_update_portal_goes_updating_then_active(
    sitewise: IoTSiteWiseClient, monitor: dict[str, str], backend: SiteWiseBackend, clock: ManualClock
) -> None:
    """UpdatePortal answers UPDATING, the portal shows the new name at once and is ACTIVE after the update
    latency; a second update while UPDATING is ConflictingOperation (409)."""
    backend.latency = LatencyProfile(update=3.0)
    answer = sitewise.update_portal(
        portalId=monitor["portal"],
        portalName="renamed",
        portalDescription="desc",
        portalContactEmail="n@example.com",
        roleArn=ROLE,
    )
    assert answer["portalStatus"]["state"] == "UPDATING"
    described = sitewise.describe_portal(portalId=monitor["portal"])
    assert (described["portalName"], described["portalContactEmail"]) == ("renamed", "n@example.com")
    assert described["portalDescription"] == "desc" and described["portalStatus"]["state"] == "UPDATING"
    assert code_of(
        sitewise.update_portal, portalId=monitor["portal"], portalName="x", portalContactEmail="n@e.com", roleArn=ROLE
    ) == ("ConflictingOperationException", 409)
    clock.advance(3.0)
    assert sitewise.describe_portal(portalId=monitor["portal"])["portalStatus"]["state"] == "ACTIVE"


def test_update_portal_unknown_is_not_found(sitewise: IoTSiteWiseClient) -> None:
    """An unknown portal is ResourceNotFound (404)."""
    assert code_of(
        sitewise.update_portal, portalId=MISSING, portalName="x", portalContactEmail="n@e.com", roleArn=ROLE
    ) == ("ResourceNotFoundException", 404)


def test_update_project_and_dashboard(sitewise: IoTSiteWiseClient, monitor: dict[str, str]) -> None:
    """Names, descriptions and the dashboard definition change at once; an omitted description is removed;
    unknown ones are 404."""
    sitewise.update_project(projectId=monitor["project"], projectName="pr2")
    project = sitewise.describe_project(projectId=monitor["project"])
    assert project["projectName"] == "pr2" and "projectDescription" not in project
    sitewise.update_dashboard(
        dashboardId=monitor["dashboard"], dashboardName="d2", dashboardDescription="dd", dashboardDefinition='{"w":1}'
    )
    dashboard = sitewise.describe_dashboard(dashboardId=monitor["dashboard"])
    assert (dashboard["dashboardName"], dashboard["dashboardDescription"]) == ("d2", "dd")
    assert dashboard["dashboardDefinition"] == '{"w":1}'
    assert code_of(sitewise.update_project, projectId=MISSING, projectName="x") == ("ResourceNotFoundException", 404)
    assert code_of(sitewise.update_dashboard, dashboardId=MISSING, dashboardName="x", dashboardDefinition="{}") == (
        "ResourceNotFoundException",
        404,
    )


def test_update_access_policy_moves_it(sitewise: IoTSiteWiseClient, monitor: dict[str, str]) -> None:
    """A policy moved from the project to the portal is listed on the portal, no longer blocks deleting the
    project, and now blocks deleting the portal; a move to an unknown project is 404 and changes nothing."""
    policy = sitewise.create_access_policy(
        accessPolicyIdentity={"user": {"id": "u"}},
        accessPolicyResource={"project": {"id": monitor["project"]}},
        accessPolicyPermission="VIEWER",
    )["accessPolicyId"]
    assert code_of(
        sitewise.update_access_policy,
        accessPolicyId=policy,
        accessPolicyIdentity={"user": {"id": "u"}},
        accessPolicyResource={"project": {"id": MISSING}},
        accessPolicyPermission="VIEWER",
    ) == ("ResourceNotFoundException", 404)
    sitewise.update_access_policy(
        accessPolicyId=policy,
        accessPolicyIdentity={"group": {"id": "g"}},
        accessPolicyResource={"portal": {"id": monitor["portal"]}},
        accessPolicyPermission="ADMINISTRATOR",
    )
    described = sitewise.describe_access_policy(accessPolicyId=policy)
    assert described["accessPolicyPermission"] == "ADMINISTRATOR"
    assert described["accessPolicyIdentity"] == {"group": {"id": "g"}}
    on_portal = sitewise.list_access_policies(resourceType="PORTAL", resourceId=monitor["portal"])
    assert [p["id"] for p in on_portal["accessPolicySummaries"]] == [policy]
    assert (
        sitewise.list_access_policies(resourceType="PROJECT", resourceId=monitor["project"])["accessPolicySummaries"]
        == []
    )
    sitewise.delete_dashboard(dashboardId=monitor["dashboard"])
    sitewise.delete_project(projectId=monitor["project"])
    assert code_of(sitewise.delete_portal, portalId=monitor["portal"]) == ("InvalidRequestException", 400)
    assert code_of(
        sitewise.update_access_policy,
        accessPolicyId=MISSING,
        accessPolicyIdentity={"user": {"id": "u"}},
        accessPolicyResource={"portal": {"id": monitor["portal"]}},
        accessPolicyPermission="VIEWER",
    ) == ("ResourceNotFoundException", 404)


def test_update_gateway_and_capability_configuration(sitewise: IoTSiteWiseClient) -> None:
    """UpdateGateway renames; a capability configuration is stored, described and summarised on the gateway
    (OUT_OF_SYNC: the emulator has no device to apply it); unknown gateway or namespace is 404; deleting the
    gateway drops its configurations."""
    gateway = sitewise.create_gateway(gatewayName="g", gatewayPlatform={"greengrassV2": {"coreDeviceThingName": "t"}})[
        "gatewayId"
    ]
    sitewise.update_gateway(gatewayId=gateway, gatewayName="g2")
    assert sitewise.describe_gateway(gatewayId=gateway)["gatewayName"] == "g2"
    assert code_of(
        sitewise.describe_gateway_capability_configuration, gatewayId=gateway, capabilityNamespace=NAMESPACE
    ) == (
        "ResourceNotFoundException",
        404,
    )
    answer = sitewise.update_gateway_capability_configuration(
        gatewayId=gateway, capabilityNamespace=NAMESPACE, capabilityConfiguration='{"sources":[]}'
    )
    assert (answer["capabilityNamespace"], answer["capabilitySyncStatus"]) == (NAMESPACE, "OUT_OF_SYNC")
    got = sitewise.describe_gateway_capability_configuration(gatewayId=gateway, capabilityNamespace=NAMESPACE)
    assert got["capabilityConfiguration"] == '{"sources":[]}'
    summaries = sitewise.describe_gateway(gatewayId=gateway)["gatewayCapabilitySummaries"]
    assert summaries == [{"capabilityNamespace": NAMESPACE, "capabilitySyncStatus": "OUT_OF_SYNC"}]
    assert code_of(sitewise.update_gateway, gatewayId=MISSING, gatewayName="x") == ("ResourceNotFoundException", 404)
    sitewise.delete_gateway(gatewayId=gateway)
    assert code_of(
        sitewise.describe_gateway_capability_configuration, gatewayId=gateway, capabilityNamespace=NAMESPACE
    ) == (
        "ResourceNotFoundException",
        404,
    )
