"""The whole emulated account: resource stores, lookups, ids and the lazy state machine.

Transitions are lazy: a resource stores the (time, state) steps it will go through, a due-queue orders
them, and ``settle`` applies every step whose time has come. Nothing runs in the background, so a test on
a ManualClock sees exactly the states its ``advance`` calls allow.

List visibility is decided here too: with eventual consistency on (``ConsistencySettings``), resources
removed less than ``delete_lag`` ago are put back for the length of one List call (as ghosts, in the state
they were removed in), and resources created less than ``create_lag`` ago are left out of its answer.
"""

from __future__ import annotations

import dataclasses
import heapq
import random
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from teardown.emulator.clock import Clock
from teardown.emulator.errors import ResourceAlreadyExists, ResourceNotFound
from teardown.emulator.service.consistency import GHOST_KINDS, LISTED, ConsistencySettings
from teardown.emulator.service.failures import FailureDetails
from teardown.emulator.service.faults import FaultDice
from teardown.emulator.service.latency import LatencyKind, LatencyProfile
from teardown.emulator.service.quotas import QuotaSettings
from teardown.emulator.service.resources import (
    AccessPolicy,
    Asset,
    AssetModel,
    Dashboard,
    Gateway,
    Portal,
    Project,
    Stateful,
    TimeSeries,
)

GONE = "GONE"
EXTERNAL_PREFIX = "externalId:"


@dataclass(frozen=True)
class Ghost:
    """A removed resource that listings still show until ``until`` (eventual consistency)."""

    kind: str
    record: Stateful
    until: float


class World:
    """State of one account and region. Not thread-safe by itself: the backend holds the lock."""

    def __init__(
        self,
        *,
        clock: Clock,
        latency: LatencyProfile,
        quotas: QuotaSettings,
        dice: FaultDice,
        account_id: str,
        region: str,
        seed: int = 0,
        consistency: ConsistencySettings | None = None,
    ) -> None:
        self.clock = clock
        self.latency = latency
        self.quotas = quotas
        self.dice = dice
        self.consistency = consistency or ConsistencySettings()
        # The call being handled (the backend sets it), so a fault decided while scheduling knows its cause.
        self.operation = ""
        self.account_id = account_id
        self.region = region
        self._seed = seed
        self.clear()

    def clear(self) -> None:
        self.rng = random.Random(self._seed)
        self.models: dict[str, AssetModel] = {}
        self.assets: dict[str, Asset] = {}
        self.portals: dict[str, Portal] = {}
        self.projects: dict[str, Project] = {}
        self.dashboards: dict[str, Dashboard] = {}
        self.policies: dict[str, AccessPolicy] = {}
        self.gateways: dict[str, Gateway] = {}
        self.time_series: dict[str, TimeSeries] = {}
        self.tags: dict[str, dict[str, str]] = {}
        self.model_by_external: dict[str, str] = {}
        self.asset_by_external: dict[str, str] = {}
        self.assets_of_model: dict[str, dict[str, None]] = {}
        self.policies_on: dict[str, dict[str, None]] = {}
        self.series_by_alias: dict[str, str] = {}
        self.series_by_property: dict[tuple[str, str], str] = {}
        # asset id -> ids of the series bound to it, so deleting an asset does not scan every series.
        self.series_of_asset: dict[str, dict[str, None]] = {}
        # series id -> its data points by (seconds, nanos, quality rank); they go when the series goes.
        self.points: dict[str, dict[tuple[int, int, int], dict[str, Any]]] = {}
        # asset id -> property id -> the asset-level settings UpdateAssetProperty made (unit, notification).
        self.property_settings: dict[str, dict[str, dict[str, str]]] = {}
        # gateway id -> capability namespace -> configuration.
        self.capabilities: dict[str, dict[str, str]] = {}
        self._due: list[tuple[float, int, str, str, int]] = []
        self._seq = 0
        self.ghosts: dict[str, Ghost] = {}
        # resource id -> the status error it reports if its scheduled path ends FAILED.
        self._failures: dict[str, dict[str, Any]] = {}
        self._created = 0

    # ---- ids, arns, time -------------------------------------------------------------------------
    def now(self) -> float:
        return self.clock.now()

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def next_seq(self) -> int:
        """The next creation sequence number (never reused, so listing positions stay meaningful)."""
        self._created += 1
        return self._created

    def arn(self, kind: str, resource_id: str) -> str:
        return f"arn:aws:iotsitewise:{self.region}:{self.account_id}:{kind}/{resource_id}"

    def duration(self, kind: LatencyKind) -> float:
        return self.latency.duration(kind, self.rng)

    # ---- lookups (ids may be "externalId:X" for assets and models) -----------------------------------
    def model(self, ref: str) -> AssetModel:
        model_id = self._resolve(ref, self.model_by_external)
        found = self.models.get(model_id)
        if found is None:
            raise ResourceNotFound(f"Asset model {ref} not found.")
        return found

    def asset(self, ref: str) -> Asset:
        asset_id = self._resolve(ref, self.asset_by_external)
        found = self.assets.get(asset_id)
        if found is None:
            raise ResourceNotFound(f"Asset {ref} not found.")
        return found

    @staticmethod
    def _resolve(ref: str, by_external: dict[str, str]) -> str:
        if ref.startswith(EXTERNAL_PREFIX):
            return by_external.get(ref[len(EXTERNAL_PREFIX) :], ref)
        return ref

    def portal(self, portal_id: str) -> Portal:
        found = self.portals.get(portal_id)
        if found is None:
            raise ResourceNotFound(f"Portal {portal_id} not found.")
        return found

    def project(self, project_id: str) -> Project:
        found = self.projects.get(project_id)
        if found is None:
            raise ResourceNotFound(f"Project {project_id} not found.")
        return found

    def check_new_id(self, wanted: str | None, taken: dict[str, Any], kind: str, what: str) -> str:
        """A caller-chosen id (honoured, but unique) or a fresh one."""
        if wanted is None:
            return self.new_id()
        if wanted in taken:
            raise ResourceAlreadyExists(
                f"{what} with id {wanted} already exists.", resourceId=wanted, resourceArn=self.arn(kind, wanted)
            )
        return wanted

    # ---- lazy transitions ----------------------------------------------------------------------------
    def schedule(self, kind: str, resource: Stateful, steps: list[tuple[str, float]]) -> None:
        """Put ``resource`` on a path of (next state, seconds after the previous step) steps.

        An update (the resource is UPDATING, the path ends ACTIVE) ends FAILED instead when a fault says so.
        """
        resource.generation += 1
        self._failures.pop(resource.id, None)
        if (
            resource.state == "UPDATING"
            and steps
            and steps[-1][0] == "ACTIVE"
            and self.dice.update_fails(self.operation, resource.id)
        ):
            steps = [*steps[:-1], ("FAILED", steps[-1][1])]
            self._failures[resource.id] = self.dice.settings.fail_update_error.render(kind, resource.id, "update")
        at = self.now()
        resource.steps = []
        for state, seconds in steps:
            at += seconds
            resource.steps.append((at, state))
        if resource.steps:
            self._push(kind, resource)

    def begin_delete(self, kind: str, resource: Stateful, operation: str, latency: LatencyKind) -> None:
        """An asynchronous delete: DELETING now, then gone (or FAILED, when a fault says so) after ``latency``."""
        resource.state = "DELETING"
        resource.error = None
        resource.updated = self.now()
        fails = self.dice.delete_fails(operation, resource.id)
        self.schedule(kind, resource, [("FAILED" if fails else GONE, self.duration(latency))])
        if fails:
            self._failures[resource.id] = self.dice.settings.fail_delete_error.render(kind, resource.id, "deletion")

    def _push(self, kind: str, resource: Stateful) -> None:
        self._seq += 1
        heapq.heappush(self._due, (resource.steps[0][0], self._seq, kind, resource.id, resource.generation))

    def settle(self) -> None:
        now = self.now()
        while self._due and self._due[0][0] <= now:
            _, _, kind, resource_id, generation = heapq.heappop(self._due)
            resource = self._stateful(kind, resource_id)
            if resource is None or resource.generation != generation:
                continue
            while resource.steps and resource.steps[0][0] <= now:
                at, state = resource.steps.pop(0)
                self._enter(kind, resource, state, at)
                if state == GONE:
                    break
            if resource.steps and state != GONE:
                self._push(kind, resource)

    def _stateful(self, kind: str, resource_id: str) -> Stateful | None:
        if kind == "asset":
            return self.assets.get(resource_id)
        if kind == "model":
            return self.models.get(resource_id)
        return self.portals.get(resource_id)

    def _enter(self, kind: str, resource: Stateful, state: str, at: float) -> None:
        resource.updated = at
        if state == GONE:
            self._remove(kind, resource)
            if self.consistency.gone_lag > 0:
                self.ghosts[resource.id] = Ghost(kind, resource, at + self.consistency.gone_lag)
            return
        if state == "FAILED":
            failure = self._failures.pop(resource.id, None)
            resource.error = failure or FailureDetails().render(kind, resource.id, "operation")
        elif state == "ACTIVE":
            resource.error = None
        resource.state = state
        if isinstance(resource, AssetModel) and state == "ACTIVE":
            # Composite models and interface links deleted while the model was UPDATING go now.
            resource.composites = {k: c for k, c in resource.composites.items() if not c.deleting}
            resource.interfaces = {k: i for k, i in resource.interfaces.items() if not i.deleting}
            # The update has reached every asset: the LATEST version becomes the ACTIVE one.
            resource.activate()

    def _remove(self, kind: str, resource: Stateful) -> None:
        self.tags.pop(resource.arn, None)
        if isinstance(resource, Asset):
            del self.assets[resource.id]
            if resource.external_id is not None:
                self.asset_by_external.pop(resource.external_id, None)
            self.assets_of_model.get(resource.model_id, {}).pop(resource.id, None)
            self.property_settings.pop(resource.id, None)
            # Series bound to the asset go with it; disassociated ones survive.
            for series_id in list(self.series_of_asset.get(resource.id, {})):
                self.drop_series(self.time_series[series_id])
        elif isinstance(resource, AssetModel):
            del self.models[resource.id]
            if resource.external_id is not None:
                self.model_by_external.pop(resource.external_id, None)
            self.assets_of_model.pop(resource.id, None)
        elif isinstance(resource, Portal):
            del self.portals[resource.id]
        else:  # pragma: no cover - the due-queue only holds the three kinds above
            raise AssertionError(kind)

    def drop_series(self, series: TimeSeries) -> None:
        del self.time_series[series.id]
        self.points.pop(series.id, None)
        self.tags.pop(series.arn, None)
        if series.alias is not None:
            self.series_by_alias.pop(series.alias, None)
        self.unbind_series(series)

    def bind_series(self, series: TimeSeries, asset_id: str, property_id: str) -> None:
        series.asset_id, series.property_id = asset_id, property_id
        self.series_by_property[(asset_id, property_id)] = series.id
        self.series_of_asset.setdefault(asset_id, {})[series.id] = None

    def unbind_series(self, series: TimeSeries) -> None:
        if series.asset_id is not None and series.property_id is not None:
            self.series_by_property.pop((series.asset_id, series.property_id), None)
            bound = self.series_of_asset.get(series.asset_id, {})
            bound.pop(series.id, None)
            if not bound:
                self.series_of_asset.pop(series.asset_id, None)
        series.asset_id = series.property_id = None

    # ---- list visibility (eventual consistency) -------------------------------------------------------
    def lagging_list(self, operation: str, handler: Handler, params: Params) -> Answer:
        """Answer a List call as an eventually consistent index would: ghosts of recent removals included,
        resources younger than the create lag left out."""
        with self._ghosts_listed():
            answer = handler(self, params)
        lag = self.consistency.new_lag
        listed = LISTED.get(operation)
        if lag > 0 and listed is not None:
            member, key, store_name = listed
            store: dict[str, Any] = getattr(self, store_name)
            cutoff = self.now() - lag
            answer[member] = [
                row for row in answer.get(member, []) if (found := store.get(row.get(key))) is None
                or found.created <= cutoff
            ]
        return answer

    @contextmanager
    def _ghosts_listed(self) -> Iterator[None]:
        """Put the live ghosts back into the stores that listings read, and take them out again after."""
        now = self.now()
        self.ghosts = {rid: g for rid, g in self.ghosts.items() if g.until > now}
        restored: list[tuple[Ghost, bool]] = []
        for ghost in sorted(self.ghosts.values(), key=lambda g: GHOST_KINDS.index(g.kind)):
            record = ghost.record
            if isinstance(record, AssetModel) and record.id not in self.models:
                self.models[record.id] = record
                fresh = record.id not in self.assets_of_model
                self.assets_of_model.setdefault(record.id, {})
                restored.append((ghost, fresh))
            elif isinstance(record, Asset) and record.id not in self.assets and record.model_id in self.models:
                self.assets[record.id] = record
                self.assets_of_model[record.model_id][record.id] = None
                restored.append((ghost, False))
            elif isinstance(record, Portal) and record.id not in self.portals:
                self.portals[record.id] = record
                restored.append((ghost, False))
        try:
            yield
        finally:
            for ghost, fresh in reversed(restored):
                record = ghost.record
                if isinstance(record, AssetModel):
                    del self.models[record.id]
                    if fresh:
                        del self.assets_of_model[record.id]
                elif isinstance(record, Asset):
                    del self.assets[record.id]
                    self.assets_of_model[record.model_id].pop(record.id, None)
                else:
                    del self.portals[record.id]

    # ---- whole-state views -----------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        def rows(store: dict[str, Any]) -> list[dict[str, Any]]:
            return [dataclasses.asdict(item, dict_factory=_without_bookkeeping) for item in store.values()]

        return {
            "assetModels": rows(self.models),
            "assets": rows(self.assets),
            "portals": rows(self.portals),
            "projects": rows(self.projects),
            "dashboards": rows(self.dashboards),
            "accessPolicies": rows(self.policies),
            "gateways": rows(self.gateways),
            "timeSeries": rows(self.time_series),
            "tags": {arn: dict(tags) for arn, tags in self.tags.items()},
        }


def _without_bookkeeping(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A record as a snapshot shows it: ``seq`` (the listing order, which concurrent callers make vary from
    run to run) is not part of what a resource is."""
    return {k: v for k, v in pairs if k != "seq"}


Params = dict[str, Any]
Answer = dict[str, Any]
Handler = Callable[[World, Params], Answer]
