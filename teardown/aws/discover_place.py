"""Where assets sit, learnt from the child's side: a subtree root's kept parent, and in the stale check's scan
the assets whose parents it does not list. Mixed into ``Discoverer``; every request on its one request path.

A scan of the account walks down from one ListAssets(TOP_LEVEL) of the account: every other asset is a child,
and its parent's CHILD listing, which its link needs anyway, names it. The stale check re-reads a plan's world
knowing what the plan saw (``PlanSight``): an asset it saw with no children would cost a CHILD listing to
confirm it still has none. Where that is more reads than listing the models such assets may hold
(``scan_choice``), their listings are skipped and those models' assets are listed per model instead
(ListAssets ALL); an asset of such a model that no listed parent names and that is not top level can only sit
under a skipped asset (it gained a child since the plan), and its own PARENT listing says which. The inventory
is as exact as listing every parent would make it.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from teardown.aws.answers import asset_from_summary
from teardown.aws.calls import PAGE_SIZE
from teardown.aws.hierarchies import HierarchyIndex
from teardown.inventory.records import AssetRecord, Inventory, ModelRecord, ModelType, ParentLink

_T = TypeVar("_T")


@dataclass(frozen=True)
class PlanSight:
    """What a plan saw of the asset tree, for the stale check's scan: each asset it saw with no children (by
    id, with its model), and how many assets of each model it saw (what listing them per model costs)."""

    childless: Mapping[str, str]
    per_model: Mapping[str, int]


@dataclass(frozen=True)
class ScanChoice:
    """``skipped``: the assets whose CHILD listing a scan leaves out; ``listed``: the models whose assets it
    lists per model (every model a skipped asset's model may hold, so that no child of one goes unseen)."""

    skipped: frozenset[str] = frozenset()
    listed: frozenset[str] = frozenset()


def scan_choice(sight: PlanSight | None, models: Mapping[str, ModelRecord]) -> ScanChoice:
    """Per model with hierarchies, most childless assets first: skip their CHILD listings where listing the
    models its hierarchies name (those not listed yet) takes fewer pages than the listings it saves. A
    hierarchy naming anything but a known asset model (an interface) keeps its holders listed: which models'
    assets such a parent may hold is not told."""
    if sight is None:
        return ScanChoice()
    per_holder = Counter(sight.childless.values())
    listed: set[str] = set()
    skipped_models: set[str] = set()
    for holder, count in sorted(per_holder.items(), key=lambda item: (-item[1], item[0])):
        model = models.get(holder)
        held = {h.child_model_id for h in model.hierarchies} if model is not None else set()
        if not held or any(m not in models or models[m].type is not ModelType.ASSET_MODEL for m in held):
            continue
        if sum(pages(sight.per_model.get(m, 0)) for m in held - listed) < count:
            skipped_models.add(holder)
            listed |= held
    return ScanChoice(skipped=frozenset(a for a, m in sight.childless.items() if m in skipped_models),
                      listed=frozenset(listed))


def pages(items: int) -> int:
    """Requests a list of ``items`` takes: full pages, and one even when empty."""
    return max(1, math.ceil(items / PAGE_SIZE))


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

    def place_unlisted(self: _Discovering, skipped: Collection[str], top_level: Collection[str]) -> None:
        """After a scan's CHILD listings skipped ``skipped`` (``scan_choice``): every asset that is neither top
        level (``top_level``, the scan's first listing) nor under a listed parent gets its parent from its own
        PARENT listing."""
        if not skipped:
            return
        with self._lock:
            astray = [a for a in self.inventory.assets.values() if a.id not in top_level and a.id not in self._parents]
        self._place(astray)
