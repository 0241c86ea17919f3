"""Planning against the strict emulator: the order is accepted call by call, and stale plans are noticed."""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from teardown.applying.freshness import find_stale
from teardown.emulator.latency import LatencyProfile
from teardown.inventory.selectors import SelectionSpec
from teardown.kinds import ActionKind
from teardown.planning.make import make_plan
from teardown.planning.planfile import Plan
from tests.planning_env import Farm, farm

__all__ = ["farm"]

SETTLE = 30.0  # clock seconds: longer than any realistic latency of the emulator


def _run_in_order(farm: Farm, plan: Plan) -> None:
    """The simplest executor: one action at a time, in plan order, waiting out every latency.

    If the order were wrong, the strict emulator would refuse a call (a delete with a link left, a model
    with assets left) and the ClientError would fail the test.
    """
    for action in plan.actions:
        method = getattr(farm.client, _snake(action.kind.operation))
        params = dict(action.params)
        out = method(**params)
        if action.kind is ActionKind.DISASSOCIATE_PROJECT_ASSETS:
            assert out.get("errors", []) == []
        farm.clock.advance(SETTLE)


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _gone(farm: Farm, asset_id: str) -> bool:
    try:
        farm.client.describe_asset(assetId=asset_id)
    except ClientError as exc:
        return exc.response["Error"]["Code"] == "ResourceNotFoundException"
    return False


def test_site_decommission_plan_is_accepted_by_the_strict_emulator(farm: Farm) -> None:
    """--subtree site-1 (in a project, under a kept enterprise): every call succeeds in plan order."""
    farm.backend.latency = LatencyProfile.realistic()
    site = farm.asset("enterprise/site-1")
    plan, _ = make_plan(farm.discover(SelectionSpec(subtrees=(site,))), SelectionSpec(subtrees=(site,)))
    assert plan.count(ActionKind.DELETE_ASSET) == 13
    assert plan.count(ActionKind.DISASSOCIATE_PROJECT_ASSETS) == 1
    _run_in_order(farm, plan)
    site_paths = [p for p in farm.world.assets if p.startswith("enterprise/site-1")]
    assert all(_gone(farm, farm.asset(p)) for p in site_paths)
    assert not _gone(farm, farm.asset("enterprise/site-2"))
    kids = farm.client.list_associated_assets(assetId=farm.asset("enterprise"), traversalDirection="CHILD",
                                              hierarchyId=farm.world.hierarchies["enterprise/sites"])
    assert {a["id"] for a in kids["assetSummaries"]} == {farm.asset("enterprise/site-2"),
                                                         farm.asset("enterprise/site-3")}


def test_everything_plan_is_accepted_and_leaves_no_model_asset_or_portal(farm: Farm) -> None:
    """--all: assets, then models, parent models before child models, composers before components; the
    project emptied of assets, dashboards and access policies before it goes, the portal last."""
    farm.backend.latency = LatencyProfile.realistic()
    plan, _ = make_plan(farm.discover(SelectionSpec(all=True)), SelectionSpec(all=True))
    assert plan.summary["deletes"] == {"assets": 40, "asset_models": 6, "portals": 1, "projects": 1,
                                       "dashboards": 1, "access_policies": 2}
    _run_in_order(farm, plan)
    assert farm.client.list_asset_models()["assetModelSummaries"] == []
    assert farm.client.list_portals()["portalSummaries"] == []


def test_plan_of_an_unchanged_world_is_fresh(farm: Farm) -> None:
    """No differences right after planning."""
    spec = SelectionSpec(subtrees=(farm.asset("enterprise/site-2"),))
    plan, _ = make_plan(farm.discover(spec), spec)
    assert find_stale(plan, farm.calls()) == []


def test_new_child_under_the_subtree_makes_the_plan_stale(farm: Farm) -> None:
    """A turbine associated under a planned line after planning is listed as a difference."""
    line = farm.asset("enterprise/site-2/line-1")
    spec = SelectionSpec(subtrees=(farm.asset("enterprise/site-2"),))
    plan, _ = make_plan(farm.discover(spec), spec)
    new = farm.client.create_asset(assetName="late turbine", assetModelId=farm.world.models["turbine"])
    farm.client.associate_assets(assetId=line, hierarchyId=farm.world.hierarchies["line/turbines"],
                                 childAssetId=new["assetId"])
    found = find_stale(plan, farm.calls())
    assert any(f"has a new child {new['assetId']}" in d for d in found), found


def test_new_asset_of_a_selected_model_makes_the_plan_stale(farm: Farm) -> None:
    """A new asset of a model the plan deletes is a difference (the model delete would be refused)."""
    spec = SelectionSpec(all=True)
    plan, _ = make_plan(farm.discover(spec), spec)
    new = farm.client.create_asset(assetName="late site", assetModelId=farm.world.models["site"])
    found = find_stale(plan, farm.calls())
    assert any(new["assetId"] in d for d in found), found


def test_resources_already_gone_are_not_staleness(farm: Farm) -> None:
    """Half-applied plans stay fresh: what the plan itself removed is expected."""
    farm.backend.latency = LatencyProfile.realistic()
    spec = SelectionSpec(subtrees=(farm.asset("enterprise/site-3"),))
    plan, _ = make_plan(farm.discover(spec), spec)
    half = Plan(**{**{k: getattr(plan, k) for k in Plan.__dataclass_fields__},
                   "actions": plan.actions[: len(plan.actions) // 2]})
    _run_in_order(farm, half)
    progressed = [a.id for a in half.actions]
    assert find_stale(plan, farm.calls(), progressed=progressed) == []


def test_plan_command_writes_a_plan_and_refuses_cleanly(farm: Farm, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """`plan` writes under plans/ and prints the summary; a refusal exits 3 and writes nothing."""
    from moto import mock_aws

    from teardown.cli import main

    monkeypatch.chdir(tmp_path)
    with mock_aws():
        code = main(["plan", "--subtree", farm.asset("enterprise/site-2")])
        out = capsys.readouterr().out
        assert code == 0
        assert "Plan written to plans/" in out and "delete assets" in out
        assert len(list((tmp_path / "plans").glob("*.plan.json"))) == 1
        refused = main(["plan", "--asset-model", farm.world.models["line"]])
        err = capsys.readouterr().err
    assert refused == 3
    assert "--subtree" in err
    assert len(list((tmp_path / "plans").glob("*.plan.json"))) == 1


def test_new_dashboard_in_a_planned_project_makes_the_plan_stale(farm: Farm) -> None:
    """DeleteProject would be refused with a dashboard the plan does not know: the stale check says so."""
    (project_id,) = farm.world.projects.values()
    spec = SelectionSpec(projects=(project_id,))
    plan, _ = make_plan(farm.discover(spec), spec)
    assert plan.count(ActionKind.DELETE_DASHBOARD) == 1 and plan.count(ActionKind.DELETE_ASSET) == 0
    new = farm.client.create_dashboard(projectId=project_id, dashboardName="late", dashboardDefinition="{}")
    found = find_stale(plan, farm.calls())
    assert any(f"has a new dashboard {new['dashboardId']}" in d for d in found), found
