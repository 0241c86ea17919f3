"""Selection of what sits beside the asset tree: gateways, alias-only time series, and the series of deleted
assets that ``--keep-time-series`` keeps (or cannot keep). Pure; ``select`` calls it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from teardown.errors import BadInputError, UnknownResourceError
from teardown.inventory.index import describe, series_by_asset
from teardown.inventory.records import Inventory, SeriesRecord
from teardown.inventory.selectors import SelectionSpec


@dataclass(frozen=True)
class SeriesChoice:
    """``deleted``: alias-only series deleted by alias; ``kept``: aliased series of deleted assets, disassociated
    first so they survive; ``unkeepable``: series of deleted assets that have no alias (keep mode only)."""

    deleted: frozenset[str] = frozenset()
    kept: tuple[SeriesRecord, ...] = ()
    unkeepable: tuple[SeriesRecord, ...] = ()


def check_loaded(inventory: Inventory, spec: SelectionSpec) -> None:
    """The inventory holds what the selectors need (a saved one may not)."""
    if spec.needs_gateways and not inventory.gateways_loaded:
        raise BadInputError("deleting gateways needs an inventory discovered with its gateways "
                            "(plan it from the live account)")
    unloaded = [p for p in spec.alias_prefixes
                if not any(p.startswith(loaded) for loaded in inventory.alias_prefixes_loaded)]
    if unloaded:
        raise BadInputError(f"alias-only series under {unloaded[0]!r} were not discovered into this inventory "
                            "(plan it from the live account)")


def pick_gateways(inventory: Inventory, spec: SelectionSpec) -> set[str]:
    picked = set(inventory.gateways) if spec.all else set()
    for ref in spec.gateways:
        if ref not in inventory.gateways:
            raise UnknownResourceError(f"unknown gateway {ref!r}: not found in the account", ref)
        picked.add(ref)
    return picked


def choose_series(inventory: Inventory, spec: SelectionSpec, assets: Collection[str],
                  refusals: list[str]) -> SeriesChoice:
    """The alias-only series the prefixes (or ``--all``) name, and with ``--keep-time-series`` the series of
    deleted assets kept, or refused per property where one has no alias (unless ``--allow-data-loss``)."""
    prefixes = spec.alias_prefixes
    deleted = frozenset(
        s.id for s in inventory.series.values()
        if s.asset_id is None and s.alias is not None and any(s.alias.startswith(p) for p in prefixes)
    )
    if not spec.keep_time_series:
        return SeriesChoice(deleted=deleted)
    bound = series_by_asset(inventory)
    # In the order a reviewer reads them: by asset name, then property.
    ordered = sorted(assets, key=lambda a: (inventory.assets[a].name, a))
    of_deleted = [s for asset_id in ordered for s in sorted(bound.get(asset_id, ()), key=lambda s: (
        s.property_name or "", s.property_id or ""))]
    kept = tuple(s for s in of_deleted if s.alias is not None)
    unkeepable = tuple(s for s in of_deleted if s.alias is None)
    if not spec.allow_data_loss:
        refusals.extend(
            f"{describe(inventory, s.asset_id or '')} {property_of(s)}: its time series has no alias, so "
            "--keep-time-series cannot keep it (SiteWise deletes it and its data with the asset); give the "
            "property an alias and plan again, or add --allow-data-loss to let its data go"
            for s in unkeepable
        )
    return SeriesChoice(deleted=deleted, kept=kept, unkeepable=unkeepable)


def property_of(series: SeriesRecord) -> str:
    """``property 'power' (id)``: how refusals and reviews name the property a series is bound to."""
    if series.property_name is not None:
        return f"property {series.property_name!r} ({series.property_id})"
    return f"property {series.property_id}"
