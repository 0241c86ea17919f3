"""A plan's summary: counts per action kind, what goes under each selected root, what is kept but modified,
the time series (and data) SiteWise deletes with their assets, those kept as alias-only streams, and the
gateways and alias-only series deleted. Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from operator import attrgetter
from typing import Any

from teardown.inventory.index import children_index, descendants, name_of, series_by_asset
from teardown.inventory.records import Inventory
from teardown.inventory.select import Selection
from teardown.inventory.select_edge import property_of
from teardown.kinds import ActionKind
from teardown.planning.actions import Action


def summarize(
    inventory: Inventory, selection: Selection, actions: tuple[Action, ...], *,
    children: Mapping[str, list[str]] | None = None,
) -> dict[str, Any]:
    """Counts per action type, what goes under each selected root, what is kept but modified. ``children``: the
    inventory's ``children_index``, where the caller has it already."""
    # Counted by kind, not kind.value (an Enum property, 200k Python calls); a StrEnum key is found by its value.
    counts = Counter(map(attrgetter("kind"), actions))
    assets = inventory.assets
    roots = [a for a in selection.ordered_assets
             if (parent := assets[a].parent) is None or parent.asset_id not in selection.assets]
    under = _subtree_sizes(roots, children_index(inventory) if children is None else children)
    bound = series_by_asset(inventory)
    kept = {s.id for s in selection.kept_series}
    return {
        "actions": {kind.value: counts.get(kind.value, 0) for kind in ActionKind},
        "deletes": {
            "assets": len(selection.assets), "asset_models": len(selection.models),
            "portals": len(selection.portals), "projects": len(selection.projects),
            "dashboards": counts[ActionKind.DELETE_DASHBOARD],
            "access_policies": counts[ActionKind.DELETE_ACCESS_POLICY],
            "gateways": len(selection.gateways), "time_series": len(selection.series),
        },
        "monitor": [
            *({"kind": "portal", "id": p, "name": inventory.portals[p].name} for p in sorted(selection.portals)),
            *({"kind": "project", "id": p, "name": inventory.projects[p].name} for p in sorted(selection.projects)),
        ],
        "roots": [
            {"id": r, "name": inventory.assets[r].name, "assets": under[r]} for r in roots
        ],
        "models": [{"id": m, "name": inventory.models[m].name} for m in sorted(selection.models)],
        "kept_modified": [
            {"id": rid, "name": name_of(inventory, rid), "change": change}
            for rid, change in sorted(selection.kept_modified.items())
        ],
        # SiteWise deletes the time series bound to a deleted asset, and their data: the reviewer must see it.
        "time_series_deleted": [
            {"asset": a, "name": inventory.assets[a].name, "series": labels}
            # Only the few assets with series are sorted (at 100k assets, sorting them all cost a second).
            for a in sorted((a for a in selection.assets if a in bound), key=lambda a: (inventory.assets[a].name, a))
            if (labels := [s.label for s in bound.get(a, ()) if s.id not in kept])
        ],
        # --keep-time-series: disassociated before their asset goes, they survive as alias-only streams.
        "time_series_kept": [
            {"asset": s.asset_id, "name": inventory.assets[s.asset_id or ""].name, "alias": s.alias}
            for s in sorted(selection.kept_series, key=lambda s: (inventory.assets[s.asset_id or ""].name, s.label))
        ],
        # ... and, with --allow-data-loss, what it could not keep: series without an alias.
        "time_series_unkeepable": [
            {"asset": s.asset_id, "name": inventory.assets[s.asset_id or ""].name, "property": property_of(s),
             "series": s.id}
            for s in sorted(selection.unkeepable_series,
                            key=lambda s: (inventory.assets[s.asset_id or ""].name, s.property_id or ""))
        ],
        "time_series": [{"id": s, "alias": inventory.series[s].alias} for s in sorted(
            selection.series, key=lambda s: (str(inventory.series[s].alias), s))],
        "gateways": [{"id": g, "name": inventory.gateways[g].name} for g in sorted(selection.gateways)],
        "discovery_calls": dict(sorted(inventory.calls.items())),
    }


def _subtree_sizes(roots: list[str], children: Mapping[str, list[str]]) -> dict[str, int]:
    """Assets under each selected root, root included; all selected, as the closure refuses a kept child."""
    return {root: len(descendants(root, children)) for root in roots}
