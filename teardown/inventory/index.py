"""Lookups over an Inventory that selection, planning and review share: children, descendants, assets per
model, which models use a model, the series bound to each asset, ids to records, and a resource's name for
messages."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from teardown.errors import UnknownResourceError
from teardown.inventory.records import AssetRecord, Inventory, ModelRecord, SeriesRecord
from teardown.inventory.selectors import EXTERNAL_ID_PREFIX

_R = TypeVar("_R", AssetRecord, ModelRecord)


def children_index(inventory: Inventory) -> dict[str, list[str]]:
    """Asset id -> its child asset ids, sorted."""
    index: dict[str, list[str]] = defaultdict(list)
    for asset in inventory.assets.values():
        if asset.parent is not None:
            index[asset.parent.asset_id].append(asset.id)
    for kids in index.values():
        kids.sort()
    return index


def descendants(root_id: str, children: Mapping[str, list[str]]) -> list[str]:
    """The asset and everything below it, given ``children_index``."""
    out, stack = [], [root_id]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(children.get(current, ()))
    return out


def assets_by_model(inventory: Inventory) -> dict[str, list[str]]:
    index: dict[str, list[str]] = defaultdict(list)
    for asset in inventory.assets.values():
        index[asset.model_id].append(asset.id)
    return index


def series_by_asset(inventory: Inventory) -> dict[str, list[SeriesRecord]]:
    """Asset id -> the series bound to its properties, by label (deleting the asset deletes them)."""
    index: dict[str, list[SeriesRecord]] = defaultdict(list)
    for series in inventory.series.values():
        if series.asset_id is not None:
            index[series.asset_id].append(series)
    for bound in index.values():
        bound.sort(key=lambda s: (s.label, s.id))
    return index


@dataclass(frozen=True)
class ModelUse:
    """``user`` refers to a model: ``blocks`` when SiteWise refuses to delete that model while ``user`` exists
    (a formula through a hierarchy, a component, an interface); a plain hierarchy reference does not."""

    user: str
    relation: str
    blocks: bool


def model_users(inventory: Inventory) -> dict[str, list[ModelUse]]:
    """Model id -> the models that refer to it, and how (hierarchy child, formula, component, interface)."""
    users: dict[str, list[ModelUse]] = defaultdict(list)
    for model in sorted(inventory.models.values(), key=lambda m: m.id):
        for hierarchy in model.hierarchies:
            relation = (f"reads its properties in a formula through hierarchy {hierarchy.name!r}" if hierarchy.formula
                        else f"names it as child model in hierarchy {hierarchy.name!r}")
            users[hierarchy.child_model_id].append(ModelUse(model.id, relation, blocks=hierarchy.formula))
        for component_id in model.component_ids:
            users[component_id].append(ModelUse(model.id, "composes it", blocks=True))
        for interface_id in model.interface_ids:
            users[interface_id].append(ModelUse(model.id, "implements it", blocks=True))
    return users


def resolve_asset(inventory: Inventory, ref: str) -> AssetRecord:
    return _resolve(inventory.assets, ref, "asset")


def resolve_model(inventory: Inventory, ref: str) -> ModelRecord:
    return _resolve(inventory.models, ref, "asset model")


def _resolve(records: Mapping[str, _R], ref: str, what: str) -> _R:
    if ref.startswith(EXTERNAL_ID_PREFIX):
        external = ref[len(EXTERNAL_ID_PREFIX):]
        for record in records.values():
            if record.external_id == external:
                return record
    elif ref in records:
        return records[ref]
    raise UnknownResourceError(f"unknown {what} {ref!r}: not found in the account", ref)


def name_of(inventory: Inventory, resource_id: str) -> str:
    """The resource's name, or its id when the inventory does not hold it."""
    for table in (inventory.assets, inventory.models, inventory.projects, inventory.portals, inventory.gateways):
        if resource_id in table:
            return str(table[resource_id].name)
    return resource_id


def describe(inventory: Inventory, resource_id: str) -> str:
    """``asset 'Site 1' (id)``: how refusals and differences name a resource."""
    for table, noun in ((inventory.assets, "asset"), (inventory.models, "asset model"),
                        (inventory.projects, "project"), (inventory.portals, "portal"),
                        (inventory.gateways, "gateway")):
        if resource_id in table:
            return f"{noun} {table[resource_id].name!r} ({resource_id})"
    return resource_id
