"""Selection -> a networkx DiGraph of actions whose edges mean "must finish before".

Built like Terraform's destroy graph: first every action, then a short ordered list of edge rules, each a
small function naming the SiteWise rule it encodes, then validation (a cycle is reported with the
resources on it). Every edge records the rules that added it (attribute ``rules``), so a reviewer or a
test can ask why one action waits for another. Pure and fast: no client, linear in the selection.
"""

from __future__ import annotations

import heapq
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
from teardown.kinds import KINDS, ActionKind
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
    # the child links removed (DISASSOCIATE_ASSET actions), in the order they were built
    links: list[Action] = field(default_factory=list)

    @classmethod
    def of(cls, inventory: Inventory, selection: Selection, actions: list[Action]) -> _Context:
        ctx = cls(inventory, selection, {a.id: a for a in actions})
        unlinks_of, links = ctx.unlinks_of, ctx.links
        for action in actions:
            kind = action.kind
            if kind is ActionKind.DISASSOCIATE_ASSET:
                links.append(action)
                unlinks_of[action.params["childAssetId"]].append(action.id)
            elif kind is ActionKind.DISASSOCIATE_PROJECT_ASSETS:
                ctx.batches_of[action.target].append(action.id)
                for asset_id in action.params["assetIds"]:
                    unlinks_of[asset_id].append(action.id)
        return ctx


Edge = tuple[str, str]
EdgeRule = Callable[[_Context], Iterator[Edge]]


def _unlinks_before_delete(ctx: _Context) -> Iterator[Edge]:
    """DeleteAsset is refused while the asset has a parent or is in a project."""
    unlinks_of = ctx.unlinks_of
    for asset_id in ctx.selection.assets:
        for unlink in unlinks_of.get(asset_id, ()):
            yield unlink, delete_asset_id(asset_id)


def _child_deletes_before_parent_delete(ctx: _Context) -> Iterator[Edge]:
    """DeleteAsset is refused while the asset has children: every child link goes before the parent."""
    selected = ctx.selection.assets
    for link in ctx.links:
        if link.target in selected:
            yield link.id, delete_asset_id(link.target)


def _asset_deletes_before_model_delete(ctx: _Context) -> Iterator[Edge]:
    """DeleteAssetModel is refused while any asset of the model exists, DELETING included."""
    assets, models = ctx.inventory.assets, ctx.selection.models
    for asset_id in ctx.selection.assets:
        model_id = assets[asset_id].model_id
        if model_id in models:
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
    """The validated action graph as networkx, for reviewers and tests: node attribute ``action`` holds the
    ``Action``, each edge its ``RULES`` (and ``ORDER_ONLY`` when no rule behind it needs the earlier effect)."""
    graph = build_edges(inventory, selection).to_networkx()
    _validate(graph)
    return graph


def build_edges(inventory: Inventory, selection: Selection) -> ActionEdges:
    """Every action and every rule's edges, not yet validated (``ordered_actions`` finds any cycle)."""
    actions = build_actions(inventory, selection)
    ctx = _Context.of(inventory, selection, actions)
    edges = ActionEdges(ctx.actions)
    for index, (rule, strength) in enumerate(APPLIED_RULES):
        edges.add_rule(rule, strength, index, ctx)
    return edges


# EDGE_RULES in the order they are applied (stable: preferences last); an edge's rules are bits of this order.
APPLIED_RULES = tuple(sorted(EDGE_RULES, key=lambda rule: rule[1] is Strength.PREFERS))
_NEEDS_MASK = sum(1 << i for i, (_rule, strength) in enumerate(APPLIED_RULES) if strength is Strength.NEEDS)


class ActionEdges:
    """The action graph in plain lists: networkx's per-edge attribute dicts and views cost ten times as much
    at 100k assets. Actions are numbered in the plan's tie-break order (``ranked``: kind, label, id), so the
    ordering works on ints. ``preds[n][before]`` is the bit mask (over ``APPLIED_RULES``) of the rules behind
    the edge from action id ``before`` to action number ``n``; an edge is ``ORDER_ONLY`` when none of them
    NEEDS the earlier action's effect. ``succs[n]`` are the numbers after action ``n``, in the order the rules
    added them. None stands for no edges (most actions have one side only). ``forward`` holds while every edge
    goes from a lower number to a higher one."""

    def __init__(self, actions: dict[str, Action]) -> None:
        self.actions = actions
        rank = {kind: spec.rank for kind, spec in KINDS.items()}
        self.ranked = sorted(actions.values(), key=lambda a: (rank[a.kind], a.label, a.id))
        self.position = {a.id: i for i, a in enumerate(self.ranked)}
        self.preds: list[dict[str, int] | None] = [None] * len(self.ranked)
        self.succs: list[list[int] | None] = [None] * len(self.ranked)
        self.forward = True

    def add_rule(self, rule: EdgeRule, strength: Strength, index: int, ctx: _Context) -> None:
        """One rule's edges: a pair another rule ordered already gains the rule's bit; a preference is judged
        one by one against every edge so far, this rule's own included, and given up where it closes a cycle."""
        name = rule.__name__.lstrip("_")
        bit = 1 << index
        prefers = strength is Strength.PREFERS
        preds, succs, position = self.preds, self.succs, self.position
        try:
            for before, after in rule(ctx):
                later = position[after]
                into = preds[later]
                if into is not None and before in into:
                    into[before] |= bit
                    continue
                earlier = position[before]
                if prefers and self._has_path(later, earlier):
                    log.debug("graph.preference_given_up", rule=name, before=before, after=after)
                    continue
                if into is None:
                    preds[later] = {before: bit}
                else:
                    into[before] = bit
                if earlier >= later:
                    self.forward = False
                out = succs[earlier]
                if out is None:
                    succs[earlier] = [later]
                else:
                    out.append(later)
        except KeyError:
            unknown = sorted({node for pair in rule(ctx) for node in pair if node not in position})
            if not unknown:
                raise
            raise AssertionError(f"edge rule {name} named unknown actions: {unknown[:3]}") from None

    def _has_path(self, source: int, target: int) -> bool:
        seen = {source}
        stack = [source]
        while stack:
            for nxt in self.succs[stack.pop()] or ():
                if nxt == target:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return source == target

    def rules(self, before: str, after: str) -> tuple[str, ...]:
        """The names of the rules behind the edge, in the order they were applied."""
        mask = (self.preds[self.position[after]] or {})[before]
        return tuple(rule.__name__.lstrip("_") for i, (rule, _s) in enumerate(APPLIED_RULES) if mask >> i & 1)

    def to_networkx(self) -> nx.DiGraph:
        graph = nx.DiGraph()
        for action_id, action in self.actions.items():
            graph.add_node(action_id, action=action)
        for before in self.actions:  # each action's successors in the order the rules added them
            for later in self.succs[self.position[before]] or ():
                after = self.ranked[later].id
                attrs: dict[str, object] = {RULES: self.rules(before, after)}
                if not (self.preds[later] or {})[before] & _NEEDS_MASK:
                    attrs[ORDER_ONLY] = True
                graph.add_edge(before, after, **attrs)
        return graph


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


def plan_order(inventory: Inventory, selection: Selection) -> list[Action]:
    """The actions in their deterministic plan order, ``depends_on`` and ``after`` filled in; a cycle is
    reported (``GraphCycleError``) with the resources on it."""
    edges = build_edges(inventory, selection)
    return _in_order(edges, _NEEDS_MASK, _fill_edges, on_cycle=edges.to_networkx)


def ordered_actions(graph: nx.DiGraph) -> list[Action]:
    """``plan_order`` over a networkx graph (edges carrying ``ORDER_ONLY`` are orderings, the rest needs)."""
    edges = ActionEdges(dict(graph.nodes(data="action")))
    for before, after, order_only in graph.edges(data=ORDER_ONLY, default=False):
        later, earlier = edges.position[after], edges.position[before]
        edges.preds[later] = {**(edges.preds[later] or {}), before: 2 if order_only else 1}
        edges.succs[earlier] = [*(edges.succs[earlier] or ()), later]
        edges.forward = edges.forward and earlier < later
    return _in_order(edges, 1, _with_edges, on_cycle=lambda: graph)


def _in_order(edges: ActionEdges, needs: int, fill: Callable[[Action, dict[str, int], int], Action],
              on_cycle: Callable[[], nx.DiGraph]) -> list[Action]:
    """Kahn's algorithm, always taking the ready action first by kind, then label (a reviewer reads
    "Turbine 1" before "Turbine 2"), then id: the one order a graph has, so same graph, same bytes. Actions
    are numbered in that order, so the ready set is a heap of ints. ``fill`` gives an action its edges.

    Where every edge goes forward in that numbering (as in most plans: links, then assets, then models, then
    Monitor resources), the numbering itself is the order: each action's predecessors come before it, and it
    is the lowest action left. No heap then."""
    ranked, preds, succs = edges.ranked, edges.preds, edges.succs
    if edges.forward:
        return [fill(action, into, needs) if (into := preds[i]) else action for i, action in enumerate(ranked)]
    waiting = [len(into) if into else 0 for into in preds]
    ready = [i for i, count in enumerate(waiting) if not count]  # ascending: already a heap
    out: list[Action] = []
    pop, push = heapq.heappop, heapq.heappush
    while ready:
        current = pop(ready)
        for child in succs[current] or ():
            waiting[child] -= 1
            if not waiting[child]:
                push(ready, child)
        its_preds = preds[current]
        out.append(fill(ranked[current], its_preds, needs) if its_preds else ranked[current])
    if len(out) < len(ranked):
        _validate(on_cycle())
        raise GraphCycleError("the action graph has a cycle")
    return out


def _edges_of(preds: dict[str, int], needs: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """An action's predecessors, sorted: those it needs (``depends_on``), then the rest (``after``)."""
    if len(preds) == 1:
        ((before, mask),) = preds.items()
        return ((before,), ()) if mask & needs else ((), (before,))
    ordered = sorted(preds)
    depends_on = tuple([p for p in ordered if preds[p] & needs])
    after = () if len(depends_on) == len(ordered) else tuple([p for p in ordered if not preds[p] & needs])
    return depends_on, after


def _with_edges(action: Action, preds: dict[str, int], needs: int) -> Action:
    """A copy of ``action`` with its predecessors."""
    depends_on, after = _edges_of(preds, needs)
    return Action(action.id, action.kind, action.target, action.params, depends_on, action.model_id,
                  action.label, after)


def _fill_edges(action: Action, preds: dict[str, int], needs: int) -> Action:
    """``action`` itself with its predecessors: for actions no one else holds yet (plan_order's own, fresh from
    build_actions), where a copy of each of 100k actions would cost a quarter of a second."""
    depends_on, after = _edges_of(preds, needs)
    object.__setattr__(action, "depends_on", depends_on)
    object.__setattr__(action, "after", after)
    return action
