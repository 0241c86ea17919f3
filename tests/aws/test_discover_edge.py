"""Discovery of gateways, alias-only series and the property names --keep-time-series needs, against the plant
world (examples/worlds/plant.toml): what it finds, and what it spends."""

from __future__ import annotations

import json

from teardown.aws.discover import discover_present
from teardown.inventory.records import Inventory
from teardown.inventory.selectors import SelectionSpec
from tests.support.worlds import ACCOUNT, REGION, Env

LEGACY = "/northwind/legacy/"


def test_all_finds_gateways_bound_and_alias_only_series(plant: Env) -> None:
    """--all: the gateway with its capability, the 9 bound series (6 aliased, 3 not) and the 3 alias-only ones,
    in one ListGateways and two ListTimeSeries scans (bound, alias-only)."""
    inv = plant.discover(SelectionSpec(all=True))
    (gateway,) = inv.gateways.values()
    assert gateway.id == plant.world.gateways["edge"]
    assert gateway.capabilities == ("iotsitewise:opcuacollector:3",)
    assert gateway.arn == f"arn:aws:iotsitewise:{REGION}:{ACCOUNT}:gateway/{gateway.id}"
    bound = [s for s in inv.series.values() if s.asset_id is not None]
    assert len(bound) == 9 and sum(1 for s in bound if s.alias is None) == 3
    assert sorted(s.alias or "" for s in inv.series.values() if s.asset_id is None) == [
        f"{LEGACY}sensor-{n}" for n in (1, 2, 3)]
    assert (inv.calls["ListGateways"], inv.calls["ListTimeSeries"]) == (1, 2)
    assert inv.gateways_loaded and inv.alias_prefixes_loaded == ("",)
    assert "DescribeAsset" not in inv.calls  # property names only when keeping


def test_a_prefix_lists_only_the_alias_only_series_under_it(plant: Env) -> None:
    inv = plant.discover(SelectionSpec(time_series_aliases=(f"{LEGACY}sensor-1",)))
    assert [s.alias for s in inv.series.values() if s.asset_id is None] == [f"{LEGACY}sensor-1"]
    assert inv.alias_prefixes_loaded == (f"{LEGACY}sensor-1",)


def test_keeping_names_the_properties_of_unaliased_series(plant: Env) -> None:
    """With --keep-time-series, one DescribeAsset per asset holding a series without alias names its property
    (what the refusal says); aliased series need none."""
    inv = plant.discover(SelectionSpec(subtrees=(plant.asset("plant/line-1"),), keep_time_series=True))
    unaliased = [s for s in inv.series.values() if s.alias is None]
    assert {s.property_name for s in unaliased} == {"fill-rate"} and len(unaliased) == 3
    assert all(s.property_name is None for s in inv.series.values() if s.alias is not None)
    assert inv.calls["DescribeAsset"] == 2 + 3  # the subtree root and its kept parent, then the three fillers


def test_a_subtree_scan_lists_no_gateways(plant: Env) -> None:
    inv = plant.discover(SelectionSpec(subtrees=(plant.asset("plant/line-2"),)))
    assert "ListGateways" not in inv.calls and not inv.gateways_loaded and inv.gateways == {}


def test_an_inventory_with_gateways_and_series_round_trips_through_json(plant: Env) -> None:
    inv = plant.discover(SelectionSpec(all=True, keep_time_series=True))
    assert Inventory.from_json(json.loads(json.dumps(inv.to_json()))) == inv


def test_a_gateway_gone_since_is_dropped_from_the_selection(plant: Env) -> None:
    """A re-run (a scheduled reset) finds the gateway an earlier run deleted gone: nothing left to do there."""
    gateway = plant.world.gateways["edge"]
    plant.client.delete_gateway(gatewayId=gateway)
    _, spec, gone = discover_present(plant.calls(), SelectionSpec(gateways=(gateway,)), account=ACCOUNT,
                                     region=REGION)
    assert gone == (gateway,) and spec.gateways == ()
