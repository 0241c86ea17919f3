"""The worlds shipped inside the package (``worlds/*.toml``), by the name ``emulator seed --world`` takes."""

from __future__ import annotations

from importlib import resources

from teardown.emulator.seed.errors import WorldFileError
from teardown.emulator.seed.spec import WorldSpec
from teardown.emulator.seed.world_file import load_world

PACKAGED_WORLDS = ("windfarm",)


def packaged_world(name: str) -> WorldSpec:
    """A world shipped with the package (see ``PACKAGED_WORLDS``)."""
    if name not in PACKAGED_WORLDS:
        raise WorldFileError(f"no packaged world {name!r} (packaged: {', '.join(PACKAGED_WORLDS)})")
    with resources.as_file(resources.files("teardown.emulator") / "worlds" / f"{name}.toml") as path:
        return load_world(path)


def windfarm() -> WorldSpec:
    """The packaged windfarm: 1 enterprise, 3 sites, 2 lines each, 5 turbines each (40 assets)."""
    return packaged_world("windfarm")
