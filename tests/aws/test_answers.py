"""Records from SiteWise's answers, and discovery reading children with one call per parent."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, cast

from botocore.utils import parse_timestamp

from teardown.aws.answers import asset_from_summary, epoch, formula_hierarchies
from teardown.aws.target import sitewise_client
from teardown.emulator.seed import AssetSpec, ModelSpec, WorldSpec
from teardown.inventory.selectors import SelectionSpec
from tests.support.worlds import TARGET, seeded

PLANT = WorldSpec(
    name="two-hierarchies",
    seed=3,
    models=(
        ModelSpec(key="pump", name="Pump"),
        ModelSpec(key="valve", name="Valve"),
        ModelSpec(key="plant", name="Plant", hierarchies=(("pumps", "pump"), ("valves", "valve"))),
    ),
    assets=(
        AssetSpec(path="plant", name="Plant", model="plant"),
        AssetSpec(path="plant/p1", name="P1", model="pump", parent="plant", hierarchy="pumps"),
        AssetSpec(path="plant/p2", name="P2", model="pump", parent="plant", hierarchy="pumps"),
        AssetSpec(path="plant/v1", name="V1", model="valve", parent="plant", hierarchy="valves"),
    ),
)


def test_discovery_reads_formula_hierarchies_from_metric_and_transform_variables() -> None:
    """Only variables with a hierarchyId count: a formula over the model's own properties blocks nothing."""
    properties = [
        {"type": {"metric": {"variables": [{"name": "x", "value": {"propertyId": "p1", "hierarchyId": "h1"}}]}}},
        {"type": {"transform": {"variables": [{"name": "y", "value": {"propertyId": "p2", "hierarchyId": "h2"}},
                                              {"name": "z", "value": {"propertyId": "p3"}}]}}},
        {"type": {"measurement": {}}},
    ]
    assert formula_hierarchies(properties) == {"h1", "h2"}




def test_discovery_lists_a_parents_children_across_hierarchies_in_one_call(tmp_path: Path) -> None:
    """A plant with a pumps and a valves hierarchy: one ListAssociatedAssets for its children (each child's
    model names its hierarchy), and every child linked through the right one."""
    with seeded(PLANT, tmp_path) as env:
        inventory = env.discover(SelectionSpec(all=True))
        plant = env.client.describe_asset(assetId=env.asset("plant"))
        hierarchy = {h["name"]: h["id"] for h in plant["assetHierarchies"]}
        links = {inventory.assets[env.asset(p)].parent for p in ("plant/p1", "plant/p2", "plant/v1")}
    assert inventory.calls["ListAssociatedAssets"] == 1
    assert {(link.asset_id, link.hierarchy_id) for link in links if link is not None} == {
        (env.asset("plant"), hierarchy["pumps"]), (env.asset("plant"), hierarchy["valves"])}


def test_a_client_with_wire_timestamps_reads_the_same_instants_as_epoch_seconds(tmp_path: Path) -> None:
    """The apply's run client leaves dates as sent (epoch seconds), for speed; ``epoch`` reads both kinds as
    the same instant, so a record made from either answer carries the same ``last_update``."""
    with seeded(PLANT, tmp_path) as env:
        wire = sitewise_client(TARGET, wire_timestamps=True)
        plant = env.asset("plant")
        parsed = env.client.describe_asset(assetId=plant)["assetLastUpdateDate"]
        sent = wire.describe_asset(assetId=plant)["assetLastUpdateDate"]
        summary = wire.list_assets(assetModelId=env.world.models["plant"], filter="ALL")["assetSummaries"][0]
    assert isinstance(parsed, datetime)
    assert isinstance(sent, float | int)
    assert epoch(sent) == epoch(parsed)
    assert asset_from_summary(summary).last_update == epoch(parsed)


def test_a_date_reads_the_same_parsed_by_botocore_or_as_the_service_sent_it() -> None:
    """The stale check compares the dates a plan saw with those read now, and the two may come from clients
    that parse dates differently (a fleet's, the engine's own with ``wire_timestamps``)."""
    for sent in (1_700_000_000, 1_700_000_000.123, 1_700_000_000.123456, 1_733_289_600.987654321, 0.5):
        # botocore's response parser hands it the JSON number itself (its stubs say str).
        assert epoch(sent) == epoch(parse_timestamp(cast(Any, sent))), sent
