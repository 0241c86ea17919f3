"""Which hierarchy of a parent holds a child (what a disassociation names), learnt with the fewest reads.

One child listing without a hierarchy answers all of a parent's children, but not which hierarchy holds
each. A parent with one hierarchy needs nothing more; with several, the child's model tells, unless two of
the parent model's hierarchies share that child model: then each hierarchy is listed on its own. The full scan
describes every model anyway; a subtree walk describes only the models of parents with several hierarchies,
once each (on the model lane).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping

from teardown.aws.answers import model_from_describe
from teardown.aws.calls import Calls
from teardown.aws.lanes import Lanes
from teardown.inventory.records import AssetRecord, Hierarchy, ModelRecord


class HierarchyIndex:
    """The hierarchies of the models discovery has read (``models``, the inventory's) or described for this."""

    def __init__(self, calls: Calls, lanes: Lanes, models: Mapping[str, ModelRecord]) -> None:
        self._calls = calls
        self._lanes = lanes
        self._models = models
        self._described: dict[str, tuple[Hierarchy, ...]] = {}
        self._lock = threading.Lock()

    def learn(self, model_ids: Iterable[str]) -> None:
        """Describe the models not known yet (without their properties: only hierarchies are wanted)."""
        missing = sorted(set(model_ids) - set(self._models) - set(self._described))

        def describe(model_id: str) -> None:
            out = self._calls.read("DescribeAssetModel", assetModelId=model_id, excludeProperties=True)
            with self._lock:
                self._described[model_id] = model_from_describe(out).hierarchies

        self._lanes.map("DescribeAssetModel", describe, missing)

    def by_child_model(self, model_id: str) -> dict[str, str] | None:
        """Child model id -> the model's one hierarchy for it; None when two hierarchies share a child model
        (a child's model does not tell them apart)."""
        model = self._models.get(model_id)
        hierarchies = model.hierarchies if model is not None else self._described.get(model_id, ())
        by_child: dict[str, str] = {}
        for hierarchy in hierarchies:
            if hierarchy.child_model_id in by_child:
                return None
            by_child[hierarchy.child_model_id] = hierarchy.id
        return by_child

    def listings(self, parent: AssetRecord) -> list[str | None]:
        """The child listings ``parent`` needs: one across all hierarchies (None), else one per hierarchy."""
        if len(parent.hierarchy_ids) == 1 or self.by_child_model(parent.model_id) is not None:
            return [None]
        return list(parent.hierarchy_ids)

    def holding(self, parent: AssetRecord, child_model_id: str) -> str:
        """The hierarchy of ``parent`` that holds a child of ``child_model_id`` (``listings`` said one call)."""
        if len(parent.hierarchy_ids) == 1:
            return parent.hierarchy_ids[0]
        return (self.by_child_model(parent.model_id) or {})[child_model_id]


class ModelArrivals:
    """Model ids as their descriptions arrive, for work that waits on some models, not on all of them."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._known: set[str] = set()
        self._closed = False

    def arrived(self, model_id: str) -> None:
        with self._changed:
            self._known.add(model_id)
            self._changed.notify_all()

    def close(self) -> None:
        """No more arrive (the descriptions ended, or one failed: its error is raised where it was read)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def ready(self, wanted: Iterable[str], *, wait: bool = False) -> set[str]:
        """Which of ``wanted`` have arrived; with ``wait``, once one has or arrivals close (then possibly none).
        The wait is as long as the descriptions' own reads (each with its deadline): their side closes in a
        ``finally``."""
        pending = set(wanted)
        with self._changed:
            while wait and pending and not self._closed and pending.isdisjoint(self._known):
                self._changed.wait()
            return pending & self._known

    def wait_closed(self) -> None:
        """Until no more arrive: every description was read, or one failed (raised where it was read)."""
        with self._changed:
            while not self._closed:
                self._changed.wait()
