"""Selection -> a networkx DiGraph of actions whose edges mean "must finish before".

Built like Terraform's destroy graph: first every action, then a short ordered list of edge rules, each a
small function naming the SiteWise rule it encodes, then validation (a cycle is reported with the
resources on it). Pure and fast: no client, linear in the selection.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import networkx as nx

from teardown.errors import GraphCycleError
from teardown.model import Action, ActionKind, Inventory
from teardown.select import Disassociation, Selection, model_users
from teardown.walk import ORDER_ONLY

PROJECT_BATCH = 100  # BatchDisassociateProjectAssets takes at most 100 asset ids


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


@dataclass(frozen=True)
class _Context:
    inventory: Inventory
    selection: Selection
    # asset id -> the action ids that remove its links (parent disassociation, project unlinks)
    unlinks_of: dict[str, list[str]]
    # project id -> its unlink batches
    batches_of: dict[str, list[str]]
    actions: dict[str, Action]


def build_actions(inventory: Inventory, selection: Selection) -> tuple[list[Action], _Context]:
    """Every action the selection needs, without edges."""
    actions: list[Action] = []
    unlinks_of: dict[str, list[str]] = defaultdict(list)
    batches_of: dict[str, list[str]] = defaultdict(list)
    assets = inventory.assets
    # A child cannot be deleted while associated, so every link of a selected asset goes: links to kept
    # parents (the selection lists them, the parent is kept but modified) and links inside the selection.
    internal = [
        Disassociation(parent.asset_id, parent.hierarchy_id, asset_id)
        for asset_id in sorted(selection.assets)
        if (parent := assets[asset_id].parent) is not None and parent.asset_id in selection.assets
    ]
    for link in (*selection.disassociations, *internal):
        action_id = disassociate_id(link.parent_id, link.child_id)
        actions.append(Action(
            id=action_id, kind=ActionKind.DISASSOCIATE_ASSET, target=link.parent_id,
            params={
                "assetId": link.parent_id, "hierarchyId": link.hierarchy_id, "childAssetId": link.child_id,
            },
            label=f"disassociate {assets[link.child_id].name!r} from {assets[link.parent_id].name!r}",
        ))
        unlinks_of[link.child_id].append(action_id)
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
            batches_of[project_id].append(action_id)
            for asset_id in chunk:
                unlinks_of[asset_id].append(action_id)
    for asset_id in sorted(selection.assets):
        asset = assets[asset_id]
        actions.append(Action(
            id=delete_asset_id(asset_id), kind=ActionKind.DELETE_ASSET, target=asset_id,
            params={"assetId": asset_id}, model_id=asset.model_id, label=f"delete asset {asset.name!r}",
        ))
    for model_id in sorted(selection.models):
        model = inventory.models[model_id]
        actions.append(Action(
            id=delete_model_id(model_id), kind=ActionKind.DELETE_ASSET_MODEL, target=model_id,
            params={"assetModelId": model_id}, label=f"delete {model.type.lower()} {model.name!r}",
        ))
    actions.extend(_monitor_actions(inventory, selection))
    return actions, _Context(inventory, selection, unlinks_of, batches_of, {a.id: a for a in actions})


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


Edge = tuple[str, str]
EdgeRule = Callable[[_Context], Iterator[Edge]]


def _unlinks_before_delete(ctx: _Context) -> Iterator[Edge]:
    """DeleteAsset is refused while the asset has a parent or is in a project."""
    for asset_id in ctx.selection.assets:
        for unlink in ctx.unlinks_of.get(asset_id, ()):
            yield unlink, delete_asset_id(asset_id)


def _child_deletes_before_parent_delete(ctx: _Context) -> Iterator[Edge]:
    """DeleteAsset is refused while the asset has children: every child link goes before the parent."""
    for node, action in ctx.actions.items():
        if action.kind is ActionKind.DISASSOCIATE_ASSET and action.target in ctx.selection.assets:
            yield node, delete_asset_id(action.target)


def _serialize_mutations_per_asset(ctx: _Context) -> Iterator[Edge]:
    """A disassociation puts the parent into UPDATING, and SiteWise refuses to mutate an asset that is not
    ACTIVE in either role (parent or child): one disassociation touching an asset at a time.

    Every chain follows one global order, deepest links first (then label, id), so chains sharing an action
    cannot form a cycle, and leaves, the bulk of any tree, are freed for deletion first.
    """
    depth = _depths(ctx.inventory)
    by_asset: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for node, action in ctx.actions.items():
        if action.kind is ActionKind.DISASSOCIATE_ASSET:
            order = (-depth(action.params["childAssetId"]), action.label, node)
            by_asset[action.params["assetId"]].append(order)
            by_asset[action.params["childAssetId"]].append(order)
    for chain in by_asset.values():
        chain.sort()
        for (*_, before), (*_, after) in itertools.pairwise(chain):
            yield before, after


def _depths(inventory: Inventory) -> Callable[[str], int]:
    """Depth of an asset in its tree (a root is 0), memoized across calls."""
    known: dict[str, int] = {}

    def depth(asset_id: str) -> int:
        path = []
        current: str | None = asset_id
        while current is not None and current not in known:
            path.append(current)
            record = inventory.assets.get(current)
            current = record.parent.asset_id if record is not None and record.parent is not None else None
        base = known[current] if current is not None else -1
        for offset, node in enumerate(reversed(path), 1):
            known[node] = base + offset
        return known[asset_id]

    return depth


def _asset_deletes_before_model_delete(ctx: _Context) -> Iterator[Edge]:
    """DeleteAssetModel is refused while any asset of the model exists, DELETING included."""
    for asset_id in ctx.selection.assets:
        model_id = ctx.inventory.assets[asset_id].model_id
        if model_id in ctx.selection.models:
            yield delete_asset_id(asset_id), delete_model_id(model_id)


def _user_models_before_used_models(ctx: _Context) -> Iterator[Edge]:
    """A model named as child model, composed as component, or implemented as interface goes last."""
    for used_id, users in model_users(ctx.inventory).items():
        if used_id not in ctx.selection.models:
            continue
        for user_id, _relation in users:
            if user_id in ctx.selection.models and user_id != used_id:
                yield delete_model_id(user_id), delete_model_id(used_id)


def _project_contents_before_project(ctx: _Context) -> Iterator[Edge]:
    """DeleteProject is refused while it has dashboards, assets or access policies."""
    for project_id in ctx.selection.projects:
        project = ctx.inventory.projects[project_id]
        for before in (*ctx.batches_of.get(project_id, ()), *map(delete_dashboard_id, project.dashboard_ids),
                       *map(delete_policy_id, project.access_policy_ids)):
            yield before, delete_project_id(project_id)


def _portal_contents_before_portal(ctx: _Context) -> Iterator[Edge]:
    """DeletePortal is refused while it has projects or access policies."""
    for portal_id in ctx.selection.portals:
        portal = ctx.inventory.portals[portal_id]
        projects = (p.id for p in ctx.inventory.projects.values() if p.portal_id == portal_id)
        for before in (*map(delete_project_id, projects), *map(delete_policy_id, portal.access_policy_ids)):
            yield before, delete_portal_id(portal_id)


# Ordered: each rule adds "before" edges, marked order-only where the later action does not need the
# earlier one's effect, only for it to have ended; validation runs once all are in.
EDGE_RULES: tuple[tuple[EdgeRule, bool], ...] = (
    (_unlinks_before_delete, False),
    (_child_deletes_before_parent_delete, False),
    (_serialize_mutations_per_asset, True),
    (_asset_deletes_before_model_delete, False),
    (_user_models_before_used_models, False),
    (_project_contents_before_project, False),
    (_portal_contents_before_portal, False),
)


def build_graph(inventory: Inventory, selection: Selection) -> nx.DiGraph:
    """The validated action graph: node attribute ``action`` holds the ``Action``."""
    actions, ctx = build_actions(inventory, selection)
    graph = nx.DiGraph()
    for action in actions:
        graph.add_node(action.id, action=action)
    for rule, order_only in EDGE_RULES:
        for before, after in rule(ctx):
            if before not in graph or after not in graph:
                raise AssertionError(f"edge rule {rule.__name__} named an unknown action: {before}->{after}")
            if graph.has_edge(before, after):
                # Two rules order the same pair: a real dependency is the stronger of the two.
                if not order_only:
                    graph.edges[before, after].pop(ORDER_ONLY, None)
                continue
            graph.add_edge(before, after, **({ORDER_ONLY: True} if order_only else {}))
    _validate(graph)
    return graph


def _validate(graph: nx.DiGraph) -> None:
    if nx.is_directed_acyclic_graph(graph):  # the cheap check first; find_cycle only to name a cycle
        return
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return
    steps = " -> ".join(f"{graph.nodes[u]['action'].label} [{u}]" for u, _v in cycle)
    raise GraphCycleError(f"the action graph has a cycle: {steps}")


# Phase rank breaks ties in the deterministic order: links first, then assets, then models.
_RANK = {
    ActionKind.DISASSOCIATE_PROJECT_ASSETS: 0,
    ActionKind.DISASSOCIATE_ASSET: 1,
    ActionKind.DELETE_ASSET: 2,
    ActionKind.DELETE_ASSET_MODEL: 3,
    ActionKind.DELETE_DASHBOARD: 4,
    ActionKind.DELETE_ACCESS_POLICY: 4,
    ActionKind.DELETE_PROJECT: 5,
    ActionKind.DELETE_PORTAL: 6,
}


def ordered_actions(graph: nx.DiGraph) -> list[Action]:
    """A deterministic topological order with ``depends_on`` filled in: same graph, same bytes."""
    # Ties broken by kind, then label (a reviewer reads "Turbine 1" before "Turbine 2"), then id.
    key = {node: (_RANK[data.kind], data.label, node) for node, data in graph.nodes(data="action")}
    out = []
    for node in nx.lexicographical_topological_sort(graph, key=key.__getitem__):
        action: Action = graph.nodes[node]["action"]
        preds = sorted(graph.predecessors(node))
        out.append(Action(
            id=action.id, kind=action.kind, target=action.target, params=action.params,
            depends_on=tuple(p for p in preds if not graph.edges[p, node].get(ORDER_ONLY)),
            after=tuple(p for p in preds if graph.edges[p, node].get(ORDER_ONLY)),
            model_id=action.model_id, label=action.label,
        ))
    return out
