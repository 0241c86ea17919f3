"""Discovery: account -> Inventory. Read-only, paginated, concurrent; every request on the one request path
(``teardown.aws.calls``: paced per quota family, retried, counted), each family's reads on a lane of their own
(``teardown.aws.lanes``), so reads paced at 10 TPS never hold up reads of a 30 TPS family.

Spends as few calls as the data allows (``teardown.aws.minimum`` counts them): asset summaries carry their
hierarchies, so only assets whose model defines one get a child lookup, one listing across all its
hierarchies; component models get one ListCompositionRelationships. Only selectors that judge every asset
scan the account (``reads_account``): a subtree request walks down from its roots, a model request reads
the models' assets and those that may hold them, a Monitor request reads Monitor alone. Every call is
counted in ``Inventory.calls``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import structlog
from botocore.exceptions import ClientError

from teardown.aws.answers import asset_from_describe, asset_from_summary, model_from_describe, series_from_summary
from teardown.aws.calls import Calls, CallStats
from teardown.aws.classify import error_code
from teardown.aws.clock import Clock, SystemClock
from teardown.aws.discover_edge import EdgeDiscovery
from teardown.aws.discover_place import Placing, PlanSight, scan_choice
from teardown.aws.gone import unresolved, without
from teardown.aws.hierarchies import HierarchyIndex, ModelArrivals
from teardown.aws.lanes import Lanes, connections_for
from teardown.aws.monitor_reads import read_monitor
from teardown.aws.pacing import RateLimiter, account_rates
from teardown.aws.target import AwsTarget, caller_identity, sitewise_client
from teardown.errors import UnknownResourceError
from teardown.inventory.records import AssetRecord, Inventory, ModelRecord, ModelType, ParentLink
from teardown.inventory.selectors import EXTERNAL_ID_PREFIX, SelectionSpec

log = structlog.get_logger(__name__)
_T = TypeVar("_T")


@dataclass(frozen=True)
class DiscoveryOptions:
    workers: int = 8  # threads per quota family's lane, at most
    tags: bool = False
    # List dashboards and access policies too: only when portals or projects may be deleted.
    monitor: bool = False
    # The series bound to assets, which a review shows; the stale check needs none.
    time_series: bool = True
    # Top-level assets already read (the stale check's own roots): walked from without another lookup.
    known_roots: tuple[AssetRecord, ...] = ()
    # What the plan saw of the asset tree (the stale check's, in a scan): the CHILD listings of the assets it
    # saw childless give way to listing the models they may hold where that is cheaper (``discover_place``).
    sight: PlanSight | None = None


class Discoverer(EdgeDiscovery, Placing):
    """One discovery run: the request path (counted apart), a lane per quota family. Use ``discover()``."""

    def __init__(
        self, calls: Calls, *, account: str, region: str, endpoint: str | None,
        options: DiscoveryOptions | None = None,
    ) -> None:
        self.calls = calls.with_stats(CallStats())
        self.options = options or DiscoveryOptions()
        self.inventory = Inventory(account=account, region=region, endpoint=endpoint)
        self.gone: list[str] = []  # subtree roots not there (``present`` runs), in the order given
        self._lock = threading.Lock()
        self._lanes = Lanes(calls.limiter.rates(), workers=self.options.workers, connections=_pool_of(calls.client))
        self._parents: dict[str, ParentLink] = {}  # child -> its link, set on the records at the end
        self._listed: set[str] = set()  # parents whose children were listed
        self._skipped: frozenset[str] = frozenset()  # parents a scan does not list (``options.sight``)
        self._top_level: frozenset[str] = frozenset()  # a scan's first listing: the assets with no parent
        self._hierarchies = HierarchyIndex(self.calls, self._lanes, self.inventory.models)

    def close(self) -> None:
        self._lanes.close()

    def _map(self, fn: Callable[[_T], None], items: Iterable[_T], *, sends: str) -> None:
        """Run fn over items on the lane of the operation it sends; the first error propagates once all settled."""
        self._lanes.map(sends, fn, items)

    def _pages(self, operation: str, key: str, **params: Any) -> Iterator[Any]:
        return self.calls.pages(operation, key, **params)

    # -- models ---------------------------------------------------------------------------------------
    def models(self, summaries: list[Any], arrivals: ModelArrivals | None = None) -> None:
        try:
            self._map(lambda summary: self._describe_model(summary, arrivals), summaries, sends="DescribeAssetModel")
        finally:
            if arrivals is not None:
                arrivals.close()
        components = [m for m in self.inventory.models.values() if m.type is ModelType.COMPONENT_MODEL]
        self._map(self._composition_users, components, sends="ListCompositionRelationships")

    def _describe_model(self, summary: Any, arrivals: ModelArrivals | None) -> None:
        # With its properties: a metric or transform reading a child's property through a hierarchy is what
        # makes SiteWise refuse to delete the child model.
        record = model_from_describe(
            self.calls.read("DescribeAssetModel", assetModelId=summary["id"], excludeProperties=False))
        with self._lock:
            self.inventory.models[record.id] = record
        if arrivals is not None:
            arrivals.arrived(record.id)

    def _composition_users(self, component: ModelRecord) -> None:
        users = {s["assetModelId"] for s in self._pages(
            "ListCompositionRelationships", "compositionRelationshipSummaries", assetModelId=component.id)}
        with self._lock:
            for user_id in users:
                user = self.inventory.models.get(user_id)
                if user is not None and component.id not in user.component_ids:
                    self.inventory.models[user_id] = replace(
                        user, component_ids=tuple(sorted((*user.component_ids, component.id))))

    # -- assets ---------------------------------------------------------------------------------------
    def account_assets(self) -> None:
        types = [t.value for t in ModelType]
        summaries = list(self._pages("ListAssetModels", "assetModelSummaries", assetModelTypes=types))
        # The walk down needs no model: it runs while the models are described, on another lane.
        arrivals = ModelArrivals()
        _concurrently(lambda: self.models(summaries, arrivals), lambda: self._scan_assets(arrivals))
        self.place_unlisted(self._skipped, self._top_level)

    def _scan_assets(self, arrivals: ModelArrivals) -> None:
        """Every asset of the account: the top-level ones, then down, level by level, through the CHILD
        listings the links need anyway (``teardown.aws.discover_place``). With the plan's sight, the assets it
        saw childless wait for ``scan_choice`` (it needs every model's hierarchies), and the models it lists
        per model are listed beside the walk."""
        top = [asset_from_summary(s) for s in self._pages("ListAssets", "assetSummaries", filter="TOP_LEVEL")]
        with self._lock:
            self._top_level = frozenset(a.id for a in top)
            for record in top:
                self.inventory.assets.setdefault(record.id, record)
        sight = self.options.sight
        if sight is None:
            self._walk_down(top, held=frozenset(), arrivals=arrivals)
            return
        held: list[AssetRecord] = []
        listed: list[AssetRecord] = []  # the assets of the models listed per model

        def walk() -> None:
            held.extend(self._walk_down(top, held=frozenset(sight.childless), arrivals=arrivals))

        def per_model() -> None:  # beside the walk, once the models are described: the choice needs them
            arrivals.wait_closed()
            choice = scan_choice(sight, self.inventory.models)  # lists asset models only
            self._skipped = choice.skipped
            self._map(self._assets_of_model, sorted(choice.listed), sends="ListAssets")
            with self._lock:
                listed.extend(a for a in self.inventory.assets.values() if a.model_id in choice.listed)

        _concurrently(walk, per_model)
        self._walk_down([*(a for a in held if a.id not in self._skipped), *listed], held=self._skipped,
                        arrivals=arrivals)

    def _walk_down(self, level: list[AssetRecord], *, held: frozenset[str], arrivals: ModelArrivals,
                   ) -> list[AssetRecord]:
        """List the children of ``level`` and of all below, but those in ``held`` (returned, not listed). A
        parent with several hierarchies waits for its model (it tells whether one listing names each child's
        hierarchy) without holding up the rest of the walk: the asset lane does not idle on the model lane."""
        kept: list[AssetRecord] = []
        waiting: list[AssetRecord] = []  # several hierarchies, their model not described yet
        while level or waiting:
            parents = [a for a in level if a.hierarchy_ids]
            kept.extend(a for a in parents if a.id in held)
            parents = [a for a in parents if a.id not in held]
            now = [a for a in parents if len(a.hierarchy_ids) == 1]
            waiting.extend(a for a in parents if len(a.hierarchy_ids) > 1)
            described = arrivals.ready({a.model_id for a in waiting}, wait=not now)
            now.extend(a for a in waiting if a.model_id in described)
            waiting = [a for a in waiting if a.model_id not in described]
            if not now:
                # The descriptions ended without their models (one made since the models were listed, or a
                # description failed, raised where it was read): the listings describe them (``learn``).
                now, waiting = waiting, []
            level = self._children_of(now)
        return kept

    def model_assets(self, refs: Iterable[str]) -> None:
        """Only what a model selection can touch: every model (a kept one may use a selected one), the selected
        models' assets, the assets of the models that may hold them (a hierarchy names a selected model), and
        the children of both."""
        types = [t.value for t in ModelType]
        summaries = list(self._pages("ListAssetModels", "assetModelSummaries", assetModelTypes=types))
        wanted = set(refs)
        chosen = sorted(s["id"] for s in summaries if s.get("assetModelType", "ASSET_MODEL") == "ASSET_MODEL" and (
            s["id"] in wanted or (s.get("externalId") and f"{EXTERNAL_ID_PREFIX}{s['externalId']}" in wanted)))
        _concurrently(lambda: self.models(summaries),
                      lambda: self._map(self._assets_of_model, chosen, sends="ListAssets"))
        holders = sorted({m.id for m in self.inventory.models.values() if m.type is ModelType.ASSET_MODEL
                          and any(h.child_model_id in chosen for h in m.hierarchies)} - set(chosen))
        self._map(self._assets_of_model, holders, sends="ListAssets")
        listed = {*chosen, *holders}
        self._children_of([a for a in self.inventory.assets.values() if a.model_id in listed and a.hierarchy_ids])

    def _assets_of_model(self, model_id: str) -> None:
        records = [asset_from_summary(s) for s in
                   self._pages("ListAssets", "assetSummaries", assetModelId=model_id, filter="ALL")]
        with self._lock:
            for record in records:
                self.inventory.assets[record.id] = record

    def _children_of(self, parents: list[AssetRecord]) -> list[AssetRecord]:
        """The children of each parent not listed yet: one ListAssociatedAssets across all its hierarchies
        where it tells each child's hierarchy (``teardown.aws.hierarchies``), else one per hierarchy."""
        with self._lock:
            parents = [p for p in parents if p.id not in self._listed]
            self._listed.update(p.id for p in parents)
        self._hierarchies.learn(p.model_id for p in parents if len(p.hierarchy_ids) > 1)
        jobs = [(parent, h) for parent in parents for h in self._hierarchies.listings(parent)]
        found: list[AssetRecord] = []

        def lookup(job: tuple[AssetRecord, str | None]) -> None:
            parent, hierarchy_id = job
            scope = {"hierarchyId": hierarchy_id} if hierarchy_id is not None else {}
            kids = [asset_from_summary(s) for s in self._pages(
                "ListAssociatedAssets", "assetSummaries", assetId=parent.id, traversalDirection="CHILD", **scope)]
            links = {kid.id: ParentLink(parent.id, hierarchy_id or self._hierarchies.holding(parent, kid.model_id))
                     for kid in kids}
            with self._lock:
                for kid in kids:
                    self.inventory.assets.setdefault(kid.id, kid)
                self._parents.update(links)
                found.extend(kids)

        self._map(lookup, jobs, sends="ListAssociatedAssets")
        return found

    def subtrees(self, refs: Iterable[str], *, present: bool = False, series: bool = True) -> None:
        """Only what a subtree selection can touch: the roots, their kept parents, and everything below (with
        the series of each, unless not ``series``). ``present``: a root not there is noted in ``gone``."""
        known = {r.id: r for r in self.options.known_roots}
        refs = list(dict.fromkeys(refs))
        roots: dict[str, AssetRecord] = {}

        def root(ref: str) -> None:
            try:
                record = self._describe_asset(ref)
            except UnknownResourceError:
                if not present:
                    raise
                with self._lock:
                    self.gone.append(ref)
                return
            with self._lock:
                roots[ref] = record

        self._map(root, [r for r in refs if r not in known], sends="DescribeAsset")
        self.gone.sort(key=refs.index)
        level = [roots[r] if r in roots else known[r] for r in refs if r in roots or r in known]
        for record in level:
            self.inventory.assets[record.id] = record
        self._place(roots.values())  # a root's kept parent: its record, and the link to the root
        walked: set[str] = set()
        while level:
            level = [a for a in level if a.id not in walked]
            walked.update(a.id for a in level)
            level = self._walk_level(level, series=series)

    def _walk_level(self, level: list[AssetRecord], *, series: bool) -> list[AssetRecord]:
        """The children of one level of a walk; the level's series are looked up beside them (another lane)."""
        below: list[AssetRecord] = []

        def children() -> None:
            below.extend(self._children_of([a for a in level if a.hierarchy_ids]))

        def level_series() -> None:
            self.time_series_of([a.id for a in level])

        _concurrently(children, *([level_series] if series else []))
        return below

    def _describe_asset(self, ref: str) -> AssetRecord:
        try:
            return asset_from_describe(self.calls.read("DescribeAsset", assetId=ref, excludeProperties=True))
        except ClientError as exc:
            code = error_code(exc)
            if code == "ResourceNotFoundException":
                raise UnknownResourceError(f"unknown asset {ref!r}: not found in the account", ref) from None
            if code == "InvalidRequestException":
                raise UnknownResourceError(f"{ref!r} is not an asset id (a UUID or externalId:X)", ref) from None
            raise

    def link_parents(self) -> None:
        """Set every link found on its child's record, and order every table by id (in place: the hierarchy
        index reads the models): the same world gives the same inventory, whichever lane answered first."""
        inv = self.inventory
        for child_id, link in self._parents.items():
            if child_id in inv.assets:
                inv.assets[child_id] = replace(inv.assets[child_id], parent=link)
        _in_id_order(inv.assets)
        _in_id_order(inv.models)
        _in_id_order(inv.portals)
        _in_id_order(inv.projects)
        _in_id_order(inv.series)
        _in_id_order(inv.gateways)

    # -- monitor --------------------------------------------------------------------------------------
    def projects(self) -> None:
        read_monitor(self.calls, self._lanes, self.inventory, details=self.options.monitor)

    # -- time series ----------------------------------------------------------------------------------
    def all_time_series(self) -> None:
        """One paginated scan of the series bound to any asset: deleting an asset deletes them."""
        found = [series_from_summary(s) for s in self._pages("ListTimeSeries", "TimeSeriesSummaries",
                                                            timeSeriesType="ASSOCIATED")]
        with self._lock:
            self.inventory.series.update((s.id, s) for s in found if s.asset_id)

    def time_series_of(self, asset_ids: Iterable[str]) -> None:
        """Per asset, for a subtree: bounded by the subtree's size instead of the account's series count."""
        def lookup(asset_id: str) -> None:
            found = [series_from_summary(s) for s in self._pages(
                "ListTimeSeries", "TimeSeriesSummaries", assetId=asset_id, timeSeriesType="ASSOCIATED")]
            with self._lock:
                self.inventory.series.update((s.id, s) for s in found)

        self._map(lookup, list(asset_ids), sends="ListTimeSeries")

    def tags(self) -> None:
        def load(record: AssetRecord | ModelRecord) -> None:
            tags = self.calls.read("ListTagsForResource", resourceArn=record.arn).get("tags", {})
            with self._lock:
                if isinstance(record, AssetRecord):
                    self.inventory.assets[record.id] = replace(record, tags=dict(tags))
                else:
                    self.inventory.models[record.id] = replace(record, tags=dict(tags))

        records: list[AssetRecord | ModelRecord] = [*self.inventory.assets.values(), *self.inventory.models.values()]
        self._map(load, records, sends="ListTagsForResource")
        self.inventory.tags_loaded = True


def discover(
    calls: Calls,
    spec: SelectionSpec,
    *,
    account: str,
    region: str,
    endpoint: str | None = None,
    options: DiscoveryOptions | None = None,
) -> Inventory:
    """Read what ``spec`` can touch into an Inventory (the whole account unless only subtrees are asked)."""
    inventory, _gone = _discover(calls, spec, account=account, region=region, endpoint=endpoint, options=options)
    return inventory


def _discover(
    calls: Calls,
    spec: SelectionSpec,
    *,
    account: str,
    region: str,
    endpoint: str | None,
    options: DiscoveryOptions | None,
    present: bool = False,
) -> tuple[Inventory, tuple[str, ...]]:
    options = options or DiscoveryOptions(tags=spec.needs_tags, monitor=spec.needs_monitor_details)
    run = Discoverer(calls, account=account, region=region, endpoint=endpoint, options=options)
    series = [run.all_time_series] if options.time_series else []
    alias_only = [lambda: run.alias_only_series(spec.alias_prefixes)] if spec.alias_prefixes else []
    try:
        if reads_account(spec):
            _concurrently(run.projects, run.account_assets, *series, run.gateways, *alias_only)
        else:
            run.inventory.complete = False
            branches: list[Callable[[], object]] = [run.projects]
            if spec.subtrees:  # their series asset by asset: bounded by the subtrees
                branches.append(lambda: run.subtrees(spec.subtrees, present=present, series=options.time_series))
            if spec.asset_models:
                branches.extend([lambda: run.model_assets(spec.asset_models), *series])
            if spec.gateways:
                branches.append(run.gateways)
            _concurrently(*branches, *alias_only)
        run.link_parents()
        if options.tags or spec.needs_tags:
            run.tags()
        if spec.keep_time_series:
            run.unaliased_property_names()
    finally:
        run.close()
    inventory = run.inventory
    inventory.calls = run.calls.stats.snapshot()["calls"]
    log.info("discover.done", assets=len(inventory.assets), models=len(inventory.models),
             projects=len(inventory.projects), calls=sum(inventory.calls.values()), complete=inventory.complete)
    return inventory, tuple(run.gone)


def reads_account(spec: SelectionSpec) -> bool:
    """Whether ``spec`` needs the whole account read: its selectors judge every asset (--all, --name, --tag),
    or it mixes subtrees with models. Otherwise discovery reads only what the selection can touch: the
    subtrees, the selected models' assets and their possible parents, and Monitor (``complete`` is False)."""
    return bool(spec.all or spec.names or spec.tags or (spec.subtrees and spec.asset_models))


def discover_present(
    calls: Calls,
    spec: SelectionSpec,
    *,
    account: str,
    region: str,
    endpoint: str | None = None,
    options: DiscoveryOptions | None = None,
) -> tuple[Inventory, SelectionSpec, tuple[str, ...]]:
    """``discover``, dropping each selector id that names a resource no longer there (deleted by an earlier
    run, or by someone else): the inventory, the selection that is left, and the ids dropped. What a re-run
    of a plan and a scheduled reset need; a one-off plan refuses an unknown id instead.

    One discovery, whatever is gone: a gone subtree root is noted as the walk meets it, every other id is
    looked up in what was read. Selecting is the caller's (it judges refusals, with their messages)."""
    inventory, gone = _discover(calls, spec, account=account, region=region, endpoint=endpoint, options=options,
                                present=True)
    gone = (*gone, *unresolved(inventory, without(spec, gone)))
    spec = without(spec, gone)
    if gone:
        log.info("discover.selectors_gone", ids=list(gone))
    return inventory, spec, gone


def discover_target(
    target: AwsTarget,
    spec: SelectionSpec,
    *,
    client: Any | None = None,
    identity: tuple[str, str] | None = None,
    clock: Clock | None = None,
    workers: int = 8,
    rates: Mapping[str, float] | None = None,
) -> Inventory:
    """``discover`` for a target: asks STS which account and region it is (unless ``identity`` says), and
    builds the client (unless given) with a connection for every lane's thread. Reads are paced at ``rates``
    per quota family (an account's raised or lowered quotas; default: the published table)."""
    account, region = identity or caller_identity(target, clock=clock)
    clock = clock or SystemClock()
    calls = Calls(client or discovery_client(target, workers, rates), clock, limiter=RateLimiter(clock, rates))
    options = DiscoveryOptions(workers=workers, tags=spec.needs_tags, monitor=spec.needs_monitor_details)
    return discover(calls, spec, account=account, region=region, endpoint=target.sitewise_endpoint(),
                    options=options)


def discovery_client(target: AwsTarget, workers: int, rates: Mapping[str, float] | None = None) -> Any:
    """A SiteWise client with a connection for every discovery lane's thread at ``rates`` (a smaller pool would
    shrink the lanes)."""
    return sitewise_client(target, pool=connections_for(account_rates(rates), workers), wire_timestamps=True)


def _pool_of(client: Any) -> int | None:
    """The connections a boto3 client keeps (None for a stand-in without botocore's config)."""
    pool = getattr(getattr(getattr(client, "meta", None), "config", None), "max_pool_connections", None)
    return pool if isinstance(pool, int) else None


def _in_id_order(table: dict[str, _T]) -> None:
    ordered = sorted(table.items())
    table.clear()
    table.update(ordered)


def _concurrently(*branches: Callable[[], object]) -> None:
    """Branches that share nothing (Monitor, assets, series, gateways; models beside assets): side by side."""
    with ThreadPoolExecutor(max_workers=len(branches), thread_name_prefix="discover-branch") as pool:
        for future in [pool.submit(branch) for branch in branches]:
            future.result()
