"""apply() of the plant world (examples/worlds/plant.toml), which holds every kind of resource the engine deletes:
--all takes it to empty, and each selector takes exactly what it names (the emulator's whole state compared
before and after)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from teardown.cli.tables import format_summary
from teardown.inventory.selectors import SelectionSpec
from teardown.kinds import ActionKind
from tests.support.worlds import Env


def test_all_takes_the_plant_to_empty(plant: Env) -> None:
    """Models (components, an interface, a formula through a hierarchy), assets, both portals with their
    projects, dashboards and policies, the gateway, and every series, bound or alias-only: all gone."""
    plan, path = plant.plan(SelectionSpec(all=True))
    assert plan.count(ActionKind.DELETE_GATEWAY) == 1 and plan.count(ActionKind.DELETE_TIME_SERIES) == 3
    plant.backend.latency = "realistic"
    report = plant.apply(path)
    assert report.ok, format_summary(report)
    assert plant.resources() == {}


@dataclass(frozen=True)
class Case:
    """A selection of the plant, and the ids it must remove and change (everything else stays as it was)."""

    spec: Callable[[Env], SelectionSpec]
    removed: Callable[[Env], set[str]]
    changed: Callable[[Env], set[str]] = lambda e: set()


def _series(e: Env, prefix: str) -> set[str]:
    return {sid for key, sid in e.world.time_series.items() if key.startswith(prefix)}


def _line(e: Env, n: int) -> set[str]:
    return {aid for path, aid in e.world.assets.items() if path.startswith(f"plant/line-{n}")}


CASES = {
    "gateway": Case(lambda e: SelectionSpec(gateways=(e.world.gateways["edge"],)),
                    lambda e: {e.world.gateways["edge"]}),
    "time-series-alias": Case(lambda e: SelectionSpec(time_series_aliases=("/northwind/legacy/sensor-1",)),
                              lambda e: _series(e, "legacy:1")),
    "portal": Case(lambda e: SelectionSpec(portals=(e.world.portals["quality"],)),
                   lambda e: {e.world.portals["quality"], e.world.projects["line-2"],
                              e.world.dashboards["line-2-rejects"],
                              e.world.access_policies["line-2-inspectors"], e.world.access_policies["quality-admins"]},
                   lambda e: _line(e, 2)),  # the project's assets leave it (they are kept)
    "project": Case(lambda e: SelectionSpec(projects=(e.world.projects["line-1"],)),
                    lambda e: {e.world.projects["line-1"], e.world.dashboards["line-1-overview"],
                               e.world.access_policies["line-1-operators"]},
                    lambda e: _line(e, 1) | {e.world.portals["operations"]}),  # the portal loses the project
    # Deleting line 2 deletes its fillers' energy series with them.
    "subtree": Case(lambda e: SelectionSpec(subtrees=(e.asset("plant/line-2"),)),
                    lambda e: _line(e, 2) | _series(e, "energy:plant/line-2"),
                    lambda e: {e.asset("plant"), e.world.projects["line-2"]}),
    # Kept: line 1's energy series stay, disassociated; its fill-rate series have no alias and go.
    "keep-time-series": Case(
        lambda e: SelectionSpec(subtrees=(e.asset("plant/line-1"),), keep_time_series=True, allow_data_loss=True),
        lambda e: _line(e, 1) | _series(e, "fill-rate:"),
        lambda e: {e.asset("plant"), e.world.projects["line-1"]} | _series(e, "energy:plant/line-1")),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_each_selector_takes_only_what_it_names(plant: Env, case: Case) -> None:
    """Exactly the selected resources (and what goes with them) are gone; exactly the ones the plan lists as
    modified changed; every other resource of the world is as it was."""
    before = plant.resources()
    _, path = plant.plan(case.spec(plant))
    report = plant.apply(path)
    assert report.ok, format_summary(report)
    after = plant.resources()
    assert set(before) - set(after) == case.removed(plant)
    assert {rid for rid in after if after[rid] != before[rid]} == case.changed(plant)


def test_kept_series_keep_their_history_as_alias_only_streams(plant: Env) -> None:
    """After --keep-time-series, each kept series reads its history by alias, bound to nothing."""
    alias = "/northwind/plant/line-1/filler-2/energy"
    history = plant.client.get_asset_property_value_history(propertyAlias=alias)["assetPropertyValueHistory"]
    _, path = plant.plan(SelectionSpec(subtrees=(plant.asset("plant/line-1"),), keep_time_series=True,
                                       allow_data_loss=True))
    assert plant.apply(path).ok
    assert not plant.asset_exists("plant/line-1/filler-2")
    assert "assetId" not in plant.client.describe_time_series(alias=alias)
    kept = plant.client.get_asset_property_value_history(propertyAlias=alias)["assetPropertyValueHistory"]
    assert kept == history and len(kept) == 3
