"""World files and seeding of what sits beside the asset tree: gateways with capability configurations, series
bound with or without an alias, alias-only series, and the values written to them."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from teardown.emulator.clock import ManualClock
from teardown.emulator.seed import WorldFileError, WorldSpec, load_world, parse_world, seed_world, validate_world
from teardown.emulator.seed.toml_table import Table

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

PLANT = Path(__file__).parents[2] / "examples" / "worlds" / "plant.toml"

BASE = """
[world]
name = "edge"

[models.pump]
[models.pump.properties]
flow = { data_type = "DOUBLE" }
level = { data_type = "INTEGER" }
total = { kind = "metric", formula = { expression = "sum(f)", variables = { f = { property = "flow" } } } }

[[assets]]
model = "pump"
count = 2
key = "pump-{n}"
"""


def spec_of(text: str) -> WorldSpec:
    spec = parse_world(tomllib.loads(text))
    validate_world(spec)
    return spec


def refused(text: str) -> str:
    with pytest.raises(WorldFileError) as info:
        spec_of(text)
    return str(info.value)


def test_series_of_each_shape_are_read() -> None:
    """Aliased bound series (no values by default), unaliased ones (one value by default), alias-only ones."""
    spec = spec_of(BASE + """
[time_series.flow]
assets = "pump-*"
property = "flow"
alias = "/edge/{key}/flow"
[time_series.level]
assets = "pump-1"
property = "level"
points = 4
[time_series.old]
alias = "/old/{n}"
count = 2
data_type = "STRING"
""")
    shapes = [(s.key, s.alias, s.asset, s.property, s.data_type, s.points) for s in spec.time_series]
    assert shapes == [
        ("flow:pump-1", "/edge/pump-1/flow", "pump-1", "flow", "DOUBLE", 0),
        ("flow:pump-2", "/edge/pump-2/flow", "pump-2", "flow", "DOUBLE", 0),
        ("level:pump-1", None, "pump-1", "level", "DOUBLE", 4),
        ("old:1", "/old/1", None, None, "STRING", 1),
        ("old:2", "/old/2", None, None, "STRING", 1),
    ]


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ('[time_series.x]\nassets = "pump-1"\nproperty = "flow"\npoints = 0\n', "give points = 1 or more"),
        ('[time_series.x]\nalias = "/a"\npoints = 11\n', "between 0 and 10"),
        ('[time_series.x]\ncount = 2\n', "time_series.x.alias: required"),
        ('[time_series.x]\nalias = "/a"\ndata_type = "FLOAT"\n', "'FLOAT' is not one of"),
        ('[time_series.x]\nalias = "/a"\nproperty = "flow"\n', "only a series bound to assets has a property"),
        ('[time_series.x]\nassets = "pump-1"\nproperty = "total"\npoints = 1\n', "is a metric; SiteWise computes"),
        ('[time_series.x]\nassets = "pump-1"\nproperty = "flow"\nalias = "/a"\ncount = 2\n', "count and data_type"),
        ('[time_series.x]\nassets = "pump-1"\nproperty = "flow"\nalias = "/a"\n'
         '[time_series.y]\nassets = "pump-1"\nproperty = "flow"\n', "holds one series only"),
        ('[gateways.g]\ncore_device = "t"\ncapabilities = { ns = 3 }\n', "capabilities.ns: expected a string"),
    ],
)
def test_a_broken_series_or_gateway_is_named(extra: str, problem: str) -> None:
    assert problem in refused(BASE + extra)


def test_the_table_reader_names_an_unknown_key() -> None:
    """Moved out of world_file as is: a typo is refused, not dropped."""
    table = Table({"name": "x", "nmae": "y"}, "gateways.g")
    assert table.string("name") == "x"
    with pytest.raises(WorldFileError, match=r"gateways\.g\.nmae: unknown key"):
        table.done()


def test_the_plant_seeds_every_shape(sitewise: IoTSiteWiseClient, clock: ManualClock) -> None:
    """examples/worlds/plant.toml: the gateway carries its capability configuration; six aliased series and
    three unaliased ones are bound, with values; three alias-only streams hold two values each."""
    world = seed_world(sitewise, load_world(PLANT), clock=clock)
    gateway = world.gateways["edge"]
    configuration = sitewise.describe_gateway_capability_configuration(
        gatewayId=gateway, capabilityNamespace="iotsitewise:opcuacollector:3")
    assert configuration["capabilityConfiguration"] == '{"sources": []}'
    summaries = sitewise.list_time_series(maxResults=250)["TimeSeriesSummaries"]
    assert len(summaries) == len(world.time_series) == 12
    unaliased = [s for s in summaries if "alias" not in s]
    assert len(unaliased) == 3 and all("assetId" in s for s in unaliased)
    alias_only = sorted(s["alias"] for s in summaries if "assetId" not in s)
    assert alias_only == ["/northwind/legacy/sensor-1", "/northwind/legacy/sensor-2", "/northwind/legacy/sensor-3"]
    history = sitewise.get_asset_property_value_history(propertyAlias="/northwind/legacy/sensor-2")
    assert [v["value"]["doubleValue"] for v in history["assetPropertyValueHistory"]] == [1.0, 2.0]
    energy = sitewise.get_asset_property_value_history(propertyAlias="/northwind/plant/line-2/filler-3/energy")
    assert len(energy["assetPropertyValueHistory"]) == 3
    assert world.time_series["legacy:2"] == sitewise.describe_time_series(
        alias="/northwind/legacy/sensor-2")["timeSeriesId"]
