"""The race's other world: the issue's own, one enterprise over sites over lines over turbines.

Issue 11 measured the engine on 1 enterprise -> 10 sites -> 10 lines -> 9 turbines (1,011 assets, 1,010 links,
4 models, 10 project links): ``teardown.emulator.seed.wind_park``. The forests (``benchmarks.race.world``) are
what the benchmark must seed (depth 4 to 6, several models); this world repeats the issue's measurement on the
shape it was taken on. The two differ most in the stale check: here only the 111 assets above the turbines
can hold children, while in a forest every asset of a model with hierarchies must have its children listed
again, leaf or not.
"""

from __future__ import annotations

import math

from teardown.emulator.seed import WorldSpec, wind_park

SITES = 10  # and lines per site: the world


def site_levels(assets: int) -> tuple[int, int]:
    """(sites, turbines per line) for about ``assets`` assets: 10 sites of 10 lines where there are enough
    assets (1,000 gives the issue's 1,011), fewer for a sample; lines per site equal sites."""
    if assets < 4:
        raise ValueError("a site world needs at least 4 assets (one of each level)")
    sites = max(1, min(SITES, math.isqrt(assets // 10)))
    above = 1 + sites + sites * sites
    return sites, max(1, round((assets - above) / (sites * sites)))


def site_world(assets: int) -> WorldSpec:
    """The issue's world at about ``assets`` assets: ``site_levels`` decides its width."""
    sites, turbines = site_levels(assets)
    return wind_park(sites=sites, lines=sites, turbines=turbines)
