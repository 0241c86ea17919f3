"""apply() of --keep-time-series plans on the plant world: a run that crashed with a disassociation in flight
resumes, and a series bound to a deleted asset after planning makes a keeping plan stale."""

from __future__ import annotations

from teardown.applying.execute import client_token
from teardown.applying.freshness import check_plan, find_stale
from teardown.applying.journal import Journal
from teardown.applying.paths import journal_path
from teardown.applying.report import Outcome
from teardown.inventory.selectors import SelectionSpec
from teardown.kinds import ActionKind
from tests.support.worlds import Env


def _keep(env: Env, line: int) -> SelectionSpec:
    return SelectionSpec(subtrees=(env.asset(f"plant/line-{line}"),), keep_time_series=True, allow_data_loss=True)


def test_a_disassociation_in_flight_at_a_crash_is_resumed(plant: Env) -> None:
    """The crashed run journaled a keep as sent, and the service had done it: the next run finds the series
    already alias-only (its own doing, so implied, not stale), resends with the same token (replayed) and
    finishes; the series keeps its history."""
    plan, path = plant.plan(_keep(plant, 2))
    keep = next(a for a in plan.actions if a.kind is ActionKind.DISASSOCIATE_TIME_SERIES)
    token = client_token(plan.digest, keep.id)
    with Journal.open(journal_path(path), plan.digest, now=plant.clock.now()) as journal:
        journal.record(keep.id, "started", at=plant.clock.now(), client_token=token)
        plant.client.disassociate_time_series_from_asset_property(**keep.params, clientToken=token)
        journal.record(keep.id, "sent", at=plant.clock.now())
    assert check_plan(plan, plant.calls(), progressed=[keep.id]).unimplied == ()
    report = plant.apply(path)
    assert report.ok and report.outcome_of(keep.id) is Outcome.DONE
    history = plant.client.get_asset_property_value_history(propertyAlias=keep.target)["assetPropertyValueHistory"]
    assert len(history) == 3


def test_a_series_bound_to_a_deleted_asset_after_planning_makes_a_keeping_plan_stale(plant: Env) -> None:
    """The plan would delete it with its asset, unkept: refused as stale. A plan that keeps nothing deletes bound
    series with their assets anyway, so the same change leaves it fresh."""
    keeping, _ = plant.plan(_keep(plant, 2), name="keep.json")
    plain, _ = plant.plan(SelectionSpec(subtrees=(plant.asset("plant/line-2"),)), name="plain.json")
    filler = plant.asset("plant/line-2/filler-1")
    fill_rate = next(p["id"] for p in plant.client.describe_asset(assetId=filler)["assetProperties"]
                     if p["name"] == "fill-rate")
    plant.client.associate_time_series_to_asset_property(alias="/late/fill-rate", assetId=filler,
                                                        propertyId=fill_rate)
    found = find_stale(keeping, plant.calls())
    assert len(found) == 1 and "new time_series '/late/fill-rate'" in found[0], found
    assert find_stale(plain, plant.calls()) == []
