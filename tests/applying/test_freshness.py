"""The stale check (teardown.applying.freshness) against the emulator: a plan of an unchanged world is fresh;
changes the plan does not explain are named."""

from __future__ import annotations

from teardown.applying.freshness import Freshness, check_plan, find_stale
from teardown.aws.discover import DiscoveryOptions
from teardown.aws.minimum import minimum_reads
from teardown.emulator import FaultSettings, LatencyProfile, is_mutating
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


def _served_since(env: Env, before: dict[str, int]) -> dict[str, int]:
    return {op: n - before.get(op, 0) for op, n in env.backend.call_counts().items() if n - before.get(op, 0)}


def test_a_subtree_plans_check_rereads_its_subtree_not_the_account(farm: Env) -> None:
    """Site 2 and below, and the project links (the only way to see a new one): no model or asset listing,
    no model, no series, no dashboard or access policy read. Counted by the emulator, as sent."""
    plan, _ = farm.plan(SelectionSpec(subtrees=(farm.asset("enterprise/site-2"),)))
    before = farm.backend.call_counts()
    found = check_plan(plan, farm.calls())
    assert found == Freshness(reads=found.reads)
    assert found.reads == _served_since(farm, before) == {
        "DescribeAsset": 1,  # the root
        "ListAssociatedAssets": 4,  # the root's parent; the children of site 2 and of its two lines
        "ListPortals": 1, "ListProjects": 1, "ListProjectAssets": 1,
    }


def test_an_all_plans_check_reads_what_discovery_read_but_the_series(farm: Env) -> None:
    """--all touches everything, so everything is read again, at the minimum, except the bound series: they
    are for the review, and a plan is not stale for them (the alias-only series --all deletes are read)."""
    spec = SelectionSpec(all=True)
    inventory = farm.discover(spec)
    plan, _ = farm.plan(spec)
    found = check_plan(plan, farm.calls())
    assert found.stale == found.unimplied == ()
    assert found.reads["ListTimeSeries"] == 1 < inventory.calls["ListTimeSeries"]  # the alias-only scan
    assert found.reads == minimum_reads(inventory, spec, DiscoveryOptions(monitor=True, time_series=False))


def test_a_selected_asset_newly_linked_to_a_project_makes_a_plan_without_monitor_actions_stale(env: Env) -> None:
    """Site 2 is in no project when planned, then joins a new one: its delete would be refused, so the plan is
    stale (found by the project listing the check always reads)."""
    plan, _ = env.plan(SelectionSpec(subtrees=(env.asset("site-2"),)))
    assert plan.count(ActionKind.DISASSOCIATE_PROJECT_ASSETS, ActionKind.DELETE_PROJECT) == 0
    portal = env.client.list_portals()["portalSummaries"][0]["id"]
    project = env.client.create_project(portalId=portal, projectName="Late")["projectId"]
    env.client.batch_associate_project_assets(projectId=project, assetIds=[env.asset("site-2")])
    found = find_stale(plan, env.calls())
    assert any(project in d for d in found), found


def test_a_resumed_subtree_plan_lists_its_disassociated_children_once_per_model(farm: Env) -> None:
    """An earlier run disassociated (and journaled) all ten turbine links of site 2, the turbines are still
    there without a parent: still the plan's. The pre-flight finds them with one top-level listing of their
    model, and walks them without describing them again: no read per disassociation."""
    plan, _ = farm.plan(SelectionSpec(subtrees=(farm.asset("enterprise/site-2"),)))
    path_of = {asset_id: path for path, asset_id in farm.world.assets.items()}
    turbine_links = [a for a in plan.actions if a.kind is ActionKind.DISASSOCIATE_ASSET
                     and "/turbine-" in path_of[a.params["childAssetId"]]]
    assert len(turbine_links) == 10
    for link in turbine_links:
        farm.client.disassociate_assets(**link.params)
        farm.clock.advance(5)
    done = [a.id for a in turbine_links]
    found = check_plan(plan, farm.calls(), progressed=done, finished=done)
    assert found == Freshness(reads=found.reads)  # the turbine deletes are implied: the turbines are still its own
    assert found.reads == {
        "DescribeAsset": 1,  # site 2 only
        "ListAssets": 1,  # the turbine model's top-level assets
        "ListAssociatedAssets": 4,  # site 2's parent; the children of site 2 and its lines
        "ListPortals": 1, "ListProjects": 1, "ListProjectAssets": 1,
    }


def test_the_check_reads_on_the_retrying_request_path(farm: Env) -> None:
    """A third of every read throttled: each is retried (on the clock) and the plan is still judged fresh."""
    plan, _ = farm.plan(SelectionSpec(all=True))
    reads = frozenset(op for op in farm.backend.call_counts() if not is_mutating(op))
    farm.backend.faults = FaultSettings(throttle_before=0.33, operations=reads, seed=4)
    found = check_plan(plan, farm.calls())
    farm.backend.faults = FaultSettings()
    assert found.stale == found.unimplied == ()
    assert sum(found.reads.values()) > sum(check_plan(plan, farm.calls()).reads.values())  # attempts counted


def test_a_model_plans_check_reads_that_models_assets_and_sees_a_new_one(env: Env) -> None:
    """--asset-model spare: the models, and the spare model's assets (no model may hold them); a spare asset
    created after planning makes the plan stale (the model delete would be refused)."""
    plan, _ = env.plan(SelectionSpec(asset_models=(env.world.models["spare"],)))
    fresh = check_plan(plan, env.calls())
    assert fresh.stale == fresh.unimplied == ()
    assert fresh.reads["ListAssets"] == 1 and "ListAssociatedAssets" not in fresh.reads
    late = env.client.create_asset(assetName="Late spare", assetModelId=env.world.models["spare"])["assetId"]
    assert any(late in d for d in find_stale(plan, env.calls()))


def test_a_project_plans_check_reads_monitor_alone(farm: Env) -> None:
    """--project deletes no asset: its check reads the project's contents, not one asset or model."""
    (project_id,) = farm.world.projects.values()
    plan, _ = farm.plan(SelectionSpec(projects=(project_id,)))
    found = check_plan(plan, farm.calls())
    assert found.stale == found.unimplied == ()
    assert set(found.reads) == {"ListPortals", "ListProjects", "ListProjectAssets", "ListDashboards",
                                "ListAccessPolicies"}
