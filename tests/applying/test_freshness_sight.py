"""The stale check's scan knows what the plan saw (teardown.aws.discover_place): it lists no children of the
assets the plan saw childless, places every asset from one top-level listing instead, and still finds every
child such an asset has gained since, whichever way it came."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from teardown.applying.freshness import check_plan, plan_sight
from teardown.aws.discover import DiscoveryOptions, discover
from teardown.aws.minimum import minimum_reads
from teardown.inventory.records import Inventory
from teardown.inventory.selectors import SelectionSpec
from tests.support.worlds import ACCOUNT, REGION, Env

ALL = SelectionSpec(all=True)


def _empty_lines(farm: Env, count: int = 3) -> list[str]:
    """``count`` new production lines under site 1 with no turbines: a model with hierarchies, no children."""
    lines = []
    for n in range(count):
        line = farm.client.create_asset(assetName=f"spare line {n}", assetModelId=farm.world.models["line"])["assetId"]
        farm.client.associate_assets(assetId=farm.asset("enterprise/site-1"), childAssetId=line,
                                     hierarchyId=farm.world.hierarchies["site/lines"])
        lines.append(line)
    return lines


def _turbine(farm: Env, name: str) -> str:
    return str(farm.client.create_asset(assetName=name, assetModelId=farm.world.models["turbine"])["assetId"])


def _parents(inventory: Inventory) -> dict[str, tuple[str, str] | None]:
    return {a.id: (a.parent.asset_id, a.parent.hierarchy_id) if a.parent else None
            for a in inventory.assets.values()}


def test_an_all_plans_check_lists_no_children_of_the_assets_the_plan_saw_childless(farm: Env) -> None:
    """Three empty lines: their three CHILD listings give way to one top-level listing of the account; the
    count is the minimum with the plan's sight, and the plan is fresh."""
    _empty_lines(farm)
    inventory = farm.discover(ALL)
    plan, _ = farm.plan(ALL)
    found = check_plan(plan, farm.calls())
    assert found.stale == found.unimplied == ()
    assert found.reads["ListAssociatedAssets"] == inventory.calls["ListAssociatedAssets"] - 3
    assert found.reads["ListAssets"] == inventory.calls["ListAssets"] + 1
    options = DiscoveryOptions(monitor=True, time_series=False, sight=plan_sight(plan))
    assert found.reads == minimum_reads(inventory, ALL, options)


def test_one_asset_the_plan_saw_childless_is_listed_as_before(farm: Env) -> None:
    """A single one would cost its listing either way: the scan lists it and reads no top-level page."""
    _empty_lines(farm, count=1)
    inventory = farm.discover(ALL)
    plan, _ = farm.plan(ALL)
    found = check_plan(plan, farm.calls())
    assert found.reads["ListAssociatedAssets"] == inventory.calls["ListAssociatedAssets"]
    assert found.reads["ListAssets"] == inventory.calls["ListAssets"]


def _hang(farm: Env, turbine: str, line: str) -> None:
    farm.client.associate_assets(assetId=line, childAssetId=turbine,
                                 hierarchyId=farm.world.hierarchies["line/turbines"])


def _new_turbine(farm: Env, line: str, _spare: str) -> tuple[str, str]:
    turbine = _turbine(farm, "late turbine")
    _hang(farm, turbine, line)
    return turbine, f"has a new child {turbine}"


def _moved_turbine(farm: Env, line: str, _spare: str) -> tuple[str, str]:
    turbine = farm.asset("enterprise/site-2/line-1/turbine-1")
    farm.client.disassociate_assets(assetId=farm.asset("enterprise/site-2/line-1"), childAssetId=turbine,
                                    hierarchyId=farm.world.hierarchies["line/turbines"])
    _hang(farm, turbine, line)
    return turbine, f"moved from parent {farm.asset('enterprise/site-2/line-1')} to {line}"


def _spare_turbine(farm: Env, line: str, spare: str) -> tuple[str, str]:
    _hang(farm, spare, line)
    return spare, f"moved from parent None to {line}"


@pytest.mark.parametrize("gain", [_new_turbine, _moved_turbine, _spare_turbine],
                         ids=["a new asset", "a child of a listed parent", "a top-level asset"])
def test_a_child_an_unlisted_asset_gained_is_found_from_its_own_side(
    farm: Env, gain: Callable[[Env, str, str], tuple[str, str]],
) -> None:
    """After the plan, an empty line gains a turbine: a new one, one moved from another line, or one that had
    no parent. The check names the change, and its scan places every asset where a full listing does."""
    spare = _turbine(farm, "spare turbine")
    line, *_ = _empty_lines(farm)
    plan, _ = farm.plan(ALL)
    turbine, change = gain(farm, line, spare)
    found = check_plan(plan, farm.calls())
    assert any(change in d for d in found.stale), found.stale
    options = DiscoveryOptions(time_series=False)
    with_sight = discover(farm.calls(), ALL, account=ACCOUNT, region=REGION,
                          options=DiscoveryOptions(time_series=False, sight=plan_sight(plan)))
    listed = discover(farm.calls(), ALL, account=ACCOUNT, region=REGION, options=options)
    assert _parents(with_sight) == _parents(listed)
    assert _parents(with_sight)[turbine] == (line, farm.world.hierarchies["line/turbines"])
    assert with_sight.calls["ListAssociatedAssets"] < listed.calls["ListAssociatedAssets"]


def test_a_child_gained_by_an_asset_the_scan_still_lists_is_found_by_its_listing(farm: Env) -> None:
    """One empty line is listed as before (skipping it saves nothing), after the walk has passed it by: a
    turbine hung under it after the plan is named, and placed under it; no model is listed per model."""
    line, = _empty_lines(farm, count=1)
    plan, _ = farm.plan(ALL)
    turbine, change = _new_turbine(farm, line, "")
    found = check_plan(plan, farm.calls())
    assert any(change in d for d in found.stale), found.stale
    with_sight = discover(farm.calls(), ALL, account=ACCOUNT, region=REGION,
                          options=DiscoveryOptions(time_series=False, sight=plan_sight(plan)))
    assert _parents(with_sight)[turbine] == (line, farm.world.hierarchies["line/turbines"])
    assert found.reads["ListAssets"] == 1  # the top-level page alone
