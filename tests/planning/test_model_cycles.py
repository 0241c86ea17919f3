"""Model deletes follow SiteWise's documented rule: a hierarchy that merely names a child model blocks
nothing (so models whose hierarchies name each other can be deleted), while a formula reading a child's
property through a hierarchy, a component or an interface does; the planner still deletes parents first
where the hierarchies allow, gives that preference up in a cycle, and refuses a cycle of real blockers."""

from __future__ import annotations

import networkx as nx
import pytest

from teardown.errors import GraphCycleError, SelectionRefused
from teardown.inventory.records import Hierarchy, Inventory, ModelRecord, ModelType
from teardown.inventory.select import select
from teardown.inventory.selectors import SelectionSpec
from teardown.kinds import ActionKind
from teardown.planning.graph import RULES, build_graph
from teardown.planning.make import make_plan


def _model(model_id: str, *children: tuple[str, bool]) -> ModelRecord:
    """A model whose hierarchies name ``children`` as (child model id, read through a formula)."""
    return ModelRecord(
        id=model_id, name=model_id, arn=f"arn:{model_id}", type=ModelType.ASSET_MODEL, status="ACTIVE",
        last_update=1.0,
        hierarchies=tuple(Hierarchy(f"h-{model_id}-{child}", f"to-{child}", child, formula=formula)
                          for child, formula in children),
    )


def _inventory(*models: ModelRecord) -> Inventory:
    inventory = Inventory(account="123456789012", region="us-east-1", endpoint=None, tags_loaded=True,
                          monitor_loaded=True, gateways_loaded=True, alias_prefixes_loaded=("",))
    inventory.models = {m.id: m for m in models}
    return inventory


def _model_order(inventory: Inventory) -> list[str]:
    plan, _ = make_plan(inventory, SelectionSpec(all=True))
    return [a.target for a in plan.actions if a.kind is ActionKind.DELETE_ASSET_MODEL]


def test_models_whose_hierarchies_name_each_other_are_planned_not_refused() -> None:
    """A names B as child and B names A (and itself): plain references, so --all plans both deletes."""
    order = _model_order(_inventory(_model("m-a", ("m-b", False)), _model("m-b", ("m-a", False), ("m-b", False))))
    assert sorted(order) == ["m-a", "m-b"]


def test_plain_hierarchies_put_no_order_between_model_deletes() -> None:
    """enterprise -> site -> line, plain hierarchies: a hierarchy that merely names a child model blocks
    nothing, so the three model deletes wait for their own assets only and can run side by side (a chain
    of them would put one model DELETING latency after another at the end of every teardown)."""
    plan, _ = make_plan(_inventory(_model("m-ent", ("m-site", False)), _model("m-site", ("m-line", False)),
                                   _model("m-line")), SelectionSpec(all=True))
    graph = plan.action_graph()
    models = [a.id for a in plan.actions if a.kind is ActionKind.DELETE_ASSET_MODEL]
    assert len(models) == 3
    assert not any(graph.has_edge(a, b) for a in models for b in models)


def test_a_formula_dependency_is_a_real_dependency() -> None:
    """A reads B's properties through a hierarchy: A's delete must succeed before B's is sent."""
    plan, _ = make_plan(_inventory(_model("m-a", ("m-b", True)), _model("m-b")), SelectionSpec(all=True))
    b = next(a for a in plan.actions if a.target == "m-b")
    assert b.depends_on == ("delete-model/m-a",)
    assert not b.after


def test_a_cycle_closed_by_formulas_is_refused_naming_the_models() -> None:
    """A and B read each other's properties through hierarchies: no order works; refused, both named."""
    with pytest.raises(GraphCycleError, match=r"asset models .*m-[ab].*m-[ab].* depend on each other"):
        make_plan(_inventory(_model("m-a", ("m-b", True)), _model("m-b", ("m-a", True))), SelectionSpec(all=True))


def test_a_preference_yields_to_a_formula_in_the_other_direction() -> None:
    """A names B plainly, B reads A through a formula: B goes first (the real rule), the preference is dropped."""
    assert _model_order(_inventory(_model("m-a", ("m-b", False)), _model("m-b", ("m-a", True)))) == ["m-b", "m-a"]


def test_a_kept_model_reading_a_selected_one_through_a_formula_refuses_the_selection() -> None:
    """Deleting B while a kept A's formula reads it: refused, saying why and which flag resolves it."""
    inventory = _inventory(_model("m-a", ("m-b", True)), _model("m-b"))
    with pytest.raises(SelectionRefused, match=r"reads its properties in a formula.*add --asset-model m-a"):
        make_plan(inventory, SelectionSpec(asset_models=("m-b",)))


def test_every_model_edge_names_its_rule() -> None:
    """Why one model delete waits for another is on the edge: the rule that added it."""
    plan, _ = make_plan(_inventory(_model("m-a", ("m-b", True)), _model("m-b", ("m-c", False)), _model("m-c")),
                        SelectionSpec(all=True))
    inventory = _inventory(_model("m-a", ("m-b", True)), _model("m-b", ("m-c", False)), _model("m-c"))
    graph: nx.DiGraph = build_graph(inventory, select(inventory, SelectionSpec(all=True)))
    assert graph.edges["delete-model/m-a", "delete-model/m-b"][RULES] == ("blocking_users_before_used_models",)
    assert not graph.has_edge("delete-model/m-b", "delete-model/m-c")  # a plain hierarchy orders nothing
    assert [a.target for a in plan.actions][:2] == ["m-a", "m-b"]
