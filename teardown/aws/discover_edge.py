"""Discovery of what sits beside the asset tree: gateways, alias-only time series, and the names of the
properties whose series ``--keep-time-series`` cannot keep. Mixed into ``Discoverer``; every request on its
one request path (paced, retried, counted).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any, Protocol, TypeVar

from teardown.aws.answers import gateway_from_summary, property_names, series_from_summary
from teardown.aws.calls import Calls
from teardown.inventory.records import Inventory, SeriesRecord

_T = TypeVar("_T")


class _Discovering(Protocol):
    """What these methods need of the discovery run they are mixed into."""

    calls: Calls
    inventory: Inventory
    _lock: threading.Lock

    def _map(self, fn: Callable[[_T], None], items: Iterable[_T]) -> None: ...

    def _pages(self, operation: str, key: str, **params: Any) -> Iterator[Any]: ...


class EdgeDiscovery:
    """Gateways and the time series no asset owns."""

    def gateways(self: _Discovering) -> None:
        """One paginated ListGateways: a summary carries the capability configurations' namespaces."""
        inventory = self.inventory
        found = [gateway_from_summary(
            g, f"arn:aws:iotsitewise:{inventory.region}:{inventory.account}:gateway/{g['gatewayId']}",
        ) for g in self._pages("ListGateways", "gatewaySummaries")]
        inventory.gateways = {g.id: g for g in found}
        inventory.gateways_loaded = True

    def alias_only_series(self: _Discovering, prefixes: tuple[str, ...]) -> None:
        """The series bound to no asset, under each prefix (``""``: all of them, one scan)."""

        def lookup(prefix: str) -> None:
            scope = {"aliasPrefix": prefix} if prefix else {}
            found = [series_from_summary(s) for s in self._pages(
                "ListTimeSeries", "TimeSeriesSummaries", timeSeriesType="DISASSOCIATED", **scope)]
            with self._lock:
                self.inventory.series.update((s.id, s) for s in found if s.asset_id is None)

        self._map(lookup, prefixes)
        self.inventory.alias_prefixes_loaded = prefixes

    def unaliased_property_names(self: _Discovering) -> None:
        """Names the properties whose bound series has no alias (what a refusal of ``--keep-time-series``
        names): one DescribeAsset per asset holding such a series, and only then."""
        unaliased: dict[str, list[SeriesRecord]] = {}
        for series in self.inventory.series.values():
            if series.alias is None and series.asset_id is not None:
                unaliased.setdefault(series.asset_id, []).append(series)

        def lookup(asset_id: str) -> None:
            names = property_names(self.calls.read("DescribeAsset", assetId=asset_id, excludeProperties=False))
            named = [replace(s, property_name=names[s.property_id]) for s in unaliased[asset_id]
                     if s.property_id in names]
            with self._lock:
                self.inventory.series.update((s.id, s) for s in named)

        self._map(lookup, sorted(unaliased))
