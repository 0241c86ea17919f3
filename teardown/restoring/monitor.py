"""Restoring Monitor resources (portals, projects, dashboards, access policies) and gateways.

SiteWise picks their ids, so each is first looked for where it belongs, by name (a portal among the portals, a
project in its portal, a dashboard in its project) or, for an access policy, by identity and permission on
its resource: found, it is reused (which is also how a resumed run finds what it created before its crash);
else created with a deterministic clientToken. A dashboard's definition names assets and properties by id:
the ids restore re-created are replaced by their new ones. A gateway (CreateGateway takes no clientToken) is
found by name too, then given back each capability configuration it had.
"""

from __future__ import annotations

from typing import Any

from teardown.restoring.context import Restorer, StepResult
from teardown.restoring.steps import Step


def _row(r: Restorer, section: str, key: str, ref: str) -> dict[str, Any]:
    return dict(next(x for x in r.archive.section(section) if x[key] == ref))


def _named(r: Restorer, operation: str, key: str, name: str, **params: Any) -> str | None:
    for summary in r.calls.pages(operation, key, **params):
        if summary["name"] == name:
            return str(summary["id"])
    return None


def _optional(params: dict[str, Any], row: dict[str, Any], *keys: str) -> dict[str, Any]:
    params.update({k: row[k] for k in keys if row.get(k)})
    return params


def restore_portal(r: Restorer, step: Step) -> StepResult:
    row = _row(r, "portals", "portalId", step.ref)
    found = _named(r, "ListPortals", "portalSummaries", row["portalName"])
    if found is not None:
        return StepResult({step.ref: found}, reused=True)
    params = _optional({k: row[k] for k in ("portalName", "portalContactEmail", "roleArn")}, row,
                       "portalDescription", "portalAuthMode")
    portal_id = str(r.mutate("CreatePortal", step.id, **params)["portalId"])
    r.wait_active("DescribePortal", "portalStatus", f"portal {row['portalName']!r} ({portal_id})", portalId=portal_id)
    return StepResult({step.ref: portal_id})


def restore_project(r: Restorer, step: Step) -> StepResult:
    row = _row(r, "projects", "projectId", step.ref)
    portal = r.new(str(row["portalId"]))
    found = _named(r, "ListProjects", "projectSummaries", row["projectName"], portalId=portal)
    if found is not None:
        return StepResult({step.ref: found}, reused=True)
    params = _optional({"portalId": portal, "projectName": row["projectName"]}, row, "projectDescription")
    return StepResult({step.ref: str(r.mutate("CreateProject", step.id, **params)["projectId"])})


def restore_dashboard(r: Restorer, step: Step) -> StepResult:
    row = _row(r, "dashboards", "dashboardId", step.ref)
    project = r.new(str(row["projectId"]))
    found = _named(r, "ListDashboards", "dashboardSummaries", row["dashboardName"], projectId=project)
    if found is not None:
        return StepResult({step.ref: found}, reused=True)
    definition = str(row["dashboardDefinition"])
    for old, new in r.id_map().items():
        definition = definition.replace(old, new)
    params = _optional({"projectId": project, "dashboardName": row["dashboardName"],
                        "dashboardDefinition": definition}, row, "dashboardDescription")
    return StepResult({step.ref: str(r.mutate("CreateDashboard", step.id, **params)["dashboardId"])})


def restore_access_policy(r: Restorer, step: Step) -> StepResult:
    row = _row(r, "accessPolicies", "accessPolicyId", step.ref)
    kind, target = next(iter(row["accessPolicyResource"].items()))
    resource = {kind: {"id": r.new(str(target["id"]))}}
    for summary in r.calls.pages("ListAccessPolicies", "accessPolicySummaries", resourceType=kind.upper(),
                                 resourceId=resource[kind]["id"]):
        if summary["identity"] == row["accessPolicyIdentity"] and summary["permission"] == row[
                "accessPolicyPermission"]:
            return StepResult({step.ref: str(summary["id"])}, reused=True)
    answer = r.mutate("CreateAccessPolicy", step.id, accessPolicyIdentity=row["accessPolicyIdentity"],
                      accessPolicyResource=resource, accessPolicyPermission=row["accessPolicyPermission"])
    return StepResult({step.ref: str(answer["accessPolicyId"])})


def restore_gateway(r: Restorer, step: Step) -> StepResult:
    row = _row(r, "gateways", "gatewayId", step.ref)
    found = _named_gateway(r, row["gatewayName"])
    reused = found is not None
    if found is None:
        params = _optional({"gatewayName": row["gatewayName"], "gatewayPlatform": row["gatewayPlatform"]}, row,
                           "gatewayVersion", "tags")
        found = str(r.calls.mutate("CreateGateway", **params)["gatewayId"])
    have = {c["capabilityNamespace"] for c in r.calls.read("DescribeGateway", gatewayId=found).get(
        "gatewayCapabilitySummaries", [])}
    for capability in row["capabilities"]:
        namespace = capability["capabilityNamespace"]
        if reused and namespace in have:
            continue  # a gateway that is there keeps the configuration it has
        r.calls.mutate("UpdateGatewayCapabilityConfiguration", gatewayId=found, capabilityNamespace=namespace,
                       capabilityConfiguration=capability["capabilityConfiguration"])
    return StepResult({step.ref: found}, reused=reused)


def _named_gateway(r: Restorer, name: str) -> str | None:
    for summary in r.calls.pages("ListGateways", "gatewaySummaries"):
        if summary["gatewayName"] == name:
            return str(summary["gatewayId"])
    return None
