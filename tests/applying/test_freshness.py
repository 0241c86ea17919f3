"""The stale check (teardown.applying.freshness) against the emulator: a plan of an unchanged world is fresh;
changes the plan does not explain are named."""

from __future__ import annotations

from teardown.applying.freshness import find_stale
from teardown.emulator import LatencyProfile
from teardown.inventory.selectors import SelectionSpec
from teardown.kinds import ActionKind
from teardown.planning.planfile import Plan
from tests.support.worlds import Env


def test_plan_of_an_unchanged_world_is_fresh(farm: Env) -> None:
    """No differences right after planning."""
    spec = SelectionSpec(subtrees=(farm.asset("enterprise/site-2"),))
    plan, _ = farm.plan(spec)
    assert find_stale(plan, farm.calls()) == []


def test_new_child_under_the_subtree_makes_the_plan_stale(farm: Env) -> None:
    """A turbine associated under a planned line after planning is listed as a difference."""
    line = farm.asset("enterprise/site-2/line-1")
    spec = SelectionSpec(subtrees=(farm.asset("enterprise/site-2"),))
    plan, _ = farm.plan(spec)
    new = farm.client.create_asset(assetName="late turbine", assetModelId=farm.world.models["turbine"])
    farm.client.associate_assets(assetId=line, hierarchyId=farm.world.hierarchies["line/turbines"],
                                 childAssetId=new["assetId"])
    found = find_stale(plan, farm.calls())
    assert any(f"has a new child {new['assetId']}" in d for d in found), found


def test_new_asset_of_a_selected_model_makes_the_plan_stale(farm: Env) -> None:
    """A new asset of a model the plan deletes is a difference (the model delete would be refused)."""
    spec = SelectionSpec(all=True)
    plan, _ = farm.plan(spec)
    new = farm.client.create_asset(assetName="late site", assetModelId=farm.world.models["site"])
    found = find_stale(plan, farm.calls())
    assert any(new["assetId"] in d for d in found), found


def test_new_dashboard_in_a_planned_project_makes_the_plan_stale(farm: Env) -> None:
    """DeleteProject would be refused with a dashboard the plan does not know: the stale check says so."""
    (project_id,) = farm.world.projects.values()
    spec = SelectionSpec(projects=(project_id,))
    plan, _ = farm.plan(spec)
    assert plan.count(ActionKind.DELETE_DASHBOARD) == 1 and plan.count(ActionKind.DELETE_ASSET) == 0
    new = farm.client.create_dashboard(projectId=project_id, dashboardName="late", dashboardDefinition="{}")
    found = find_stale(plan, farm.calls())
    assert any(f"has a new dashboard {new['dashboardId']}" in d for d in found), found


def test_resources_already_gone_are_not_staleness(farm: Env) -> None:
    """Half-applied plans stay fresh: what the plan itself removed is expected."""
    farm.backend.latency = LatencyProfile.realistic()
    spec = SelectionSpec(subtrees=(farm.asset("enterprise/site-3"),))
    plan, _ = farm.plan(spec)
    half = Plan(**{**{k: getattr(plan, k) for k in Plan.__dataclass_fields__},
                   "actions": plan.actions[: len(plan.actions) // 2]})
    farm.run_in_order(half)
    progressed = [a.id for a in half.actions]
    assert find_stale(plan, farm.calls(), progressed=progressed) == []
