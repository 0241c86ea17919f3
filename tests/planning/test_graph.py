"""The action graph: each edge rule, validation, and the deterministic order."""

from __future__ import annotations

import networkx as nx
import pytest

from teardown.errors import GraphCycleError
from teardown.inventory.select import select
from teardown.inventory.selectors import SelectionSpec
from teardown.kinds import ActionKind
from teardown.planning.actions import Action
from teardown.planning.graph import _validate, build_graph, ordered_actions
from tests.support.inventories import windfarm


def _graph(spec: SelectionSpec) -> nx.DiGraph:
    inventory = windfarm()
    return build_graph(inventory, select(inventory, spec))


def test_subtree_graph_has_every_link_removed_before_deletes() -> None:
    """Each selected asset's parent link and project link go before its delete; children before parents."""
    g = _graph(SelectionSpec(subtrees=("a-site-1",)))
    assert nx.has_path(g, "disassociate/a-ent/a-site-1", "delete-asset/a-site-1")
    assert g.has_edge("disassociate/a-line-11/a-turbine-111", "delete-asset/a-turbine-111")
    assert g.has_edge("disassociate/a-line-11/a-turbine-111", "delete-asset/a-line-11")
    assert g.has_edge("unlink-project/p-site-1/0", "delete-asset/a-turbine-111")
    assert g.has_edge("unlink-project/p-site-1/0", "delete-asset/a-site-1")
    # 7 assets, 7 links (6 inside + 1 to the kept enterprise), 1 project batch
    kinds = [g.nodes[n]["action"].kind for n in g]
    assert kinds.count(ActionKind.DELETE_ASSET) == 7
    assert kinds.count(ActionKind.DISASSOCIATE_ASSET) == 7
    assert kinds.count(ActionKind.DISASSOCIATE_PROJECT_ASSETS) == 1


def test_disassociations_sharing_an_asset_are_not_chained_in_the_plan() -> None:
    """Which of an asset's links goes first is apply's choice at run time (one at a time per asset, by the
    critical path: teardown.applying.schedule), so the plan fixes no order among them; each link still goes
    before the deletes of both its assets."""
    g = _graph(SelectionSpec(subtrees=("a-site-1",)))
    links = [n for n in g if n.startswith("disassociate/")]
    assert len(links) == 7
    assert not any(nx.has_path(g, a, b) for a in links for b in links if a != b)
    assert g.has_edge("disassociate/a-line-11/a-turbine-112", "delete-asset/a-line-11")
    assert g.has_edge("disassociate/a-line-11/a-turbine-112", "delete-asset/a-turbine-112")


def test_model_deletes_follow_their_assets_and_users() -> None:
    """A model goes after all its assets; a parent model before its child model; composer before component."""
    g = _graph(SelectionSpec(all=True))
    assert g.has_edge("delete-asset/a-turbine-111", "delete-model/m-turbine")
    assert not g.has_edge("delete-model/m-line", "delete-model/m-turbine")  # a plain hierarchy blocks nothing
    assert g.has_edge("delete-model/m-turbine", "delete-model/m-generator")


def test_project_batches_hold_at_most_100_assets() -> None:
    """BatchDisassociateProjectAssets takes 100 ids at most: 250 linked assets make 3 batches."""
    from tests.support.inventories import InventoryBuilder

    b = InventoryBuilder().model("m-x")
    for i in range(250):
        b.asset(f"a-{i:03}", "m-x")
    b.project("p-1", [f"a-{i:03}" for i in range(250)])
    g = build_graph(b.inventory, select(b.inventory, SelectionSpec(all=True)))
    batches = [g.nodes[n]["action"] for n in g if n.startswith("unlink-project/")]
    assert sorted(len(a.params["assetIds"]) for a in batches) == [50, 100, 100]


def test_cycle_is_reported_with_its_resources() -> None:
    """Validation names the actions on a cycle."""
    g = nx.DiGraph()
    for name in ("x", "y"):
        g.add_node(name, action=Action(id=name, kind=ActionKind.DELETE_ASSET, target=name, params={},
                                       label=f"delete asset {name!r}"))
    g.add_edge("x", "y")
    g.add_edge("y", "x")
    with pytest.raises(GraphCycleError, match=r"delete asset 'x'.*delete asset 'y'"):
        _validate(g)


def test_order_is_deterministic_and_topological() -> None:
    """Same world and flags give the same order; every dependency comes first."""
    first = ordered_actions(_graph(SelectionSpec(all=True)))
    second = ordered_actions(_graph(SelectionSpec(all=True)))
    assert [a.to_json() for a in first] == [a.to_json() for a in second]
    seen: set[str] = set()
    for action in first:
        assert set(action.depends_on) <= seen
        seen.add(action.id)


def test_plans_made_now_hold_dependencies_only() -> None:
    """No rule orders without depending any more (per-asset serialization is apply's, model hierarchies
    order nothing), so ``after`` is empty; a real dependency stays real."""
    actions = {a.id: a for a in ordered_actions(_graph(SelectionSpec(all=True)))}
    assert not any(a.after for a in actions.values())
    assert "delete-model/m-line" not in actions["delete-model/m-turbine"].depends_on
    # The parent's delete needs every child link gone.
    assert "disassociate/a-line-11/a-turbine-112" in actions["delete-asset/a-line-11"].depends_on


def test_monitor_resources_go_after_their_contents() -> None:
    """A project goes after its asset links, dashboards and access policies; the portal after its projects
    and its own access policies. Assets in a deleted project are unlinked, not deleted."""
    g = _graph(SelectionSpec(portals=("portal-1",)))
    assert set(g.predecessors("delete-project/p-site-1")) == {
        "unlink-project/p-site-1/0", "delete-dashboard/d-1", "delete-access-policy/ap-project"}
    assert set(g.predecessors("delete-portal/portal-1")) == {
        "delete-project/p-site-1", "delete-access-policy/ap-portal"}
    assert not any(n.startswith("delete-asset/") for n in g)
