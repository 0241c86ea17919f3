"""Carrying out one action: a request with a deterministic clientToken, retried, then its effect observed.

``Caller`` is the gate every request of an apply passes through: paced per quota family, retried by the
named policies of ``teardown.retry``, counted per operation. ``Executor.run`` sends one action, journals
its progress, and answers an ``ActionResult`` only once the effect is observed:

- DeleteAsset / DeleteAssetModel: done when the resource is gone; a 404 on the request is "already done";
- DisassociateAssets: done when the parent is ACTIVE again and the child has no parent; a refusal
  because the association no longer exists is "already done" once the child is seen without a parent;
- BatchDisassociateProjectAssets: a 200 is not proof; done when ListProjectAssets no longer shows them;
- DeleteDashboard / DeleteAccessPolicy / DeleteProject: immediate (204), so the answer is the effect;
- DeletePortal: asynchronous like an asset: done when DescribePortal answers 404.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import structlog
import tenacity
from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError

from teardown.clock import Clock
from teardown.model import Action, ActionKind, Outcome
from teardown.observe import (
    DEFAULT_OBSERVE,
    DONE,
    BatchedObserver,
    Observer,
    ObserveSettings,
    Verdict,
    assets_still_in_project,
    child_parent,
    wait_disassociated,
    wait_portal_gone,
)
from teardown.ratelimit import RateLimiter, family_of
from teardown.retry import (
    DEFAULT_RETRY,
    RetryHook,
    RetrySettings,
    error_code,
    error_text,
    is_throttling,
    mutation_policy,
    read_policy,
)

if TYPE_CHECKING:
    from teardown.journal import Journal

log = structlog.get_logger(__name__)

# Fixed namespace: the same plan digest and action id give the same token on any machine, in any run.
_TOKEN_NAMESPACE = uuid.UUID("5d0f7a52-3f0e-4b61-9a8e-1c2b7f0e5a11")


def client_token(digest: str, action_id: str) -> str:
    """The clientToken of one action of one plan: a UUID string (36 chars, within SiteWise's 36-64)."""
    return str(uuid.uuid5(_TOKEN_NAMESPACE, f"{digest}/{action_id}"))


@dataclass
class CallStats:
    """Requests sent (attempts included), retries and throttles, per operation; thread-safe."""

    calls: Counter[str] = field(default_factory=Counter)
    retries: Counter[str] = field(default_factory=Counter)
    throttles: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, counter: Counter[str], operation: str) -> None:
        with self._lock:
            counter[operation] += 1

    def snapshot(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {
                "calls": dict(sorted(self.calls.items())),
                "retries": dict(sorted(self.retries.items())),
                "throttles": dict(sorted(self.throttles.items())),
            }


class Caller:
    """Sends requests by operation name: paced, retried, counted. Reads by calling it, mutations by ``mutate``."""

    def __init__(
        self,
        client: Any,
        clock: Clock,
        *,
        limiter: RateLimiter | None = None,
        retry: RetrySettings = DEFAULT_RETRY,
        stats: CallStats | None = None,
    ) -> None:
        self.client = client
        self.clock = clock
        self.limiter = limiter or RateLimiter(clock)
        self.retry = retry
        self.stats = stats or CallStats()

    def __call__(self, operation: str, /, **params: Any) -> dict[str, Any]:
        return self._send(read_policy, operation, params)

    def mutate(self, operation: str, /, **params: Any) -> dict[str, Any]:
        return self._send(mutation_policy, operation, params)

    def _send(
        self,
        policy: Callable[[Clock, RetrySettings, RetryHook | None], tenacity.Retrying],
        operation: str,
        params: Mapping[str, Any],
    ) -> dict[str, Any]:
        method = getattr(self.client, xform_name(operation))
        family = family_of(operation)

        def attempt() -> dict[str, Any]:
            self.limiter.acquire(family)
            self.stats.count(self.stats.calls, operation)
            try:
                response: dict[str, Any] = method(**params)
            except ClientError as exc:
                if is_throttling(exc):
                    self.stats.count(self.stats.throttles, operation)
                    self.limiter.throttled(family)
                raise
            self.limiter.succeeded(family)
            return response

        def on_retry(exc: BaseException, attempt_number: int, wait: float) -> None:
            self.stats.count(self.stats.retries, operation)
            log.info("apply.retry", operation=operation, attempt=attempt_number, wait=round(wait, 3),
                     error=error_text(exc))

        result: dict[str, Any] = policy(self.clock, self.retry, on_retry)(attempt)
        return result


@dataclass(frozen=True)
class ActionResult:
    action_id: str
    outcome: Outcome
    started_at: float
    finished_at: float
    error: str | None = None
    client_token: str | None = None

    @property
    def duration(self) -> float:
        return max(0.0, self.finished_at - self.started_at)


# Monitor deletes that the service carries out before it answers (no DELETING state).
_IMMEDIATE_DELETES = (ActionKind.DELETE_DASHBOARD, ActionKind.DELETE_ACCESS_POLICY, ActionKind.DELETE_PROJECT)


class _AlreadyDone(Exception):
    """The request found its work already done (resource gone, association absent)."""


class Executor:
    """Runs actions of one plan. Thread-safe: the walker calls ``run`` from its workers."""

    def __init__(
        self,
        caller: Caller,
        *,
        digest: str,
        clock: Clock,
        observer: Observer | None = None,
        observe: ObserveSettings = DEFAULT_OBSERVE,
        journal: Journal | None = None,
    ) -> None:
        self.caller = caller
        self.digest = digest
        self.clock = clock
        self.observe = observe
        self.observer = observer or BatchedObserver(caller, clock, observe)
        self.journal = journal
        # Actions an earlier run left in flight: re-sent with the same token, which the service replays.
        self._resumed = journal.in_flight() if journal is not None else set()

    def run(self, action: Action) -> ActionResult:
        token = client_token(self.digest, action.id)
        started = self.clock.now()
        resumed = action.id in self._resumed
        self._record(action, "started", client_token=token, resumed=resumed or None)
        log.debug("apply.action_started", action=action.id, kind=action.kind.value, target=action.target,
                  resumed=resumed)
        try:
            verdict = self._carry_out(action, token)
            outcome = Outcome.DONE if verdict.done else Outcome.FAILED
            error = verdict.error
        except _AlreadyDone:
            outcome, error = Outcome.ALREADY_DONE, None
        except (ClientError, BotoCoreError) as exc:
            outcome, error = Outcome.FAILED, error_text(exc)
        result = ActionResult(action.id, outcome, started, self.clock.now(), error, token)
        self._record(action, outcome.value, error=error, duration=round(result.duration, 3))
        log.info("apply.action_finished", action=action.id, kind=action.kind.value, target=action.target,
                 outcome=outcome.value, error=error)
        return result

    def _record(self, action: Action, event: str, **fields: Any) -> None:
        if self.journal is not None:
            self.journal.record(action.id, event, at=self.clock.now(), **fields)

    def _request(self, action: Action, token: str, *, gone_is_done: bool = True) -> dict[str, Any]:
        try:
            response = self.caller.mutate(action.kind.operation, **action.params, clientToken=token)
        except ClientError as exc:
            if gone_is_done and error_code(exc) == "ResourceNotFoundException":
                raise _AlreadyDone from exc
            raise
        self._record(action, "sent")
        return response

    def _carry_out(self, action: Action, token: str) -> Verdict:
        if action.kind is ActionKind.DELETE_ASSET:
            self._request(action, token)
            return self.observer.asset_gone(action.target, action.model_id, self.clock.now())
        if action.kind is ActionKind.DELETE_ASSET_MODEL:
            self._request(action, token)
            return self.observer.model_gone(action.target, self.clock.now())
        if action.kind is ActionKind.DISASSOCIATE_ASSET:
            return self._disassociate(action, token)
        if action.kind is ActionKind.DISASSOCIATE_PROJECT_ASSETS:
            return self._leave_project(action, token)
        if action.kind in _IMMEDIATE_DELETES:
            self._request(action, token)  # answered 204 once the resource is gone: the answer is the effect
            return DONE
        if action.kind is ActionKind.DELETE_PORTAL:
            self._request(action, token)
            return wait_portal_gone(self.caller, self.clock, action.target, self.observe)
        raise ValueError(f"unknown action kind {action.kind}")

    def _disassociate(self, action: Action, token: str) -> Verdict:
        # The plan orders disassociations touching one asset one after another (Action.after), so no
        # sibling is in flight here: the parent is ours until it is ACTIVE again.
        parent = str(action.params["assetId"])
        child = str(action.params["childAssetId"])
        try:
            self._request(action, token)
        except ClientError as exc:
            # Refused because the association is already gone (a resumed run, a manual fix): fine if so.
            if error_code(exc) == "InvalidRequestException" and child_parent(self.caller, child) != parent:
                raise _AlreadyDone from exc
            raise
        return wait_disassociated(self.caller, self.clock, parent, child, self.observe)

    def _leave_project(self, action: Action, token: str) -> Verdict:
        project = str(action.params["projectId"])
        asset_ids = [str(a) for a in action.params["assetIds"]]
        response = self._request(action, token)
        errors = response.get("errors", [])
        # A 200 is not proof: per-asset errors come back in errors[]; the project's list is the truth.
        remaining = assets_still_in_project(self.caller, project, asset_ids)
        if remaining:
            reasons = "; ".join(f"{e.get('assetId')}: {e.get('code')}: {e.get('message')}" for e in errors)
            return Verdict(False, f"still in project {project}: {', '.join(remaining)}"
                           + (f" ({reasons})" if reasons else ""))
        if errors and len(errors) == len(asset_ids):
            raise _AlreadyDone  # every asset had already left the project
        return Verdict(True)
