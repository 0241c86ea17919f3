"""Actions: the requests a plan sends, their ids, and the one function that derives them from a selection.

Pure. An action id names what it acts on (``delete-asset/<id>``), so the same selection gives the same ids,
and the executor derives each request's clientToken from the plan digest and the id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from teardown.inventory.records import Inventory
from teardown.inventory.select import Selection
from teardown.kinds import ActionKind

PROJECT_BATCH = 100  # BatchDisassociateProjectAssets takes at most 100 asset ids


@dataclass(frozen=True, slots=True, init=False)
class Action:
    """One request the plan will send.

    ``params`` are the operation's request parameters exactly as boto3 takes them, less ``clientToken``
    (the executor derives it from the plan digest and ``id``). ``target`` is the resource the action
    waits on: the asset or model deleted, the parent asset that goes UPDATING, or the project.
    ``depends_on`` must succeed first; ``after`` must merely have ended first.
    ``model_id`` is set on asset deletes so completions can be confirmed with one ListAssets per model.
    """

    id: str
    kind: ActionKind
    target: str
    params: Mapping[str, Any]
    depends_on: tuple[str, ...] = ()
    model_id: str | None = None
    label: str = ""
    # Ordering only: wait for these to end, but do not skip when they fail (two requests that must not
    # overlap, such as two disassociations touching one asset, yet do not need each other's effect).
    after: tuple[str, ...] = ()

    def __init__(  # noqa: PLR0917 (the dataclass's own signature: fields in order, positional or by name)
        self, id: str, kind: ActionKind, target: str, params: Mapping[str, Any], depends_on: tuple[str, ...] = (),
        model_id: str | None = None, label: str = "", after: tuple[str, ...] = (),
    ) -> None:
        # Slots (no __dict__ per action: a sixth of a loaded plan's memory at 100k assets), each set through its
        # slot's own setter: the generated frozen __init__ goes through object.__setattr__, twice as slow, and a
        # plan at 100k assets builds 200k actions twice (planned, then loaded). Same fields, order and defaults.
        _set_id(self, id)
        _set_kind(self, kind)
        _set_target(self, target)
        _set_params(self, params)
        _set_depends_on(self, depends_on)
        _set_model_id(self, model_id)
        _set_label(self, label)
        _set_after(self, after)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind.value,
            "operation": self.kind.operation,
            "target": self.target,
            "params": dict(self.params),
            "depends_on": list(self.depends_on),
        }
        if self.model_id is not None:
            out["model_id"] = self.model_id
        if self.label:
            out["label"] = self.label
        if self.after:
            out["after"] = list(self.after)
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Action:
        value = data["kind"]  # a dict first: Enum's own lookup is slow; it still judges anything else
        kind = (_KIND_OF_VALUE.get(value) if isinstance(value, str) else None) or ActionKind(value)
        return cls(  # positional: 200k actions per 100k-asset plan loaded
            data["id"], kind, data["target"], dict(data["params"]), tuple(data["depends_on"]),
            data.get("model_id"), data.get("label", ""), tuple(data.get("after", ())),
        )

    @classmethod
    def adopt_json(cls, data: dict[str, Any]) -> Action:
        """``from_json`` of an action's dict that no one else holds or changes (a plan file's, being loaded):
        its params are kept, not copied."""
        value = data["kind"]
        kind = (_KIND_OF_VALUE.get(value) if isinstance(value, str) else None) or ActionKind(value)
        return cls(
            data["id"], kind, data["target"], data["params"], tuple(data["depends_on"]),
            data.get("model_id"), data.get("label", ""), tuple(data.get("after", ())),
        )


_KIND_OF_VALUE = {kind.value: kind for kind in ActionKind}
# Each slot's setter (frozen: the class's own __setattr__ refuses); only Action.__init__ uses them.
_set_id, _set_kind, _set_target, _set_params, _set_depends_on, _set_model_id, _set_label, _set_after = (
    getattr(Action, name).__set__ for name in Action.__slots__
)


def delete_asset_id(asset_id: str) -> str:
    return f"delete-asset/{asset_id}"


def delete_model_id(model_id: str) -> str:
    return f"delete-model/{model_id}"


def disassociate_id(parent_id: str, child_id: str) -> str:
    return f"disassociate/{parent_id}/{child_id}"


def unlink_id(project_id: str, batch: int) -> str:
    return f"unlink-project/{project_id}/{batch}"


def delete_dashboard_id(dashboard_id: str) -> str:
    return f"delete-dashboard/{dashboard_id}"


def delete_policy_id(policy_id: str) -> str:
    return f"delete-access-policy/{policy_id}"


def delete_project_id(project_id: str) -> str:
    return f"delete-project/{project_id}"


def delete_portal_id(portal_id: str) -> str:
    return f"delete-portal/{portal_id}"


def keep_series_id(series_id: str) -> str:
    return f"keep-time-series/{series_id}"


def delete_series_id(series_id: str) -> str:
    return f"delete-time-series/{series_id}"


def delete_gateway_id(gateway_id: str) -> str:
    return f"delete-gateway/{gateway_id}"


def build_actions(inventory: Inventory, selection: Selection) -> list[Action]:
    """Every action the selection needs, without edges."""
    actions: list[Action] = []
    assets = inventory.assets
    selected = selection.ordered_assets
    # A child cannot be deleted while associated, so every link of a selected asset goes: links to kept
    # parents (the selection lists them, the parent is kept but modified) and links inside the selection.
    # Plain tuples and positional arguments: at 100k assets, dataclasses and keywords cost a tenth of a second.
    links = [(link.parent_id, link.hierarchy_id, link.child_id) for link in selection.disassociations]
    links += [
        (parent.asset_id, parent.hierarchy_id, asset_id)
        for asset_id in selected
        if (parent := assets[asset_id].parent) is not None and parent.asset_id in selection.assets
    ]
    kind = ActionKind.DISASSOCIATE_ASSET
    for parent_id, hierarchy_id, child_id in links:
        actions.append(Action(
            disassociate_id(parent_id, child_id), kind, parent_id,
            {"assetId": parent_id, "hierarchyId": hierarchy_id, "childAssetId": child_id}, (), None,
            f"disassociate {assets[child_id].name!r} from {assets[parent_id].name!r}",
        ))
    for project_id, asset_ids in selection.project_unlinks.items():
        name = inventory.projects[project_id].name
        for batch, start in enumerate(range(0, len(asset_ids), PROJECT_BATCH)):
            chunk = asset_ids[start:start + PROJECT_BATCH]
            action_id = unlink_id(project_id, batch)
            actions.append(Action(
                id=action_id, kind=ActionKind.DISASSOCIATE_PROJECT_ASSETS, target=project_id,
                params={"projectId": project_id, "assetIds": list(chunk)},
                label=f"unlink {len(chunk)} asset(s) from project {name!r}",
            ))
    kind = ActionKind.DELETE_ASSET
    for asset_id in selected:
        asset = assets[asset_id]
        actions.append(Action(delete_asset_id(asset_id), kind, asset_id, {"assetId": asset_id}, (), asset.model_id,
                              f"delete asset {asset.name!r}"))
    for model_id in sorted(selection.models):
        model = inventory.models[model_id]
        actions.append(Action(
            id=delete_model_id(model_id), kind=ActionKind.DELETE_ASSET_MODEL, target=model_id,
            params={"assetModelId": model_id}, label=f"delete {model.type.lower()} {model.name!r}",
        ))
    actions.extend(_monitor_actions(inventory, selection))
    actions.extend(_edge_actions(inventory, selection))
    return actions


def _edge_actions(inventory: Inventory, selection: Selection) -> list[Action]:
    """Kept series leave their asset (by alias, asset and property, which must all match); alias-only series
    are deleted by alias; gateways by id."""
    out: list[Action] = []
    for series in selection.kept_series:
        alias, asset_id = series.alias or "", series.asset_id or ""  # kept series are bound and aliased
        out.append(Action(
            id=keep_series_id(series.id), kind=ActionKind.DISASSOCIATE_TIME_SERIES, target=alias,
            params={"alias": alias, "assetId": asset_id, "propertyId": series.property_id},
            label=f"keep time series {alias!r}: disassociate it from {inventory.assets[asset_id].name!r}",
        ))
    for series_id in sorted(selection.series):
        alias = inventory.series[series_id].alias or ""  # alias-only series have one: it is what names them
        out.append(Action(
            id=delete_series_id(series_id), kind=ActionKind.DELETE_TIME_SERIES, target=alias,
            params={"alias": alias}, label=f"delete alias-only time series {alias!r}",
        ))
    for gateway_id in sorted(selection.gateways):
        out.append(Action(
            id=delete_gateway_id(gateway_id), kind=ActionKind.DELETE_GATEWAY, target=gateway_id,
            params={"gatewayId": gateway_id}, label=f"delete gateway {inventory.gateways[gateway_id].name!r}",
        ))
    return out


def _monitor_actions(inventory: Inventory, selection: Selection) -> list[Action]:
    """Deleted projects take their dashboards and access policies with them; deleted portals, their policies."""
    out: list[Action] = []
    for project_id in sorted(selection.projects):
        project = inventory.projects[project_id]
        for dashboard_id in project.dashboard_ids:
            out.append(Action(
                id=delete_dashboard_id(dashboard_id), kind=ActionKind.DELETE_DASHBOARD, target=dashboard_id,
                params={"dashboardId": dashboard_id},
                label=f"delete dashboard {dashboard_id} of project {project.name!r}",
            ))
        out.extend(_policy_action(policy_id, f"project {project.name!r}") for policy_id in project.access_policy_ids)
        out.append(Action(
            id=delete_project_id(project_id), kind=ActionKind.DELETE_PROJECT, target=project_id,
            params={"projectId": project_id}, label=f"delete project {project.name!r}",
        ))
    for portal_id in sorted(selection.portals):
        portal = inventory.portals[portal_id]
        out.extend(_policy_action(policy_id, f"portal {portal.name!r}") for policy_id in portal.access_policy_ids)
        out.append(Action(
            id=delete_portal_id(portal_id), kind=ActionKind.DELETE_PORTAL, target=portal_id,
            params={"portalId": portal_id}, label=f"delete portal {portal.name!r}",
        ))
    return out


def _policy_action(policy_id: str, owner: str) -> Action:
    return Action(
        id=delete_policy_id(policy_id), kind=ActionKind.DELETE_ACCESS_POLICY, target=policy_id,
        params={"accessPolicyId": policy_id}, label=f"delete access policy {policy_id} of {owner}",
    )
