"""World files: malformed or inconsistent files are refused with an error naming the file and the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from teardown.emulator.clock import ManualClock
from teardown.emulator.seed import FormulaSpec, VariableSpec, WorldFileError, load_world, seed_world, windfarm
from teardown.errors import EXIT_BAD_INPUT

# A small valid world; each test below breaks one thing in it.
VALID = """
[world]
name = "mini"
seed = 3

[models.pump]
[models.pump.properties]
flow = { data_type = "DOUBLE", unit = "l/s" }

[models.plant]
hierarchies = { pumps = "pump" }

[[assets]]
model = "plant"
count = 2
key = "plant-{n}"

[[assets.children]]
model = "pump"
count = 3
key = "pump-{n}"

[portals.ops]

[projects.p1]
portal = "ops"
subtree = "plant-1"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "world.toml"
    path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path: Path, text: str) -> str:
    with pytest.raises(WorldFileError) as info:
        load_world(write(tmp_path, text))
    message = str(info.value)
    assert message.startswith(str(tmp_path / "world.toml"))
    return message


def test_the_valid_base_world_loads(tmp_path: Path) -> None:
    """The base of the malformed cases is itself valid: 2 plants with 3 pumps each, a project on plant-1."""
    spec = load_world(write(tmp_path, VALID))
    assert [a.path for a in spec.assets][:2] == ["plant-1", "plant-1/pump-1"]
    assert len(spec.assets) == 8
    assert spec.projects[0].assets == ("plant-1", "plant-1/pump-1", "plant-1/pump-2", "plant-1/pump-3")
    assert spec.assets[1].name == "plant-1 / pump-1"


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    """A TOML syntax error says so, with TOML's line and column."""
    message = refused(tmp_path, VALID + "\n[models.broken\n")
    assert "not valid TOML" in message
    assert "line" in message


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    """A path that does not exist is a bad-input error, not a traceback."""
    with pytest.raises(WorldFileError, match="cannot read") as info:
        load_world(tmp_path / "absent.toml")
    assert info.value.exit_code == EXIT_BAD_INPUT


@pytest.mark.parametrize(
    ("change", "key", "problem"),
    [
        (("[world]\nname", "[world]\nnmae"), "world.name", "required"),
        (('seed = 3', 'seed = "3"'), "world.seed", "expected an integer"),
        (('seed = 3', 'seed = true'), "world.seed", "expected an integer"),
        (('seed = 3', 'seed = 3\ncolour = "red"'), "world.colour", "unknown key"),
        (('hierarchies = { pumps = "pump" }', 'hierarchies = { pumps = "pmup" }'),
         "models.plant.hierarchies.pumps", "unknown model 'pmup'"),
        (('flow = { data_type = "DOUBLE"', 'flow = { data_type = "FLOAT"'),
         "models.pump.properties.flow.data_type", "'FLOAT' is not one of"),
        (('flow = { data_type = "DOUBLE"', 'flow = { kind = "measurement", default = "1", data_type = "DOUBLE"'),
         "models.pump.properties.flow.default", "only an attribute"),
        (('count = 3', 'count = 0'), "assets[0].children[0].count", "at least 1"),
        (('model = "pump"\ncount', 'model = "plant"\ncount'), "hierarchy", "no hierarchy for 'plant' children"),
        (('key = "pump-{n}"', 'key = "pump-{index}"'), "assets[0].children[0].key", "unknown placeholder {index}"),
        (('key = "pump-{n}"', 'key = "pump/{n}"'), "assets[0].children[0].key", "must not contain '/'"),
        (('key = "pump-{n}"', 'key = "pump"'), "assets.plant-1/pump", "defined more than once"),
        (('portal = "ops"', 'portal = "opps"'), "projects.p1.portal", "unknown portal 'opps'"),
        (('subtree = "plant-1"', 'assets = ["plant-1", "plant-2"]'), "projects.p1.assets", "spans 2 hierarchy roots"),
        (('subtree = "plant-1"', 'subtree = "plant-9"'), "projects.p1.subtree", "unknown asset 'plant-9'"),
        (('subtree = "plant-1"', 'assets = "plant-*/valve-*"'), "projects.p1.assets", "matches no asset"),
    ],
)
def test_a_broken_key_is_named(tmp_path: Path, change: tuple[str, str], key: str, problem: str) -> None:
    """Each malformed world is refused and the message names the key at fault and the problem."""
    old, new = change
    assert old in VALID
    message = refused(tmp_path, VALID.replace(old, new, 1))
    assert key in message
    assert problem in message


def test_children_over_the_quota_are_refused(tmp_path: Path) -> None:
    """More than 100 children under one parent breaks the service's quota: refused before seeding."""
    message = refused(tmp_path, VALID.replace("count = 3", "count = 101"))
    assert "assets.plant-1: 101 children" in message


def test_model_hierarchy_cycle_is_refused(tmp_path: Path) -> None:
    """Models that name each other cannot be created one after the other: the cycle is named."""
    text = VALID.replace("[models.pump]\n", '[models.pump]\nhierarchies = { plants = "plant" }\n')
    message = refused(tmp_path, text)
    assert "cycle" in message
    assert "plant" in message
    assert "pump" in message


def test_interface_properties_must_be_on_the_model(tmp_path: Path) -> None:
    """A model implementing an interface must have the interface's properties."""
    text = VALID + """
[models.metered]
type = "INTERFACE"
[models.metered.properties]
energy = { data_type = "DOUBLE" }
"""
    plant = 'hierarchies = { pumps = "pump" }'
    text = text.replace(plant, plant + '\ninterfaces = ["metered"]')
    message = refused(tmp_path, text)
    assert "models.plant.interfaces" in message
    assert "'energy'" in message


def test_access_policy_needs_exactly_one_identity(tmp_path: Path) -> None:
    """An access policy with two identities is ambiguous: refused, naming the policy."""
    text = VALID + '\n[access_policies.admins]\nportal = "ops"\nuser = "a"\ngroup = "b"\n'
    message = refused(tmp_path, text)
    assert "access_policies.admins" in message
    assert "exactly one identity" in message


def test_time_series_property_must_exist(tmp_path: Path) -> None:
    """A time series bound to a property the model lacks is refused, naming the series."""
    text = VALID + '\n[time_series.flow]\nassets = "plant-1/pump-1"\nproperty = "pressure"\nalias = "/x/{path}"\n'
    message = refused(tmp_path, text)
    assert "time_series.flow:plant-1/pump-1.property" in message
    assert "no property 'pressure'" in message


FORMULA = """
[models.pump.properties.flow-x2]
kind = "transform"
formula = { expression = "2 * f", variables = { f = { property = "flow" } } }

[models.plant.properties.total-flow]
kind = "metric"
formula = { expression = "sum(f)", variables = { f = { property = "flow", hierarchy = "pumps" } } }
"""


def test_a_formula_through_a_hierarchy_is_seeded(tmp_path: Path, sitewise: Any, clock: ManualClock) -> None:
    """A metric reading the child model's property through a hierarchy is seeded with the ids it names, and
    it is a formula dependency: the child model cannot be deleted before the parent model."""
    path = tmp_path / "world.toml"
    path.write_text(VALID + FORMULA, encoding="utf-8")
    spec = load_world(path)
    total = next(p for p in spec.model("plant").properties if p.name == "total-flow")
    assert total.formula == FormulaSpec("sum(f)", (VariableSpec("f", "flow", "pumps"),))
    world = seed_world(sitewise, spec, clock=clock)
    plant = sitewise.describe_asset_model(assetModelId=world.models["plant"])
    pump = sitewise.describe_asset_model(assetModelId=world.models["pump"])
    variable = plant["assetModelProperties"][0]["type"]["metric"]["variables"][0]
    assert variable["value"] == {
        "hierarchyId": plant["assetModelHierarchies"][0]["id"],
        "propertyId": next(p["id"] for p in pump["assetModelProperties"] if p["name"] == "flow"),
    }
    for asset in reversed(list(world.assets.values())):  # children first
        parent = sitewise.list_associated_assets(assetId=asset, traversalDirection="PARENT")["assetSummaries"]
        if parent:
            hierarchy = plant["assetModelHierarchies"][0]["id"]
            sitewise.disassociate_assets(assetId=parent[0]["id"], hierarchyId=hierarchy, childAssetId=asset)
    for project in world.projects.values():
        sitewise.batch_disassociate_project_assets(projectId=project, assetIds=list(world.assets.values())[:100])
    for asset in world.assets.values():
        sitewise.delete_asset(assetId=asset)
    with pytest.raises(ClientError) as caught:
        sitewise.delete_asset_model(assetModelId=world.models["pump"])
    assert "formula dependency" in caught.value.response["Error"]["Message"]


@pytest.mark.parametrize(
    ("change", "key", "problem"),
    [
        (('hierarchy = "pumps"', 'hierarchy = "valves"'), "total-flow.formula.variables.f.hierarchy", "no hierarchy"),
        (('property = "flow", hierarchy', 'property = "flux", hierarchy'), "f.property", "no property 'flux'"),
        (('property = "flow" }', 'property = "total-flow" }'), "flow-x2.formula.variables.f.property", "no property"),
        (('kind = "metric"', 'kind = "measurement"'), "total-flow.formula", "only they do"),
        (("{ f = { property", "{ F = { property"), "variables.F", "variable name"),
    ],
)
def test_a_broken_formula_is_named(tmp_path: Path, change: tuple[str, str], key: str, problem: str) -> None:
    """A formula naming a hierarchy or a property its model lacks, on a measurement, or with a bad variable
    name is refused, naming the key."""
    old, new = change
    text = VALID + FORMULA
    assert old in text
    message = refused(tmp_path, text.replace(old, new, 1))
    assert key in message
    assert problem in message


def test_the_packaged_windfarm_is_the_documented_example() -> None:
    """examples/worlds/windfarm.toml (where the format is documented) describes the packaged world exactly."""
    example = Path(__file__).parents[2] / "examples" / "worlds" / "windfarm.toml"
    assert load_world(example) == windfarm()
