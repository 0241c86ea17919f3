"""Discovery against the strict emulator: what it finds, and how few calls it spends."""

from __future__ import annotations

import json

import structlog.testing

from teardown.inventory.index import series_by_asset
from teardown.inventory.records import Inventory, ModelType
from teardown.inventory.selectors import SelectionSpec
from tests.support.worlds import Env


def test_full_discovery_finds_every_model_asset_link_and_project(farm: Env) -> None:
    """Every asset with its parent, every model with hierarchies and component users, project links."""
    inv = farm.discover(SelectionSpec(all=True))
    assert set(inv.assets) == set(farm.world.assets.values())
    assert {a.id: a.parent.asset_id for a in inv.assets.values() if a.parent} == farm.world.parents
    assert set(inv.models) == set(farm.world.models.values())
    turbine = inv.models[farm.world.models["turbine"]]
    assert turbine.component_ids == (farm.world.models["generator"],)
    assert inv.models[farm.world.models["generator"]].type is ModelType.COMPONENT_MODEL
    site_model = inv.models[farm.world.models["site"]]
    assert [h.child_model_id for h in site_model.hierarchies] == [farm.world.models["line"]]
    (project_id,) = farm.world.projects.values()
    assert set(inv.projects[project_id].asset_ids) == set(farm.world.project_assets[project_id])
    assert inv.complete


def test_full_discovery_skips_child_lookups_for_leaf_models(farm: Env) -> None:
    """Turbines' model defines no hierarchy, so none of the 30 turbines costs a ListAssociatedAssets."""
    inv = farm.discover(SelectionSpec(all=True))
    # 1 enterprise + 3 sites + 6 lines have one hierarchy each: 10 child lookups, not 40.
    assert inv.calls["ListAssociatedAssets"] == 10
    # One top-level page of the account, never a page per model: every other asset is named by its parent.
    assert inv.calls["ListAssets"] == 1
    assert inv.calls["DescribeAssetModel"] == len(inv.models)
    assert "ListTagsForResource" not in inv.calls  # no tag selector, no tag calls


def test_subtree_discovery_does_not_scan_the_account(farm: Env) -> None:
    """A subtree request reads its root, the kept parent and what is below; no model or asset listing."""
    site = farm.asset("enterprise/site-2")
    inv = farm.discover(SelectionSpec(subtrees=(site,)))
    below = {aid for path, aid in farm.world.assets.items() if path.startswith("enterprise/site-2")}
    assert below <= set(inv.assets)
    assert set(inv.assets) - below == {farm.asset("enterprise")}
    assert "ListAssetModels" not in inv.calls and "ListAssets" not in inv.calls
    assert not inv.complete
    parent = inv.assets[site].parent
    assert parent is not None
    assert parent.asset_id == farm.asset("enterprise")


def test_unknown_subtree_root_is_a_clear_error(farm: Env) -> None:
    """A malformed id and a well-formed id that names nothing both say which id is wrong."""
    import pytest

    from teardown.errors import UnknownResourceError

    with pytest.raises(UnknownResourceError, match="'no-such-asset' is not an asset id"):
        farm.discover(SelectionSpec(subtrees=("no-such-asset",)))
    missing = "00000000-0000-4000-8000-000000000001"
    with pytest.raises(UnknownResourceError, match=f"unknown asset '{missing}'"):
        farm.discover(SelectionSpec(subtrees=(missing,)))


def test_tags_are_loaded_only_when_a_tag_selector_asks(farm: Env) -> None:
    """Tag selectors cost one ListTagsForResource per resource, and only then."""
    inv = farm.discover(SelectionSpec(tags=(("env", "demo"),)))
    assert inv.tags_loaded
    assert inv.calls["ListTagsForResource"] == len(inv.assets) + len(inv.models)
    assert inv.assets[farm.asset("enterprise")].tags == {"env": "demo"}


def test_inventory_round_trips_through_json(farm: Env) -> None:
    """Saved and loaded inventories are equal, so planning can be repeated without a client."""
    inv = farm.discover(SelectionSpec(all=True))
    again = Inventory.from_json(json.loads(json.dumps(inv.to_json())))
    assert again == inv


def test_bound_time_series_are_found_in_full_and_subtree_discovery(farm: Env) -> None:
    """Deleting an asset deletes its bound series: both discovery modes find the five on line 1's turbines."""
    turbines = {farm.asset(f"enterprise/site-1/line-1/turbine-{n}") for n in range(1, 6)}
    full = farm.discover(SelectionSpec(asset_models=(farm.world.models["turbine"],)))
    assert {s.asset_id for s in full.series.values()} == turbines
    assert full.calls["ListTimeSeries"] == 1  # one paginated scan, not one call per asset
    subtree = farm.discover(SelectionSpec(subtrees=(farm.asset("enterprise/site-1"),)))
    assert subtree.series == full.series
    power = series_by_asset(subtree)[farm.asset("enterprise/site-1/line-1/turbine-1")]
    assert [s.alias for s in power] == ["/windfarm/enterprise/site-1/line-1/turbine-1/power"]
    assert power[0].property_id is not None


def test_discovery_logs_what_it_found_and_what_it_cost(farm: Env) -> None:
    """discover.done counts the assets, models and projects found and the calls spent, and says whether the
    inventory covers the whole account (a subtree discovery does not)."""
    with structlog.testing.capture_logs() as logs:
        full = farm.discover(SelectionSpec(all=True))
        farm.discover(SelectionSpec(subtrees=(farm.asset("enterprise/site-2"),)))
    done = [e for e in logs if e["event"] == "discover.done"]
    assert done[0] == {"event": "discover.done", "log_level": "info", "assets": 40, "models": 6, "projects": 1,
                       "calls": sum(full.calls.values()), "complete": True}
    assert (done[1]["assets"], done[1]["complete"]) == (14, False)  # site 2's 13 and the kept enterprise
    assert len(done) == 2


def test_gone_selector_ids_are_dropped_after_one_discovery(farm: Env) -> None:
    """Ids that name nothing any more (a re-run's, a reset's) are dropped and named, for the price of one
    discovery of what is left (plus the one DescribeAsset that found a subtree root gone), not one more
    discovery per gone id."""
    from teardown.aws.discover import discover_present
    from tests.support.worlds import ACCOUNT, REGION

    site = farm.asset("enterprise/site-2")
    root, model = "00000000-0000-4000-8000-00000000000a", "00000000-0000-4000-8000-00000000000b"
    scan = SelectionSpec(subtrees=(site, root), asset_models=(model,))
    inventory, left, gone = discover_present(farm.calls(), scan, account=ACCOUNT, region=REGION)
    assert (left, gone) == (SelectionSpec(subtrees=(site,)), (root, model))
    same_scan = SelectionSpec(subtrees=(site,), asset_models=(farm.world.models["turbine"],))
    assert inventory.calls == farm.discover(same_scan).calls  # one scan of the account, as the ids all there
    walk = SelectionSpec(subtrees=(root, site))
    inventory, left, gone = discover_present(farm.calls(), walk, account=ACCOUNT, region=REGION)
    assert (left, gone) == (SelectionSpec(subtrees=(site,)), (root,))
    alone = farm.discover(left).calls
    assert inventory.calls == {**alone, "DescribeAsset": alone["DescribeAsset"] + 1}


def test_a_monitor_selection_reads_monitor_alone(farm: Env) -> None:
    """--project deletes a project, its dashboards and policies, and unlinks its assets: no asset or model is
    read, and the inventory says it does not cover the account."""
    from teardown.aws.pacing import family_of

    (project_id,) = farm.world.projects.values()
    inv = farm.discover(SelectionSpec(projects=(project_id,)))
    assert {family_of(op) for op in inv.calls} == {"monitor"}
    assert inv.projects[project_id].dashboard_ids and not inv.assets and not inv.complete


def test_a_model_selection_reads_its_assets_and_those_that_may_hold_them(farm: Env) -> None:
    """--asset-model site: every model (a kept one may use it), the sites and the enterprise (its model has a
    hierarchy of sites) with their children; not the lines' or the turbines' listings."""
    models = farm.world.models
    inv = farm.discover(SelectionSpec(asset_models=(models["site"],)))
    assert inv.calls["DescribeAssetModel"] == len(models) and inv.calls["ListAssets"] == 2
    assert inv.calls["ListAssociatedAssets"] == 1 + 3  # the enterprise and the three sites
    assert {a.model_id for a in inv.assets.values()} == {models["enterprise"], models["site"], models["line"]}
    sites = [a for a in inv.assets.values() if a.model_id == models["site"]]
    assert all(a.parent is not None and a.parent.asset_id == farm.asset("enterprise") for a in sites)
    assert not inv.complete
