"""Where assets sit, learnt from the child's side: a subtree root's kept parent, and in the stale check's scan
the assets whose parents it does not list. Mixed into ``Discoverer``; every request on its one request path.

The stale check re-reads a plan's world knowing what the plan saw (``PlanSight``): an asset it saw with no
children and whose model has hierarchies would cost a CHILD listing to confirm it still has none. A scan lists
every asset of every model anyway, so one ListAssets(TOP_LEVEL) of the account says which of them have no
parent, and the CHILD listings of the other parents say where most of the rest sit; an asset neither places can
only sit under an asset that was not listed (it gained a child since the plan), and its own PARENT listing says
which. The inventory is as exact as listing every parent would make it, for the top-level pages instead of a
listing per childless asset; the check does that only where it saves reads.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from teardown.aws.answers import asset_from_summary
from teardown.aws.calls import PAGE_SIZE
from teardown.aws.hierarchies import HierarchyIndex
from teardown.inventory.records import AssetRecord, Inventory, ParentLink

_T = TypeVar("_T")


@dataclass(frozen=True)
class PlanSight:
    """What a plan saw of the asset tree, for the stale check's scan: the assets it saw with no children, and
    how many it saw with no parent (the size of the top-level listing that replaces their CHILD listings)."""

    childless: frozenset[str]
    top_level: int


def unlisted(assets: Iterable[AssetRecord], sight: PlanSight | None) -> frozenset[str]:
    """The assets whose CHILD listing a scan skips: those the plan saw childless that would need one (their
    model has hierarchies), when there are more of them than the top-level listing has pages; else none."""
    if sight is None:
        return frozenset()
    skipped = frozenset(a.id for a in assets if a.hierarchy_ids and a.id in sight.childless)
    return skipped if len(skipped) > max(1, math.ceil(sight.top_level / PAGE_SIZE)) else frozenset()


class _Discovering(Protocol):
    """What these methods need of the discovery run they are mixed into."""

    inventory: Inventory
    _lock: threading.Lock
    _parents: dict[str, ParentLink]
    _hierarchies: HierarchyIndex

    def _map(self, fn: Callable[[_T], None], items: Iterable[_T], *, sends: str) -> None: ...

    def _pages(self, operation: str, key: str, **params: Any) -> Iterator[Any]: ...

    def _parent_summary(self, asset_id: str) -> AssetRecord | None: ...

    def _link_roots(self, unsure: list[tuple[AssetRecord, AssetRecord]]) -> None: ...

    def _place(self, children: Collection[AssetRecord]) -> None: ...


class Placing:
    """Parents found from below."""

    def _parent_summary(self: _Discovering, asset_id: str) -> AssetRecord | None:
        """The parent, as its summary tells (all a kept parent's record needs; its own parent is not read)."""
        for summary in self._pages("ListAssociatedAssets", "assetSummaries", assetId=asset_id,
                                   traversalDirection="PARENT"):
            return asset_from_summary(summary)
        return None

    def _link_roots(self: _Discovering, unsure: list[tuple[AssetRecord, AssetRecord]]) -> None:
        """Which hierarchy of a parent with several holds the child: the one for the child's model, else the one
        whose listing holds it."""
        self._hierarchies.learn(parent.model_id for parent, _ in unsure)
        for parent, child in unsure:
            for hierarchy_id in self._hierarchies.listings(parent):
                if hierarchy_id is None:
                    self._parents[child.id] = ParentLink(parent.id, self._hierarchies.holding(parent, child.model_id))
                    break
                kids = self._pages("ListAssociatedAssets", "assetSummaries", assetId=parent.id,
                                   hierarchyId=hierarchy_id, traversalDirection="CHILD")
                if any(k["id"] == child.id for k in kids):
                    self._parents[child.id] = ParentLink(parent.id, hierarchy_id)
                    break

    def _place(self: _Discovering, children: Collection[AssetRecord]) -> None:
        """Each child's parent, by its own PARENT listing; the record of a parent not read yet from its summary."""
        unsure: list[tuple[AssetRecord, AssetRecord]] = []

        def place(child: AssetRecord) -> None:
            parent = self._parent_summary(child.id)
            if parent is None:
                return  # no parent after all (it left one between the listings)
            with self._lock:
                self.inventory.assets.setdefault(parent.id, parent)
                if len(parent.hierarchy_ids) == 1:
                    self._parents[child.id] = ParentLink(parent.id, parent.hierarchy_ids[0])
                else:
                    unsure.append((parent, child))

        self._map(place, sorted(children, key=lambda a: a.id), sends="ListAssociatedAssets")
        self._link_roots(sorted(unsure, key=lambda pair: pair[1].id))

    def place_unlisted(self: _Discovering, skipped: Collection[str]) -> None:
        """After a scan's CHILD listings skipped ``skipped`` (``unlisted``): every asset that is neither top level
        nor under a listed parent gets its parent from its own PARENT listing."""
        if not skipped:
            return
        top = {s["id"] for s in self._pages("ListAssets", "assetSummaries", filter="TOP_LEVEL")}
        with self._lock:
            astray = [a for a in self.inventory.assets.values() if a.id not in top and a.id not in self._parents]
        self._place(astray)
