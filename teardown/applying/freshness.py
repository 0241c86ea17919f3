"""Before the first mutation: is a saved plan still true, and does its own selection imply every action in it?

Both answers come from one re-read of what the plan touches, with the plan's own selectors (on the one request
path, each quota family on its own lane): the account only for selectors that judge every asset, else a
subtree plan its subtrees, a model plan its models' assets and their possible parents, a Monitor plan Monitor
alone (``teardown.aws.discover.reads_account``); the series bound to assets (which only a review shows) are
not read again; dashboards and access policies only when the plan may delete projects or portals. A scan
does not list the children of the assets the plan saw childless where listing the models they may hold
takes fewer reads (``teardown.aws.discover_place``). Project links are always listed: there is no other
way to see a selected asset newly linked to a project, which would make its delete fail.

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

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import structlog
from botocore.exceptions import ClientError

from teardown.applying.effects import child_parent
from teardown.aws.answers import asset_from_describe, asset_from_summary
from teardown.aws.calls import Calls, CallStats
from teardown.aws.classify import error_code
from teardown.aws.discover import DiscoveryOptions, discover_present, reads_account
from teardown.aws.discover_place import PlanSight
from teardown.errors import SelectionRefused
from teardown.inventory.records import AssetRecord, Inventory
from teardown.inventory.select import Selection, select
from teardown.inventory.selectors import SelectionSpec
from teardown.kinds import ActionKind
from teardown.planning.actions import Action, build_actions
from teardown.planning.fingerprint import differences, fingerprint
from teardown.planning.planfile import Plan

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Freshness:
    """``stale``: how the world moved under the plan; ``unimplied``: actions its selection does not imply;
    ``reads``: the requests the check sent, by operation; ``top_level_kept``: where the check read the whole
    account, how many assets with no parent it found that the plan does not delete (None where it did not)."""

    stale: tuple[str, ...] = ()
    unimplied: tuple[str, ...] = ()
    reads: Mapping[str, int] = field(default_factory=dict)
    top_level_kept: int | None = None


def check_plan(
    plan: Plan, calls: Calls, *, progressed: Collection[str] = (), finished: Collection[str] = (),
    fresh_inventory: Inventory | None = None,
) -> Freshness:
    """Re-read what the plan touches and judge it. ``progressed`` names the actions an earlier run of this plan
    started (from its journal), ``finished`` those it finished: they will not be sent again.

    ``fresh_inventory``: what the caller read moments ago, the plan made from it at once (a scheduled reset):
    judged in place of a re-read, which would repeat those reads only to move the same window between reading
    and the first mutation later. The caller vouches that it is the world now. Not where an earlier run of the
    plan progressed (the world has moved since, by the plan's own doing), nor for another account or region."""
    pending = [a for a in plan.actions if a.id not in finished]
    if not pending:
        return Freshness()  # every action finished in an earlier run: nothing will be sent
    calls = calls.with_stats(CallStats())  # the check's own reads, counted apart from discovery's
    spec = plan.spec
    if fresh_inventory is not None and not progressed and _made_from(plan, fresh_inventory):
        return _judge(plan, pending, fresh_inventory, spec, calls, reread=False)
    # Bound series matter to a plan only where it keeps them (its fingerprint holds them then).
    options = DiscoveryOptions(tags=spec.needs_tags, monitor=spec.needs_monitor_details,
                               time_series=spec.keep_time_series)
    owned = _disassociated_children(plan, progressed)
    scan = reads_account(spec)
    if scan:
        options = replace(options, sight=plan_sight(plan))
    if owned and not scan:
        roots = _top_level(calls, plan, owned)
        spec = replace(spec, subtrees=(*spec.subtrees, *roots))
        options = replace(options, known_roots=tuple(roots.values()))
    inventory, spec, _gone = discover_present(calls, spec, account=plan.account, region=plan.region,
                                              endpoint=plan.endpoint, options=options)
    if owned and scan:
        # The account was read: the children it disassociated that are still there, with no parent, are in it.
        spec = replace(spec, subtrees=(*spec.subtrees, *(
            c for c in owned if c in inventory.assets and inventory.assets[c].parent is None)))
    return _judge(plan, pending, inventory, spec, calls, reread=True, progressed=progressed)


def _judge(
    plan: Plan, pending: list[Action], inventory: Inventory, spec: SelectionSpec, calls: Calls, *,
    reread: bool, progressed: Collection[str] = (),
) -> Freshness:
    """The plan against ``inventory``: what is stale, and which pending actions its selection does not imply.
    ``reread``: the check read ``inventory`` itself (its reads are the check's)."""
    selection: Selection | None = None
    if not spec.is_empty:
        try:
            selection = select(inventory, spec)
        except SelectionRefused as exc:
            return Freshness(stale=(f"the selection no longer closes cleanly: {exc}",),
                             reads=_reads(inventory if reread else None, calls))
    expected = {a.id: a for a in build_actions(inventory, selection)} if selection is not None else {}
    unimplied = tuple(
        f"{a.label or a.id} [{a.id}]: {why}" for a in pending
        if (why := _not_implied(a, expected, inventory, selection, calls)) is not None
    )
    stale: tuple[str, ...] = ()
    if selection is not None:
        stale = tuple(differences(plan.fingerprint, fingerprint(inventory, selection), plan.actions, progressed))
    reads = _reads(inventory if reread else None, calls)
    log.info("apply.checked", plan=plan.digest, stale=len(stale), unimplied=len(unimplied),
             reads=sum(reads.values()))
    return Freshness(stale=stale, unimplied=unimplied, reads=reads,
                     top_level_kept=_top_level_kept(plan, inventory) if reads_account(plan.spec) else None)


def _made_from(plan: Plan, inventory: Inventory) -> bool:
    """Whether ``inventory`` can be what ``plan`` was made from: another account's or region's is read again."""
    if (inventory.account, inventory.region) == (plan.account, plan.region):
        return True
    log.warning("apply.fresh_inventory_ignored", plan=plan.digest, inventory_account=inventory.account,
                inventory_region=inventory.region)
    return False


def _top_level_kept(plan: Plan, inventory: Inventory) -> int:
    deleted = plan.targets(ActionKind.DELETE_ASSET)
    return sum(1 for rid, asset in inventory.assets.items() if asset.parent is None and rid not in deleted)


def _reads(inventory: Inventory | None, calls: Calls) -> dict[str, int]:
    total = Counter(inventory.calls if inventory is not None else {})
    total.update(calls.stats.snapshot()["calls"])
    return dict(sorted(total.items()))


def find_stale(plan: Plan, calls: Calls, *, progressed: Collection[str] = ()) -> list[str]:
    """The staleness half of ``check_plan``: empty means the world still looks as the plan saw it."""
    return list(check_plan(plan, calls, progressed=progressed).stale)


def plan_sight(plan: Plan) -> PlanSight:
    """What the plan saw of the asset tree: the assets it saw with no children (with their models), and how many
    assets of each model it saw."""
    selected = {rid: entry for rid, entry in plan.fingerprint.items()
                if entry.get("kind") == "asset" and "model" in entry}  # a kept parent's entry names no model
    return PlanSight(childless={rid: str(e["model"]) for rid, e in selected.items() if e.get("children") == []},
                     per_model=Counter(str(e["model"]) for e in selected.values()))


def _disassociated_children(plan: Plan, progressed: Collection[str]) -> list[str]:
    """The children an earlier run of this plan disassociated (or began to), other than the plan's own roots:
    where one is still there without a parent it is no longer under its subtree, yet still the plan's. Only
    subtrees select by links: any other selector selects such a child as it did."""
    if not plan.spec.subtrees:
        return []
    return sorted({
        str(a.params["childAssetId"]) for a in plan.actions
        if a.kind is ActionKind.DISASSOCIATE_ASSET and a.id in progressed
        and a.params["childAssetId"] not in plan.spec.subtrees
    })


def _top_level(calls: Calls, plan: Plan, children: list[str]) -> dict[str, AssetRecord]:
    """Which of ``children`` are still there without a parent, as records: one listing of the top-level
    assets of each of their models (the plan's deletes name them), not two reads per child."""
    model_of = {a.target: a.model_id for a in plan.actions if a.kind is ActionKind.DELETE_ASSET and a.model_id}
    wanted = set(children)
    found: dict[str, AssetRecord] = {}
    for model_id in sorted({model_of[c] for c in children if c in model_of}):
        for summary in calls.pages("ListAssets", "assetSummaries", assetModelId=model_id, filter="TOP_LEVEL"):
            if summary["id"] in wanted:
                found[summary["id"]] = asset_from_summary(summary)
    for child in (c for c in children if c not in model_of):  # no delete names its model: ask the asset itself
        record = _top_level_asset(calls, child)
        if record is not None:
            found[child] = record
    return dict(sorted(found.items()))


def _top_level_asset(calls: Calls, asset_id: str) -> AssetRecord | None:
    if child_parent(calls, asset_id) is not None:
        return None
    try:
        return asset_from_describe(calls.read("DescribeAsset", assetId=asset_id, excludeProperties=True))
    except ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return None
        raise


def _not_implied(
    action: Action,
    expected: Mapping[str, Action],
    inventory: Inventory,
    selection: Selection | None,
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
    seen = _seen_effect(action, inventory, selection)
    if seen if seen is not None else _already_effective(action, calls):
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


def _seen_effect(action: Action, inventory: Inventory, selection: Selection | None) -> bool | None:
    """What the re-read already tells of an asset action's effect, where it tells the whole truth: a scan of
    the account lists every asset (DELETING included) with its parent, a subtree walk the parent of every
    asset it selects. None: ask the service."""
    if action.kind is ActionKind.DISASSOCIATE_ASSET:
        asset_id = str(action.params["childAssetId"])
    elif action.kind is ActionKind.DELETE_ASSET:
        asset_id = action.target
    else:
        return None
    if not (inventory.complete or (selection is not None and asset_id in selection.assets)):
        return None  # a kept parent of a subtree, or an asset the walk never met
    record = inventory.assets.get(asset_id)
    if record is None:
        return True
    if action.kind is ActionKind.DELETE_ASSET:
        return record.status == "DELETING"
    return record.parent is None or record.parent.asset_id != action.target


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
