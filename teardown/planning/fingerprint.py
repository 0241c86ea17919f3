"""What a plan saw of every resource it reads or touches, and how to tell a stale plan from a fresh one.

Pure. A fingerprint is a small JSON object per resource id, holding only what the plan depends on: the
children, parent and model of selected assets, the links of kept parents to selected children, the assets
of selected models, the members of selected projects and portals. Differences the plan itself explains
(links it removes, resources it deletes, changes on resources it already acted on) are not staleness.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from teardown.inventory.index import assets_by_model, children_index, series_by_asset
from teardown.inventory.records import Inventory
from teardown.inventory.select import Selection
from teardown.kinds import ActionKind
from teardown.planning.actions import Action

Fingerprint = dict[str, dict[str, Any]]


def fingerprint(
    inventory: Inventory, selection: Selection, *, children: Mapping[str, list[str]] | None = None
) -> Fingerprint:
    """``children``: the inventory's ``children_index``, where the caller has it already (its lists are used
    as they are: no one changes them)."""
    children = children_index(inventory) if children is None else children
    by_model = assets_by_model(inventory)
    out: Fingerprint = {}
    assets = inventory.assets
    for asset_id in selection.ordered_assets:
        asset = assets[asset_id]
        kids = children.get(asset_id)
        out[asset_id] = {
            "kind": "asset",
            "name": asset.name,
            "model": asset.model_id,
            "parent": asset.parent.asset_id if asset.parent else None,
            "children": kids if kids is not None else [],  # the index's own list, sorted
        }
    # A kept parent matters only through its links to selected children: a new sibling of theirs, a rename or
    # any other update of the parent does not make the plan stale.
    for parent_id in sorted({d.parent_id for d in selection.disassociations}):
        out[parent_id] = {
            "kind": "asset",
            "name": inventory.assets[parent_id].name,
            "selected_children": sorted(c for c in children.get(parent_id, ()) if c in selection.assets),
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
    for gateway_id in sorted(selection.gateways):
        out[gateway_id] = {"kind": "gateway", "name": inventory.gateways[gateway_id].name}
    bound = series_by_asset(inventory) if selection.kept_series or selection.unkeepable_series else {}
    # Kept mode: every series bound to a deleted asset, so one added since (which the plan would not keep) or
    # one that gained or lost its alias makes the plan stale.
    watched = [*(inventory.series[s] for s in sorted(selection.series)),
               *(s for asset_id in selection.ordered_assets for s in bound.get(asset_id, ()))]
    for series in watched:
        out[series.id] = {"kind": "time_series", "name": series.label, "alias": series.alias,
                          "asset": series.asset_id}
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
    kept_aliases = {a.target for a in actions if a.kind is ActionKind.DISASSOCIATE_TIME_SERIES}
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
        for child in sorted(set(before.get("selected_children", ())) - set(after.get("selected_children", ()))):
            if (rid, child) not in removed_links and child not in deleted:
                out.append(f"{label} lost child {child} outside this plan")
        if "model" in before and after.get("model") != before["model"]:
            out.append(f"{label} now belongs to model {after.get('model')}")
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
        if "alias" in before and after.get("alias") != before["alias"]:
            out.append(f"{label} now has alias {after.get('alias')!r}")
        if "asset" in before and after.get("asset") != before["asset"] and not (
            after.get("asset") is None and before["alias"] in kept_aliases
        ):
            out.append(f"{label} moved from asset {before['asset']} to {after.get('asset')}")
        if "updated" in before and after["updated"] != before["updated"] and rid not in acted_on:
            out.append(f"{label} was updated since planning")
    return out
