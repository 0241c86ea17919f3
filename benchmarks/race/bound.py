"""The lower bound a teardown of a world cannot beat, from the published quotas and the latency profile.

Each quota family paces its own calls and the families run side by side, so the busiest family sets the
pace: its minimum mutating calls divided by its rate. Nothing can be confirmed gone before the last delete
has passed through DELETING, and a model can only be deleted once its last asset is gone, so one asset
DELETING and one model DELETING (the profile's medians) come on top. Reads are not counted: a teardown
that needed no read at all would still take this long.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from teardown.emulator import LatencyProfile, LogNormal, LongTail, QuotaSettings
from teardown.emulator.seed import WorldSpec
from teardown.emulator.service.quotas import family_of

# The families the bound paces, at the last published AWS rates (requests per second, adjustable).
FAMILIES = ("asset", "model", "monitor")
PROJECT_BATCH = 100  # BatchDisassociateProjectAssets takes at most 100 asset ids


def published_rates(scale: float = 1.0) -> dict[str, float]:
    """The published per-family rates (the emulator's ``aws`` quotas), times ``scale``."""
    quotas = QuotaSettings.aws()
    return {family: float(quotas.rate_of(family) or 0.0) * scale for family in FAMILIES}


@dataclass(frozen=True)
class Shape:
    """What a world's teardown must undo, counted."""

    assets: int
    links: int  # assets with a parent
    models: int
    project_links: tuple[int, ...]  # assets per project
    monitor: int  # dashboards, access policies, projects and portals

    @classmethod
    def of_snapshot(cls, snapshot: Mapping[str, Any]) -> Shape:
        """The shape of the emulator's ``SiteWiseBackend.snapshot()``."""
        assets = snapshot.get("assets", [])
        return cls(
            assets=len(assets),
            links=sum(1 for a in assets if a.get("parent")),
            models=len(snapshot.get("assetModels", [])),
            project_links=tuple(len(p.get("asset_ids") or ()) for p in snapshot.get("projects", [])),
            monitor=sum(len(snapshot.get(n, [])) for n in ("dashboards", "accessPolicies", "projects", "portals")),
        )

    @classmethod
    def of_specs(cls, specs: Iterable[WorldSpec]) -> Shape:
        """The shape of the worlds ``specs`` describe, before they are seeded."""
        specs = list(specs)
        return cls(
            assets=sum(len(s.assets) for s in specs),
            links=sum(1 for s in specs for a in s.assets if a.parent),
            models=sum(len(s.models) for s in specs),
            project_links=tuple(len(p.assets) for s in specs for p in s.projects),
            monitor=sum(len(s.dashboards) + len(s.access_policies) + len(s.projects) + len(s.portals) for s in specs),
        )


    def summary(self) -> dict[str, int]:
        return {"assets": self.assets, "links": self.links, "models": self.models,
                "projects": len(self.project_links), "project_links": sum(self.project_links),
                "monitor_resources": self.monitor}


def minimum_mutations(shape: Shape) -> dict[str, int]:
    """The fewest mutating calls per quota family that take a world of ``shape`` to empty: one
    DisassociateAssets per parent link and one DeleteAsset per asset; one DeleteAssetModel per model; one
    BatchDisassociateProjectAssets per 100 links of a project and one delete per Monitor resource."""
    unlinks = sum(math.ceil(n / PROJECT_BATCH) for n in shape.project_links)
    return {"asset": shape.assets + shape.links, "model": shape.models, "monitor": unlinks + shape.monitor}


def median_seconds(duration: float | LogNormal | LongTail) -> float:
    """The median of a latency profile's duration: a constant (its jitter is symmetric), a lognormal's
    median, or a long tail's typical value (its tail is a minority by construction)."""
    if isinstance(duration, LogNormal):
        return duration.median
    if isinstance(duration, LongTail):
        return duration.typical if duration.fraction < 0.5 else duration.tail
    return float(duration)


def lower_bound(
    mutations: Mapping[str, int], rates: Mapping[str, float], *, asset_delete: float, model_delete: float
) -> float:
    """Seconds: the busiest family's ``mutations[f] / rates[f]`` (families run in parallel; a family
    without a rate is unpaced), plus one asset DELETING and one model DELETING latency at the end."""
    return busiest_seconds(mutations, rates) + asset_delete + model_delete


def busiest_seconds(calls: Mapping[str, int], rates: Mapping[str, float]) -> float:
    """The busiest family's ``calls[f] / rates[f]``: families are paced side by side; one without a rate is
    unpaced."""
    return max((n / rates[f] for f, n in calls.items() if n and rates.get(f)), default=0.0)


def bound_of(shape: Shape, latency: LatencyProfile) -> tuple[float, dict[str, int]]:
    """The lower bound of a world of ``shape`` at the published rates and ``latency``'s medians, in clock
    seconds, with the minimum mutations it is made of."""
    mutations = minimum_mutations(shape)
    seconds = lower_bound(mutations, published_rates(), asset_delete=median_seconds(latency.delete_asset),
                          model_delete=median_seconds(latency.delete_model))
    return seconds, mutations


def read_seconds(reads: Mapping[str, int]) -> float:
    """Seconds ``reads`` (operation -> count) take at least at the published rates (``busiest_seconds`` of
    their families). The bound counts no read; this is what the reads before the first mutation (the engine's
    stale check) would add to it if it did."""
    per_family: Counter[str] = Counter()
    for operation, n in reads.items():
        per_family[family_of(operation)] += n
    return busiest_seconds(per_family, published_rates())
