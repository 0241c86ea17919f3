"""Carrying out one action: a request with a deterministic clientToken on the one request path
(``teardown.aws.calls``), then its effect observed as the action kind table says (``Completion``).

``Executor.start`` sends one action and journals it; an action whose effect is asynchronous answers a
future of its ``ActionResult``, which the one ``EffectObserver`` resolves once the effect is seen, so the
request's slot is free while it settles (``Executor.run`` waits for it instead). Done means:

- DeleteAsset / DeleteAssetModel: done when the resource is gone; a 404 on the request is "already done";
- DisassociateAssets: the child is unlinked when the request is answered; done when the parent is ACTIVE
  again (it goes UPDATING); a refusal because the association no longer exists is "already done" once
  the child is seen without a parent;
- BatchDisassociateProjectAssets: a 200 is not proof; done when ListProjectAssets no longer shows them;
- DeleteDashboard / DeleteAccessPolicy / DeleteProject: immediate (204), so the answer is the effect;
- DeletePortal: asynchronous like an asset: done when DescribePortal answers 404.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog
from botocore.exceptions import BotoCoreError, ClientError

from teardown.applying.effects import (
    DONE,
    Effect,
    Verdict,
    asset_gone,
    assets_still_in_project,
    child_parent,
    model_gone,
    parent_settled,
    portal_gone,
)
from teardown.applying.observe import EffectObserver
from teardown.applying.report import Outcome
from teardown.aws.calls import Calls
from teardown.aws.classify import error_code, error_text
from teardown.aws.clock import Clock
from teardown.kinds import Completion
from teardown.planning.actions import Action

if TYPE_CHECKING:
    from teardown.applying.journal import Journal

log = structlog.get_logger(__name__)

# Fixed namespace: the same plan digest and action id give the same token on any machine, in any run.
_TOKEN_NAMESPACE = uuid.UUID("5d0f7a52-3f0e-4b61-9a8e-1c2b7f0e5a11")


def client_token(digest: str, action_id: str, attempt: int = 0) -> str:
    """The clientToken of one action of one plan: a UUID string (36 chars, within SiteWise's 36-64).

    ``attempt`` counts the earlier runs in which the action ended failed: a resend after a crash carries the
    same token (the service replays its answer), while a retry of a delete that ended FAILED needs a new one
    (with the old token the service would only replay the delete that failed).
    """
    suffix = f"/{attempt}" if attempt else ""
    return str(uuid.uuid5(_TOKEN_NAMESPACE, f"{digest}/{action_id}{suffix}"))


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


class _AlreadyDone(Exception):
    """The request found its work already done (resource gone, association absent)."""


class Executor:
    """Runs actions of one plan. Thread-safe: the walker calls ``run`` from its workers."""

    def __init__(
        self,
        calls: Calls,
        *,
        digest: str,
        clock: Clock,
        observer: EffectObserver,
        journal: Journal | None = None,
        models: Mapping[str, str] | None = None,
        top_level_reads: bool = False,
        deleted: Collection[str] = (),
        linked: Collection[str] = (),
    ) -> None:
        self.calls = calls
        self.digest = digest
        self.clock = clock
        self.observer = observer
        self.journal = journal
        # asset id -> model id, for every asset the plan knows: a parent's settling shows in its model's list.
        self.models = models or {}
        # Effects on assets with no parent confirmed by the account's one top-level list rather than each model's
        # (see ``_run``): every asset delete, and the settling of a parent the plan deletes once it has no parent
        # (``deleted`` are the assets the plan deletes, ``linked`` those of them still under a parent at the start;
        # one leaves ``linked`` when the request that unlinks it is answered).
        self.top_level_reads = top_level_reads
        self._deleted = frozenset(deleted)
        self._linked = set(linked)
        # Actions an earlier run left in flight: re-sent with the same token, which the service replays.
        self._resumed = journal.in_flight() if journal is not None else set()
        self._attempts = journal.failed_attempts() if journal is not None else {}
        # How each kind's completion is observed, from the kind table's Completion: an answer is the effect,
        # or an effect to expect.
        self._carry_out: dict[Completion, Callable[[Action, str], Verdict | Effect]] = {
            Completion.ASSET_GONE: self._delete_asset,
            Completion.MODEL_GONE: self._delete_model,
            Completion.PARENT_SETTLED: self._disassociate,
            Completion.LEFT_PROJECT: self._leave_project,
            Completion.ANSWERED: self._answered,
            Completion.PORTAL_GONE: self._delete_portal,
        }

    def run(self, action: Action) -> ActionResult:
        """Carry out ``action`` and wait until its effect is observed."""
        result = self.start(action, urgent=True)
        return result.result() if isinstance(result, Future) else result

    def hurry(self, action_id: str, stakes: float = math.inf) -> None:
        """Work of priority ``stakes`` waits for this action's effect now: the observer checks it as soon as
        it is due."""
        self.observer.hurry(action_id, stakes)

    def start(self, action: Action, *, urgent: bool = False) -> ActionResult | Future[ActionResult]:
        """Send ``action``; answer its result, or a future of it when its effect is still to be seen (checked
        lazily until ``hurry``, unless ``urgent``)."""
        token = client_token(self.digest, action.id, self._attempts.get(action.id, 0))
        started = self.clock.now()
        resumed = action.id in self._resumed
        self._record(action, "started", client_token=token, resumed=resumed or None)
        log.debug("apply.action_started", action=action.id, kind=action.kind.value, target=action.target,
                  resumed=resumed)
        try:
            answer = self._carry_out[action.kind.spec.completion](action, token)
        except _AlreadyDone:
            return self._finish(action, token, started, Outcome.ALREADY_DONE, None)
        except (ClientError, BotoCoreError) as exc:
            return self._finish(action, token, started, Outcome.FAILED, error_text(exc))
        if isinstance(answer, Verdict):
            return self._finish(action, token, started, *_outcome(answer))
        outcome: Future[ActionResult] = Future()

        def effect_seen(verdict: Future[Verdict]) -> None:
            try:
                outcome.set_result(self._finish(action, token, started, *_outcome(verdict.result())))
            except Exception as exc:  # a journal that cannot be written fails the action, never hangs it
                outcome.set_exception(exc)

        self.observer.expect(answer, self.clock.now(), key=action.id, urgent=urgent).add_done_callback(effect_seen)
        return outcome

    def _finish(self, action: Action, token: str, started: float, outcome: Outcome, error: str | None) -> ActionResult:
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
            response = self.calls.mutate(action.kind.operation, **action.params, **action.kind.spec.token(token))
        except ClientError as exc:
            if gone_is_done and error_code(exc) == "ResourceNotFoundException":
                raise _AlreadyDone from exc
            raise
        self._record(action, "sent")
        return response

    def _delete_asset(self, action: Action, token: str) -> Effect:
        self._request(action, token)
        return asset_gone(action.target, action.model_id or self.models.get(action.target),
                          top_level=self.top_level_reads)

    def _delete_model(self, action: Action, token: str) -> Effect:
        self._request(action, token)
        return model_gone(action.target)

    def _answered(self, action: Action, token: str) -> Verdict:
        self._request(action, token)  # answered 204 once the resource is gone: the answer is the effect
        return DONE

    def _delete_portal(self, action: Action, token: str) -> Effect:
        self._request(action, token)
        return portal_gone(action.target)

    def _disassociate(self, action: Action, token: str) -> Effect:
        # The walk runs one disassociation touching an asset at a time (``teardown.applying.schedule``),
        # so the parent is ours until it is ACTIVE again.
        parent = str(action.params["assetId"])
        child = str(action.params["childAssetId"])
        try:
            self._request(action, token)
        except ClientError as exc:
            # Refused because the association is already gone (a resumed run, a manual fix): fine if so.
            if error_code(exc) == "InvalidRequestException" and child_parent(self.calls, child) != parent:
                self._linked.discard(child)
                raise _AlreadyDone from exc
            raise
        self._linked.discard(child)
        top_level = self.top_level_reads and parent in self._deleted and parent not in self._linked
        return parent_settled(parent, self.models.get(parent), top_level=top_level)

    def _leave_project(self, action: Action, token: str) -> Verdict:
        project = str(action.params["projectId"])
        asset_ids = [str(a) for a in action.params["assetIds"]]
        response = self._request(action, token)
        errors = response.get("errors", [])
        # A 200 is not proof: per-asset errors come back in errors[]; the project's list is the truth.
        remaining = assets_still_in_project(self.calls, project, asset_ids)
        if remaining:
            reasons = "; ".join(f"{e.get('assetId')}: {e.get('code')}: {e.get('message')}" for e in errors)
            return Verdict(False, f"still in project {project}: {', '.join(remaining)}"
                           + (f" ({reasons})" if reasons else ""))
        if errors and len(errors) == len(asset_ids):
            raise _AlreadyDone  # every asset had already left the project
        return Verdict(True)


def _outcome(verdict: Verdict) -> tuple[Outcome, str | None]:
    return (Outcome.DONE, None) if verdict.done else (Outcome.FAILED, verdict.error)
