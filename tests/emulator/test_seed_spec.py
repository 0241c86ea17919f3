"""World specs without any client: the packaged windfarm, the random generator, and stable ids."""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter
from pathlib import Path

import pytest

from teardown.emulator.seed import (
    AssetSpec,
    ModelSpec,
    WorldFileError,
    WorldIds,
    WorldSpec,
    load_world,
    random_world,
    validate_world,
    windfarm,
)
from teardown.emulator.seed.spec import asset_depths, root_of

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "worlds" / "windfarm.toml"


def test_windfarm_has_the_documented_shape() -> None:
    """1 enterprise, 3 sites, 2 lines each, 5 turbines each; a project on site 1; five power series."""
    spec = windfarm()
    by_model = Counter(a.model for a in spec.assets)
    assert by_model == {"enterprise": 1, "site": 3, "line": 6, "turbine": 30}
    assert {m.key: m.type for m in spec.models} == {
        "generator": "COMPONENT_MODEL", "power-producer": "INTERFACE", "turbine": "ASSET_MODEL",
        "line": "ASSET_MODEL", "site": "ASSET_MODEL", "enterprise": "ASSET_MODEL",
    }
    turbine = spec.model("turbine")
    assert turbine.components == (("generator", "generator"),)
    assert turbine.interfaces == ("power-producer",)
    assert spec.tags == {"env": "demo"}
    (project,) = spec.projects
    assert project.assets[0] == "enterprise/site-1"
    assert len(project.assets) == 1 + 2 + 10
    assert {root_of(p) for p in project.assets} == {"enterprise"}
    assert [t.asset for t in spec.time_series] == [f"enterprise/site-1/line-1/turbine-{n}" for n in range(1, 6)]
    assert len(spec.dashboards) == 1
    assert len(spec.access_policies) == 2
    assert len(spec.gateways) == 1


def test_windfarm_names_are_templated_from_the_parent() -> None:
    """Names come from the templates: a turbine's name carries its site and line."""
    spec = windfarm()
    names = {a.path: a.name for a in spec.assets}
    assert names["enterprise"] == "Contoso Wind"
    assert names["enterprise/site-2/line-1/turbine-4"] == "Site 2 / Line 1 / Turbine 4"
    assert len(set(names.values())) == len(names)


def test_example_file_and_packaged_copy_agree() -> None:
    """The example users read is the world the package ships."""
    assert load_world(EXAMPLE) == windfarm()


def test_model_order_puts_named_models_first() -> None:
    """Each model comes in a later generation than every model it names."""
    spec = windfarm()
    generation = {key: i for i, keys in enumerate(spec.model_order()) for key in keys}
    for model in spec.models:
        named = [c for _, c in model.hierarchies] + [c for _, c in model.components] + list(model.interfaces)
        assert all(generation[n] < generation[model.key] for n in named), model.key


def test_random_world_is_deterministic_for_a_seed() -> None:
    """Same arguments, same spec; another seed, another spec."""
    first = random_world(seed=11, assets=400)
    assert random_world(seed=11, assets=400) == first
    other = random_world(seed=12, assets=400)
    assert other != first
    assert [a.path for a in other.assets] != [a.path for a in first.assets]


@pytest.mark.parametrize(("assets", "depth", "fanout"), [(1, 4, 10), (250, 3, 5), (1_000, 4, 10), (300, 6, 3)])
def test_random_world_has_the_requested_size_depth_and_fanout(assets: int, depth: int, fanout: int) -> None:
    """Exactly ``assets`` assets, no tree deeper than ``depth``, no parent with more than ``fanout``."""
    spec = random_world(seed=5, assets=assets, depth=depth, fanout=fanout)
    assert len(spec.assets) == assets
    assert max(asset_depths(spec).values()) <= depth - 1
    children = Counter(a.parent for a in spec.assets if a.parent is not None)
    assert max(children.values(), default=0) <= fanout


def test_random_world_shares_child_models_when_asked() -> None:
    """With shared child models several parent models name the same child model; without, none do."""

    def parents_per_child(shared: bool) -> int:
        spec = random_world(seed=3, assets=200, shared_child_models=shared, models_per_level=3)
        named = Counter(child for m in spec.models for child in {c for _, c in m.hierarchies})
        return max(named.values())

    assert parents_per_child(True) >= 2
    assert parents_per_child(False) == 1


def test_random_world_projects_tags_and_components() -> None:
    """Projects hold one subtree each (one root), some assets are tagged, leaf models compose a component."""
    spec = random_world(seed=8, assets=600, projects=3, tagged_fraction=0.2)
    assert len(spec.projects) == 3
    for project in spec.projects:
        assert len(project.assets) >= 2
        assert len({root_of(p) for p in project.assets}) == 1
    tagged = [a for a in spec.assets if "team" in a.tags]
    assert 0.1 * len(spec.assets) < len(tagged) < 0.3 * len(spec.assets)
    assert any(m.components for m in spec.models)
    assert len(spec.dashboards) == len(spec.access_policies) == 3


def test_random_world_refuses_impossible_arguments() -> None:
    """Arguments outside the service's quotas are refused up front."""
    with pytest.raises(ValueError, match="depth"):
        random_world(seed=1, assets=10, depth=11)
    with pytest.raises(ValueError, match="fanout"):
        random_world(seed=1, assets=10, fanout=101)
    with pytest.raises(ValueError, match="assets"):
        random_world(seed=1, assets=0)


def test_ids_are_stable_and_scoped_by_world_and_seed() -> None:
    """uuid5 ids: same world, seed and name give the same id; another seed or world another id."""
    spec = windfarm()
    ids = WorldIds(spec)
    assert ids.asset("enterprise/site-1") == WorldIds(windfarm()).asset("enterprise/site-1")
    assert uuid.UUID(ids.asset("enterprise/site-1")).version == 5
    assert ids.asset("enterprise/site-1") != ids.asset("enterprise/site-2")
    assert ids.model("turbine") != ids.asset("turbine")
    reseeded = WorldIds(random_world(seed=2, assets=1))
    assert reseeded.asset("root-0") != WorldIds(random_world(seed=3, assets=1)).asset("root-0")


def test_hand_built_spec_paths_must_follow_the_tree() -> None:
    """A spec built in code is validated like a file: a child's path is its parent's path plus one key."""
    models = (ModelSpec(key="leaf", name="leaf"), ModelSpec(key="top", name="top", hierarchies=(("leaves", "leaf"),)))
    good = WorldSpec(name="w", seed=0, models=models, assets=(
        AssetSpec(path="t", name="t", model="top"),
        AssetSpec(path="t/l", name="l", model="leaf", parent="t", hierarchy="leaves"),
    ))
    validate_world(good)
    bad = dataclasses.replace(good, assets=(
        good.assets[0], AssetSpec(path="elsewhere/l", name="l", model="leaf", parent="t", hierarchy="leaves"),
    ))
    with pytest.raises(WorldFileError, match=r"assets\.elsewhere/l: a path must be its parent's path plus one key"):
        validate_world(bad)
