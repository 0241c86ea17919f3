"""Apply a reviewed plan: every guard first, then walk its action graph, journaled and resumable.

Before anything is touched (each refusal raises and sends not one mutating call): the plan file's format,
strict per-kind schema and digest (``load_plan``), the digest that was reviewed (``expect_digest``), the
caller's account and region against the plan's, the lock (``ApplyLocked``), the journal's plan digest,
the freshness check (``check_plan``: every pending action implied by the plan's own selection over the
world now, and the world still as the plan saw it), ``max_deletes``, and the confirmation (default no)
unless ``auto_approve``.

Then the DAG walk (``teardown.applying.schedule`` says in what order): each action started as soon as
what it depends on is done, longest remaining path first, ``workers`` requests in flight per quota family
(more where the family's rate times its answer time needs more), paced, retried; a request's slot is free
once it is answered, while one observer confirms effects in batches. Finished actions of an earlier run (per
the journal) are not sent again; in-flight ones are re-sent with the same clientToken.
``stop`` (Ctrl-C) starts nothing new.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog

from teardown.applying.effects import DEFAULT_OBSERVE, TOP_LEVEL_GROUP, ObserveSettings, model_group
from teardown.applying.execute import ActionResult, Executor
from teardown.applying.freshness import Freshness, check_plan
from teardown.applying.heap import long_lived
from teardown.applying.journal import Journal, load_records
from teardown.applying.lock import LOCAL_HOLD, PlanHold
from teardown.applying.observe import OBSERVER_READERS, EffectObserver
from teardown.applying.paths import archive_path, journal_path, report_path
from teardown.applying.progress import Progress, Tracker
from teardown.applying.report import ActionReport, ApplyReport, Outcome
from teardown.applying.schedule import Schedule, asset_models, lane_of, prepared
from teardown.applying.walk import EventKind, WalkEvent, walk
from teardown.archive.capture import ensure_archive
from teardown.aws.calls import PAGE_SIZE, Calls, CallStats
from teardown.aws.clock import Clock, SystemClock
from teardown.aws.lanes import connections_for
from teardown.aws.pacing import DEFAULT_RATES, AdaptiveSettings, RateLimiter, account_rates
from teardown.aws.retry import DEFAULT_RETRY, RetrySettings
from teardown.aws.target import AwsTarget, caller_identity, sitewise_client
from teardown.errors import BadInputError, PlanRefused
from teardown.inventory.records import Inventory
from teardown.kinds import ActionKind
from teardown.planning.actions import Action
from teardown.planning.planfile import Plan, load_plan

log = structlog.get_logger(__name__)

DELETE_KINDS = tuple(kind for kind in ActionKind if kind.is_delete)
# Requests in flight per quota family. A slot is held only while its request is answered (effects are
# awaited without one), and the rate limiter, not the slots, bounds request rates: a few slots keep a
# family busy, and few requests queue at the limiter ahead of a more urgent one.
DEFAULT_WORKERS = 8
# Where answers take long against the family's rate (a raised quota, a far region, a busy client), a family
# may have more in flight: twice what its rate times its answer time needs, up to this many times ``workers``.
IN_FLIGHT_MARGIN = 2.0
MAX_WORKERS_FACTOR = 4
# Finished actions between two freezes of what the run keeps (``teardown.applying.heap``): unfrozen, their
# records make the collector's full passes longer as the run goes on (at 10,000 assets, past 100 ms each).
KEEP_EVERY = 100
IdentityProvider = Callable[[], tuple[str, str]]


@dataclass(frozen=True)
class ApplySummary:
    """What the user confirms: counts per action kind, and how much an earlier run already did."""

    plan_digest: str
    account: str
    region: str
    counts: Mapping[str, int]
    total: int
    deletes: int
    already_finished: int

    @property
    def to_run(self) -> int:
        return self.total - self.already_finished

    def describe(self) -> str:
        parts = ", ".join(f"{n} {kind}" for kind, n in self.counts.items())
        resumed = f" ({self.already_finished} already finished by an earlier run)" if self.already_finished else ""
        return f"{self.total} actions in {self.account}/{self.region}: {parts}{resumed}"


def apply(
    plan: Plan | str | Path,
    *,
    target: AwsTarget | None = None,
    client: Any | None = None,
    identity: IdentityProvider | None = None,
    confirm: Callable[[ApplySummary], bool] | None = None,
    auto_approve: bool = False,
    max_deletes: int | None = None,
    expect_digest: str | None = None,
    workers: int = DEFAULT_WORKERS,
    clock: Clock | None = None,
    stop: threading.Event | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    plan_path: str | Path | None = None,
    report_file: str | Path | None = None,
    rates: Mapping[str, float] | None = None,
    adaptive: bool = True,
    retry: RetrySettings = DEFAULT_RETRY,
    observe: ObserveSettings = DEFAULT_OBSERVE,
    archive: bool = True,
    state: PlanHold = LOCAL_HOLD,
    fresh_inventory: Inventory | None = None,
) -> ApplyReport:
    """Apply ``plan`` (a Plan or a plan file path). See the module docstring for the order of guards.

    ``client`` (boto3 iotsitewise) and ``identity`` (answers ``(account, region)``) default to ones built
    from ``target``; every request goes through one ``Calls`` (paced by ``rates``, retried by ``retry``).
    The journal and report live beside ``plan_path`` (the plan file when a path is given; else
    ``./<digest>.plan``); the lock is per plan digest, held through ``state`` (``teardown.applying.lock``).
    Before the first mutation the archive of what the plan deletes is written beside it
    (``PLAN.archive.json``) unless ``archive`` is False. ``fresh_inventory``: the inventory ``plan`` was made
    from moments ago, judged in place of the freshness check's re-read (``check_plan``; a scheduled reset's).
    """
    clock = clock or SystemClock()
    if not isinstance(plan, Plan):
        plan_path = Path(plan)
        plan = load_plan(plan_path)
    if expect_digest is not None:
        _check_digest(plan, expect_digest)
    base = Path(plan_path) if plan_path is not None else Path(f"{plan.digest.removeprefix('sha256:')[:16]}.plan")
    target = target or AwsTarget()

    account, region = identity() if identity else _identity(target, client, clock)
    if (account, region) != (plan.account, plan.region):
        raise PlanRefused(
            f"plan was made for account {plan.account} in {plan.region}, "
            f"but the credentials act in account {account} in {region}"
        )
    run_client = client
    if client is None:
        # A connection for every request slot (the stale check's discovery lanes; the walk's, at most
        # ``MAX_WORKERS_FACTOR * workers`` per quota family, and the observer's reads): none waits for one.
        # Neither client parses a date (most of a list page's CPU): the run reads states only, the check and
        # the archive read dates as epoch seconds (``answers.epoch``) or not at all.
        client = sitewise_client(target, pool=connections_for(account_rates(rates), workers), wire_timestamps=True)
        run_client = sitewise_client(target, pool=workers * MAX_WORKERS_FACTOR * len(DEFAULT_RATES) + OBSERVER_READERS,
                                     wire_timestamps=True)
    calls = Calls(client, clock, limiter=RateLimiter(clock, rates, adaptive=AdaptiveSettings(enabled=adaptive)),
                  retry=retry)

    # The plan, the walk's schedule and what the run keeps of each action live until it ends: held frozen,
    # no full collection walks them (``teardown.applying.heap``). The lock is per digest: copies share it.
    with state.held(plan.digest, base), long_lived() as keep:
        records, _ = load_records(journal_path(base), plan.digest)
        finished = {aid for aid, rec in records.items() if rec.finished}
        summary = _summary(plan, account, region, finished)
        # The pre-flight reads are counted apart: the report counts what the run itself sent. The walk's
        # schedule is the plan's alone: built meanwhile, on a thread the check's waits leave idle.
        with ThreadPoolExecutor(1, thread_name_prefix="apply-schedule") as beside:
            schedule = beside.submit(prepared, plan)
            fresh = _check_fresh(plan, calls.with_stats(CallStats()), progressed=set(records), finished=finished,
                                 fresh_inventory=fresh_inventory)
        if max_deletes is not None and summary.deletes > max_deletes:
            raise PlanRefused(f"the plan deletes {summary.deletes} resources, over --max-deletes {max_deletes}")
        if not auto_approve and (confirm is None or not confirm(summary)):
            raise PlanRefused("not confirmed: nothing was changed (use --auto-approve for automation)")
        # Before the first mutation: an archive that cannot be captured or written stops the apply here.
        # ``archive=False`` (a throwaway test environment) skips it: it costs a read or two per asset.
        if archive:
            ensure_archive(plan, calls.with_stats(CallStats()), archive_path(base))
        keep()
        log.info("apply.starting", plan=plan.digest, actions=summary.total, to_run=summary.to_run,
                 workers=workers, account=account, region=region)
        with Journal.open(journal_path(base), plan.digest, now=clock.now()) as journal:
            report = _run(plan, schedule.result(), calls.with_client(run_client).with_stats(CallStats()),
                          journal, finished, account=account, region=region,
                          workers=workers, stop=stop, on_progress=on_progress, observe=observe,
                          top_level_kept=fresh.top_level_kept, keep=keep)
    report.write(Path(report_file) if report_file is not None else report_path(base))
    log.info("apply.finished", plan=plan.digest, exit_code=report.exit_code, **report.totals())
    return report


def _check_digest(plan: Plan, expected: str) -> None:
    """The plan is the one that was reviewed: a plan edited after review, even with its digest recomputed,
    has another digest."""
    if not re.fullmatch(r"sha256:[0-9a-f]{64}", expected):
        raise BadInputError(f"--expect-digest {expected!r} is not a plan digest (sha256: and 64 hex digits)")
    if plan.digest != expected:
        raise PlanRefused(f"the plan's digest {plan.digest} is not the reviewed {expected}; nothing was changed")


def _identity(target: AwsTarget, client: Any, clock: Clock) -> tuple[str, str]:
    account, region = caller_identity(target, clock=clock)
    if client is not None:  # the client says where its requests really go
        region = client.meta.region_name or region
    return account, region


def _summary(plan: Plan, account: str, region: str, finished: set[str]) -> ApplySummary:
    counts = Counter(a.kind.value for a in plan.actions)
    return ApplySummary(
        plan_digest=plan.digest, account=account, region=region, counts=dict(counts), total=len(plan.actions),
        deletes=plan.count(*DELETE_KINDS),
        already_finished=sum(1 for a in plan.actions if a.id in finished),
    )


def _check_fresh(
    plan: Plan, calls: Calls, *, progressed: set[str], finished: set[str], fresh_inventory: Inventory | None,
) -> Freshness:
    found = check_plan(plan, calls, progressed=progressed, finished=finished, fresh_inventory=fresh_inventory)
    if found.unimplied:
        raise PlanRefused(
            f"the plan holds {len(found.unimplied)} action(s) that its own selection does not imply (was it "
            "edited after review?); nothing was changed",
            found.unimplied,
        )
    if found.stale:
        raise PlanRefused(
            f"the plan is stale: {len(found.stale)} difference(s) since it was made; plan again and review",
            found.stale,
        )
    return found


def _run(
    plan: Plan,
    schedule: Schedule,
    calls: Calls,
    journal: Journal,
    finished: set[str],
    *,
    account: str,
    region: str,
    workers: int,
    stop: threading.Event | None,
    on_progress: Callable[[Progress], None] | None,
    observe: ObserveSettings,
    top_level_kept: int | None = None,
    keep: Callable[[], None],
) -> ApplyReport:
    clock = calls.clock
    actions = schedule.actions
    models = asset_models(actions)
    group_sizes = Counter(model_group(model) for model in models.values())
    deleted = plan.targets(ActionKind.DELETE_ASSET)
    # One ListAssets(TOP_LEVEL) of the account shows every asset delete in flight and every parent the plan has
    # unlinked, across all models: where models are many, one read confirms what took one per model. Only where
    # the stale check read the whole account (elsewhere the top-level list could hold any number of assets the
    # plan never saw), and where that list, even at its fullest (every top-level asset the plan keeps, and every
    # one it deletes), costs at most half a read of each model's list: a few models of many assets (a thousand
    # turbines of one model) are read as cheaply model by model.
    model_pages = sum(math.ceil(n / PAGE_SIZE) for n in group_sizes.values())
    top_level_reads = (top_level_kept is not None
                       and 2 * math.ceil((top_level_kept + len(deleted)) / PAGE_SIZE) <= model_pages)
    if top_level_reads:
        group_sizes[TOP_LEVEL_GROUP] = max(1, top_level_kept or 0)
    linked = {str(a.params["childAssetId"]) for a in plan.actions
              if a.kind is ActionKind.DISASSOCIATE_ASSET and a.id not in finished}
    tracker = Tracker(
        kinds={a.id: a.kind.value for a in plan.actions},
        totals=dict(Counter(a.kind.value for a in plan.actions)),
        started_at=clock.now(),
        stats=calls.stats,
    )
    for aid in finished:
        if aid in actions:
            tracker.finished[actions[aid].kind.value] += 1

    def on_event(event: WalkEvent[str]) -> None:
        if event.kind is EventKind.STARTED:
            tracker.in_flight += 1
        elif event.kind is EventKind.SUCCEEDED or event.kind is EventKind.FAILED:
            tracker.in_flight -= 1
            if event.kind is EventKind.SUCCEEDED:
                tracker.finished[tracker.kinds[str(event.node)]] += 1
                tracker.finished_this_run += 1
                if tracker.finished_this_run % KEEP_EVERY == 0:
                    keep()  # what the run keeps of its finished actions, out of the full collections too
            else:
                tracker.failed += 1
        elif event.kind is EventKind.SKIPPED:
            tracker.skipped += 1
        elif event.kind is EventKind.STOPPING:
            tracker.stopping = True
            log.warning("apply.stopping", in_flight=tracker.in_flight)
        if on_progress is not None:
            on_progress(tracker.progress(clock.now(), str(event.node) if event.node else None, event.kind.value))

    started_at = clock.now()
    wall_start = time.monotonic()
    graph = schedule.graph
    frontier: dict[Hashable, float] = {}  # the walk keeps these two, the observer reads them
    unstarted: dict[Hashable, int] = {}
    with EffectObserver(calls, clock, observe, group_sizes=group_sizes, frontier=frontier,
                        unstarted=unstarted) as observer:
        executor = Executor(calls, digest=plan.digest, clock=clock, observer=observer, journal=journal,
                            models=models, top_level_reads=top_level_reads, deleted=deleted, linked=linked)
        result = walk(
            graph, lambda aid: executor.start(actions[aid]), workers=workers, stop=stop,
            on_event=on_event, completed=finished, failure_of=_failure_of,
            priority=schedule.priority, claims=schedule.claims.__getitem__, lane_of=lambda aid: lane_of(actions[aid]),
            hurry=executor.hurry, frontier=frontier, unstarted=unstarted, max_workers=workers * MAX_WORKERS_FACTOR,
            slots=lambda lane: math.ceil(IN_FLIGHT_MARGIN * calls.limiter.bucket(str(lane)).concurrency()),
        )
    log.debug("apply.walked", wall_seconds=round(time.monotonic() - wall_start, 3))
    now = clock.now()
    for aid, roots in result.skipped.items():
        journal.record(aid, "skipped", at=now, error="skipped: upstream failed", root_causes=list(roots))
    for aid in result.not_started:
        journal.record(aid, "not_started", at=now)

    reports = [
        _action_report(a, value=result.values.get(a.id), failure=result.failed.get(a.id),
                       roots=result.skipped.get(a.id), earlier=a.id in finished, journal=journal,
                       not_started=a.id in result.not_started)
        for a in plan.actions
    ]
    counts = calls.stats.snapshot()
    return ApplyReport(
        plan_digest=plan.digest, account=account, region=region, started_at=started_at, finished_at=now,
        workers=workers, actions=reports, interrupted=result.stopped,
        calls=counts["calls"], retries=counts["retries"], throttles=counts["throttles"],
        in_flight=dict(sorted((str(lane), n) for lane, n in result.peak.items())),
    )



def _failure_of(value: Any) -> str | None:
    if isinstance(value, ActionResult) and value.outcome is Outcome.FAILED:
        return value.error or "failed"
    return None


def _action_report(
    action: Action,
    *,
    value: Any,
    failure: str | None,
    roots: tuple[str, ...] | None,
    earlier: bool,
    journal: Journal,
    not_started: bool,
) -> ActionReport:
    common: dict[str, Any] = {"id": action.id, "kind": action.kind, "target": action.target, "label": action.label}
    if earlier:
        rec = journal.records.get(action.id)
        outcome = Outcome(rec.last_event) if rec and rec.finished else Outcome.DONE
        return ActionReport(**common, outcome=outcome, earlier_run=True)
    if roots is not None:
        return ActionReport(**common, outcome=Outcome.SKIPPED, error="skipped: upstream failed", root_causes=roots)
    if not_started:
        return ActionReport(**common, outcome=Outcome.NOT_STARTED)
    if isinstance(value, ActionResult):
        return ActionReport(**common, outcome=value.outcome, error=value.error, duration=value.duration)
    return ActionReport(**common, outcome=Outcome.FAILED, error=failure or "failed")
