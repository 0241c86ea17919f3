"""Seeding worlds (declarative TOML files, seeded random forests) through any boto3 SiteWise client.

    spec = windfarm()                                   # or load_world("my.toml"), random_world(seed=1, assets=500),
                                                        # wind_park(sites=10, lines=10, turbines=9)
    world = seed_world(client, spec, clock=clock)       # any boto3 iotsitewise client: in-process, HTTP, AWS
    world.assets["enterprise/site-1/line-2/turbine-3"]  # -> the asset id (stable: uuid5 of world, seed, path)

The world file format is documented at the top of ``examples/worlds/windfarm.toml``.
"""

from __future__ import annotations

from teardown.emulator.seed.errors import SeedError, WorldAlreadySeeded, WorldError, WorldFileError
from teardown.emulator.seed.forest import random_world
from teardown.emulator.seed.packaged import PACKAGED_WORLDS, packaged_world, windfarm
from teardown.emulator.seed.parks import wind_park
from teardown.emulator.seed.run import seed_world
from teardown.emulator.seed.seeded import SeededWorld, WorldIds
from teardown.emulator.seed.spec import (
    AccessPolicySpec,
    AssetSpec,
    DashboardSpec,
    FormulaSpec,
    ModelSpec,
    PortalSpec,
    ProjectSpec,
    PropertySpec,
    VariableSpec,
    WorldSpec,
    validate_world,
)
from teardown.emulator.seed.spec_edge import GatewaySpec, TimeSeriesSpec
from teardown.emulator.seed.world_file import load_world, parse_world

__all__ = [
    "PACKAGED_WORLDS",
    "AccessPolicySpec",
    "AssetSpec",
    "DashboardSpec",
    "FormulaSpec",
    "GatewaySpec",
    "ModelSpec",
    "PortalSpec",
    "ProjectSpec",
    "PropertySpec",
    "SeedError",
    "SeededWorld",
    "TimeSeriesSpec",
    "VariableSpec",
    "WorldAlreadySeeded",
    "WorldError",
    "WorldFileError",
    "WorldIds",
    "WorldSpec",
    "load_world",
    "packaged_world",
    "parse_world",
    "random_world",
    "seed_world",
    "validate_world",
    "wind_park",
    "windfarm",
]
