"""How apply orders ready work (teardown.applying.schedule): longest remaining path, claims, lanes."""

from __future__ import annotations

import itertools
import threading
from typing import Any

import networkx as nx
import pytest

import teardown.applying.run as run_module
from teardown.applying.freshness import Freshness
from teardown.applying.freshness import check_plan as check_plan_of_apply
from teardown.applying.schedule import (
    Schedule,
    asset_models,
    claim_of,
    lane_of,
    link_rounds,
    priorities,
    remaining_path,
)
from teardown.applying.schedule import prepared as real_prepared
from teardown.inventory.select import select
from teardown.inventory.selectors import SelectionSpec
from teardown.kinds import ActionKind
from teardown.planning.actions import Action
from teardown.planning.graph import build_graph, ordered_actions
from teardown.planning.planfile import Plan
from tests.support.inventories import windfarm
from tests.support.worlds import Env


def _plan_graph(spec: SelectionSpec) -> nx.DiGraph:
    inventory = windfarm()
    return build_graph(inventory, select(inventory, spec))


def test_remaining_path_counts_the_longest_chain_to_the_end() -> None:
    g = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "c"), ("d", "c")])
    assert remaining_path(g) == {"a": 3.0, "b": 2.0, "c": 1.0, "d": 2.0}


def test_links_outrank_deletes_and_composers_outrank_components() -> None:
    """With everything selected, a turbine's link outranks the turbine's delete (which waits for it), and a
    composer model's delete outranks its component's (which waits for it)."""
    g = _plan_graph(SelectionSpec(all=True))
    rank = remaining_path(g)
    assert rank["disassociate/a-line-11/a-turbine-111"] > rank["delete-asset/a-turbine-111"]
    assert rank["delete-model/m-turbine"] > rank["delete-model/m-generator"]


def test_a_disassociation_holds_its_parent_and_needs_its_child_free() -> None:
    """The parent goes UPDATING (held until it settles); the child must merely be ACTIVE when it starts."""
    action = Action(id="disassociate/p/c", kind=ActionKind.DISASSOCIATE_ASSET, target="p",
                    params={"assetId": "p", "hierarchyId": "h", "childAssetId": "c"})
    claim = claim_of(action)
    assert claim.holds == frozenset({"p"}) and claim.needs_free == frozenset({"c"})
    delete = Action(id="delete-asset/c", kind=ActionKind.DELETE_ASSET, target="c", params={"assetId": "c"})
    assert claim_of(delete).holds == frozenset() and claim_of(delete).needs_free == frozenset()


def test_lanes_are_quota_families_and_models_are_known_per_asset() -> None:
    actions = {a.id: a for a in ordered_actions(_plan_graph(SelectionSpec(all=True)))}
    assert lane_of(actions["delete-model/m-turbine"]) == "model"
    assert lane_of(actions["delete-asset/a-turbine-111"]) == "asset"
    assert asset_models(actions)["a-turbine-111"] == "m-turbine"


def test_link_rounds_are_an_edge_colouring_with_as_many_rounds_as_the_most_links() -> None:
    """No two links of one asset share a round, and the tree takes as many rounds as the most links any
    one asset has (a site: its enterprise link plus its lines)."""
    g = _plan_graph(SelectionSpec(all=True))
    actions = {n: g.nodes[n]["action"] for n in g}
    rounds = link_rounds(actions)
    links = [a for a in actions.values() if a.kind is ActionKind.DISASSOCIATE_ASSET]
    assert set(rounds) == {a.id for a in links}
    per_asset: dict[str, list[int]] = {}
    for a in links:
        for asset in (a.params["assetId"], a.params["childAssetId"]):
            per_asset.setdefault(str(asset), []).append(rounds[a.id])
    assert all(len(set(r)) == len(r) for r in per_asset.values())
    assert max(rounds.values()) == max(len(r) for r in per_asset.values())


def test_priorities_count_the_rounds_an_asset_still_has_to_go() -> None:
    """An asset's first-round link outranks its last-round one: the chain behind it is longer."""
    g = _plan_graph(SelectionSpec(all=True))
    actions = {n: g.nodes[n]["action"] for n in g}
    rounds = link_rounds(actions)
    rank = priorities(g, actions)
    site_links = sorted((r, aid) for aid, r in rounds.items() if actions[aid].params["assetId"] == "a-site-1")
    assert rank[site_links[0][1]] > rank[site_links[-1][1]]


def test_keeping_a_series_waits_while_its_asset_settles() -> None:
    """DisassociateTimeSeriesFromAssetProperty is refused while its asset is UPDATING (as a parent): it
    starts only while no disassociation holds the asset, and holds nothing itself."""
    keep = Action(id="keep-series/a/p", kind=ActionKind.DISASSOCIATE_TIME_SERIES, target="a",
                  params={"alias": "/plant/x", "assetId": "a", "propertyId": "p"})
    assert claim_of(keep).needs_free == frozenset({"a"}) and claim_of(keep).holds == frozenset()


def test_a_chain_of_model_deletes_outweighs_a_longer_chain_of_links() -> None:
    """Priorities are in expected seconds, not in actions: an asset whose delete heads a composer model and
    then its component (two model DELETING latencies) goes before one with two links and a delete to go,
    although that chain has more actions."""
    def link(parent: str, child: str) -> Action:
        return Action(id=f"disassociate/{parent}/{child}", kind=ActionKind.DISASSOCIATE_ASSET, target=parent,
                      params={"assetId": parent, "hierarchyId": "h", "childAssetId": child})

    def delete(asset: str, model: str) -> Action:
        return Action(id=f"delete-asset/{asset}", kind=ActionKind.DELETE_ASSET, target=asset,
                      params={"assetId": asset}, model_id=model)

    def delete_model(model: str) -> Action:
        return Action(id=f"delete-model/{model}", kind=ActionKind.DELETE_ASSET_MODEL, target=model,
                      params={"assetModelId": model})

    chain = [link("p", "b"), link("b", "c"), delete("b", "m-plain"), delete_model("m-plain")]
    composer = [delete("a", "m-composer"), delete_model("m-composer"), delete_model("m-component")]
    actions = {a.id: a for a in (*chain, *composer)}
    g = nx.DiGraph()
    g.add_nodes_from(actions)
    g.add_edges_from(itertools.pairwise(a.id for a in chain))
    g.add_edges_from(itertools.pairwise(a.id for a in composer))
    assert remaining_path(g)["disassociate/p/b"] > remaining_path(g)["delete-asset/a"]  # counted in actions
    rank = priorities(g, actions)
    assert rank["delete-asset/a"] > rank["disassociate/p/b"]


def test_apply_builds_the_walks_schedule_while_the_stale_check_reads(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    """The schedule is the plan's alone: built beside the check, it adds nothing between the check's last read
    and the first mutation. The check waits here until the schedule is built: run one after the other, it
    would time out."""
    plan, path = env.plan(SelectionSpec(all=True))
    built = threading.Event()

    def prepared(of: Plan) -> Schedule:
        schedule = real_prepared(of)
        built.set()
        return schedule

    def check_plan(*args: Any, **kwargs: Any) -> Freshness:
        assert built.wait(timeout=30), "the schedule was not built while the check ran"
        return check_plan_of_apply(*args, **kwargs)

    monkeypatch.setattr(run_module, "prepared", prepared)
    monkeypatch.setattr(run_module, "check_plan", check_plan)
    report = env.apply(path)
    assert report.ok and report.totals() == {"done": len(plan.actions)}
    assert prepared_schedule_matches(plan)


def prepared_schedule_matches(plan: Plan) -> bool:
    """What ``prepared`` builds is what the walk needs: the graph of the plan, a claim and a priority each."""
    schedule = real_prepared(plan)
    ids = {a.id for a in plan.actions}
    return set(schedule.graph) == ids == set(schedule.claims) == set(schedule.priority) == set(schedule.actions)
