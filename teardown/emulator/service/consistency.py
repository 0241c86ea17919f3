"""Eventual consistency of listings: how long List calls lag behind Describe. Off (strict) by default.

The real service's List calls read an index that catches up with the resources a little later: a
resource just created may be described before any listing shows it, and one already gone (Describe
answers ResourceNotFoundException) may still be listed, as it last was (DELETING), for a while. Code that
discovers by listing and confirms by describing must cope with both; ``ConsistencySettings`` lets a test
make the emulator behave so. The world applies it (``World.lagging_list``); this module holds the
settings and which listings they touch.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GHOST_KINDS", "LISTED", "ConsistencySettings"]


@dataclass(frozen=True)
class ConsistencySettings:
    """Seconds List calls lag behind Describe.

    ``list_lag``: both ways at once. ``create_lag`` (a new resource lists only this long after its
    creation) and ``delete_lag`` (a removed resource still lists this long after Describe stopped seeing
    it) override it one way each. All zero: strict, every listing is exact.
    """

    list_lag: float = 0.0
    create_lag: float | None = None
    delete_lag: float | None = None

    def __post_init__(self) -> None:
        for name in ("list_lag", "create_lag", "delete_lag"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float) or value < 0):
                raise ValueError(f"'{name}' must be a non-negative number of seconds")

    @property
    def new_lag(self) -> float:
        return float(self.list_lag if self.create_lag is None else self.create_lag)

    @property
    def gone_lag(self) -> float:
        return float(self.list_lag if self.delete_lag is None else self.delete_lag)

    @property
    def strict(self) -> bool:
        return self.new_lag <= 0 and self.gone_lag <= 0


# List operation -> (answer member holding the summaries, the id key of a summary, the World store of
# those resources). New resources list late in each of these.
LISTED: dict[str, tuple[str, str, str]] = {
    "ListAssets": ("assetSummaries", "id", "assets"),
    "ListAssetModels": ("assetModelSummaries", "id", "models"),
    "ListPortals": ("portalSummaries", "id", "portals"),
    "ListProjects": ("projectSummaries", "id", "projects"),
    "ListDashboards": ("dashboardSummaries", "id", "dashboards"),
    "ListAccessPolicies": ("accessPolicySummaries", "id", "policies"),
    "ListGateways": ("gatewaySummaries", "gatewayId", "gateways"),
    "ListTimeSeries": ("TimeSeriesSummaries", "timeSeriesId", "time_series"),
}
# The kinds whose removal lists late: those deleted asynchronously (DELETING, then gone), in the order they
# are put back for a listing (a model before its assets).
GHOST_KINDS = ("model", "asset", "portal")
