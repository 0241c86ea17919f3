"""Seeding through a real boto3 client served by the emulator: complete worlds under any latency, stable
ids, retried conflicts, throttles and lost responses, and a clear refusal to seed a world twice.

Every check reads the result back through the public API (List*/Describe*), never from the seeder's own
bookkeeping alone.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.config import Config

from teardown.emulator import FaultSettings, LatencyProfile
from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.clock import ManualClock
from teardown.emulator.hook import mock_sitewise
from teardown.emulator.seed import (
    SeededWorld,
    SeedError,
    WorldAlreadySeeded,
    random_world,
    seed_world,
    windfarm,
)
from teardown.emulator.server import serve
from teardown.errors import EXIT_REFUSED

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient


@pytest.fixture(autouse=True)
def _no_real_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every wait must go to the injected clock: a real sleep fails the test."""

    def refuse(seconds: float) -> None:
        raise AssertionError(f"real sleep of {seconds} s")

    monkeypatch.setattr(time, "sleep", refuse)


def all_pages(client: IoTSiteWiseClient, operation: str, key: str, **params: Any) -> list[Any]:
    paginator = client.get_paginator(operation)  # type: ignore[call-overload]
    return [item for page in paginator.paginate(**params) for item in page[key]]


def asset_states(client: IoTSiteWiseClient, world: SeededWorld) -> dict[str, str]:
    """asset id -> state, read with one ListAssets per model."""
    return {
        a["id"]: a["status"]["state"]
        for model_id in world.models.values()
        for a in all_pages(client, "list_assets", "assetSummaries", assetModelId=model_id, filter="ALL")
    }


def parent_of(client: IoTSiteWiseClient, asset_id: str) -> str | None:
    parents = client.list_associated_assets(assetId=asset_id, traversalDirection="PARENT")["assetSummaries"]
    return parents[0]["id"] if parents else None


def check_windfarm(client: IoTSiteWiseClient, world: SeededWorld) -> None:
    """The windfarm as the file describes it, read back through the API."""
    models = all_pages(client, "list_asset_models", "assetModelSummaries",
                       assetModelTypes=["ASSET_MODEL", "COMPONENT_MODEL", "INTERFACE"])
    assert sorted(m["id"] for m in models) == sorted(world.models.values())
    assert Counter(m["assetModelType"] for m in models) == {"ASSET_MODEL": 4, "COMPONENT_MODEL": 1, "INTERFACE": 1}

    per_model = {key: len(all_pages(client, "list_assets", "assetSummaries", assetModelId=mid, filter="ALL"))
                 for key, mid in world.models.items()}
    assert per_model == {"generator": 0, "power-producer": 0, "turbine": 30, "line": 6, "site": 3, "enterprise": 1}
    states = asset_states(client, world)
    assert set(states) == set(world.assets.values())
    assert set(states.values()) == {"ACTIVE"}

    # Every association as specified: 39 children, each under its parent; one root.
    for path, asset_id in world.assets.items():
        expected = world.assets[path.rsplit("/", 1)[0]] if "/" in path else None
        assert parent_of(client, asset_id) == expected, path
    assert len(world.parents) == 39

    turbine = world.models["turbine"]
    composites = client.list_asset_model_composite_models(assetModelId=turbine)["assetModelCompositeModelSummaries"]
    assert [c["name"] for c in composites] == ["generator"]
    users = client.list_composition_relationships(assetModelId=world.models["generator"])
    assert [u["assetModelId"] for u in users["compositionRelationshipSummaries"]] == [turbine]
    implementing = client.list_interface_relationships(interfaceAssetModelId=world.models["power-producer"])
    assert [i["id"] for i in implementing["interfaceRelationshipSummaries"]] == [turbine]

    (portal,) = client.list_portals()["portalSummaries"]
    assert portal["id"] == world.portals["operations"]
    assert portal["status"]["state"] == "ACTIVE"
    (project,) = client.list_projects(portalId=portal["id"])["projectSummaries"]
    linked = all_pages(client, "list_project_assets", "assetIds", projectId=project["id"])
    site_1 = {asset_id for path, asset_id in world.assets.items()
              if path == "enterprise/site-1" or path.startswith("enterprise/site-1/")}
    assert set(linked) == site_1
    assert len(linked) == 13
    assert len(client.list_dashboards(projectId=project["id"])["dashboardSummaries"]) == 1
    project_policies = client.list_access_policies(resourceType="PROJECT", resourceId=project["id"])
    assert len(project_policies["accessPolicySummaries"]) == 1
    portal_policies = client.list_access_policies(resourceType="PORTAL", resourceId=portal["id"])
    assert len(portal_policies["accessPolicySummaries"]) == 1
    assert len(client.list_gateways()["gatewaySummaries"]) == 1

    series = all_pages(client, "list_time_series", "TimeSeriesSummaries")
    assert sorted(s["timeSeriesId"] for s in series) == sorted(world.time_series.values())
    assert {s["assetId"] for s in series} == {
        world.assets[f"enterprise/site-1/line-1/turbine-{n}"] for n in range(1, 6)
    }

    asset_arn = client.describe_asset(assetId=world.assets["enterprise/site-2/line-1/turbine-3"])["assetArn"]
    assert client.list_tags_for_resource(resourceArn=asset_arn)["tags"] == {"env": "demo"}
    model_arn = client.describe_asset_model(assetModelId=turbine)["assetModelArn"]
    assert client.list_tags_for_resource(resourceArn=model_arn)["tags"] == {"env": "demo", "kind": "turbine"}


def test_windfarm_seeds_completely_with_instant_latency(sitewise: IoTSiteWiseClient, clock: ManualClock) -> None:
    """Every model, asset, association, project link, dashboard, policy, gateway and series is there."""
    world = seed_world(sitewise, windfarm(), clock=clock)
    assert world.counts() == {
        "models": 6, "assets": 40, "associations": 39, "portals": 1, "projects": 1, "project_assets": 13,
        "dashboards": 1, "access_policies": 2, "gateways": 1, "time_series": 5,
    }
    check_windfarm(sitewise, world)


def test_windfarm_seeds_completely_with_realistic_latency(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend, clock: ManualClock
) -> None:
    """Creates answer CREATING and associates put parents UPDATING: seeding waits and retries on the
    manual clock (no real sleep) and still builds the whole windfarm."""
    backend.latency = "realistic"
    started = clock.now()
    world = seed_world(sitewise, windfarm(), clock=clock)
    check_windfarm(sitewise, world)
    # Five model generations and ten serial associations of ~1 s each: time passed on the clock only.
    assert clock.now() - started > 10
    calls = backend.call_counts()
    # Each parent turned UPDATING after an associate: the next one met a 409 and was retried.
    assert calls["AssociateAssets"] > 39
    assert calls["DescribeAssetModel"] > 6


def test_seeding_rides_out_throttling(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend,
                                      clock: ManualClock) -> None:
    """With AWS's rate quotas (30 TPS for assets) 300 creates at one instant are throttled; seeding
    backs off on the clock and creates each asset exactly once."""
    backend.quotas = "aws"
    spec = random_world(seed=21, assets=300)
    world = seed_world(sitewise, spec, clock=clock)
    backend.quotas = "off"  # the checks below must not be throttled themselves
    states = asset_states(sitewise, world)
    assert len(states) == 300
    assert set(states.values()) == {"ACTIVE"}
    assert backend.call_counts()["CreateAsset"] > 300  # refused calls count too: throttles happened


def test_lost_responses_are_retried_without_doubling(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend, clock: ManualClock
) -> None:
    """A 500 after the create was applied is retried with the same clientToken: replayed, not doubled."""
    backend.faults = FaultSettings(internal_after=0.2, seed=4,
                                   operations=frozenset({"CreateAsset", "AssociateAssets", "CreateProject"}))
    world = seed_world(sitewise, windfarm(), clock=clock)
    backend.faults = FaultSettings()
    check_windfarm(sitewise, world)
    assert backend.call_counts()["CreateAsset"] > 40  # some responses were lost and retried


def test_same_spec_gives_the_same_ids_in_another_emulator(sitewise: IoTSiteWiseClient, clock: ManualClock) -> None:
    """Ids are uuid5 of world, seed and logical name: a fresh emulator gets the very same ids."""
    first = seed_world(sitewise, windfarm(), clock=clock)
    with mock_sitewise(SiteWiseBackend(clock=clock)):
        second = seed_world(sitewise, windfarm(), clock=clock)
        assert parent_of(sitewise, second.assets["enterprise/site-3"]) == first.assets["enterprise"]
    assert second.assets == first.assets
    assert second.models == first.models
    assert second.hierarchies == first.hierarchies


def test_seeding_twice_refuses_and_changes_nothing(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend, clock: ManualClock
) -> None:
    """A second seed of the same world finds its ids taken and refuses before creating anything."""
    seed_world(sitewise, windfarm(), clock=clock)
    before = backend.snapshot()
    with pytest.raises(WorldAlreadySeeded, match="already seeded") as info:
        seed_world(sitewise, windfarm(), clock=clock)
    assert info.value.exit_code == EXIT_REFUSED
    assert backend.snapshot() == before


def test_another_seed_of_a_random_world_coexists(sitewise: IoTSiteWiseClient, clock: ManualClock) -> None:
    """Random worlds of different seeds have different ids and names, so they seed side by side."""
    one = seed_world(sitewise, random_world(seed=1, assets=60, projects=0), clock=clock)
    two = seed_world(sitewise, random_world(seed=2, assets=60, projects=0), clock=clock)
    assert not set(one.assets.values()) & set(two.assets.values())
    models = all_pages(sitewise, "list_asset_models", "assetModelSummaries",
                       assetModelTypes=["ASSET_MODEL", "COMPONENT_MODEL"])
    assert len(models) == len(one.models) + len(two.models)


def test_random_world_hierarchy_and_projects_are_as_specified(sitewise: IoTSiteWiseClient,
                                                              clock: ManualClock) -> None:
    """Every asset of a random forest sits under the parent the spec names; projects hold their subtrees."""
    spec = random_world(seed=9, assets=250, depth=4, fanout=6, projects=2)
    world = seed_world(sitewise, spec, clock=clock, max_workers=4)
    for asset in spec.assets:
        expected = world.assets[asset.parent] if asset.parent else None
        assert parent_of(sitewise, world.assets[asset.path]) == expected, asset.path
    for project in spec.projects:
        project_id = world.projects[project.key]
        linked = all_pages(sitewise, "list_project_assets", "assetIds", projectId=project_id)
        assert sorted(linked) == sorted(world.assets[p] for p in project.assets)


def test_a_refused_create_is_a_seed_error_naming_the_resource(sitewise: IoTSiteWiseClient,
                                                              clock: ManualClock) -> None:
    """A structural refusal (a model name already taken) is not retried: it stops seeding, named."""
    sitewise.create_asset_model(assetModelName="Wind turbine")
    with pytest.raises(SeedError, match="CreateAssetModel turbine: ResourceAlreadyExistsException"):
        seed_world(sitewise, windfarm(), clock=clock)


def test_a_wait_that_never_ends_times_out_on_the_clock(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend, clock: ManualClock
) -> None:
    """A model that stays CREATING past the timeout stops seeding with a SeedError naming it."""
    backend.latency = dataclasses.replace(LatencyProfile.instant(), create=10_000.0)
    started = clock.now()
    with pytest.raises(SeedError, match="asset model generator ACTIVE: still not ready after 60 s"):
        seed_world(sitewise, windfarm(), clock=clock, timeout=60.0)
    assert 60 <= clock.now() - started < 10_000


@pytest.mark.http
def test_windfarm_seeds_over_http(backend: SiteWiseBackend, clock: ManualClock) -> None:
    """Through the HTTP server, as `emulator seed` does it: same world, read back over the wire."""
    server = serve(backend)
    try:
        client = boto3.client(
            "iotsitewise", region_name="us-east-1", endpoint_url=server.url,
            config=Config(inject_host_prefix=False, retries={"total_max_attempts": 1}),
        )
        world = seed_world(client, windfarm(), clock=clock)
        check_windfarm(client, world)
    finally:
        server.shutdown()
