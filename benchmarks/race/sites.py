"""The race's other world: the issue's own, one enterprise over sites over lines over turbines.

Issue 11 measured the engine on 1 enterprise -> 10 sites -> 10 lines -> 9 turbines (1,011 assets, 1,010 links,
4 models, 10 project links). The forests (``benchmarks.race.world``) are what the benchmark must seed (depth 4
to 6, several models); this world repeats the issue's measurement on the shape it was taken on. The two differ
most in the stale check: here only the 111 assets above the turbines can hold children, while in a forest
every asset of a model with hierarchies must have its children listed again, leaf or not.
"""

from __future__ import annotations

import math

from teardown.emulator.seed import WorldSpec
from teardown.emulator.seed.spec import (
    AccessPolicySpec,
    AssetSpec,
    DashboardSpec,
    ModelSpec,
    PortalSpec,
    ProjectSpec,
    PropertySpec,
)

SITES = 10  # and lines per site: the world
PROJECTS = 2  # each holding half the sites: 10 project links in all, as in the world


def site_levels(assets: int) -> tuple[int, int]:
    """(sites, turbines per line) for about ``assets`` assets: 10 sites of 10 lines where there are enough
    assets (1,000 gives the issue's 1,011), fewer for a sample; lines per site equal sites."""
    if assets < 4:
        raise ValueError("a site world needs at least 4 assets (one of each level)")
    sites = max(1, min(SITES, math.isqrt(assets // 10)))
    above = 1 + sites + sites * sites
    return sites, max(1, round((assets - above) / (sites * sites)))


def site_world(assets: int, seed: int) -> WorldSpec:
    """The issue's world at about ``assets`` assets: ``site_levels`` decides its width."""
    sites, turbines = site_levels(assets)
    prefix = f"site-{seed}"
    models = (
        ModelSpec(key="enterprise", name=f"{prefix} Enterprise", hierarchies=(("Sites", "site"),)),
        ModelSpec(key="site", name=f"{prefix} Site", hierarchies=(("Lines", "line"),)),
        ModelSpec(key="line", name=f"{prefix} Line", hierarchies=(("Turbines", "turbine"),)),
        ModelSpec(key="turbine", name=f"{prefix} Turbine",
                  properties=(PropertySpec(name="power", unit="kW"), PropertySpec(name="speed", unit="rpm"))),
    )
    specs = [AssetSpec(path="enterprise", name=f"{prefix} Enterprise", model="enterprise")]
    for s in range(1, sites + 1):
        site = f"enterprise/site-{s}"
        specs.append(AssetSpec(path=site, name=f"Site {s}", model="site", parent="enterprise", hierarchy="Sites"))
        for li in range(1, sites + 1):
            line = f"{site}/line-{li}"
            specs.append(AssetSpec(path=line, name=f"Site {s} Line {li}", model="line", parent=site,
                                   hierarchy="Lines"))
            specs.extend(AssetSpec(path=f"{line}/turbine-{t}", name=f"Site {s} Line {li} Turbine {t}",
                                   model="turbine", parent=line, hierarchy="Turbines")
                         for t in range(1, turbines + 1))
    portal = PortalSpec(key="portal", name=f"{prefix} portal")
    projects = tuple(
        ProjectSpec(key=f"project-{p}", name=f"Project {p}", portal=portal.key,
                    assets=tuple(f"enterprise/site-{s}" for s in range(1, sites + 1) if s % PROJECTS == p))
        for p in range(min(PROJECTS, sites))
    )
    return WorldSpec(
        name=prefix,
        seed=seed,
        description=f"{sites} sites of {sites} lines of {turbines} turbines under one enterprise",
        tags={"env": "race"},
        models=models,
        assets=tuple(specs),
        portals=(portal,),
        projects=projects,
        dashboards=tuple(DashboardSpec(key=f"dashboard-{p.key}", name=f"Dashboard {i}", project=p.key)
                         for i, p in enumerate(projects)),
        access_policies=tuple(
            AccessPolicySpec(key=f"viewers-{p.key}", identity_kind="group", identity=f"viewers-{i}",
                             permission="VIEWER", project=p.key)
            for i, p in enumerate(projects)),
    )
