"""A plan judged against the inventory it was made from moments ago (``fresh_inventory``, a scheduled reset's):
no read is sent again, and the judgement is the check's own: a Plan changed since is still refused."""

from __future__ import annotations

from dataclasses import replace

from teardown.applying.freshness import check_plan
from teardown.inventory.selectors import SelectionSpec
from teardown.kinds import ActionKind
from teardown.planning.make import make_plan
from tests.support.worlds import Env

ALL = SelectionSpec(all=True)


def test_a_plan_made_from_the_inventory_is_judged_fresh_without_one_read(farm: Env) -> None:
    inventory = farm.discover(ALL)
    plan, _ = make_plan(inventory, ALL)
    before = farm.backend.call_counts()
    found = check_plan(plan, farm.calls(), fresh_inventory=inventory)
    assert farm.backend.call_counts() == before
    assert found.stale == found.unimplied == () and found.reads == {}
    assert found.top_level_kept == check_plan(plan, farm.calls()).top_level_kept == 0


def test_a_plan_changed_after_it_was_made_is_refused_by_the_same_judgement(farm: Env) -> None:
    """A delete of a kept site added to a subtree plan: not implied by its selection over that inventory."""
    inventory = farm.discover(ALL)
    site_2, site_3 = farm.asset("enterprise/site-2"), farm.asset("enterprise/site-3")
    plan, _ = make_plan(inventory, SelectionSpec(subtrees=(site_2,)))
    other, _ = make_plan(inventory, SelectionSpec(subtrees=(site_3,)))
    extra = next(a for a in other.actions if a.kind is ActionKind.DELETE_ASSET and a.target == site_3)
    found = check_plan(replace(plan, actions=(*plan.actions, extra)), farm.calls(), fresh_inventory=inventory)
    assert [line for line in found.unimplied if site_3 in line], found.unimplied


def test_a_world_changed_since_the_inventory_is_the_callers_word(farm: Env) -> None:
    """What the caller vouches for is judged, not re-read: a turbine added since goes unseen here, where the
    check's own re-read names it (so the caller must have read it just now)."""
    spec = SelectionSpec(subtrees=(farm.asset("enterprise/site-2"),))
    inventory = farm.discover(spec)
    plan, _ = make_plan(inventory, spec)
    late = farm.client.create_asset(assetName="late", assetModelId=farm.world.models["turbine"])["assetId"]
    farm.client.associate_assets(assetId=farm.asset("enterprise/site-2/line-1"), childAssetId=late,
                                 hierarchyId=farm.world.hierarchies["line/turbines"])
    assert check_plan(plan, farm.calls(), fresh_inventory=inventory).stale == ()
    assert any(late in line for line in check_plan(plan, farm.calls()).stale)


def test_a_plan_an_earlier_run_progressed_is_read_again(farm: Env) -> None:
    """Its own journal says the world moved since: the inventory is not taken for it."""
    inventory = farm.discover(ALL)
    plan, _ = make_plan(inventory, ALL)
    started = [a.id for a in plan.actions if a.kind is ActionKind.DISASSOCIATE_ASSET][:1]
    found = check_plan(plan, farm.calls(), progressed=started, fresh_inventory=inventory)
    assert found.reads.get("ListAssociatedAssets", 0) > 0


def test_another_accounts_inventory_is_not_taken_for_the_plans(farm: Env) -> None:
    inventory = farm.discover(ALL)
    plan, _ = make_plan(inventory, ALL)
    elsewhere = replace(inventory, account="999999999999")
    found = check_plan(plan, farm.calls(), fresh_inventory=elsewhere)
    assert found.reads.get("ListAssociatedAssets", 0) > 0 and found.stale == ()
