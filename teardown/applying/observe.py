"""Observing that an action took effect, economically.

A delete is done when the resource is gone (404, or absent from a list), not when it says DELETING; a
delete that ends FAILED fails with the service's error text. ``BatchedObserver`` shares one list call
among every waiter: one ListAssets(assetModelId, ALL) per model per poll round confirms all that model's
asset deletes, one ListAssetModels round confirms all model deletes. ``PerResourceObserver`` polls one
Describe per resource (what botocore's waiters do); it exists to be compared against, and as the
fallback for an asset delete whose model is unknown.

Waits are on the injected clock; reads go through the one request path (``Calls``: paced, retried, counted).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import structlog
from botocore.exceptions import ClientError

from teardown.aws.calls import Calls
from teardown.aws.classify import error_code
from teardown.aws.clock import Clock
from teardown.kinds import KINDS, ActionKind

log = structlog.get_logger(__name__)

ALL_MODEL_TYPES = ("ASSET_MODEL", "COMPONENT_MODEL", "INTERFACE")


@dataclass(frozen=True)
class ObserveSettings:
    interval: float = 1.0  # seconds between polls of one resource or one list
    # Between polls of a parent settling after a disassociation: the next disassociation touching it waits
    # on this, so it sits on the critical path of every deep tree; a DescribeAsset is cheap.
    settle_interval: float = 0.5
    # Give up waiting for one action's effect after this long; None: the kind table's deadline for its kind.
    timeout: float | None = None

    def deadline(self, kind: ActionKind) -> float:
        return self.timeout if self.timeout is not None else KINDS[kind].deadline


@dataclass(frozen=True)
class Verdict:
    """``done`` when the effect was observed; otherwise ``error`` says why the action failed."""

    done: bool
    error: str | None = None


DONE = Verdict(True)
DEFAULT_OBSERVE = ObserveSettings()
# How failures and deadlines name what was deleted.
_NOUNS = {ActionKind.DELETE_ASSET: "asset", ActionKind.DELETE_ASSET_MODEL: "asset model",
          ActionKind.DELETE_PORTAL: "portal"}


def _status_text(status: dict[str, Any]) -> str:
    error = status.get("error") or {}
    code = error.get("code", "")
    message = error.get("message", "")
    details = "; ".join(d.get("message", "") for d in error.get("details", []) if d.get("message"))
    text = ": ".join(p for p in (code, message) if p) or "no error details given"
    return f"{text} ({details})" if details else text


def _failed(kind: str, rid: str, status: dict[str, Any]) -> Verdict:
    return Verdict(False, f"delete of {kind} {rid} ended FAILED: {_status_text(status)}")


class Observer(Protocol):
    def asset_gone(self, asset_id: str, model_id: str | None, since: float) -> Verdict: ...
    def model_gone(self, model_id: str, since: float) -> Verdict: ...


@dataclass
class _Snapshot:
    taken_at: float
    generation: int
    # id -> status structure ({"state": ..., "error": ...}) of everything the list showed
    statuses: dict[str, dict[str, Any]]


class _Group:
    """Waiters on the same list share its latest snapshot; the lock makes only one of them poll."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.snapshot: _Snapshot | None = None


class BatchedObserver:
    """One list call per model (assets) or for all models, per poll round, shared by every waiter."""

    def __init__(self, calls: Calls, clock: Clock, settings: ObserveSettings = DEFAULT_OBSERVE) -> None:
        self.calls = calls
        self.clock = clock
        self.settings = settings
        self._groups: dict[str, _Group] = {}
        self._groups_lock = threading.Lock()
        self._fallback = PerResourceObserver(calls, clock, settings)

    def asset_gone(self, asset_id: str, model_id: str | None, since: float) -> Verdict:
        if model_id is None:
            return self._fallback.asset_gone(asset_id, None, since)
        return self._wait(f"assets:{model_id}", ActionKind.DELETE_ASSET, asset_id, since,
                          lambda: self._list_assets(model_id))

    def model_gone(self, model_id: str, since: float) -> Verdict:
        return self._wait("models", ActionKind.DELETE_ASSET_MODEL, model_id, since, self._list_models)

    def _group(self, key: str) -> _Group:
        with self._groups_lock:
            return self._groups.setdefault(key, _Group())

    def _wait(
        self, key: str, action: ActionKind, rid: str, since: float, poll: Callable[[], dict[str, dict[str, Any]]]
    ) -> Verdict:
        group = self._group(key)
        kind = _NOUNS[action]
        limit = self.settings.deadline(action)
        deadline = since + limit
        seen = -1
        while True:
            # Wait first: a delete is never done the instant it is accepted on the real service.
            self.clock.sleep(self.settings.interval)
            with group.lock:
                snap = group.snapshot
                # A snapshot taken before our request was accepted proves nothing, and one we already
                # judged says nothing new; any other (another waiter's poll of this round) is shared.
                if snap is None or snap.taken_at < since or snap.generation <= seen:
                    generation = snap.generation + 1 if snap is not None else 0
                    snap = _Snapshot(self.clock.now(), generation, poll())
                    group.snapshot = snap
            seen = snap.generation
            status = snap.statuses.get(rid)
            if status is None:
                return DONE
            if status.get("state") == "FAILED":
                return _failed(kind, rid, status)
            if self.clock.now() >= deadline:
                return Verdict(False, f"{kind} {rid} still {status.get('state')} after {limit:g}s (its deadline)")

    def _list_assets(self, model_id: str) -> dict[str, dict[str, Any]]:
        try:
            return {
                a["id"]: a.get("status", {})
                for a in self.calls.pages("ListAssets", "assetSummaries", assetModelId=model_id, filter="ALL")
            }
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return {}  # the model is gone, so are all its assets
            raise

    def _list_models(self) -> dict[str, dict[str, Any]]:
        return {
            m["id"]: m.get("status", {})
            for m in self.calls.pages(
                "ListAssetModels", "assetModelSummaries", assetModelTypes=list(ALL_MODEL_TYPES)
            )
        }


class PerResourceObserver:
    """One Describe per resource per poll round, until 404 (what botocore's waiters do)."""

    def __init__(self, calls: Calls, clock: Clock, settings: ObserveSettings = DEFAULT_OBSERVE) -> None:
        self.calls = calls
        self.clock = clock
        self.settings = settings

    def asset_gone(self, asset_id: str, model_id: str | None, since: float) -> Verdict:
        return wait_gone(self.calls, self.clock, ActionKind.DELETE_ASSET, asset_id, since=since, settings=self.settings)

    def model_gone(self, model_id: str, since: float) -> Verdict:
        return wait_gone(self.calls, self.clock, ActionKind.DELETE_ASSET_MODEL, model_id, since=since,
                         settings=self.settings)


def wait_gone(
    calls: Calls, clock: Clock, kind: ActionKind, rid: str, *, since: float, settings: ObserveSettings = DEFAULT_OBSERVE
) -> Verdict:
    """An asynchronous delete is done when the kind's Describe answers 404; failed if it ends FAILED, or is
    still there at the kind's deadline."""
    spec = KINDS[kind]
    limit = settings.deadline(kind)
    while True:
        clock.sleep(settings.interval)
        try:
            answer = calls.read(spec.describe, **{spec.target_param: rid})
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return DONE
            raise
        status = next((v for k, v in answer.items() if k.endswith("Status") and isinstance(v, dict)), {})
        if status.get("state") == "FAILED":
            return _failed(_NOUNS[kind], rid, status)
        if clock.now() >= since + limit:
            return Verdict(False, f"{_NOUNS[kind]} {rid} still {status.get('state')} after {limit:g}s (its deadline)")


def wait_disassociated(
    calls: Calls, clock: Clock, parent_id: str, child_id: str, settings: ObserveSettings = DEFAULT_OBSERVE
) -> Verdict:
    """Done when the parent is ACTIVE again (no longer UPDATING) and the child has no parent."""
    limit = settings.deadline(ActionKind.DISASSOCIATE_ASSET)
    deadline = clock.now() + limit
    while True:
        clock.sleep(settings.settle_interval)
        try:
            state = calls.read("DescribeAsset", assetId=parent_id).get("assetStatus", {}).get("state")
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return DONE  # no parent, no association
            raise
        if state == "ACTIVE":
            if child_parent(calls, child_id) != parent_id:
                return DONE
            return Verdict(False, f"asset {child_id} is still associated to {parent_id} after the parent settled")
        if state == "FAILED":
            return Verdict(False, f"parent asset {parent_id} went FAILED during the disassociation")
        if clock.now() >= deadline:
            return Verdict(False, f"parent asset {parent_id} still {state} after {limit:g}s (its deadline)")


def child_parent(calls: Calls, child_id: str) -> str | None:
    """The parent asset of ``child_id``, None when it has none or is gone."""
    try:
        response = calls.read("ListAssociatedAssets", assetId=child_id, traversalDirection="PARENT")
    except ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return None
        raise
    summaries = response.get("assetSummaries", [])
    return str(summaries[0]["id"]) if summaries else None


def assets_still_in_project(calls: Calls, project_id: str, asset_ids: list[str]) -> list[str]:
    """Which of ``asset_ids`` the project still holds (ListProjectAssets declares no 404: a project that is
    gone lists no assets, so none is still in it)."""
    present = set(calls.pages("ListProjectAssets", "assetIds", projectId=project_id))
    return [a for a in asset_ids if a in present]
