"""What a plan saw of every resource it reads or touches, and how to tell a stale plan from a fresh one.

Pure. A fingerprint is a small JSON object per resource id: enough to notice a new child under a subtree,
a new asset of a model, a changed model, or a new link to a project. Differences the plan itself explains
(links it removes, resources it deletes, changes on resources it already acted on) are not staleness.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from teardown.inventory.index import assets_by_model, children_index
from teardown.inventory.records import Inventory
from teardown.inventory.select import Selection
from teardown.kinds import ActionKind
from teardown.planning.actions import Action

Fingerprint = dict[str, dict[str, Any]]


def fingerprint(inventory: Inventory, selection: Selection) -> Fingerprint:
    children = children_index(inventory)
    by_model = assets_by_model(inventory)
    out: Fingerprint = {}
    touched_assets = set(selection.assets) | {d.parent_id for d in selection.disassociations}
    for asset_id in sorted(touched_assets):
        asset = inventory.assets[asset_id]
        out[asset_id] = {
            "kind": "asset",
            "name": asset.name,
            "updated": asset.last_update,
            "parent": asset.parent.asset_id if asset.parent else None,
            "children": sorted(children.get(asset_id, ())),
        }
    for model_id in sorted(selection.models):
        model = inventory.models[model_id]
        out[model_id] = {
            "kind": "model",
            "name": model.name,
            "updated": model.last_update,
            "assets": sorted(by_model.get(model_id, ())),
        }
    for project_id in sorted(selection.project_unlinks):
        project = inventory.projects[project_id]
        out[project_id] = {
            "kind": "project",
            "name": project.name,
            "selected_assets": sorted(a for a in project.asset_ids if a in selection.assets),
        }
    for project_id in sorted(selection.projects):
        project = inventory.projects[project_id]
        out[project_id] = {
            "kind": "project",
            "name": project.name,
            "updated": project.last_update,
            "assets": sorted(project.asset_ids),
            "dashboards": sorted(project.dashboard_ids),
            "access_policies": sorted(project.access_policy_ids),
        }
    for portal_id in sorted(selection.portals):
        portal = inventory.portals[portal_id]
        out[portal_id] = {
            "kind": "portal",
            "name": portal.name,
            "projects": sorted(p.id for p in inventory.projects.values() if p.portal_id == portal_id),
            "access_policies": sorted(portal.access_policy_ids),
        }
    return out


def differences(
    planned: Mapping[str, Mapping[str, Any]],
    current: Mapping[str, Mapping[str, Any]],
    actions: Collection[Action],
    progressed: Collection[str] = (),
) -> list[str]:
    """Why ``planned`` no longer describes the world; empty when the plan is still good.

    ``current`` is the fingerprint of a fresh discovery with the same selectors. ``progressed`` names the
    actions an earlier apply of this plan already started, whose own effects are expected.
    """
    removed_links = {(a.params["assetId"], a.params["childAssetId"])
                     for a in actions if a.kind is ActionKind.DISASSOCIATE_ASSET}
    deleted = {a.target for a in actions if a.kind.is_delete}
    acted_on = {a.target for a in actions if a.id in progressed}
    acted_on |= {a.params["childAssetId"] for a in actions
                 if a.id in progressed and a.kind is ActionKind.DISASSOCIATE_ASSET}
    out: list[str] = []
    for rid in sorted(set(current) - set(planned)):
        new = current[rid]
        out.append(f"new {new['kind']} {new.get('name', '')!r} ({rid}) would now be affected")
    for rid in sorted(set(planned) & set(current)):
        before, after = planned[rid], current[rid]
        label = f"{before['kind']} {before.get('name', '')!r} ({rid})"
        if "children" in before:
            for child in sorted(set(after["children"]) - set(before["children"])):
                out.append(f"{label} has a new child {child}")
            for child in sorted(set(before["children"]) - set(after["children"])):
                if (rid, child) not in removed_links and child not in deleted:
                    out.append(f"{label} lost child {child} outside this plan")
        if "parent" in before and after["parent"] != before["parent"] and not (
            after["parent"] is None and (before["parent"], rid) in removed_links
        ):
            out.append(f"{label} moved from parent {before['parent']} to {after['parent']}")
        for key, noun in (("assets", "asset"), ("dashboards", "dashboard"), ("access_policies", "access policy"),
                          ("projects", "project")):
            for new_member in sorted(set(after.get(key, ())) - set(before.get(key, ()))):
                out.append(f"{label} has a new {noun} {new_member}")
        if "selected_assets" in before:
            for asset in sorted(set(after["selected_assets"]) - set(before["selected_assets"])):
                out.append(f"{label} now also holds selected asset {asset}")
        if "updated" in before and after["updated"] != before["updated"] and rid not in acted_on:
            out.append(f"{label} was updated since planning")
    return out
