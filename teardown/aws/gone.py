"""Selector ids that name nothing there any more: found in what discovery read, and dropped from a selection."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from teardown.errors import UnknownResourceError
from teardown.inventory.index import resolve_asset, resolve_model
from teardown.inventory.records import Inventory
from teardown.inventory.selectors import SelectionSpec

# The selectors whose ids may name a resource deleted since (the protections' ids are never dropped).
DROPPABLE = ("subtrees", "asset_models", "portals", "projects", "gateways")


def unresolved(inventory: Inventory, spec: SelectionSpec) -> list[str]:
    """The ids of ``spec`` the inventory does not hold: the lookups ``select`` would refuse."""
    out: list[str] = []
    for refs, resolve in ((spec.subtrees, resolve_asset), (spec.asset_models, resolve_model)):
        for ref in refs:
            try:
                resolve(inventory, ref)
            except UnknownResourceError:
                out.append(ref)
    out.extend(ref for ref in spec.portals if ref not in inventory.portals)
    out.extend(ref for ref in spec.projects if ref not in inventory.projects)
    out.extend(ref for ref in spec.gateways if ref not in inventory.gateways)
    return out


def without(spec: SelectionSpec, refs: Iterable[str]) -> SelectionSpec:
    """``spec`` less the selector ids ``refs``."""
    dropped = set(refs)
    if not dropped:
        return spec
    kept: dict[str, Any] = {field: tuple(r for r in getattr(spec, field) if r not in dropped) for field in DROPPABLE}
    return replace(spec, **kept)
