"""SiteWise Monitor: portals, projects, the assets of a project, and dashboards."""

from __future__ import annotations

from typing import Any

from teardown.emulator.errors import InvalidRequest, LimitExceeded, ResourceNotFound
from teardown.emulator.service.guards import require_mutable, status
from teardown.emulator.service.pagination import paginate
from teardown.emulator.service.resources import Asset, Dashboard, Portal, Project
from teardown.emulator.service.world import Answer, Handler, Params, World


def _optional(out: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    if value is not None:
        out[key] = value
    return out


# ---- portals ----------------------------------------------------------------------------------------


def create_portal(w: World, p: Params) -> Answer:
    portal_id = w.new_id()
    now = w.now()
    portal = Portal(
        id=portal_id,
        arn=w.arn("portal", portal_id),
        state="CREATING",
        created=now,
        updated=now,
        name=p["portalName"],
        description=p.get("portalDescription"),
        contact_email=p["portalContactEmail"],
        role_arn=p["roleArn"],
        auth_mode=p.get("portalAuthMode", "SSO"),
        portal_type=p.get("portalType"),
        client_id=f"sso-client-{w.rng.getrandbits(64):016x}",
        start_url=f"https://{portal_id}.app.iotsitewise.aws",
        seq=w.next_seq(),
    )
    w.portals[portal_id] = portal
    if p.get("tags"):
        w.tags[portal.arn] = dict(p["tags"])
    w.schedule("portal", portal, [("ACTIVE", w.duration("portal_create"))])
    return {
        "portalId": portal_id,
        "portalArn": portal.arn,
        "portalStartUrl": portal.start_url,
        "portalStatus": status(portal),
        "ssoApplicationId": portal.client_id,
    }


def describe_portal(w: World, p: Params) -> Answer:
    portal = w.portal(p["portalId"])
    out: dict[str, Any] = {
        "portalId": portal.id,
        "portalArn": portal.arn,
        "portalName": portal.name,
        "portalClientId": portal.client_id,
        "portalStartUrl": portal.start_url,
        "portalContactEmail": portal.contact_email,
        "portalStatus": status(portal),
        "portalCreationDate": portal.created,
        "portalLastUpdateDate": portal.updated,
        "roleArn": portal.role_arn,
        "portalAuthMode": portal.auth_mode,
    }
    _optional(out, "portalDescription", portal.description)
    return _optional(out, "portalType", portal.portal_type)


def list_portals(w: World, p: Params) -> Answer:
    page, more = paginate("ListPortals", p, list(w.portals.values()), lambda x: (x.seq,))
    rows = [
        _optional(
            _optional(
                {
                    "id": x.id,
                    "name": x.name,
                    "startUrl": x.start_url,
                    "creationDate": x.created,
                    "lastUpdateDate": x.updated,
                    "roleArn": x.role_arn,
                    "status": status(x),
                },
                "description",
                x.description,
            ),
            "portalType",
            x.portal_type,
        )
        for x in page
    ]
    return {"portalSummaries": rows, **more}


def delete_portal(w: World, p: Params) -> Answer:
    portal = w.portal(p["portalId"])
    project_id = next(iter(portal.project_ids), None)
    if project_id is not None:
        raise InvalidRequest(f"Portal {portal.id} still has project {project_id}; delete it first.")
    policy_id = next(iter(w.policies_on.get(portal.id, {})), None)
    if policy_id is not None:
        raise InvalidRequest(f"Portal {portal.id} still has access policy {policy_id}; delete it first.")
    require_mutable(portal, deleting=True)
    w.begin_delete("portal", portal, "DeletePortal", "portal_delete")
    return {"portalStatus": {"state": "DELETING"}}


# ---- projects ---------------------------------------------------------------------------------------


def create_project(w: World, p: Params) -> Answer:
    portal = w.portal(p["portalId"])
    if portal.state != "ACTIVE":
        # CreateProject declares no ConflictingOperation: a portal that is not ACTIVE is an invalid request.
        raise InvalidRequest(f"Portal {portal.id} is {portal.state}; projects are created in an ACTIVE portal.")
    project_id = w.new_id()
    now = w.now()
    project = Project(
        project_id,
        w.arn("project", project_id),
        portal.id,
        p["projectName"],
        now,
        now,
        p.get("projectDescription"),
        seq=w.next_seq(),
    )
    w.projects[project_id] = project
    portal.project_ids[project_id] = None
    if p.get("tags"):
        w.tags[project.arn] = dict(p["tags"])
    return {"projectId": project_id, "projectArn": project.arn}


def describe_project(w: World, p: Params) -> Answer:
    project = w.project(p["projectId"])
    out = {
        "projectId": project.id,
        "projectArn": project.arn,
        "projectName": project.name,
        "portalId": project.portal_id,
        "projectCreationDate": project.created,
        "projectLastUpdateDate": project.updated,
    }
    return _optional(out, "projectDescription", project.description)


def list_projects(w: World, p: Params) -> Answer:
    # ListProjects declares no ResourceNotFound: an unknown portal holds no projects.
    portal = w.portals.get(p["portalId"])
    projects = [w.projects[i] for i in portal.project_ids] if portal is not None else []
    page, more = paginate("ListProjects", p, projects, lambda x: (x.seq,))
    return {"projectSummaries": [_summary(x) for x in page], **more}


def delete_project(w: World, p: Params) -> Answer:
    project = w.project(p["projectId"])
    dashboard_id = next(iter(project.dashboard_ids), None)
    if dashboard_id is not None:
        raise InvalidRequest(f"Project {project.id} still has dashboard {dashboard_id}; delete it first.")
    asset_id = next(iter(project.asset_ids), None)
    if asset_id is not None:
        raise InvalidRequest(f"Project {project.id} still has asset {asset_id}; disassociate it first.")
    policy_id = next(iter(w.policies_on.get(project.id, {})), None)
    if policy_id is not None:
        raise InvalidRequest(f"Project {project.id} still has access policy {policy_id}; delete it first.")
    del w.projects[project.id]
    w.portals[project.portal_id].project_ids.pop(project.id, None)
    w.tags.pop(project.arn, None)
    return {}


# ---- project assets ---------------------------------------------------------------------------------


def _root_of(w: World, asset: Asset) -> str:
    while asset.parent is not None:
        asset = w.assets[asset.parent[0]]
    return asset.id


def _failure(asset_id: str, message: str) -> dict[str, str]:
    return {"assetId": asset_id, "code": "INTERNAL_FAILURE", "message": message}


def batch_associate_project_assets(w: World, p: Params) -> Answer:
    project = w.project(p["projectId"])
    errors: list[dict[str, str]] = []
    joining: list[Asset] = []
    for ref in p["assetIds"]:
        try:
            asset = w.asset(ref)
        except ResourceNotFound as exc:
            errors.append(_failure(ref, exc.message))
            continue
        # Joining a project changes the project, not the asset: only an asset on its way out is refused.
        if asset.state in ("DELETING", "FAILED"):
            errors.append(_failure(ref, f"Asset {asset.id} is {asset.state}."))
            continue
        joining.append(asset)
    members = [w.assets[a] for a in project.asset_ids] + joining
    roots = list(dict.fromkeys(_root_of(w, a) for a in members))
    if len(roots) > w.quotas.root_assets_per_project:
        raise LimitExceeded(
            f"Project {project.id} may hold assets of {w.quotas.root_assets_per_project} hierarchy root(s); "
            f"these assets come from roots {', '.join(roots)}."
        )
    for asset in joining:
        project.asset_ids[asset.id] = None
        asset.project_ids[project.id] = None
    return {"errors": errors}


def batch_disassociate_project_assets(w: World, p: Params) -> Answer:
    project = w.project(p["projectId"])
    errors: list[dict[str, str]] = []
    for ref in p["assetIds"]:
        try:
            asset = w.asset(ref)
        except ResourceNotFound as exc:
            errors.append(_failure(ref, exc.message))
            continue
        if asset.id not in project.asset_ids:
            errors.append(_failure(ref, f"Asset {asset.id} is not in project {project.id}."))
            continue
        del project.asset_ids[asset.id]
        del asset.project_ids[project.id]
    return {"errors": errors}


def list_project_assets(w: World, p: Params) -> Answer:
    # ListProjectAssets declares no ResourceNotFound: an unknown project holds no assets.
    project = w.projects.get(p["projectId"])
    members = list(project.asset_ids) if project is not None else []
    # An asset cannot be deleted while in a project, so every member is still in the world.
    page, more = paginate("ListProjectAssets", p, members, lambda a: (w.assets[a].seq,))
    return {"assetIds": page, **more}


# ---- dashboards -------------------------------------------------------------------------------------


def create_dashboard(w: World, p: Params) -> Answer:
    project = w.project(p["projectId"])
    dashboard_id = w.new_id()
    now = w.now()
    dashboard = Dashboard(
        dashboard_id,
        w.arn("dashboard", dashboard_id),
        project.id,
        p["dashboardName"],
        p["dashboardDefinition"],
        now,
        now,
        p.get("dashboardDescription"),
        seq=w.next_seq(),
    )
    w.dashboards[dashboard_id] = dashboard
    project.dashboard_ids[dashboard_id] = None
    if p.get("tags"):
        w.tags[dashboard.arn] = dict(p["tags"])
    return {"dashboardId": dashboard_id, "dashboardArn": dashboard.arn}


def _dashboard(w: World, dashboard_id: str) -> Dashboard:
    found = w.dashboards.get(dashboard_id)
    if found is None:
        raise ResourceNotFound(f"Dashboard {dashboard_id} not found.")
    return found


def describe_dashboard(w: World, p: Params) -> Answer:
    d = _dashboard(w, p["dashboardId"])
    out = {
        "dashboardId": d.id,
        "dashboardArn": d.arn,
        "dashboardName": d.name,
        "projectId": d.project_id,
        "dashboardDefinition": d.definition,
        "dashboardCreationDate": d.created,
        "dashboardLastUpdateDate": d.updated,
    }
    return _optional(out, "dashboardDescription", d.description)


def list_dashboards(w: World, p: Params) -> Answer:
    # ListDashboards declares no ResourceNotFound: an unknown project holds no dashboards.
    project = w.projects.get(p["projectId"])
    dashboards = [w.dashboards[i] for i in project.dashboard_ids] if project is not None else []
    page, more = paginate("ListDashboards", p, dashboards, lambda d: (d.seq,))
    return {"dashboardSummaries": [_summary(d) for d in page], **more}


def _summary(x: Project | Dashboard) -> Answer:
    """A project's or dashboard's list summary: the two share one shape."""
    return _optional({"id": x.id, "name": x.name, "creationDate": x.created, "lastUpdateDate": x.updated},
                     "description", x.description)


def delete_dashboard(w: World, p: Params) -> Answer:
    d = _dashboard(w, p["dashboardId"])
    del w.dashboards[d.id]
    w.projects[d.project_id].dashboard_ids.pop(d.id, None)
    w.tags.pop(d.arn, None)
    return {}


HANDLERS: dict[str, Handler] = {
    "CreatePortal": create_portal,
    "DescribePortal": describe_portal,
    "ListPortals": list_portals,
    "DeletePortal": delete_portal,
    "CreateProject": create_project,
    "DescribeProject": describe_project,
    "ListProjects": list_projects,
    "DeleteProject": delete_project,
    "BatchAssociateProjectAssets": batch_associate_project_assets,
    "BatchDisassociateProjectAssets": batch_disassociate_project_assets,
    "ListProjectAssets": list_project_assets,
    "CreateDashboard": create_dashboard,
    "DescribeDashboard": describe_dashboard,
    "ListDashboards": list_dashboards,
    "DeleteDashboard": delete_dashboard,
}
