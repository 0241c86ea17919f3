"""Before the first mutation: is a saved plan still true, and does its own selection imply every action in it?

Both answers come from one re-read of the world with the plan's own selectors (on the one request path):

- **stale**: ``fingerprint.differences`` between what the plan saw and what is there now (a new child under
  a subtree, a new asset of a model, a new project link ...); resources already gone are fine.
- **implied**: the actions that selection implies over the world now (``build_actions``), against every
  action of the plan that has not finished. An action the selection does not imply (an edited plan whose
  digest was recomputed, a redirected request) is refused by name.

What the plan itself did in an earlier, interrupted run never counts against it: an asset it disassociated
stays its own (re-read as a root of the selection) until it is gone. A request whose effect the world
already shows (the link gone, the resource gone or DELETING) changes nothing when sent, so it passes.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any

import structlog
from botocore.exceptions import ClientError

from teardown.applying.observe import child_parent
from teardown.aws.calls import Calls
from teardown.aws.classify import error_code
from teardown.aws.discover import discover_present
from teardown.errors import SelectionRefused
from teardown.inventory.records import Inventory
from teardown.inventory.select import Selection, select
from teardown.inventory.selectors import SelectionSpec
from teardown.kinds import ActionKind
from teardown.planning.actions import Action, build_actions
from teardown.planning.fingerprint import differences, fingerprint
from teardown.planning.planfile import Plan

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Freshness:
    """``stale``: how the world moved under the plan; ``unimplied``: actions its selection does not imply."""

    stale: tuple[str, ...] = ()
    unimplied: tuple[str, ...] = ()


def check_plan(
    plan: Plan, calls: Calls, *, progressed: Collection[str] = (), finished: Collection[str] = ()
) -> Freshness:
    """Re-read what the plan touches and judge it. ``progressed`` names the actions an earlier run of this plan
    started (from its journal), ``finished`` those it finished: they will not be sent again."""
    pending = [a for a in plan.actions if a.id not in finished]
    if not pending:
        return Freshness()  # every action finished in an earlier run: nothing will be sent
    spec = _with_owned_roots(plan, calls, progressed)
    inventory, spec, _gone = discover_present(calls, spec, account=plan.account, region=plan.region,
                                              endpoint=plan.endpoint)
    selection: Selection | None = None
    if not spec.is_empty:
        try:
            selection = select(inventory, spec)
        except SelectionRefused as exc:
            return Freshness(stale=(f"the selection no longer closes cleanly: {exc}",))
    expected = {a.id: a for a in build_actions(inventory, selection)} if selection is not None else {}
    unimplied = tuple(
        f"{a.label or a.id} [{a.id}]: {why}" for a in pending
        if (why := _not_implied(a, expected, inventory, calls)) is not None
    )
    stale: tuple[str, ...] = ()
    if selection is not None:
        stale = tuple(differences(plan.fingerprint, fingerprint(inventory, selection), plan.actions, progressed))
    log.info("apply.checked", plan=plan.digest, stale=len(stale), unimplied=len(unimplied))
    return Freshness(stale=stale, unimplied=unimplied)


def find_stale(plan: Plan, calls: Calls, *, progressed: Collection[str] = ()) -> list[str]:
    """The staleness half of ``check_plan``: empty means the world still looks as the plan saw it."""
    return list(check_plan(plan, calls, progressed=progressed).stale)


def _with_owned_roots(plan: Plan, calls: Calls, progressed: Collection[str]) -> SelectionSpec:
    """The plan's selection, plus every asset an earlier run of this plan disassociated that is still there
    and has no parent: no longer under its subtree, yet still the plan's to delete."""
    spec = plan.spec
    owned = []
    for action in plan.actions:
        if action.kind is ActionKind.DISASSOCIATE_ASSET and action.id in progressed:
            child = str(action.params["childAssetId"])
            if child not in spec.subtrees and child_parent(calls, child) is None and _exists(calls, child):
                owned.append(child)
    return replace(spec, subtrees=(*spec.subtrees, *owned)) if owned else spec


def _exists(calls: Calls, asset_id: str) -> bool:
    try:
        calls.read("DescribeAsset", assetId=asset_id, excludeProperties=True)
    except ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return False
        raise
    return True


def _not_implied(
    action: Action,
    expected: Mapping[str, Action],
    inventory: Inventory,
    calls: Calls,
) -> str | None:
    """Why ``action`` is not what the plan's selection implies now, or None when it is."""
    if action.kind is ActionKind.DISASSOCIATE_PROJECT_ASSETS:
        return _unlink_not_implied(action, expected, inventory)
    derived = expected.get(action.id)
    if derived is not None:
        if _request(derived) == _request(action):
            return None
        return f"the selection implies {_request(derived)}, the plan says {_request(action)}"
    if _already_effective(action, calls):
        return None  # the world already shows its effect (an earlier run, or someone else): sending is a no-op
    return "the plan's selection does not imply it"


def _request(action: Action) -> dict[str, Any]:
    return {"kind": action.kind.value, "target": action.target, "params": dict(action.params),
            "model_id": action.model_id}


def _unlink_not_implied(action: Action, expected: Mapping[str, Action], inventory: Inventory) -> str | None:
    """Batches shift as assets leave a project, so unlinks are judged per asset: each must be one the selection
    unlinks from that project, or one already out of it (unlinking it again changes nothing)."""
    project_id = action.target
    wanted = {a for e in expected.values() if e.kind is action.kind and e.target == project_id
              for a in e.params["assetIds"]}
    project = inventory.projects.get(project_id)
    members = set(project.asset_ids) if project is not None else set()
    strays = sorted(a for a in action.params["assetIds"] if a in members and a not in wanted)
    return f"the selection does not unlink {', '.join(strays)} from project {project_id}" if strays else None


def _already_effective(action: Action, calls: Calls) -> bool:
    """The world shows the effect of this request: the link is gone, or the resource is gone or DELETING."""
    if action.kind is ActionKind.DISASSOCIATE_ASSET:
        return child_parent(calls, str(action.params["childAssetId"])) != action.target
    if action.kind is ActionKind.DISASSOCIATE_TIME_SERIES:
        return _series_asset(calls, action.target) != str(action.params["assetId"])
    describe = action.kind.spec.describe
    if not describe:
        return False
    try:
        answer = calls.read(describe, **{action.kind.spec.target_param: action.target})
    except ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return True
        raise
    states = [v.get("state") for k, v in answer.items() if k.endswith("Status") and isinstance(v, dict)]
    return "DELETING" in states


def _series_asset(calls: Calls, alias: str) -> str | None:
    """The asset the series named ``alias`` is bound to; None when it is bound to none, or gone."""
    try:
        bound: str | None = calls.read("DescribeTimeSeries", alias=alias).get("assetId")
    except ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return None
        raise
    return bound
