"""Seeding: turn a ``WorldSpec`` into resources through a boto3 ``iotsitewise`` client.

Only the public API is used, so the same code seeds the in-process emulator, the HTTP server, or (in
principle) a real account. The order follows what SiteWise allows:

1. models, in generations (a child/component/interface model before the models naming it), each ACTIVE
   before the next generation; then each model's composite models and interface relationships, one at
   a time per model (each puts the model back into UPDATING);
2. assets, all at once, then wait until every one is ACTIVE (one paginated ListAssets per model);
3. associations, top level first, serialized per parent (each puts the parent into UPDATING, and the
   next associate on it is refused 409 until it settles: retried on the clock), parallel across parents;
4. portals (wait ACTIVE), projects, dashboards, access policies, gateways: on their own thread meanwhile;
5. project asset links (after the hierarchy: a project's assets must share one root) and time series.

Ids are uuid5 over a namespace of the world's name and seed and each resource's logical name, and every
mutation carries a clientToken derived the same way, so a retried request is replayed, never doubled.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import structlog
from botocore.exceptions import ClientError

from teardown.clock import Clock, SystemClock
from teardown.emulator.seed.calls import Caller, SeedError, WorldAlreadySeeded, check_state, error_code
from teardown.emulator.seed.spec import AssetSpec, ModelSpec, PropertySpec, WorldSpec, asset_depths, validate_world

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

T = TypeVar("T")
R = TypeVar("R")
log = structlog.get_logger(__name__)

# Fixed forever: changing it changes every seeded id.
_ID_ROOT = uuid.UUID("6f1c1c52-6d3f-5a8e-9a57-5e1d0c2b7a11")
_PROJECT_BATCH = 100  # BatchAssociateProjectAssets takes 1 to 100 asset ids


@dataclass(frozen=True)
class SeededWorld:
    """What was created, by logical name, for tests and demos to check against."""

    name: str
    models: dict[str, str]  # model key -> model id
    assets: dict[str, str]  # asset path -> asset id
    parents: dict[str, str]  # child asset id -> parent asset id
    hierarchies: dict[str, str] = field(default_factory=dict)  # "model key/hierarchy name" -> hierarchy id
    portals: dict[str, str] = field(default_factory=dict)
    projects: dict[str, str] = field(default_factory=dict)
    dashboards: dict[str, str] = field(default_factory=dict)
    access_policies: dict[str, str] = field(default_factory=dict)
    gateways: dict[str, str] = field(default_factory=dict)
    time_series: dict[str, str] = field(default_factory=dict)  # series key -> time series id
    project_assets: dict[str, tuple[str, ...]] = field(default_factory=dict)  # project id -> asset ids

    def counts(self) -> dict[str, int]:
        return {
            "models": len(self.models),
            "assets": len(self.assets),
            "associations": len(self.parents),
            "portals": len(self.portals),
            "projects": len(self.projects),
            "project_assets": sum(len(ids) for ids in self.project_assets.values()),
            "dashboards": len(self.dashboards),
            "access_policies": len(self.access_policies),
            "gateways": len(self.gateways),
            "time_series": len(self.time_series),
        }


class WorldIds:
    """Deterministic ids and client tokens: same world name, seed and logical name, same id."""

    def __init__(self, spec: WorldSpec) -> None:
        self.namespace = uuid.uuid5(_ID_ROOT, f"{spec.name}#{spec.seed}")

    def of(self, kind: str, logical: str) -> str:
        return str(uuid.uuid5(self.namespace, f"{kind}:{logical}"))

    def token(self, operation: str, logical: str) -> str:
        return self.of(f"token/{operation}", logical)

    def model(self, key: str) -> str:
        return self.of("model", key)

    def asset(self, path: str) -> str:
        return self.of("asset", path)


def seed_world(
    client: IoTSiteWiseClient,
    spec: WorldSpec,
    *,
    clock: Clock | None = None,
    max_workers: int = 8,
    timeout: float = 900.0,
) -> SeededWorld:
    """Create every resource of ``spec`` and wait until it is usable (ACTIVE).

    Refuses with ``WorldAlreadySeeded`` (before creating anything) when the world's models already exist.
    ``timeout`` bounds each wait for a state, in clock seconds.
    """
    validate_world(spec)
    return _Seeding(client, spec, clock or SystemClock(), max_workers=max_workers, timeout=timeout).run()


class _Seeding:
    def __init__(
        self, client: IoTSiteWiseClient, spec: WorldSpec, clock: Clock, *, max_workers: int, timeout: float
    ) -> None:
        self.client = client
        self.spec = spec
        self.clock = clock
        self.caller = Caller(clock)
        self.ids = WorldIds(spec)
        self.max_workers = max_workers
        self.timeout = timeout
        self.models = {m.key: m for m in spec.models}
        self.asset_models = {a.path: a.model for a in spec.assets}
        # Filled from DescribeAssetModel once ACTIVE: the ids the service actually holds.
        self.hierarchy_ids: dict[str, dict[str, str]] = {}
        self.property_ids: dict[str, dict[str, str]] = {}

    def run(self) -> SeededWorld:
        started = self.clock.now()
        self._refuse_if_seeded()
        world = SeededWorld(
            name=self.spec.name,
            models={m.key: self.ids.model(m.key) for m in self.spec.models},
            assets={a.path: self.ids.asset(a.path) for a in self.spec.assets},
            parents={self.ids.asset(a.path): self.ids.asset(a.parent) for a in self.spec.assets if a.parent},
        )
        with (
            ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="seed") as pool,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed-monitor") as side,
        ):
            monitor: Future[None] = side.submit(self._monitor_resources, world)
            try:
                self._phase("models", self._models, pool)
                self._phase("assets", self._assets, pool)
                self._phase("associations", self._associations, pool)
            except BaseException:
                wait([monitor])  # let the side finish, but the first failure is the one to report
                raise
            monitor.result()
            self._phase("project_assets", lambda p: self._project_assets(world), pool)
            self._phase("time_series", lambda p: self._time_series(world, p), pool)
        world.hierarchies.update(
            {f"{model}/{name}": hid for model, by_name in self.hierarchy_ids.items() for name, hid in by_name.items()}
        )
        log.info("seed.done", world=self.spec.name, seconds=round(self.clock.now() - started, 3), **world.counts())
        return world

    def _phase(self, name: str, work: Callable[[ThreadPoolExecutor], None], pool: ThreadPoolExecutor) -> None:
        began = self.clock.now()
        work(pool)
        log.info("seed.phase", world=self.spec.name, phase=name, seconds=round(self.clock.now() - began, 3))

    @staticmethod
    def _each(pool: ThreadPoolExecutor, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """Run ``fn`` over ``items`` on the pool; wait for all, then raise the first error if any."""
        futures = [pool.submit(fn, item) for item in items]
        errors = [f.exception() for f in futures]
        first = next((e for e in errors if e is not None), None)
        if first is not None:
            raise first
        return [f.result() for f in futures]

    # -- refusal --------------------------------------------------------------------------------------

    def _refuse_if_seeded(self) -> None:
        for model in self.spec.models:
            model_id = self.ids.model(model.key)

            def exists(model_id: str = model_id) -> bool:
                try:
                    self.client.describe_asset_model(assetModelId=model_id)
                except ClientError as exc:
                    if error_code(exc) == "ResourceNotFoundException":
                        return False
                    raise
                return True

            if self.caller.call(f"DescribeAssetModel {model.key}", exists):
                raise WorldAlreadySeeded(
                    f"world {self.spec.name!r} (seed {self.spec.seed}) is already seeded here: model "
                    f"{model.key!r} exists as {model_id}; reset the emulator or seed with another seed"
                )

    # -- models ---------------------------------------------------------------------------------------

    def _models(self, pool: ThreadPoolExecutor) -> None:
        for generation in self.spec.model_order():
            self._each(pool, self._model, generation)

    def _model(self, key: str) -> None:
        m = self.models[key]
        model_id = self.ids.model(key)
        params: dict[str, Any] = {
            "assetModelName": m.name,
            "assetModelType": m.type,
            "assetModelId": model_id,
            "assetModelProperties": [self._property(key, p) for p in m.properties],
            "assetModelHierarchies": [
                {
                    "id": self.ids.of("hierarchy", f"{key}/{name}"),
                    "name": name,
                    "childAssetModelId": self.ids.model(child),
                }
                for name, child in m.hierarchies
            ],
            "clientToken": self.ids.token("CreateAssetModel", key),
        }
        _put_optional(params, "assetModelDescription", m.description)
        _put_optional(params, "tags", self.spec.tags_for(m.tags))
        self.caller.call(f"CreateAssetModel {key}", self.client.create_asset_model, params)
        self._wait_model(m)
        for name, component in m.components:
            composite = {
                "assetModelId": model_id,
                "assetModelCompositeModelId": self.ids.of("composite", f"{key}/{name}"),
                "assetModelCompositeModelName": name,
                "assetModelCompositeModelType": "CUSTOM",
                "composedAssetModelId": self.ids.model(component),
                "clientToken": self.ids.token("CreateAssetModelCompositeModel", f"{key}/{name}"),
            }
            self.caller.call(
                f"CreateAssetModelCompositeModel {key}/{name}",
                self.client.create_asset_model_composite_model,
                composite,
            )
            self._wait_model(m)
        for interface in m.interfaces:
            relation = {
                "assetModelId": model_id,
                "interfaceAssetModelId": self.ids.model(interface),
                "propertyMappingConfiguration": {"matchByPropertyName": True},
                "clientToken": self.ids.token("PutAssetModelInterfaceRelationship", f"{key}/{interface}"),
            }
            self.caller.call(
                f"PutAssetModelInterfaceRelationship {key}/{interface}",
                self.client.put_asset_model_interface_relationship,
                relation,
            )
            self._wait_model(m)

    def _property(self, model_key: str, p: PropertySpec) -> dict[str, Any]:
        kind: dict[str, Any] = (
            {"attribute": {"defaultValue": p.default} if p.default is not None else {}}
            if p.kind == "attribute"
            else {"measurement": {}}
        )
        out: dict[str, Any] = {
            "id": self.ids.of("property", f"{model_key}/{p.name}"),
            "name": p.name,
            "dataType": p.data_type,
            "type": kind,
        }
        _put_optional(out, "unit", p.unit)
        return out

    def _wait_model(self, m: ModelSpec) -> None:
        model_id = self.ids.model(m.key)

        def active() -> bool:
            described = self.client.describe_asset_model(assetModelId=model_id)
            status = described["assetModelStatus"]
            if not check_state(f"asset model {m.key}", status["state"], error=status.get("error")):
                return False
            self.hierarchy_ids[m.key] = {
                h["name"]: h["id"] for h in described.get("assetModelHierarchies", []) if "id" in h
            }
            self.property_ids[m.key] = {
                p["name"]: p["id"] for p in described.get("assetModelProperties", []) if "id" in p
            }
            return True

        self.caller.wait_until(f"asset model {m.key} ACTIVE", active, timeout=self.timeout)

    # -- assets ---------------------------------------------------------------------------------------

    def _assets(self, pool: ThreadPoolExecutor) -> None:
        self._each(pool, self._asset, self.spec.assets)
        self._wait_assets_active(pool)

    def _asset(self, a: AssetSpec) -> None:
        params: dict[str, Any] = {
            "assetName": a.name,
            "assetModelId": self.ids.model(a.model),
            "assetId": self.ids.asset(a.path),
            "clientToken": self.ids.token("CreateAsset", a.path),
        }
        _put_optional(params, "assetDescription", a.description)
        _put_optional(params, "tags", self.spec.tags_for(a.tags))
        self.caller.call(f"CreateAsset {a.path}", self.client.create_asset, params)

    def _wait_assets_active(self, pool: ThreadPoolExecutor) -> None:
        by_model: dict[str, set[str]] = defaultdict(set)
        for a in self.spec.assets:
            by_model[a.model].add(self.ids.asset(a.path))
        self._each(pool, lambda item: self._wait_model_assets(*item), sorted(by_model.items()))

    def _wait_model_assets(self, model_key: str, asset_ids: set[str]) -> None:
        """One paginated ListAssets per poll covers every asset of the model (250 per page)."""
        paginator = self.client.get_paginator("list_assets")

        def all_active() -> bool:
            pending = set(asset_ids)
            pages = paginator.paginate(
                assetModelId=self.ids.model(model_key), filter="ALL", PaginationConfig={"PageSize": 250}
            )
            for page in pages:
                for summary in page["assetSummaries"]:
                    status = summary["status"]
                    if summary["id"] in pending and check_state(
                        f"asset {summary['name']}", status["state"], error=status.get("error")
                    ):
                        pending.discard(summary["id"])
            return not pending

        self.caller.wait_until(f"assets of model {model_key} ACTIVE", all_active, timeout=self.timeout)

    # -- associations -------------------------------------------------------------------------------

    def _associations(self, pool: ThreadPoolExecutor) -> None:
        depths = asset_depths(self.spec)
        by_parent: dict[str, list[AssetSpec]] = defaultdict(list)
        for a in self.spec.assets:
            if a.parent is not None:
                by_parent[a.parent].append(a)
        by_level: dict[int, list[str]] = defaultdict(list)
        for parent in by_parent:
            by_level[depths[parent]].append(parent)
        # Top level first: a level's children are then never UPDATING (they become parents only later).
        for level in sorted(by_level):
            self._each(pool, lambda parent: self._associate_children(parent, by_parent[parent]), by_level[level])
        self._wait_assets_active(pool)

    def _associate_children(self, parent_path: str, children: list[AssetSpec]) -> None:
        parent_model = self.asset_models[parent_path]
        for child in children:
            assert child.hierarchy is not None  # validated: every non-root asset names its hierarchy
            params: dict[str, Any] = {
                "assetId": self.ids.asset(parent_path),
                "hierarchyId": self._hierarchy_id(parent_model, child.hierarchy),
                "childAssetId": self.ids.asset(child.path),
                "clientToken": self.ids.token("AssociateAssets", child.path),
            }
            self.caller.call(f"AssociateAssets {child.path}", self.client.associate_assets, params)

    def _hierarchy_id(self, model_key: str, hierarchy: str) -> str:
        known = self.hierarchy_ids.get(model_key, {})
        return known.get(hierarchy) or self.ids.of("hierarchy", f"{model_key}/{hierarchy}")

    # -- monitor side -------------------------------------------------------------------------------

    def _monitor_resources(self, world: SeededWorld) -> None:
        spec, ids = self.spec, self.ids
        for portal in spec.portals:
            params: dict[str, Any] = {
                "portalName": portal.name,
                "portalContactEmail": portal.contact_email,
                "roleArn": portal.role_arn,
                "clientToken": ids.token("CreatePortal", portal.key),
            }
            _put_optional(params, "tags", spec.tags_for(portal.tags))
            created = self.caller.call(f"CreatePortal {portal.key}", self.client.create_portal, params)
            world.portals[portal.key] = created["portalId"]
        for key, portal_id in world.portals.items():
            self._wait_portal(key, portal_id)
        for project in spec.projects:
            params = {
                "portalId": world.portals[project.portal],
                "projectName": project.name,
                "clientToken": ids.token("CreateProject", project.key),
            }
            _put_optional(params, "tags", spec.tags_for(project.tags))
            project_created = self.caller.call(f"CreateProject {project.key}", self.client.create_project, params)
            world.projects[project.key] = project_created["projectId"]
        for dashboard in spec.dashboards:
            params = {
                "projectId": world.projects[dashboard.project],
                "dashboardName": dashboard.name,
                "dashboardDefinition": dashboard.definition,
                "clientToken": ids.token("CreateDashboard", dashboard.key),
            }
            _put_optional(params, "tags", spec.tags_for(dashboard.tags))
            dashboard_created = self.caller.call(
                f"CreateDashboard {dashboard.key}", self.client.create_dashboard, params
            )
            world.dashboards[dashboard.key] = dashboard_created["dashboardId"]
        for policy in spec.access_policies:
            resource = (
                {"portal": {"id": world.portals[policy.portal]}}
                if policy.portal is not None
                else {"project": {"id": world.projects[policy.project or ""]}}
            )
            params = {
                "accessPolicyIdentity": _identity(policy.identity_kind, policy.identity),
                "accessPolicyResource": resource,
                "accessPolicyPermission": policy.permission,
                "clientToken": ids.token("CreateAccessPolicy", policy.key),
            }
            _put_optional(params, "tags", spec.tags_for(policy.tags))
            policy_created = self.caller.call(
                f"CreateAccessPolicy {policy.key}", self.client.create_access_policy, params
            )
            world.access_policies[policy.key] = policy_created["accessPolicyId"]
        for gateway in spec.gateways:
            params = {
                "gatewayName": gateway.name,
                "gatewayPlatform": {"greengrassV2": {"coreDeviceThingName": gateway.core_device}},
            }
            _put_optional(params, "tags", spec.tags_for(gateway.tags))
            # CreateGateway takes no clientToken: only a throttled request (never applied) is safe to resend.
            gateway_created = self.caller.call(
                f"CreateGateway {gateway.key}",
                self.client.create_gateway,
                params,
                transient=frozenset({"ThrottlingException"}),
            )
            world.gateways[gateway.key] = gateway_created["gatewayId"]

    def _wait_portal(self, key: str, portal_id: str) -> None:
        def active() -> bool:
            status = self.client.describe_portal(portalId=portal_id)["portalStatus"]
            return check_state(f"portal {key}", status["state"], error=status.get("error"))

        self.caller.wait_until(f"portal {key} ACTIVE", active, timeout=self.timeout)

    # -- links after the hierarchy ------------------------------------------------------------------

    def _project_assets(self, world: SeededWorld) -> None:
        for project in self.spec.projects:
            project_id = world.projects[project.key]
            asset_ids = tuple(self.ids.asset(p) for p in project.assets)
            for start in range(0, len(asset_ids), _PROJECT_BATCH):
                batch = list(asset_ids[start : start + _PROJECT_BATCH])
                answer = self.caller.call(
                    f"BatchAssociateProjectAssets {project.key}",
                    self.client.batch_associate_project_assets,
                    {
                        "projectId": project_id,
                        "assetIds": batch,
                        "clientToken": self.ids.token("BatchAssociateProjectAssets", f"{project.key}#{start}"),
                    },
                )
                # A 200 is not proof: per-asset failures come back in errors[].
                if answer.get("errors"):
                    first = answer["errors"][0]
                    raise SeedError(
                        f"project {project.key}: asset {first.get('assetId')} not linked: "
                        f"{first.get('code')}: {first.get('message')}"
                    )
            world.project_assets[project_id] = asset_ids

    def _time_series(self, world: SeededWorld, pool: ThreadPoolExecutor) -> None:
        def bind(series_index: int) -> tuple[str, str]:
            series = self.spec.time_series[series_index]
            model_key = self.asset_models[series.asset]
            property_id = self.property_ids.get(model_key, {}).get(series.property) or self.ids.of(
                "property", f"{model_key}/{series.property}"
            )
            asset_id = self.ids.asset(series.asset)
            self.caller.call(
                f"AssociateTimeSeriesToAssetProperty {series.key}",
                self.client.associate_time_series_to_asset_property,
                {
                    "alias": series.alias,
                    "assetId": asset_id,
                    "propertyId": property_id,
                    "clientToken": self.ids.token("AssociateTimeSeriesToAssetProperty", series.key),
                },
            )
            described = self.caller.call(
                f"DescribeTimeSeries {series.key}", self.client.describe_time_series, {"alias": series.alias}
            )
            return series.key, described["timeSeriesId"]

        world.time_series.update(self._each(pool, bind, range(len(self.spec.time_series))))


def _identity(kind: str, value: str) -> dict[str, Any]:
    if kind == "iam_user":
        return {"iamUser": {"arn": value}}
    if kind == "iam_role":
        return {"iamRole": {"arn": value}}
    return {kind: {"id": value}}


def _put_optional(params: dict[str, Any], key: str, value: object) -> None:
    """Leave out what is empty: the service model refuses empty descriptions and empty tag maps."""
    if value:
        params[key] = value
