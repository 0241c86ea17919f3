"""The teardown race benchmark: its lower bound (pure arithmetic) and a smoke run of its core on a tiny world
(instant latency, a manual clock, every strategy in this process). No assertion on time: only that every
strategy empties the world and the results carry what the README's table reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.race.bound import (
    Shape,
    bound_of,
    lower_bound,
    median_seconds,
    minimum_mutations,
    published_rates,
    read_seconds,
)
from benchmarks.race.run import STRATEGIES, race_one
from benchmarks.race.sites import site_levels
from benchmarks.race.world import world_specs
from benchmarks.teardown_race import extrapolate, race, render, specs_of
from teardown.emulator import LatencyProfile, LogNormal, LongTail, ManualClock

# The world of issue 11: 1 enterprise -> 10 sites -> 10 lines -> 9 turbines, 4 models, 10 project links.
ISSUE_WORLD = Shape(assets=1_011, links=1_010, models=4, project_links=(10,), monitor=0)


def test_the_bound_is_the_busiest_family_plus_one_asset_and_one_model_delete() -> None:
    mutations = minimum_mutations(ISSUE_WORLD)
    assert mutations == {"asset": 2_021, "model": 4, "monitor": 1}
    # 2,021 asset-family calls at 30 TPS, then one asset (2.5 s) and one model (4 s) DELETING: the issue's 74 s.
    seconds, _ = bound_of(ISSUE_WORLD, LatencyProfile.realistic())
    assert seconds == pytest.approx(2_021 / 30 + 2.5 + 4.0)


def test_families_run_in_parallel_and_a_family_without_a_rate_is_unpaced() -> None:
    rates = {"asset": 30.0, "model": 10.0}
    # 300 model calls (30 s) outweigh 600 asset calls (20 s); they do not add up.
    assert lower_bound({"asset": 600, "model": 300}, rates, asset_delete=0, model_delete=0) == pytest.approx(30.0)
    assert lower_bound({"gateway": 1_000}, rates, asset_delete=1.0, model_delete=2.0) == pytest.approx(3.0)
    assert lower_bound({}, rates, asset_delete=0, model_delete=0) == 0.0


def test_reads_take_the_busiest_familys_time_and_unpaced_ones_none() -> None:
    """300 asset-family reads (10 s at 30 TPS) and 50 model reads (5 s at 10 TPS) go side by side; tagging
    reads are in no paced family."""
    reads = {"ListAssociatedAssets": 240, "ListAssets": 60, "ListAssetModels": 50, "ListTagsForResource": 999}
    assert read_seconds(reads) == pytest.approx(10.0)
    assert read_seconds({}) == 0.0


def test_project_links_go_a_hundred_per_call_and_every_monitor_resource_costs_one_delete() -> None:
    shape = Shape(assets=0, links=0, models=0, project_links=(250, 100, 0), monitor=7)
    assert minimum_mutations(shape)["monitor"] == 3 + 1 + 0 + 7


def test_the_latency_taken_is_the_profiles_median() -> None:
    assert median_seconds(2.5) == 2.5
    assert median_seconds(LogNormal(median=3.0, p99=180.0)) == 3.0
    assert median_seconds(LongTail(typical=2.0, tail=600.0, fraction=0.01)) == 2.0
    assert published_rates(10) == {"asset": 300.0, "model": 100.0, "monitor": 100.0}


def test_a_sample_extrapolates_phase_by_phase() -> None:
    sample = {"projects": 2, "assets": 10, "models": 3, "monitor_resources": 4}
    full = {"projects": 2, "assets": 100, "models": 3, "monitor_resources": 4}
    phases = {"project_links": 1.0, "assets": 30.0, "models": 12.0, "monitor": 2.0}
    assert extrapolate(phases, sample, full) == pytest.approx(1.0 + 300.0 + 12.0 + 2.0)


@pytest.mark.http
def test_every_strategy_empties_a_tiny_world_and_reports_every_column(tmp_path: Path) -> None:
    forests = ((4, 3),)
    document = race([(8, 1.0)], STRATEGIES, latency="instant", seed=3, workdir=tmp_path, naive_sample=0,
                    clock=ManualClock(), quotas="off", forests=forests)
    rows = document["rows"]
    assert [row["strategy"] for row in rows] == list(STRATEGIES)
    expected = Shape.of_specs(world_specs(8, 3, forests)).summary()
    for row in rows:
        assert "error" not in row, row["error"]
        assert row["ended_empty"], (row["strategy"], row["left"])
        assert {k: row["world"][k] for k in expected} == expected  # the seeded world is the one specified
        assert {"seconds", "bound_seconds", "ratio", "requests_by_operation", "reads_per_mutation",
                "completion_reads_pct", "throttled_pct", "peak_mib", "minimum_mutations", "check_seconds",
                "run_ratio", "check_floor_seconds", "ratio_with_check"} <= set(row)
        assert row["check_seconds"] is not None and 0 <= row["check_seconds"] <= row["seconds"]
        # Nothing can take the world apart in fewer mutating calls than the bound counts.
        assert row["mutations"] >= sum(row["minimum_mutations"].values())
    by_name = {row["strategy"]: row for row in rows}
    assert by_name["engine"]["ok"] and by_name["engine"]["planning_requests"] > 0
    assert by_name["engine+archive"]["ok"]
    # The reset applies the plan it has just made: its reading stands for the stale check's re-read.
    assert by_name["reset"]["ok"] and by_name["reset"]["reads"] < by_name["engine"]["reads"]
    assert by_name["waves"]["waves"] >= 1
    assert "naive" in render(document)
    json.dumps(document)  # the results file is plain JSON


@pytest.mark.http
def test_a_strategy_that_fails_is_reported_with_what_it_left_behind(tmp_path: Path) -> None:
    row = race_one(world_specs(3, 1, ((2, 2),)), "no-such-strategy", latency="instant", scale=1.0,
                   workdir=tmp_path, clock=ManualClock(), quotas="off")
    assert row["error"].startswith("ValueError: unknown strategy")
    assert not row["ended_empty"] and row["left"]["assets"] == 3


def test_the_sites_world_at_a_thousand_assets_is_the_issues_own() -> None:
    shape = Shape.of_specs(specs_of("sites", 1000, 7))
    assert (shape.assets, shape.links, shape.models, sum(shape.project_links)) == (
        ISSUE_WORLD.assets, ISSUE_WORLD.links, ISSUE_WORLD.models, sum(ISSUE_WORLD.project_links))
    assert site_levels(10_000) == (10, 99)  # 10,011 assets: the same ten sites of ten lines, wider
    with pytest.raises(ValueError, match="at least 4"):
        site_levels(3)
    with pytest.raises(ValueError, match="unknown world"):
        specs_of("moon", 1000, 7)


@pytest.mark.http
def test_the_engine_empties_a_tiny_sites_world(tmp_path: Path) -> None:
    document = race([(8, 1.0)], ["engine"], latency="instant", seed=3, workdir=tmp_path, naive_sample=0,
                    clock=ManualClock(), quotas="off", world="sites")
    (row,) = document["rows"]
    assert document["world"] == "sites"
    assert row["ok"] and row["ended_empty"], row.get("left")
    assert row["world"]["assets"] == 8 and row["world"]["models"] == 4
