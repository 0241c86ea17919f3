"""Seeding emulator worlds: declarative TOML files and seeded random forests, created through boto3.

    spec = windfarm()                                   # or load_world("my.toml"), random_world(seed=1, assets=500)
    world = seed_world(client, spec, clock=clock)       # any boto3 iotsitewise client: in-process, HTTP, AWS
    world.assets["enterprise/site-1/line-2/turbine-3"]  # -> the asset id (stable: uuid5 of world, seed, path)

The world file format is documented at the top of ``examples/worlds/windfarm.toml``.
"""

from __future__ import annotations

from importlib import resources

from teardown.emulator.seed.calls import SeedError, WorldAlreadySeeded
from teardown.emulator.seed.forest import random_world
from teardown.emulator.seed.run import SeededWorld, WorldIds, seed_world
from teardown.emulator.seed.spec import (
    AccessPolicySpec,
    AssetSpec,
    DashboardSpec,
    GatewaySpec,
    ModelSpec,
    PortalSpec,
    ProjectSpec,
    PropertySpec,
    TimeSeriesSpec,
    WorldFileError,
    WorldSpec,
    validate_world,
)
from teardown.emulator.seed.world_file import load_world, parse_world

# The worlds shipped inside the package, by the name `emulator seed --world NAME` accepts.
PACKAGED_WORLDS = ("windfarm",)

__all__ = [
    "PACKAGED_WORLDS",
    "AccessPolicySpec",
    "AssetSpec",
    "DashboardSpec",
    "GatewaySpec",
    "ModelSpec",
    "PortalSpec",
    "ProjectSpec",
    "PropertySpec",
    "SeedError",
    "SeededWorld",
    "TimeSeriesSpec",
    "WorldAlreadySeeded",
    "WorldFileError",
    "WorldIds",
    "WorldSpec",
    "load_world",
    "packaged_world",
    "parse_world",
    "random_world",
    "seed_world",
    "validate_world",
    "windfarm",
]


def packaged_world(name: str) -> WorldSpec:
    """A world shipped with the package (see ``PACKAGED_WORLDS``)."""
    if name not in PACKAGED_WORLDS:
        raise WorldFileError(f"no packaged world {name!r} (packaged: {', '.join(PACKAGED_WORLDS)})")
    with resources.as_file(resources.files("teardown.emulator") / "worlds" / f"{name}.toml") as path:
        return load_world(path)


def windfarm() -> WorldSpec:
    """The packaged windfarm: 1 enterprise, 3 sites, 2 lines each, 5 turbines each (40 assets)."""
    return packaged_world("windfarm")
