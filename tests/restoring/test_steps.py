"""The restore plan: a pure function of the archive, its dependency rules, and the cycle it refuses."""

from __future__ import annotations

import copy
import json
from typing import Any

import networkx as nx
import pytest

from teardown.archive.document import load_archive, seal
from teardown.errors import PlanRefused
from teardown.inventory.selectors import SelectionSpec
from teardown.restoring.steps import StepKind, asset_step, model_step, restore_plan
from tests.restoring.conftest import restore_on, tear_down
from tests.support.worlds import Env


def test_the_plan_orders_what_depends_on_what(rich_farm: Env) -> None:
    """Of an --all archive: a model after the component it composes and the interface it implements, an asset
    after its model and its parent, a project link after its project and every association of its assets, a
    dashboard and an access policy after their project; the same archive gives the same steps twice."""
    env = rich_farm
    archive = load_archive(tear_down(env, SelectionSpec(all=True)))
    plan = restore_plan(archive)
    assert plan == restore_plan(archive)
    graph = plan.graph()
    models, assets = env.world.models, env.world.assets
    turbine = model_step(models["turbine"])
    assert {model_step(models["generator"]), model_step(models["power-producer"])} <= set(graph.predecessors(turbine))
    line = asset_step(assets["enterprise/site-1/line-1"])
    assert set(graph.predecessors(line)) == {model_step(models["line"]), asset_step(assets["enterprise/site-1"])}
    link = next(s for s in plan.steps if s.kind is StepKind.LINK_PROJECT)
    associations = {s.id for s in plan.steps if s.kind is StepKind.ASSOCIATE and s.ref in set(
        next(x for x in archive.section("projectLinks"))["assetIds"])}
    assert len(associations) == 13
    assert associations <= nx.ancestors(graph, link.id)
    project = next(s for s in plan.steps if s.kind is StepKind.PROJECT)
    for kind in (StepKind.DASHBOARD, StepKind.ACCESS_POLICY, StepKind.LINK_PROJECT):
        dependants = [s for s in plan.steps if s.kind is kind and project.id in graph.predecessors(s.id)]
        assert dependants, kind
    order = [s.id for s in plan.ordered()]
    position = {sid: i for i, sid in enumerate(order)}
    assert all(position[u] < position[v] for u, v in graph.edges)


def test_models_naming_each_other_in_a_cycle_are_refused_before_anything(rich_farm: Env) -> None:
    """Two archived models whose hierarchies name each other: neither can be created first. The restore plan is
    refused naming the cycle, and restore sends nothing."""
    env = rich_farm
    path = tear_down(env, SelectionSpec(all=True))
    data: dict[str, Any] = json.loads(path.read_text())
    edited = copy.deepcopy(data)
    site = next(m for m in edited["assetModels"] if m["assetModelName"] == "Wind site")
    site["assetModelHierarchies"].append({"id": site["assetModelId"][:-4] + "beef", "name": "back",
                                          "childAssetModelId": env.world.models["enterprise"]})
    sealed = seal(edited)
    path.write_text(json.dumps(sealed.data))
    with pytest.raises(PlanRefused, match="name each other in a cycle"):
        restore_plan(sealed)
    before = env.mutating_calls()
    with pytest.raises(PlanRefused, match="cycle"):
        restore_on(env, path)
    assert env.mutating_calls() == before
