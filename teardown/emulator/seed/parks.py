"""Regular wind parks of any size, the shape of issue 11's measurements: 1 enterprise -> sites -> lines ->
turbines, four models, one Monitor portal with a project per site (each holding its site). The tests, the
benchmarks and anyone's own code seed them like any other world (``seed_world``).

``wind_park()`` with its defaults is the 1,011-asset world of issue 11 (10 sites, 10 lines each, 9 turbines
each; 1,010 links; 10 project links).
"""

from __future__ import annotations

from teardown.emulator.seed.spec import AssetSpec, ModelSpec, PortalSpec, ProjectSpec, PropertySpec, WorldSpec

PARK_MODELS = (
    ModelSpec(key="turbine", name="Turbine", properties=(PropertySpec("power"),)),
    ModelSpec(key="line", name="Line", hierarchies=(("turbines", "turbine"),)),
    ModelSpec(key="site", name="Site", hierarchies=(("lines", "line"),)),
    ModelSpec(key="enterprise", name="Enterprise", hierarchies=(("sites", "site"),)),
)


def wind_park(*, sites: int = 10, lines: int = 10, turbines: int = 9) -> WorldSpec:
    """Asset paths: ``e``, ``e/s1``, ``e/s1/l1``, ``e/s1/l1/t1``; project ``p1`` holds ``e/s1``."""
    assets = [AssetSpec(path="e", name="Enterprise", model="enterprise")]
    for s in range(1, sites + 1):
        site = f"e/s{s}"
        assets.append(AssetSpec(path=site, name=f"Site {s}", model="site", parent="e", hierarchy="sites"))
        for n in range(1, lines + 1):
            line = f"{site}/l{n}"
            assets.append(AssetSpec(path=line, name=f"Site {s} Line {n}", model="line", parent=site,
                                    hierarchy="lines"))
            assets.extend(AssetSpec(path=f"{line}/t{t}", name=f"Site {s} Line {n} Turbine {t}", model="turbine",
                                    parent=line, hierarchy="turbines") for t in range(1, turbines + 1))
    return WorldSpec(
        name=f"park-{sites}x{lines}x{turbines}",
        seed=11,
        models=PARK_MODELS,
        assets=tuple(assets),
        portals=(PortalSpec(key="portal", name="Park portal"),),
        projects=tuple(ProjectSpec(key=f"p{s}", name=f"Site {s} operations", portal="portal", assets=(f"e/s{s}",))
                       for s in range(1, sites + 1)),
    )
