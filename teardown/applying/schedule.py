"""How apply orders ready work: the critical path first, one disassociation per asset at a time, and a
request lane per quota family.

- **Priority**: an action's longest remaining path (itself included) through the plan's graph plus the
  rounds its asset's links take, in expected seconds: the links of a tree are edge-coloured (``link_rounds``:
  no two links of one asset share a round, and a tree needs only as many rounds as the most links one asset
  has), and each asset's links count as a chain in round order. So the assets with the most links to go,
  the upper levels of a tree and the models others wait for start first and never form a tail.
- **Claims**: a disassociation puts its parent into UPDATING, and SiteWise refuses any mutation of an asset
  that is not ACTIVE, as parent or as child. So a disassociation holds its parent until the parent settles,
  and starts only while neither its parent nor its child is held: each asset takes part in one
  disassociation at a time, and a tree's disassociations take as many rounds as the most links one asset
  has, decided at run time instead of by chains fixed in the plan.
- **Lanes**: requests are paced per quota family; each family gets its own request slots, so a model delete
  never waits for a free slot behind asset requests that wait for asset-quota tokens.
"""

from __future__ import annotations

import itertools
from collections import defaultdict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import networkx as nx

from teardown.applying.effects import expected_seconds
from teardown.applying.walk import NO_CLAIM, Claim
from teardown.kinds import ActionKind
from teardown.planning.actions import Action
from teardown.planning.planfile import Plan


def remaining_path(graph: nx.DiGraph, cost: Callable[[str], float] | None = None) -> dict[str, float]:
    """Each node's longest path to the end of the graph (itself included), each node weighing ``cost``
    (default 1: counted in actions)."""
    weigh = cost or (lambda _node: 1.0)
    longest: dict[str, float] = {}
    for node in reversed(list(nx.topological_sort(graph))):
        longest[node] = weigh(node) + max((longest[s] for s in graph.successors(node)), default=0.0)
    return longest


def link_rounds(actions: Mapping[str, Action]) -> dict[str, int]:
    """An edge colouring of the hierarchy's links (disassociation id -> round, from 1): top down, each
    asset's links to its children take the first rounds its own link to its parent does not use, the
    children with the largest subtrees first. A forest needs no more rounds than its largest degree."""
    below: dict[str, list[tuple[str, str]]] = defaultdict(list)  # parent -> (link id, child)
    above: dict[str, str] = {}  # child -> its link id
    for aid, action in actions.items():
        if action.kind is ActionKind.DISASSOCIATE_ASSET:
            parent, child = str(action.params["assetId"]), str(action.params["childAssetId"])
            below[parent].append((aid, child))
            above[child] = aid
    size: dict[str, int] = {}

    def subtree(asset: str) -> int:  # iterative: trees may be deep
        stack = [asset]
        while stack:
            top = stack[-1]
            pending = [c for _, c in below.get(top, ()) if c not in size]
            if pending:
                stack.extend(pending)
                continue
            size[top] = 1 + sum(size[c] for _, c in below.get(top, ()))
            stack.pop()
        return size[asset]

    rounds: dict[str, int] = {}
    queue = deque(sorted(p for p in below if p not in above))
    while queue:
        parent = queue.popleft()
        taken = rounds.get(above.get(parent, ""), 0)
        free = (r for r in itertools.count(1) if r != taken)
        for (aid, child), r in zip(sorted(below[parent], key=lambda link: (-subtree(link[1]), link[0])), free,
                                   strict=False):
            rounds[aid] = r
            queue.append(child)
    return rounds


def priorities(graph: nx.DiGraph, actions: Mapping[str, Action]) -> dict[str, float]:
    """The longest remaining path of each action through the plan's graph plus each asset's links chained
    in round order (``link_rounds``), in expected seconds (``expected_seconds``: a model delete weighs more
    than a link, so the assets of a composer model go before a chain of components forms the tail): the
    order in which apply starts ready work, highest first."""
    rounds = link_rounds(actions)
    by_asset: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for aid, r in rounds.items():
        params = actions[aid].params
        by_asset[str(params["assetId"])].append((r, aid))
        by_asset[str(params["childAssetId"])].append((r, aid))
    chained = nx.DiGraph(graph)
    for links in by_asset.values():
        links.sort()
        chained.add_edges_from((a, b) for (_, a), (_, b) in itertools.pairwise(links))
    return remaining_path(chained, lambda aid: expected_seconds(actions[aid].kind.spec.completion))


def claim_of(action: Action) -> Claim:
    if action.kind is ActionKind.DISASSOCIATE_TIME_SERIES:
        # Refused (409) while its asset is UPDATING as the parent of a disassociation: wait for it instead.
        return Claim(needs_free=frozenset({str(action.params["assetId"])}))
    if action.kind is not ActionKind.DISASSOCIATE_ASSET:
        return NO_CLAIM
    parent, child = str(action.params["assetId"]), str(action.params["childAssetId"])
    return Claim(holds=frozenset({parent}), needs_free=frozenset({child}))


def claims_of(actions: Mapping[str, Action]) -> dict[str, Claim]:
    return {aid: claim_of(action) for aid, action in actions.items()}


def lane_of(action: Action) -> str:
    return action.kind.spec.family


def asset_models(actions: Mapping[str, Action]) -> dict[str, str]:
    """asset id -> model id, for every asset the plan deletes (so a settling parent shows in one list)."""
    return {a.target: a.model_id for a in actions.values()
            if a.kind is ActionKind.DELETE_ASSET and a.model_id is not None}


@dataclass(frozen=True)
class Schedule:
    """What the walk needs of a plan alone: its graph, each action's claim and priority. Apply builds it
    while the stale check reads (``prepared``): at 10,000 assets it is half a second of CPU, which would
    otherwise come between the check's last read and the first mutation."""

    actions: Mapping[str, Action]
    graph: nx.DiGraph
    claims: Mapping[str, Claim]
    priority: Mapping[str, float]


def prepared(plan: Plan) -> Schedule:
    actions = {a.id: a for a in plan.actions}
    graph = plan.action_graph()
    return Schedule(actions, graph, claims_of(actions), priorities(graph, actions))
