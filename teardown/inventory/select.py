"""Selection: what the user wants gone, closed over what that implies, or a clear refusal.

Pure: a function of an ``Inventory`` and the selector flags. The closure says what it adds (kept parents
that lose a child, projects that lose assets); anything unsafe is refused with a message naming both
resources and the flag that would resolve it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from teardown.errors import BadInputError, SelectionRefused, UnknownResourceError
from teardown.inventory.index import (
    assets_by_model,
    children_index,
    descendants,
    describe,
    model_users,
    resolve_asset,
    resolve_model,
)
from teardown.inventory.records import Inventory, SeriesRecord
from teardown.inventory.select_edge import check_loaded, choose_series, pick_gateways
from teardown.inventory.selectors import SelectionSpec


@dataclass(frozen=True)
class Disassociation:
    parent_id: str
    hierarchy_id: str
    child_id: str


@dataclass(frozen=True)
class Selection:
    """The closed selection: everything the plan deletes or changes, and why."""

    assets: frozenset[str]
    models: frozenset[str]
    # Kept parents that lose a selected child.
    disassociations: tuple[Disassociation, ...]
    # Projects (kept) -> selected assets to unlink from them.
    project_unlinks: Mapping[str, tuple[str, ...]]
    # Resources kept but modified, for the review: id -> what changes.
    kept_modified: Mapping[str, str] = field(default_factory=dict)
    # Monitor resources deleted: portals, and projects (with their dashboards and access policies).
    portals: frozenset[str] = frozenset()
    projects: frozenset[str] = frozenset()
    gateways: frozenset[str] = frozenset()
    # Alias-only series deleted (ids).
    series: frozenset[str] = frozenset()
    # --keep-time-series: aliased series of deleted assets, disassociated first; and those without an alias,
    # which go with their asset (a plan holds these only with --allow-data-loss).
    kept_series: tuple[SeriesRecord, ...] = ()
    unkeepable_series: tuple[SeriesRecord, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.assets or self.models or self.portals or self.projects or self.gateways or self.series)

    @cached_property
    def ordered_assets(self) -> tuple[str, ...]:
        """The selected asset ids, sorted: once for the actions, the fingerprint and the summary (100k at a time)."""
        return tuple(sorted(self.assets))


def _has_tag(tags: Mapping[str, str] | None, wanted: Iterable[tuple[str, str]]) -> bool:
    return tags is not None and any(tags.get(k) == v for k, v in wanted)


def select(
    inventory: Inventory, spec: SelectionSpec, *, children: Mapping[str, list[str]] | None = None
) -> Selection:
    """Close ``spec`` over what it implies, or raise ``SelectionRefused`` naming the flag that resolves it.
    ``children``: the inventory's ``children_index``, where the caller has it already."""
    if spec.needs_tags and not inventory.tags_loaded:
        raise BadInputError("tag selectors need an inventory discovered with tags")
    if spec.needs_monitor_details and not inventory.monitor_loaded:
        raise BadInputError("deleting portals or projects needs an inventory discovered with their dashboards "
                            "and access policies (plan it from the live account)")
    check_loaded(inventory, spec)
    children = children_index(inventory) if children is None else children
    by_model = assets_by_model(inventory)
    assets, models = _pick(inventory, spec, children, by_model)
    portals, projects = _pick_monitor(inventory, spec)
    gateways = pick_gateways(inventory, spec)
    protected = _protected(inventory, spec)

    refusals = [
        f"{describe(inventory, rid)} is selected but protected; drop the selector that picks it "
        f"or the --protect/--protect-tag that guards it"
        for rid in sorted((assets | models | portals | projects | gateways) & protected)
    ]
    disassociations, kept_modified = _close_assets(inventory, assets, children, protected, refusals)
    _check_models(inventory, models, assets, by_model, refusals)
    project_unlinks = _unlink_projects(inventory, assets, projects, protected=protected,
                                       kept_modified=kept_modified, refusals=refusals)
    series = choose_series(inventory, spec, assets, refusals)
    if refusals:
        raise SelectionRefused("selection refused:\n  " + "\n  ".join(refusals))
    return Selection(
        assets=frozenset(assets),
        models=frozenset(models),
        disassociations=tuple(disassociations),
        project_unlinks=project_unlinks,
        kept_modified=kept_modified,
        portals=frozenset(portals),
        projects=frozenset(projects),
        gateways=frozenset(gateways),
        series=series.deleted,
        kept_series=series.kept,
        unkeepable_series=series.unkeepable,
    )


def _pick_monitor(inventory: Inventory, spec: SelectionSpec) -> tuple[set[str], set[str]]:
    """Portals (with every project in them) and projects the selectors name."""
    portals: set[str] = set(inventory.portals) if spec.all else set()
    for ref in spec.portals:
        if ref not in inventory.portals:
            raise UnknownResourceError(f"unknown portal {ref!r}: not found in the account", ref)
        portals.add(ref)
    projects = {p.id for p in inventory.projects.values() if p.portal_id in portals}
    for ref in spec.projects:
        if ref not in inventory.projects:
            raise UnknownResourceError(f"unknown project {ref!r}: not found in the account", ref)
        projects.add(ref)
    return portals, projects


def _pick(
    inventory: Inventory,
    spec: SelectionSpec,
    children: Mapping[str, list[str]],
    assets_by_model: Mapping[str, list[str]],
) -> tuple[set[str], set[str]]:
    """What the selectors name directly (the union of all of them)."""
    assets: set[str] = set()
    models: set[str] = set()
    if spec.all:
        assets.update(inventory.assets)
        models.update(inventory.models)
    for ref in spec.subtrees:
        assets.update(descendants(resolve_asset(inventory, ref).id, children))
    for ref in spec.asset_models:
        model = resolve_model(inventory, ref)
        models.add(model.id)
        assets.update(assets_by_model.get(model.id, ()))
    if spec.tags:
        assets.update(a.id for a in inventory.assets.values() if _has_tag(a.tags, spec.tags))
        models.update(m.id for m in inventory.models.values() if _has_tag(m.tags, spec.tags))
    for pattern in spec.names:
        try:
            regex = re.compile(pattern)
        except re.error as exc:
            raise BadInputError(f"--name {pattern!r} is not a valid regular expression: {exc}") from exc
        assets.update(a.id for a in inventory.assets.values() if regex.search(a.name))
        models.update(m.id for m in inventory.models.values() if regex.search(m.name))
    return assets, models


def _close_assets(
    inventory: Inventory,
    assets: set[str],
    children: Mapping[str, list[str]],
    protected: set[str],
    refusals: list[str],
) -> tuple[list[Disassociation], dict[str, str]]:
    """Kept children refuse; kept parents are disassociated (and reported as modified)."""
    disassociations: list[Disassociation] = []
    kept_modified: dict[str, str] = {}
    for asset_id in sorted(assets):
        for child_id in children.get(asset_id, ()):
            if child_id not in assets:
                refusals.append(
                    f"{describe(inventory, asset_id)} is selected but its child "
                    f"{describe(inventory, child_id)} is kept; add --subtree {asset_id} to delete it too"
                )
        parent = inventory.assets[asset_id].parent
        if parent is None or parent.asset_id in assets:
            continue
        disassociations.append(Disassociation(parent.asset_id, parent.hierarchy_id, asset_id))
        kept_modified[parent.asset_id] = "loses child assets"
        if parent.asset_id in protected:
            refusals.append(
                f"{describe(inventory, asset_id)} would be disassociated from its protected parent "
                f"{describe(inventory, parent.asset_id)}; deselect the asset or drop that protection"
            )
    return disassociations, kept_modified


def _check_models(
    inventory: Inventory,
    models: set[str],
    assets: set[str],
    assets_by_model: Mapping[str, list[str]],
    refusals: list[str],
) -> None:
    """A selected model needs all its assets selected, and no kept model may depend on it."""
    users = model_users(inventory)
    for model_id in sorted(models):
        kept_asset = next((a for a in assets_by_model.get(model_id, ()) if a not in assets), None)
        if kept_asset is not None:
            refusals.append(
                f"{describe(inventory, model_id)} is selected but its asset "
                f"{describe(inventory, kept_asset)} is kept; "
                f"add --asset-model {model_id} to delete its assets too"
            )
        for use in users.get(model_id, ()):
            # A kept model naming a deleted one would be left pointing at nothing, whether or not SiteWise
            # would refuse the delete: refused either way.
            if use.user not in models:
                refusals.append(
                    f"{describe(inventory, model_id)} is selected but the kept "
                    f"{describe(inventory, use.user)} {use.relation}; "
                    f"add --asset-model {use.user} to delete it too"
                )


def _unlink_projects(
    inventory: Inventory,
    assets: set[str],
    projects: set[str],
    *,
    protected: set[str],
    kept_modified: dict[str, str],
    refusals: list[str],
) -> dict[str, tuple[str, ...]]:
    """Selected assets leave every project that holds them (an asset in a project cannot be deleted), and a
    deleted project is emptied of every asset first (a project with assets cannot be deleted)."""
    project_unlinks: dict[str, tuple[str, ...]] = {}
    for project in sorted(inventory.projects.values(), key=lambda p: p.id):
        if project.id in projects:
            if project.asset_ids:
                project_unlinks[project.id] = tuple(sorted(project.asset_ids))
            continue
        linked = tuple(sorted(a for a in project.asset_ids if a in assets))
        if not linked:
            continue
        project_unlinks[project.id] = linked
        kept_modified[project.id] = f"loses {len(linked)} asset link(s)"
        if project.id in protected:
            refusals.append(
                f"{describe(inventory, linked[0])} would be unlinked from the protected "
                f"{describe(inventory, project.id)}; deselect the asset or drop that protection"
            )
    return project_unlinks


def _protected(inventory: Inventory, spec: SelectionSpec) -> set[str]:
    protected: set[str] = set()
    for ref in spec.protect:
        protected.add(_resolve_any(inventory, ref))
    if spec.protect_tags:
        protected.update(a.id for a in inventory.assets.values() if _has_tag(a.tags, spec.protect_tags))
        protected.update(m.id for m in inventory.models.values() if _has_tag(m.tags, spec.protect_tags))
    return protected


def _resolve_any(inventory: Inventory, ref: str) -> str:
    for resolver in (resolve_asset, resolve_model):
        try:
            return resolver(inventory, ref).id
        except UnknownResourceError:
            continue
    if ref in inventory.projects or ref in inventory.portals or ref in inventory.gateways:
        return ref
    if not inventory.complete:
        # A subtree scan does not see the whole account; a protected id outside it cannot be touched anyway.
        return ref
    raise UnknownResourceError(f"--protect {ref!r}: no asset, model, project, portal or gateway has that id")

