"""Monitor discovery: portals, their projects and the assets each project holds (there is no call that lists
an asset's projects); dashboards and access policies too when projects or portals may be deleted. On the
Monitor lane, on the one request path."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

from teardown.aws.answers import epoch
from teardown.aws.calls import Calls
from teardown.aws.lanes import Lanes
from teardown.inventory.records import Inventory, PortalRecord, ProjectRecord


def read_monitor(calls: Calls, lanes: Lanes, inventory: Inventory, *, details: bool) -> None:
    """Into ``inventory``: every portal and project; with ``details``, their dashboards and access policies."""
    lock = threading.Lock()
    portals = [PortalRecord(
        id=p["id"], name=p["name"], arn=f"arn:aws:iotsitewise:{inventory.region}:"
        f"{inventory.account}:portal/{p['id']}", status=p.get("status", {}).get("state", "ACTIVE"),
        last_update=epoch(p.get("lastUpdateDate")),
    ) for p in calls.pages("ListPortals", "portalSummaries")]
    inventory.portals = {p.id: p for p in portals}
    summaries: list[tuple[str, Any]] = []

    def list_projects(portal: PortalRecord) -> None:
        found = [(portal.id, s) for s in calls.pages("ListProjects", "projectSummaries", portalId=portal.id)]
        with lock:
            summaries.extend(found)

    lanes.map("ListProjects", list_projects, portals)

    def project_assets(item: tuple[str, Any]) -> None:
        portal_id, summary = item
        project_id = summary["id"]
        asset_ids = tuple(sorted(calls.pages("ListProjectAssets", "assetIds", projectId=project_id)))
        dashboards: tuple[str, ...] = ()
        policies: tuple[str, ...] = ()
        if details:
            dashboards = tuple(sorted(d["id"] for d in calls.pages(
                "ListDashboards", "dashboardSummaries", projectId=project_id)))
            policies = _access_policies(calls, "PROJECT", project_id)
        record = ProjectRecord(
            id=project_id, name=summary["name"], portal_id=portal_id, asset_ids=asset_ids,
            arn=f"arn:aws:iotsitewise:{inventory.region}:{inventory.account}:project/{project_id}",
            last_update=epoch(summary.get("lastUpdateDate")), dashboard_ids=dashboards,
            access_policy_ids=policies,
        )
        with lock:
            inventory.projects[record.id] = record

    lanes.map("ListProjectAssets", project_assets, summaries)
    if details:
        def portal_policies(portal: PortalRecord) -> None:
            policies = _access_policies(calls, "PORTAL", portal.id)
            with lock:
                inventory.portals[portal.id] = replace(portal, access_policy_ids=policies)

        lanes.map("ListAccessPolicies", portal_policies, portals)
        inventory.monitor_loaded = True


def _access_policies(calls: Calls, resource_type: str, resource_id: str) -> tuple[str, ...]:
    return tuple(sorted(p["id"] for p in calls.pages(
        "ListAccessPolicies", "accessPolicySummaries", resourceType=resource_type, resourceId=resource_id)))
