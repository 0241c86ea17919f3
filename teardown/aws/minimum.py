"""The fewest reads discovery can learn a world with: the yardstick its read count is held to.

``minimum_reads`` counts, per operation, what discovery must learn and the cheapest request that tells it (a
list page holds ``PAGE_SIZE`` items; even an empty list costs one request). It is a function of what was
learnt, the Inventory, so a test can hold any discovery of a seeded world to it.

What must be learnt, and how:

- **The models**, for any selection but subtrees and Monitor alone: ListAssetModels pages; one
  DescribeAssetModel per model (only the describe holds hierarchies, the hierarchies formulas read through,
  and interfaces: a kept model may use a selected one); one ListCompositionRelationships per component model.
- **A scan of the account**, for selectors that judge every asset (--all, --name, --tag; subtrees mixed with
  models): ListAssets(TOP_LEVEL) pages of the account; every other asset is a child, named by its parent's
  CHILD listing, which its link needs anyway (no call lists every asset). The links: one CHILD listing
  without a hierarchy per asset whose model has hierarchies (the summaries say which), except where two of its
  model's hierarchies share a child model: then one per hierarchy, as the child's model no longer tells which
  holds it. The bound series: ListTimeSeries pages of the whole account. The stale check's scan
  (``DiscoveryOptions.sight``) skips the CHILD listings of the assets the plan saw childless where listing the
  models they may hold is cheaper (``scan_choice``): instead, ListAssets pages of those models, and one
  PARENT listing per child such an asset has gained since (with its hierarchies, where its model does not tell).
- **Models alone**: ListAssets pages of the selected models and of the models that may hold their assets (a
  hierarchy names one), the CHILD listings of those assets, and the account's series pages.
- **Subtrees alone.** Per root: DescribeAsset (it may be an external id) and one PARENT listing, which also
  answers the kept parent's record; for a root already known to be top level (the stale check's own roots),
  nothing. Below the roots, the CHILD listings as above; one DescribeAssetModel per model of a parent with
  several hierarchies, kept parents included (the walk reads no other model). The series: one ListTimeSeries
  per asset of the subtrees (bounded by the subtrees, not by the account's series).
- **Monitor, always** (there is no call that lists an asset's projects): ListPortals pages, ListProjects pages
  per portal, ListProjectAssets pages per project; when projects or portals may be deleted, ListDashboards
  pages per project and ListAccessPolicies pages per project and per portal. Monitor alone reads nothing else.
- **Gateways**, for a scan of the account or a gateway selector: ListGateways pages. **Alias-only series**:
  ListTimeSeries(DISASSOCIATED) pages per alias prefix. With --keep-time-series, one DescribeAsset per asset
  holding a series without an alias (to name its property).
- **Tags**, only for tag selectors: one ListTagsForResource per asset and model read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping

from teardown.aws.discover import DiscoveryOptions, reads_account
from teardown.aws.discover_place import pages, scan_choice
from teardown.errors import UnknownResourceError
from teardown.inventory.index import children_index, descendants, resolve_asset, resolve_model
from teardown.inventory.records import AssetRecord, Inventory, ModelRecord, ModelType
from teardown.inventory.selectors import SelectionSpec


def minimum_reads(
    inventory: Inventory,
    spec: SelectionSpec,
    options: DiscoveryOptions | None = None,
    *,
    gone: Collection[str] = (),
    models: Mapping[str, ModelRecord] | None = None,
) -> Counter[str]:
    """The fewest requests, by operation, that learn ``inventory`` for ``spec`` (``options`` as discovery ran;
    ``gone``: subtree roots found not there, one DescribeAsset each; ``models``: the account's models, where
    the inventory holds none (a subtree's), to tell which parents need a listing per hierarchy)."""
    options = options or DiscoveryOptions(tags=spec.needs_tags, monitor=spec.needs_monitor_details)
    models = inventory.models if models is None else models
    reads: Counter[str] = Counter()
    if reads_account(spec):
        reads.update(_models(inventory))
        reads.update(_account(inventory, options))
    elif spec.asset_models:
        reads.update(_models(inventory))
        reads.update(_selected_models(inventory, spec, options))
    elif spec.subtrees:
        reads.update(_subtrees(inventory, spec, options, gone=gone, models=models))
    _monitor(inventory, options, reads)
    _edges(inventory, spec, reads)
    if options.tags or spec.needs_tags:
        reads["ListTagsForResource"] += len(inventory.assets) + len(inventory.models)
    return +reads  # operations that need no request are left out


def _edges(inventory: Inventory, spec: SelectionSpec, reads: Counter[str]) -> None:
    """Gateways (a scan of the account, or a gateway selector) and the alias-only series of each prefix."""
    if reads_account(spec) or spec.gateways:
        reads["ListGateways"] += pages(len(inventory.gateways))
    alias_only = [s.alias or "" for s in inventory.series.values() if s.asset_id is None]
    for prefix in spec.alias_prefixes:
        reads["ListTimeSeries"] += pages(sum(alias.startswith(prefix) for alias in alias_only))
    if spec.keep_time_series:  # one DescribeAsset per asset holding a series without an alias
        reads["DescribeAsset"] += len({s.asset_id for s in inventory.series.values()
                                       if s.alias is None and s.asset_id is not None})


def _models(inventory: Inventory) -> Counter[str]:
    models = inventory.models.values()
    reads = Counter({"ListAssetModels": pages(len(models)), "DescribeAssetModel": len(models)})
    for model in models:
        if model.type is ModelType.COMPONENT_MODEL:
            reads["ListCompositionRelationships"] += pages(sum(model.id in m.component_ids for m in models))
    return reads


def _account(inventory: Inventory, options: DiscoveryOptions) -> Counter[str]:
    choice = scan_choice(options.sight, inventory.models)
    reads = _assets_of(inventory, sorted(choice.listed), options, skipped=choice.skipped)
    reads["ListAssets"] += pages(sum(a.parent is None for a in inventory.assets.values()))
    walked = [a for a in inventory.assets.values() if a.model_id not in choice.listed and a.id not in choice.skipped]
    reads["ListAssociatedAssets"] += _child_listings(inventory, inventory.models, walked)
    # A PARENT listing per child a skipped asset gained since the plan.
    astray = [a.parent for a in inventory.assets.values() if a.parent and a.parent.asset_id in choice.skipped]
    for link in astray:
        parent = inventory.assets[link.asset_id]
        reads["ListAssociatedAssets"] += 1 + _hierarchy_lookups(inventory.models, parent, link.hierarchy_id)
    return reads


def _selected_models(inventory: Inventory, spec: SelectionSpec, options: DiscoveryOptions) -> Counter[str]:
    chosen: set[str] = set()
    for ref in spec.asset_models:
        try:
            model = resolve_model(inventory, ref)
        except UnknownResourceError:
            continue  # gone: it is in no listing
        if model.type is ModelType.ASSET_MODEL:
            chosen.add(model.id)
    holders = {m.id for m in inventory.models.values() if m.type is ModelType.ASSET_MODEL
               and any(h.child_model_id in chosen for h in m.hierarchies)}
    return _assets_of(inventory, sorted(chosen | holders), options)


def _assets_of(
    inventory: Inventory, model_ids: list[str], options: DiscoveryOptions, *, skipped: Collection[str] = (),
) -> Counter[str]:
    """The assets of ``model_ids``, the children of those not ``skipped``, and the account's series."""
    reads: Counter[str] = Counter()
    for model_id in model_ids:
        reads["ListAssets"] += pages(sum(a.model_id == model_id for a in inventory.assets.values()))
    listed = set(model_ids)
    assets = [a for a in inventory.assets.values() if a.model_id in listed and a.id not in skipped]
    reads["ListAssociatedAssets"] += _child_listings(inventory, inventory.models, assets)
    if options.time_series:
        reads["ListTimeSeries"] += pages(sum(s.asset_id is not None for s in inventory.series.values()))
    return reads


def _subtrees(
    inventory: Inventory, spec: SelectionSpec, options: DiscoveryOptions, *, gone: Collection[str],
    models: Mapping[str, ModelRecord],
) -> Counter[str]:
    reads: Counter[str] = Counter()
    known = {r.id for r in options.known_roots}
    roots = [resolve_asset(inventory, ref) for ref in dict.fromkeys(spec.subtrees) if ref not in gone]
    children = children_index(inventory)
    below = {aid for root in roots for aid in descendants(root.id, children)}
    looked_up = [r for r in roots if r.id not in known]
    reads["DescribeAsset"] += len(looked_up) + len(gone)
    reads["ListAssociatedAssets"] += len(looked_up)  # PARENT, one page: an asset has at most one parent
    kept = [(inventory.assets[r.parent.asset_id], r.parent.hierarchy_id) for r in looked_up
            if r.parent is not None and r.parent.asset_id not in below]
    several = {a.model_id for a in (*(inventory.assets[aid] for aid in below), *(p for p, _ in kept))
               if len(a.hierarchy_ids) > 1}
    reads["DescribeAssetModel"] += len(several)
    reads["ListAssociatedAssets"] += _child_listings(inventory, models, (inventory.assets[aid] for aid in below))
    for parent, holding in kept:
        reads["ListAssociatedAssets"] += _hierarchy_lookups(models, parent, holding)
    if options.time_series:
        per_asset = Counter(s.asset_id for s in inventory.series.values() if s.asset_id is not None)
        reads["ListTimeSeries"] += sum(pages(per_asset[aid]) for aid in below)
    return reads


def _hierarchy_lookups(models: Mapping[str, ModelRecord], parent: AssetRecord, holding: str) -> int:
    """A parent found from its child's side whose model does not tell which hierarchy holds the child: its
    hierarchies are listed, up to the one holding it."""
    if len(parent.hierarchy_ids) > 1 and _shares_child_model(models, parent.model_id):
        return parent.hierarchy_ids.index(holding) + 1
    return 0


def _shares_child_model(models: Mapping[str, ModelRecord], model_id: str) -> bool:
    model = models.get(model_id)
    child_models = [h.child_model_id for h in model.hierarchies] if model is not None else []
    return len(child_models) != len(set(child_models))


def _child_listings(inventory: Inventory, models: Mapping[str, ModelRecord], assets: Iterable[AssetRecord]) -> int:
    """CHILD listings of ``assets``: one across all hierarchies, or one per hierarchy where two of the model's
    hierarchies share a child model."""
    children = children_index(inventory)
    total = 0
    for asset in assets:
        if not asset.hierarchy_ids:
            continue
        kids = children.get(asset.id, ())
        if len(asset.hierarchy_ids) == 1 or not _shares_child_model(models, asset.model_id):
            total += pages(len(kids))
        else:
            links = (inventory.assets[k].parent for k in kids)
            held = Counter(link.hierarchy_id for link in links if link is not None)
            total += sum(pages(held[h]) for h in asset.hierarchy_ids)
    return total


def _monitor(inventory: Inventory, options: DiscoveryOptions, reads: Counter[str]) -> None:
    projects = inventory.projects.values()
    reads["ListPortals"] += pages(len(inventory.portals))
    for portal in inventory.portals.values():
        reads["ListProjects"] += pages(sum(p.portal_id == portal.id for p in projects))
        if options.monitor:
            reads["ListAccessPolicies"] += pages(len(portal.access_policy_ids))
    for project in projects:
        reads["ListProjectAssets"] += pages(len(project.asset_ids))
        if options.monitor:
            reads["ListDashboards"] += pages(len(project.dashboard_ids))
            reads["ListAccessPolicies"] += pages(len(project.access_policy_ids))
