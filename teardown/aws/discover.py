"""Discovery: account -> Inventory. Read-only, paginated, concurrent; every request on the one request path
(``teardown.aws.calls``: paced per quota family, retried, counted).

Spends as few calls as the data allows: asset summaries carry their hierarchies, so only assets whose model
defines one get a child lookup; component models get one ListCompositionRelationships; a subtree request
walks down from its roots instead of scanning the account. Every call is counted in ``Inventory.calls``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import structlog
from botocore.exceptions import ClientError

from teardown.aws.answers import (
    asset_from_describe,
    asset_from_summary,
    epoch,
    formula_hierarchies,
    series_from_summary,
)
from teardown.aws.calls import Calls, CallStats
from teardown.aws.classify import error_code
from teardown.aws.clock import Clock, SystemClock
from teardown.aws.discover_edge import EdgeDiscovery
from teardown.aws.target import AwsTarget, caller_identity, sitewise_client
from teardown.errors import SelectionRefused, UnknownResourceError
from teardown.inventory.records import (
    AssetRecord,
    Hierarchy,
    Inventory,
    ModelRecord,
    ModelType,
    ParentLink,
    PortalRecord,
    ProjectRecord,
)
from teardown.inventory.select import select
from teardown.inventory.selectors import SelectionSpec

log = structlog.get_logger(__name__)
_T = TypeVar("_T")


@dataclass(frozen=True)
class DiscoveryOptions:
    workers: int = 8
    tags: bool = False
    # List dashboards and access policies too: only when portals or projects may be deleted.
    monitor: bool = False


class Discoverer(EdgeDiscovery):
    """One discovery run: the request path (counted apart), a pool. Use ``discover()`` rather than this."""

    def __init__(
        self, calls: Calls, *, account: str, region: str, endpoint: str | None,
        options: DiscoveryOptions | None = None,
    ) -> None:
        self.calls = calls.with_stats(CallStats())
        self.options = options or DiscoveryOptions()
        self.inventory = Inventory(account=account, region=region, endpoint=endpoint)
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=self.options.workers, thread_name_prefix="discover")

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def _map(self, fn: Callable[[_T], None], items: Iterable[_T]) -> None:
        """Run fn over items on the pool; the first error propagates once all have settled."""
        for future in [self._pool.submit(fn, item) for item in items]:
            future.result()

    def _pages(self, operation: str, key: str, **params: Any) -> Iterator[Any]:
        return self.calls.pages(operation, key, **params)

    # -- models ---------------------------------------------------------------------------------------
    def models(self) -> None:
        types = [t.value for t in ModelType]
        summaries = list(self._pages("ListAssetModels", "assetModelSummaries", assetModelTypes=types))
        self._map(self._describe_model, summaries)
        components = [m for m in self.inventory.models.values() if m.type is ModelType.COMPONENT_MODEL]
        self._map(self._composition_users, components)

    def _describe_model(self, summary: Any) -> None:
        # With its properties: a metric or transform reading a child's property through a hierarchy is what
        # makes SiteWise refuse to delete the child model.
        out = self.calls.read("DescribeAssetModel", assetModelId=summary["id"], excludeProperties=False)
        through_formulas = formula_hierarchies(out.get("assetModelProperties", ()))
        record = ModelRecord(
            id=out["assetModelId"], name=out["assetModelName"], arn=out["assetModelArn"],
            type=ModelType(out.get("assetModelType", "ASSET_MODEL")), status=out["assetModelStatus"]["state"],
            last_update=epoch(out.get("assetModelLastUpdateDate")), external_id=out.get("assetModelExternalId"),
            hierarchies=tuple(
                Hierarchy(id=h["id"], name=h["name"], child_model_id=h["childAssetModelId"],
                          formula=h["id"] in through_formulas)
                for h in out.get("assetModelHierarchies", ()) if "id" in h
            ),
            interface_ids=tuple(i["id"] for i in out.get("interfaceDetails", ())),
        )
        with self._lock:
            self.inventory.models[record.id] = record

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
    def all_assets(self) -> None:
        with_assets = [m.id for m in self.inventory.models.values() if m.type is ModelType.ASSET_MODEL]
        self._map(self._assets_of_model, with_assets)
        self._children_of([a for a in self.inventory.assets.values() if a.hierarchy_ids])

    def _assets_of_model(self, model_id: str) -> None:
        records = [asset_from_summary(s) for s in
                   self._pages("ListAssets", "assetSummaries", assetModelId=model_id, filter="ALL")]
        with self._lock:
            for record in records:
                # A child lookup may have run first and set the parent: keep it.
                known = self.inventory.assets.get(record.id)
                self.inventory.assets[record.id] = replace(record, parent=known.parent) if known else record

    def _children_of(self, parents: list[AssetRecord]) -> list[AssetRecord]:
        """The children of each parent: one ListAssociatedAssets across all its hierarchies where each child's
        model tells which hierarchy holds it (the usual case), else one per hierarchy."""
        jobs: list[tuple[str, str | None]] = []
        for parent in parents:
            if len(parent.hierarchy_ids) == 1:
                jobs.append((parent.id, parent.hierarchy_ids[0]))
            elif self._hierarchy_by_child_model(parent.model_id) is not None:
                jobs.append((parent.id, None))
            else:
                jobs.extend((parent.id, h) for h in parent.hierarchy_ids)
        models = {p.id: p.model_id for p in parents}
        found: list[AssetRecord] = []

        def lookup(job: tuple[str, str | None]) -> None:
            parent_id, hierarchy_id = job
            by_model = self._hierarchy_by_child_model(models[parent_id]) if hierarchy_id is None else None
            scope = {"hierarchyId": hierarchy_id} if hierarchy_id is not None else {}
            kids = [
                asset_from_summary(s, ParentLink(parent_id, hierarchy_id or (by_model or {})[s["assetModelId"]]))
                for s in self._pages("ListAssociatedAssets", "assetSummaries", assetId=parent_id,
                                     traversalDirection="CHILD", **scope)
            ]
            with self._lock:
                for kid in kids:
                    self.inventory.assets[kid.id] = kid
                found.extend(kids)

        self._map(lookup, jobs)
        return found

    def _hierarchy_by_child_model(self, model_id: str) -> dict[str, str] | None:
        """Child model id -> the model's one hierarchy for it; None when two hierarchies share a child model
        (a child's model does not tell them apart) or the model was not discovered (a subtree scan)."""
        model = self.inventory.models.get(model_id)
        if model is None:
            return None
        by_child: dict[str, str] = {}
        for hierarchy in model.hierarchies:
            if hierarchy.child_model_id in by_child:
                return None
            by_child[hierarchy.child_model_id] = hierarchy.id
        return by_child

    def subtrees(self, refs: Iterable[str]) -> None:
        """Only what a subtree selection can touch: the roots, their kept parents, and everything below."""
        roots = [self._describe_asset(ref) for ref in refs]
        for root in roots:
            parent = self._parent_of(root.id)
            with self._lock:
                self.inventory.assets[root.id] = replace(root, parent=parent)
            if parent is not None and parent.asset_id not in self.inventory.assets:
                kept = self._describe_asset(parent.asset_id)
                with self._lock:
                    self.inventory.assets.setdefault(kept.id, replace(kept, parent=self._parent_of(kept.id)))
        frontier = [r for r in roots if r.hierarchy_ids]
        while frontier:
            frontier = [kid for kid in self._children_of(frontier) if kid.hierarchy_ids]

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

    def _parent_of(self, asset_id: str) -> ParentLink | None:
        for summary in self._pages("ListAssociatedAssets", "assetSummaries", assetId=asset_id,
                                   traversalDirection="PARENT"):
            # The PARENT summary lists the parent's hierarchies; the one holding us is found from our side.
            parent_id = summary["id"]
            hierarchies = summary.get("hierarchies", ())
            if len(hierarchies) == 1:
                return ParentLink(parent_id, hierarchies[0]["id"])
            for hierarchy in hierarchies:
                kids = self._pages("ListAssociatedAssets", "assetSummaries", assetId=parent_id,
                                   hierarchyId=hierarchy["id"], traversalDirection="CHILD")
                if any(k["id"] == asset_id for k in kids):
                    return ParentLink(parent_id, hierarchy["id"])
        return None

    def account_assets(self) -> None:
        self.models()
        self.all_assets()

    # -- monitor --------------------------------------------------------------------------------------
    def projects(self) -> None:
        portals = [PortalRecord(
            id=p["id"], name=p["name"], arn=f"arn:aws:iotsitewise:{self.inventory.region}:"
            f"{self.inventory.account}:portal/{p['id']}", status=p.get("status", {}).get("state", "ACTIVE"),
            last_update=epoch(p.get("lastUpdateDate")),
        ) for p in self._pages("ListPortals", "portalSummaries")]
        self.inventory.portals = {p.id: p for p in portals}
        summaries: list[tuple[str, Any]] = []

        def list_projects(portal: PortalRecord) -> None:
            found = [(portal.id, s) for s in self._pages("ListProjects", "projectSummaries", portalId=portal.id)]
            with self._lock:
                summaries.extend(found)

        self._map(list_projects, portals)

        def project_assets(item: tuple[str, Any]) -> None:
            portal_id, summary = item
            project_id = summary["id"]
            asset_ids = tuple(sorted(self._pages("ListProjectAssets", "assetIds", projectId=project_id)))
            dashboards: tuple[str, ...] = ()
            policies: tuple[str, ...] = ()
            if self.options.monitor:
                dashboards = tuple(sorted(d["id"] for d in self._pages(
                    "ListDashboards", "dashboardSummaries", projectId=project_id)))
                policies = self._access_policies("PROJECT", project_id)
            record = ProjectRecord(
                id=project_id, name=summary["name"], portal_id=portal_id, asset_ids=asset_ids,
                arn=f"arn:aws:iotsitewise:{self.inventory.region}:{self.inventory.account}:project/{project_id}",
                last_update=epoch(summary.get("lastUpdateDate")), dashboard_ids=dashboards,
                access_policy_ids=policies,
            )
            with self._lock:
                self.inventory.projects[record.id] = record

        self._map(project_assets, summaries)
        if self.options.monitor:
            def portal_policies(portal: PortalRecord) -> None:
                policies = self._access_policies("PORTAL", portal.id)
                with self._lock:
                    self.inventory.portals[portal.id] = replace(portal, access_policy_ids=policies)

            self._map(portal_policies, portals)
            self.inventory.monitor_loaded = True

    def _access_policies(self, resource_type: str, resource_id: str) -> tuple[str, ...]:
        return tuple(sorted(p["id"] for p in self._pages(
            "ListAccessPolicies", "accessPolicySummaries", resourceType=resource_type, resourceId=resource_id)))

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

        self._map(lookup, list(asset_ids))

    def tags(self) -> None:
        def load(record: AssetRecord | ModelRecord) -> None:
            tags = self.calls.read("ListTagsForResource", resourceArn=record.arn).get("tags", {})
            with self._lock:
                if isinstance(record, AssetRecord):
                    self.inventory.assets[record.id] = replace(record, tags=dict(tags))
                else:
                    self.inventory.models[record.id] = replace(record, tags=dict(tags))

        records: list[AssetRecord | ModelRecord] = [*self.inventory.assets.values(), *self.inventory.models.values()]
        self._map(load, records)
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
    options = options or DiscoveryOptions(tags=spec.needs_tags, monitor=spec.needs_monitor_details)
    run = Discoverer(calls, account=account, region=region, endpoint=endpoint, options=options)
    try:
        if spec.subtree_only:
            run.inventory.complete = False

            def subtree_scan() -> None:
                run.subtrees(spec.subtrees)
                run.time_series_of(list(run.inventory.assets))

            _concurrently(run.projects, subtree_scan)
        else:
            alias_only = [lambda: run.alias_only_series(spec.alias_prefixes)] if spec.alias_prefixes else []
            _concurrently(run.projects, run.account_assets, run.all_time_series, run.gateways, *alias_only)
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
    return inventory


def discover_present(
    calls: Calls,
    spec: SelectionSpec,
    *,
    account: str,
    region: str,
    endpoint: str | None = None,
) -> tuple[Inventory, SelectionSpec, tuple[str, ...]]:
    """``discover``, dropping each selector id that names a resource no longer there (deleted by an earlier
    run, or by someone else): the inventory, the selection that is left, and the ids dropped. What a re-run
    of a plan and a scheduled reset need; a one-off plan refuses an unknown id instead."""
    gone: list[str] = []
    while True:
        try:
            inventory = discover(calls, spec, account=account, region=region, endpoint=endpoint)
            if not spec.is_empty:
                select(inventory, spec)  # resolves every id: a gone model, portal or project raises here
        except UnknownResourceError as exc:
            spec = _without(spec, exc)
            gone.append(str(exc.ref))
            continue
        except SelectionRefused:
            pass  # the caller selects again and judges the refusal, with its message
        if gone:
            log.info("discover.selectors_gone", ids=gone)
        return inventory, spec, tuple(gone)


def _without(spec: SelectionSpec, exc: UnknownResourceError) -> SelectionSpec:
    for field in ("subtrees", "asset_models", "portals", "projects", "gateways"):
        refs: tuple[str, ...] = getattr(spec, field)
        if exc.ref in refs:
            kept: dict[str, Any] = {field: tuple(r for r in refs if r != exc.ref)}
            return replace(spec, **kept)
    raise exc  # an id the selection protects, or none of its selectors: a real error


def discover_target(
    target: AwsTarget,
    spec: SelectionSpec,
    *,
    client: Any | None = None,
    identity: tuple[str, str] | None = None,
    clock: Clock | None = None,
    workers: int = 8,
) -> Inventory:
    """``discover`` for a target: asks STS which account and region it is (unless ``identity`` says), and
    builds the client (unless given). What `plan`, `reset`, the demo and the Python API all start with."""
    account, region = identity or caller_identity(target, clock=clock)
    calls = Calls(client or sitewise_client(target, pool=max(workers, 10)), clock or SystemClock())
    options = DiscoveryOptions(workers=workers, tags=spec.needs_tags, monitor=spec.needs_monitor_details)
    return discover(calls, spec, account=account, region=region, endpoint=target.sitewise_endpoint(),
                    options=options)


def _concurrently(*branches: Callable[[], object]) -> None:
    """Monitor, asset, time series and gateway discovery share nothing: run them side by side."""
    with ThreadPoolExecutor(max_workers=len(branches), thread_name_prefix="discover-branch") as pool:
        for future in [pool.submit(branch) for branch in branches]:
            future.result()

