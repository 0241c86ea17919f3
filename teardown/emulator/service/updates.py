"""Update calls of the Monitor resources (portals, projects, dashboards, access policies).

A portal goes UPDATING, then ACTIVE after the update latency; projects, dashboards and access policies have
no state and change at once (their operations declare no ConflictingOperation).
"""

from __future__ import annotations

from teardown.emulator.errors import InvalidRequest, ResourceNotFound
from teardown.emulator.service.access_policies import policy_target
from teardown.emulator.service.guards import require_mutable, status
from teardown.emulator.service.world import Answer, Handler, Params, World


def update_portal(w: World, p: Params) -> Answer:
    portal = w.portal(p["portalId"])
    require_mutable(portal)
    portal.name = p["portalName"]
    portal.description = p.get("portalDescription")
    portal.contact_email = p["portalContactEmail"]
    portal.role_arn = p["roleArn"]
    if p.get("portalType") is not None:
        portal.portal_type = p["portalType"]
    portal.state = "UPDATING"
    portal.updated = w.now()
    w.schedule("portal", portal, [("ACTIVE", w.duration("update"))])
    return {"portalStatus": status(portal)}


def update_project(w: World, p: Params) -> Answer:
    project = w.project(p["projectId"])
    project.name = p["projectName"]
    project.description = p.get("projectDescription")
    project.updated = w.now()
    return {}


def update_dashboard(w: World, p: Params) -> Answer:
    dashboard = w.dashboards.get(p["dashboardId"])
    if dashboard is None:
        raise ResourceNotFound(f"Dashboard {p['dashboardId']} not found.")
    dashboard.name = p["dashboardName"]
    dashboard.description = p.get("dashboardDescription")
    dashboard.definition = p["dashboardDefinition"]
    dashboard.updated = w.now()
    return {}


def update_access_policy(w: World, p: Params) -> Answer:
    """Identity, resource and permission are replaced; a policy moved to another portal or project is listed
    (and blocks deletes) there from now on."""
    policy = w.policies.get(p["accessPolicyId"])
    if policy is None:
        raise ResourceNotFound(f"Access policy {p['accessPolicyId']} not found.")
    target = policy_target(w, p["accessPolicyResource"])
    if len(p["accessPolicyIdentity"]) != 1:
        raise InvalidRequest("An access policy names exactly one identity.")
    w.policies_on.get(policy.resource_id, {}).pop(policy.id, None)
    policy.identity = dict(p["accessPolicyIdentity"])
    policy.resource = dict(p["accessPolicyResource"])
    policy.permission = p["accessPolicyPermission"]
    policy.updated = w.now()
    w.policies_on.setdefault(target, {})[policy.id] = None
    return {}


HANDLERS: dict[str, Handler] = {
    "UpdatePortal": update_portal,
    "UpdateProject": update_project,
    "UpdateDashboard": update_dashboard,
    "UpdateAccessPolicy": update_access_policy,
}
