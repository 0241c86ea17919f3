"""Selection -> a networkx DiGraph of actions whose edges mean "must finish before".

Built like Terraform's destroy graph: first every action, then a short ordered list of edge rules, each a
small function naming the SiteWise rule it encodes, then validation (a cycle is reported with the
resources on it). Every edge records the rules that added it (attribute ``rules``), so a reviewer or a
test can ask why one action waits for another. Pure and fast: no client, linear in the selection.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum

import networkx as nx
import structlog

from teardown.errors import GraphCycleError
from teardown.inventory.index import model_users
from teardown.inventory.records import Inventory
from teardown.inventory.select import Selection
from teardown.kinds import ActionKind
from teardown.planning.actions import (
    Action,
    build_actions,
    delete_asset_id,
    delete_dashboard_id,
    delete_model_id,
    delete_policy_id,
    delete_portal_id,
    delete_project_id,
    keep_series_id,
)

# Edge attributes: ORDER_ONLY marks an edge whose later action only waits for the earlier one to end (it
# does not need its effect, and is not skipped when it fails); RULES names the edge rules behind the edge.
ORDER_ONLY = "order_only"
RULES = "rules"
log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class _Context:
    inventory: Inventory
    selection: Selection
    actions: dict[str, Action]
    # asset id -> the action ids that remove its links (parent disassociation, project unlinks)
    unlinks_of: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    # project id -> its unlink batches
    batches_of: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, inventory: Inventory, selection: Selection, actions: list[Action]) -> _Context:
        ctx = cls(inventory, selection, {a.id: a for a in actions})
        for action in actions:
            if action.kind is ActionKind.DISASSOCIATE_ASSET:
                ctx.unlinks_of[action.params["childAssetId"]].append(action.id)
            elif action.kind is ActionKind.DISASSOCIATE_PROJECT_ASSETS:
                ctx.batches_of[action.target].append(action.id)
                for asset_id in action.params["assetIds"]:
                    ctx.unlinks_of[asset_id].append(action.id)
        return ctx


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


def _asset_deletes_before_model_delete(ctx: _Context) -> Iterator[Edge]:
    """DeleteAssetModel is refused while any asset of the model exists, DELETING included."""
    for asset_id in ctx.selection.assets:
        model_id = ctx.inventory.assets[asset_id].model_id
        if model_id in ctx.selection.models:
            yield delete_asset_id(asset_id), delete_model_id(model_id)


def _blocking_users_before_used_models(ctx: _Context) -> Iterator[Edge]:
    """DeleteAssetModel is refused while another model composes it, implements it (an interface), or reads
    its properties in a formula through a hierarchy: those users go first."""
    yield from _model_uses(ctx, blocking=True)


def _model_uses(ctx: _Context, *, blocking: bool) -> Iterator[Edge]:
    for used_id, uses in sorted(model_users(ctx.inventory).items()):
        if used_id not in ctx.selection.models:
            continue
        for use in uses:
            if use.blocks is blocking and use.user in ctx.selection.models and use.user != used_id:
                yield delete_model_id(use.user), delete_model_id(used_id)


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


def _kept_series_leave_before_asset_delete(ctx: _Context) -> Iterator[Edge]:
    """Deleting an asset deletes the series bound to its properties, data included: a series kept
    (--keep-time-series) is disassociated first, and the asset waits for that to succeed."""
    for series in ctx.selection.kept_series:
        if series.asset_id is not None:
            yield keep_series_id(series.id), delete_asset_id(series.asset_id)


class Strength(Enum):
    """What an edge rule's "before" means."""

    NEEDS = "needs"  # the later action needs the earlier one's effect: skipped when it fails
    ORDERS = "orders"  # the later action only waits for the earlier one to end (ORDER_ONLY)
    PREFERS = "prefers"  # an ordering given up where it would close a cycle (ORDER_ONLY, added last)


# Ordered: each rule adds "before" edges of its strength; preferences go in after every other edge, each only
# where it closes no cycle; validation runs once all are in.
EDGE_RULES: tuple[tuple[EdgeRule, Strength], ...] = (
    (_unlinks_before_delete, Strength.NEEDS),
    (_child_deletes_before_parent_delete, Strength.NEEDS),
    (_asset_deletes_before_model_delete, Strength.NEEDS),
    (_blocking_users_before_used_models, Strength.NEEDS),
    (_project_contents_before_project, Strength.NEEDS),
    (_portal_contents_before_portal, Strength.NEEDS),
    (_kept_series_leave_before_asset_delete, Strength.NEEDS),
)


def build_graph(inventory: Inventory, selection: Selection) -> nx.DiGraph:
    """The validated action graph: node attribute ``action`` holds the ``Action``."""
    actions = build_actions(inventory, selection)
    ctx = _Context.of(inventory, selection, actions)
    graph = nx.DiGraph()
    for action in actions:
        graph.add_node(action.id, action=action)
    rules = sorted(EDGE_RULES, key=lambda rule: rule[1] is Strength.PREFERS)  # stable: preferences last
    for rule, strength in rules:
        _add_rule_edges(graph, rule, strength, ctx)
    _validate(graph)
    return graph


def _add_rule_edges(graph: nx.DiGraph, rule: EdgeRule, strength: Strength, ctx: _Context) -> None:
    """One rule's edges, in bulk (this runs 200k times at 100k assets): new pairs get the rule's attributes, a
    pair another rule ordered already gains the rule's name (and a real dependency wins over an ordering)."""
    name = rule.__name__.lstrip("_")
    fresh: list[Edge] = []
    for before, after in rule(ctx):
        if graph.has_edge(before, after):
            edge = graph.edges[before, after]
            edge[RULES] = (*edge[RULES], name)
            if strength is Strength.NEEDS:
                edge.pop(ORDER_ONLY, None)
        elif strength is Strength.PREFERS:
            # Judged one by one against every edge so far, this rule's own included.
            if nx.has_path(graph, after, before):
                log.debug("graph.preference_given_up", rule=name, before=before, after=after)
            else:
                graph.add_edge(before, after, **{RULES: (name,), ORDER_ONLY: True})
        else:
            fresh.append((before, after))
    nodes = graph.number_of_nodes()
    attrs = {RULES: (name,)} if strength is Strength.NEEDS else {RULES: (name,), ORDER_ONLY: True}
    graph.add_edges_from(fresh, **attrs)
    if graph.number_of_nodes() != nodes:  # add_edges_from made a node: the rule named an action that is not there
        unknown = sorted(n for n in graph.nodes if "action" not in graph.nodes[n])
        raise AssertionError(f"edge rule {name} named unknown actions: {unknown[:3]}")


def _validate(graph: nx.DiGraph) -> None:
    if nx.is_directed_acyclic_graph(graph):  # the cheap check first; find_cycle only to name a cycle
        return
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return
    actions = [graph.nodes[u]["action"] for u, _v in cycle]
    if all(a.kind is ActionKind.DELETE_ASSET_MODEL for a in actions):
        names = ", ".join(a.label.split(" ", 2)[-1] for a in actions)
        raise GraphCycleError(
            f"asset models {names} depend on each other (a formula through a hierarchy, a component or an "
            "interface): SiteWise refuses to delete any of them while another exists; break the dependency "
            "(update a model) and plan again"
        )
    steps = " -> ".join(f"{a.label} [{a.id}]" for a in actions)
    raise GraphCycleError(f"the action graph has a cycle: {steps}")


def ordered_actions(graph: nx.DiGraph) -> list[Action]:
    """A deterministic topological order with ``depends_on`` filled in: same graph, same bytes."""
    # Ties broken by kind, then label (a reviewer reads "Turbine 1" before "Turbine 2"), then id.
    key = {node: (data.kind.spec.rank, data.label, node) for node, data in graph.nodes(data="action")}
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
