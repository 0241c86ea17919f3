"""Planning against the strict emulator: the planned order is accepted call by call."""

from __future__ import annotations

from teardown.emulator import LatencyProfile
from teardown.inventory.selectors import SelectionSpec
from teardown.kinds import ActionKind
from tests.support.worlds import Env


def test_site_decommission_plan_is_accepted_by_the_strict_emulator(farm: Env) -> None:
    """--subtree site-1 (in a project, under a kept enterprise): every call succeeds in plan order."""
    farm.backend.latency = LatencyProfile.realistic()
    site = farm.asset("enterprise/site-1")
    plan, _ = farm.plan(SelectionSpec(subtrees=(site,)))
    assert plan.count(ActionKind.DELETE_ASSET) == 13
    assert plan.count(ActionKind.DISASSOCIATE_PROJECT_ASSETS) == 1
    farm.run_in_order(plan)
    site_paths = [p for p in farm.world.assets if p.startswith("enterprise/site-1")]
    assert not any(farm.asset_exists(p) for p in site_paths)
    assert farm.asset_exists("enterprise/site-2")
    assert farm.children("enterprise", "enterprise/sites") == {farm.asset("enterprise/site-2"),
                                                               farm.asset("enterprise/site-3")}


def test_everything_plan_is_accepted_and_leaves_no_model_asset_or_portal(farm: Env) -> None:
    """--all: assets, then models, parent models before child models, composers before components; the
    project emptied of assets, dashboards and access policies before it goes, the portal last; the gateway."""
    farm.backend.latency = LatencyProfile.realistic()
    plan, _ = farm.plan(SelectionSpec(all=True))
    assert plan.summary["deletes"] == {"assets": 40, "asset_models": 6, "portals": 1, "projects": 1,
                                       "dashboards": 1, "access_policies": 2, "gateways": 1, "time_series": 0}
    farm.run_in_order(plan)
    assert farm.client.list_asset_models()["assetModelSummaries"] == []
    assert farm.client.list_portals()["portalSummaries"] == []
    assert farm.client.list_gateways()["gatewaySummaries"] == []
