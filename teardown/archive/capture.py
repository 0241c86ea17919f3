"""Capture the archive of a plan: the full definitions of everything it deletes, read with Describe calls on the
one request path (``Calls``: paced, retried, counted), before the plan's first mutation. Reads only.

What is read, per resource the plan deletes or unlinks:

- asset models: DescribeAssetModel (properties, hierarchies, composite models), DescribeAssetModelCompositeModel
  for the component each custom composite model composes, DescribeAssetModelInterfaceRelationship per
  interface it implements, ListTagsForResource;
- assets: DescribeAsset (name, external id, description, property aliases, units, notification states),
  ListTagsForResource; the attribute values in BatchGetAssetPropertyValue calls of 128 entries; the model
  of each (kept or not) for which properties are attributes; hierarchy links come from the plan's own
  disassociations (the plan unlinks every link of a deleted asset), a link to a kept parent goes to the
  extension's ``keptParents``;
- project links: the plan's unlinks, with each project's name;
- Monitor: DescribePortal, DescribeProject, DescribeDashboard, DescribeAccessPolicy;
- gateways: DescribeGateway, DescribeGatewayCapabilityConfiguration per capability, ListTagsForResource;
- kept time series (``--keep-time-series``): the plan's own disassociations, {alias, asset, property}.

A resource already gone (404) is listed in ``missing``; the archive holds everything else.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import structlog
from botocore.exceptions import ClientError

from teardown._version import __version__
from teardown.archive import shapes
from teardown.archive.document import (
    ARCHIVE_FORMAT,
    EXTENSION,
    EXTENSION_LISTS,
    Archive,
    ArchiveError,
    load_archive,
    seal,
    write_archive,
)
from teardown.aws.calls import Calls
from teardown.aws.classify import error_code
from teardown.files import check_writable
from teardown.kinds import ActionKind
from teardown.planning.planfile import Plan

log = structlog.get_logger(__name__)

T = TypeVar("T")
R = TypeVar("R")
DEFAULT_WORKERS = 8


@dataclass
class _Targets:
    """What the plan deletes or unlinks, by kind, read off its actions."""

    models: list[str] = field(default_factory=list)
    assets: list[str] = field(default_factory=list)
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (parent, hierarchy, child)
    project_links: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    portals: list[str] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    dashboards: list[str] = field(default_factory=list)
    policies: list[str] = field(default_factory=list)
    gateways: list[str] = field(default_factory=list)
    kept_series: list[dict[str, str]] = field(default_factory=list)  # {alias, assetId, propertyId}

    @classmethod
    def of(cls, plan: Plan) -> _Targets:
        out = cls()
        simple = {ActionKind.DELETE_ASSET_MODEL: out.models, ActionKind.DELETE_ASSET: out.assets,
                  ActionKind.DELETE_PORTAL: out.portals, ActionKind.DELETE_PROJECT: out.projects,
                  ActionKind.DELETE_DASHBOARD: out.dashboards, ActionKind.DELETE_ACCESS_POLICY: out.policies,
                  ActionKind.DELETE_GATEWAY: out.gateways}
        for action in plan.actions:
            if action.kind in simple:
                simple[action.kind].append(action.target)
            elif action.kind is ActionKind.DISASSOCIATE_ASSET:
                p = action.params
                out.links.append((str(p["assetId"]), str(p["hierarchyId"]), str(p["childAssetId"])))
            elif action.kind is ActionKind.DISASSOCIATE_PROJECT_ASSETS:
                out.project_links[action.target].extend(str(a) for a in action.params["assetIds"])
            elif action.kind is ActionKind.DISASSOCIATE_TIME_SERIES:  # --keep-time-series: restore binds it back
                out.kept_series.append({k: str(action.params[k]) for k in ("alias", "assetId", "propertyId")})
        return out


# BatchGetAssetPropertyValue takes up to 128 entries a request.
_VALUES_PER_BATCH = 128


@dataclass(frozen=True)
class _DescribedAsset:
    described: dict[str, Any]
    model: dict[str, Any]
    definitions: dict[str, dict[str, Any]]  # the model's property definitions by id (``_model_properties``)
    raw_properties: list[dict[str, Any]]
    attributes: list[str]  # the ids of its attribute properties, whose values the archive keeps
    tags: dict[str, str]


class _Capture:
    def __init__(self, calls: Calls, workers: int) -> None:
        self.calls = calls
        self.workers = workers
        self.missing: list[dict[str, str]] = []
        self.model_answers: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()  # the pool's threads share the two above

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="archive") as pool:
            return list(pool.map(fn, items))

    def read(self, operation: str, kind: str, rid: str, **params: Any) -> dict[str, Any] | None:
        """The answer, or None (and ``rid`` listed missing) when the resource is gone."""
        try:
            return self.calls.read(operation, **params)
        except ClientError as exc:
            if error_code(exc) != "ResourceNotFoundException":
                raise
            with self._lock:
                self.missing.append({"kind": kind, "id": rid})
            return None

    def tags(self, arn: str) -> dict[str, str]:
        found: dict[str, str] = self.calls.read("ListTagsForResource", resourceArn=arn).get("tags") or {}
        return found

    # ---- models -------------------------------------------------------------------------------------------

    def model(self, model_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
        described = self.read("DescribeAssetModel", "asset_model", model_id, assetModelId=model_id)
        if described is None:
            return None
        with self._lock:
            self.model_answers[model_id] = described
        composed = {}
        for c in described.get("assetModelCompositeModels", []):
            detail = self.calls.read("DescribeAssetModelCompositeModel", assetModelId=model_id,
                                     assetModelCompositeModelId=c["id"])
            relation = (detail.get("compositionDetails") or {}).get("compositionRelationship") or []
            if relation:
                composed[c["id"]] = str(relation[0]["id"])
        links = []
        for interface in described.get("interfaceDetails", []):
            answer = self.calls.read("DescribeAssetModelInterfaceRelationship", assetModelId=model_id,
                                     interfaceAssetModelId=interface["id"])
            links.append({"assetModelId": model_id, "interfaceAssetModelId": interface["id"],
                          "propertyMappings": [
                              {"assetModelPropertyId": m["assetModelPropertyId"],
                               "interfaceAssetModelPropertyId": m["interfaceAssetModelPropertyId"]}
                              for m in answer.get("propertyMappings", [])]})
        return shapes.asset_model(described, composed, self.tags(described["assetModelArn"])), links

    def model_of_asset(self, model_id: str) -> dict[str, Any]:
        """The model of an archived asset (kept or deleted), described once."""
        with self._lock:
            known = self.model_answers.get(model_id)
        if known is None:  # two threads may both read it: harmless, and no lock is held across a request
            known = self.calls.read("DescribeAssetModel", assetModelId=model_id)
            with self._lock:
                self.model_answers[model_id] = known
        return known

    # ---- assets -------------------------------------------------------------------------------------------

    def asset(self, asset_id: str) -> _DescribedAsset | None:
        """The asset's description, its model's, its tags, and which of its properties are attributes."""
        described = self.read("DescribeAsset", "asset", asset_id, assetId=asset_id)
        if described is None:
            return None
        model = self.model_of_asset(described["assetModelId"])
        definitions = _model_properties(model)
        raw_properties = [*described.get("assetProperties", []),
                          *(p for c in described.get("assetCompositeModels", []) for p in c.get("properties", []))]
        attributes = [raw["id"] for raw in raw_properties
                      if "attribute" in (definitions.get(raw["id"], {}).get("type") or {})]
        return _DescribedAsset(described, model, definitions, raw_properties, attributes,
                               self.tags(described["assetArn"]))

    def attribute_values(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """The current value of each (asset id, property id), _VALUES_PER_BATCH to a BatchGetAssetPropertyValue
        (one call instead of one GetAssetPropertyValue each); an entry in error has no value."""
        batches = [keys[i:i + _VALUES_PER_BATCH] for i in range(0, len(keys), _VALUES_PER_BATCH)]

        def batch(chunk: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
            entries = [{"entryId": f"e{i}", "assetId": a, "propertyId": p} for i, (a, p) in enumerate(chunk)]
            values: dict[tuple[str, str], dict[str, Any]] = {}
            for answer in self.calls.responses("BatchGetAssetPropertyValue", page_size=None, entries=entries):
                for row in answer.get("successEntries", []):
                    value = (row.get("assetPropertyValue") or {}).get("value")
                    if value:
                        values[chunk[int(row["entryId"][1:])]] = value
                # A value that could not be read is not silently left out: the archive would lie.
                failed = [e for e in answer.get("errorEntries", [])
                          if e.get("errorCode") != "ResourceNotFoundException"]
                if failed:
                    first = failed[0]
                    asset_id, property_id = chunk[int(first["entryId"][1:])]
                    raise ArchiveError(
                        f"could not read attribute {property_id} of asset {asset_id}: {first.get('errorCode')}: "
                        f"{first.get('errorMessage')} ({len(failed)} value(s) in error)")
            return values

        found: dict[tuple[str, str], dict[str, Any]] = {}
        for values in self.map(batch, batches):
            found.update(values)
        return found

    @staticmethod
    def asset_row(asset: _DescribedAsset, values: Mapping[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
        asset_id = asset.described["assetId"]
        properties = []
        for raw in asset.raw_properties:
            definition = asset.definitions.get(raw["id"], {})
            attribute = None
            if raw["id"] in asset.attributes:
                attribute = shapes.attribute_text(values.get((asset_id, raw["id"])) or {})
            row = shapes.asset_property(raw, definition.get("unit"), attribute)
            if row is not None:
                properties.append(row)
        return shapes.asset(asset.described, asset.model, properties, asset.tags)

    # ---- gateways -----------------------------------------------------------------------------------------

    def gateway(self, gateway_id: str) -> dict[str, Any] | None:
        described = self.read("DescribeGateway", "gateway", gateway_id, gatewayId=gateway_id)
        if described is None:
            return None
        out = shapes.picked(described, ("gatewayId", "gatewayName", "gatewayPlatform"), ("gatewayVersion",))
        out["capabilities"] = [
            {k: answer[k] for k in ("capabilityNamespace", "capabilityConfiguration")}
            for summary in described.get("gatewayCapabilitySummaries", [])
            if (answer := self.calls.read("DescribeGatewayCapabilityConfiguration", gatewayId=gateway_id,
                                          capabilityNamespace=summary["capabilityNamespace"]))
        ]
        return shapes.some(out, "tags", self.tags(described["gatewayArn"]))

    # ---- Monitor ------------------------------------------------------------------------------------------

    def monitor(self, operation: str, kind: str, key: str, keys: tuple[tuple[str, ...], tuple[str, ...]],
                rid: str) -> dict[str, Any] | None:
        described = self.read(operation, kind, rid, **{key: rid})
        return None if described is None else shapes.picked(described, *keys)


def _model_properties(described: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Every property definition of a model by id, its composite models' included."""
    out = {p["id"]: p for p in described.get("assetModelProperties", [])}
    for c in described.get("assetModelCompositeModels", []):
        out.update({p["id"]: p for p in c.get("properties", [])})
    return out


def capture_archive(plan: Plan, calls: Calls, *, workers: int = DEFAULT_WORKERS, now: str | None = None) -> Archive:
    """The sealed archive of what ``plan`` deletes, as the world is now."""
    targets = _Targets.of(plan)
    cap = _Capture(calls, workers)
    bulk_models: list[dict[str, Any]] = []
    interfaces: list[dict[str, Any]] = []
    interface_links: list[dict[str, Any]] = []
    for found in cap.map(cap.model, sorted(set(targets.models))):
        if found is None:
            continue
        model, links = found
        (interfaces if model["assetModelType"] == "INTERFACE" else bulk_models).append(model)
        interface_links.extend(links)
    for model in interfaces:  # the bulk schema's model types stop at COMPONENT_MODEL
        model.pop("assetModelType")
    described = [a for a in cap.map(cap.asset, sorted(set(targets.assets))) if a is not None]
    values = cap.attribute_values([(a.described["assetId"], p) for a in described for p in a.attributes])
    assets = {row["assetId"]: row for row in (cap.asset_row(a, values) for a in described)}
    kept_parents = []
    for parent, hierarchy, child in sorted(targets.links):
        if child not in assets:
            continue
        if parent in assets:
            row = {"id": hierarchy, "childAssetId": child}
            shapes.some(row, "childAssetExternalId", assets[child].get("assetExternalId"))
            assets[parent]["assetHierarchies"].append(row)
        else:
            row = {"assetId": child, "parentAssetId": parent, "hierarchyId": hierarchy}
            kept = cap.read("DescribeAsset", "asset", parent, assetId=parent)  # named, for the restore plan
            kept_parents.append({**row, "parentName": kept["assetName"]} if kept else row)
    extension: dict[str, Any] = {name: [] for name in EXTENSION_LISTS}
    extension.update(
        format=ARCHIVE_FORMAT, tool_version=__version__, account=plan.account, region=plan.region,
        plan_digest=plan.digest, created_at=now or datetime.now(UTC).isoformat(timespec="seconds"),
        interfaceModels=interfaces, interfaceLinks=sorted(interface_links, key=lambda x: (
            x["assetModelId"], x["interfaceAssetModelId"])),
        keptParents=kept_parents, projectLinks=_project_links(cap, targets),
    )
    monitor = (
        ("portals", "DescribePortal", "portal", "portalId", shapes.PORTAL_KEYS, targets.portals),
        ("projects", "DescribeProject", "project", "projectId", shapes.PROJECT_KEYS, targets.projects),
        ("dashboards", "DescribeDashboard", "dashboard", "dashboardId", shapes.DASHBOARD_KEYS, targets.dashboards),
        ("accessPolicies", "DescribeAccessPolicy", "access_policy", "accessPolicyId", shapes.POLICY_KEYS,
         targets.policies),
    )
    for name, operation, kind, key, keys, ids in monitor:
        def one(rid: str, op: str = operation, k: str = kind, pk: str = key,
                ks: tuple[tuple[str, ...], tuple[str, ...]] = keys) -> dict[str, Any] | None:
            return cap.monitor(op, k, pk, ks, rid)

        extension[name] = [row for row in cap.map(one, sorted(set(ids))) if row is not None]
    extension["gateways"] = [g for g in cap.map(cap.gateway, sorted(set(targets.gateways))) if g is not None]
    extension["keptTimeSeries"] = sorted(targets.kept_series, key=lambda k: k["alias"])
    extension["missing"] = sorted(cap.missing, key=lambda m: (m["kind"], m["id"]))
    document = {"assetModels": bulk_models, "assets": [assets[a] for a in sorted(assets)], EXTENSION: extension}
    archive = seal(document)
    log.info("archive.captured", plan=plan.digest, models=len(bulk_models) + len(interfaces), assets=len(assets),
             missing=len(cap.missing))
    return archive


def _project_links(cap: _Capture, targets: _Targets) -> list[dict[str, Any]]:
    out = []
    for project_id in sorted(targets.project_links):
        described = cap.read("DescribeProject", "project", project_id, projectId=project_id)
        row: dict[str, Any] = {"projectId": project_id, "assetIds": sorted(set(targets.project_links[project_id]))}
        if described is not None:
            row["projectName"] = described["projectName"]
        out.append(row)
    return out


def ensure_archive(plan: Plan, calls: Calls, path: Path, *, workers: int = DEFAULT_WORKERS) -> Archive:
    """The archive of ``plan`` at ``path``: kept as it is when an earlier run of this plan wrote it (a resumed
    apply must not overwrite it with what is left), else captured and written. Raises ``ArchiveError`` for a
    file there that is not an archive of this plan, ``BadInputError`` when it cannot be written: either way
    before anything is changed."""
    if path.is_file():
        existing = load_archive(path)
        if existing.extension["plan_digest"] != plan.digest:
            raise ArchiveError(f"{path}: an archive of another plan ({existing.extension['plan_digest'][:19]}...) "
                               "is in the way; move it away to apply this plan")
        log.info("archive.kept", path=str(path), plan=plan.digest)
        return existing
    check_writable(path, "archive")  # before spending the Describe calls
    archive = capture_archive(plan, calls, workers=workers)
    write_archive(archive, path)
    log.info("archive.written", path=str(path), digest=archive.digest)
    return archive
