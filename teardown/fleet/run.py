"""Plan, apply and read the status of a fleet's target runs, side by side in one process.

Each target run is independent: its own credentials and guard (``teardown.fleet.credentials``), its own
client, request path and quotas (``teardown.apply`` builds a ``Calls`` and ``RateLimiter`` per run from its
``rates``), its own plan, journal, lock and report in the state store. A run's failure, of any kind, is
caught and becomes its row (exit code and message); it never stops or changes another run. Up to
``max_parallel`` runs go at once (threads: the work is waiting on the network; see the README's fleet
benchmark for when one process stops being enough).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import structlog

from teardown.applying.journal import load_records
from teardown.applying.paths import JOURNAL_SUFFIX, REPORT_SUFFIX, journal_path
from teardown.applying.progress import Progress
from teardown.applying.report import ApplyReport
from teardown.applying.run import apply
from teardown.aws.calls import Calls
from teardown.aws.clock import Clock, SystemClock
from teardown.aws.discover import discover_present
from teardown.aws.pacing import RateLimiter
from teardown.errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_REFUSED, BadInputError, SelectionRefused
from teardown.fleet.credentials import Connection, connect
from teardown.fleet.outcome import classify, worst
from teardown.fleet.store import StateStore, plan_name, read_latest, write_latest
from teardown.fleet.targets import TargetRun
from teardown.kinds import ActionKind
from teardown.planning.make import make_plan
from teardown.planning.planfile import Plan, load_plan, write_plan

log = structlog.get_logger(__name__)

DEFAULT_PARALLEL = 8
MONITOR_KINDS = (ActionKind.DELETE_PORTAL, ActionKind.DELETE_PROJECT, ActionKind.DELETE_DASHBOARD,
                 ActionKind.DELETE_ACCESS_POLICY)
Connector = Callable[..., Connection]
R = TypeVar("R")


@dataclass(frozen=True)
class PlanRow:
    """One row of ``fleet plan``'s table."""

    run: TargetRun
    exit_code: int
    error: str | None = None
    digest: str | None = None
    counts: Mapping[str, int] = field(default_factory=dict)  # assets, models, monitor, actions
    refusals: int = 0


@dataclass(frozen=True)
class ApplyRow:
    run: TargetRun
    exit_code: int
    error: str | None = None
    report: ApplyReport | None = None


@dataclass(frozen=True)
class StatusRow:
    run: TargetRun
    digest: str | None = None
    planned_at: float | None = None
    actions: int = 0
    finished: int = 0  # per the journal: done or already done
    runs: int = 0  # applies started so far (journal "run" lines)
    outcome: str = "not planned"  # from the last report, else the journal
    exit_code: int | None = None


class FleetStop:
    """One stop for every run (Ctrl-C), each run's own event beside it (a lost lock stops that run alone)."""

    def __init__(self) -> None:
        self._events: list[threading.Event] = []
        self._lock = threading.Lock()
        self.stopped = False

    def event(self) -> threading.Event:
        with self._lock:
            event = threading.Event()
            if self.stopped:
                event.set()
            self._events.append(event)
            return event

    def set(self) -> None:
        with self._lock:
            self.stopped = True
            for event in self._events:
                event.set()


def worst_exit(rows: Sequence[PlanRow | ApplyRow]) -> int:
    return worst(row.exit_code for row in rows)


def plan_fleet(runs: Sequence[TargetRun], store: StateStore, *, clock: Clock | None = None,
               max_parallel: int = DEFAULT_PARALLEL, connector: Connector = connect) -> list[PlanRow]:
    """Plan every run (in parallel) and record each plan as its run's latest in the store."""
    clock = clock or SystemClock()
    return _each(runs, max_parallel, lambda run: _plan_one(run, store, clock, connector),
                 PlanRow)


def apply_fleet(runs: Sequence[TargetRun], store: StateStore, *, clock: Clock | None = None,
                max_parallel: int = DEFAULT_PARALLEL, connector: Connector = connect,
                stop: FleetStop | None = None,
                on_progress: Callable[[TargetRun, Progress], None] | None = None,
                **apply_options: Any) -> list[ApplyRow]:
    """Apply each run's latest plan from the store, auto-approved (the caller confirmed the fleet)."""
    clock = clock or SystemClock()
    stop = stop or FleetStop()

    def one(run: TargetRun) -> ApplyRow:
        return _apply_one(run, store, clock=clock, connector=connector, stop=stop.event(), on_progress=on_progress,
                          apply_options=apply_options)

    return _each(runs, max_parallel, one, ApplyRow)


def latest_plans(runs: Sequence[TargetRun], store: StateStore) -> list[tuple[TargetRun, Plan | None]]:
    """Each run's latest plan, for the one confirmation of ``fleet apply`` (None: never planned)."""
    found: list[tuple[TargetRun, Plan | None]] = []
    for run in runs:
        latest = read_latest(store, run.key)
        path = store.fetch(run.key, latest["plan"]) if latest else None
        found.append((run, load_plan(path) if path is not None else None))
    return found


def fleet_status(runs: Sequence[TargetRun], store: StateStore) -> list[StatusRow]:
    """Each run's last plan, how far its journal got and how its last apply ended, from the store alone."""
    rows: list[StatusRow] = []
    for run in runs:
        latest = read_latest(store, run.key)
        if latest is None:
            rows.append(StatusRow(run))
            continue
        name = latest["plan"]
        path = store.fetch(run.key, name)
        plan = load_plan(path) if path is not None else None
        journal = store.fetch(run.key, name + JOURNAL_SUFFIX)
        records, runs_so_far = load_records(journal, plan.digest) if journal and plan else ({}, 0)
        finished = sum(1 for rec in records.values() if rec.finished)
        report = _read_report(store, run.key, name)
        actions = len(plan.actions) if plan else 0
        if report is not None:
            outcome, code = ("done" if report.get("exit_code") == EXIT_OK else "ended"), report.get("exit_code")
        elif records:
            outcome, code = "in progress or killed", None
        else:
            outcome, code = ("nothing to do" if plan is not None and not actions else "planned"), None
        rows.append(StatusRow(run, digest=latest.get("digest"), planned_at=latest.get("planned_at"),
                              actions=actions, finished=finished, runs=runs_so_far, outcome=outcome, exit_code=code))
    return rows


def _each(runs: Sequence[TargetRun], max_parallel: int, body: Callable[[TargetRun], R],
          failed: Callable[[TargetRun, int, str], R]) -> list[R]:
    """``body`` for every run, up to ``max_parallel`` at once; an error ends its run's row, no other's."""

    def guarded(run: TargetRun) -> R:
        try:
            return body(run)
        except Exception as exc:  # one target's failure, whatever it is, must not end the others
            code, text = classify(exc)
            log.warning("fleet.run_failed", run=run.label, exit_code=code, error=text)
            return failed(run, code, text)

    with ThreadPoolExecutor(max_workers=max(1, min(max_parallel, len(runs) or 1)),
                            thread_name_prefix="fleet-run") as pool:
        return list(pool.map(guarded, runs))


def _plan_one(run: TargetRun, store: StateStore, clock: Clock, connector: Connector) -> PlanRow:
    conn = connector(run, clock=clock)
    calls = Calls(conn.client, clock, limiter=RateLimiter(clock, run.rates))
    inventory, spec, gone = discover_present(calls, run.spec, account=conn.account, region=conn.region,
                                             endpoint=conn.target.sitewise_endpoint())
    try:
        plan, _ = make_plan(inventory, spec)
    except SelectionRefused as exc:
        return PlanRow(run, EXIT_REFUSED, str(exc), refusals=max(1, str(exc).count("\n")))
    name = plan_name(plan.digest)
    write_plan(plan, store.local_dir(run.key) / name)
    store.publish(run.key, name)
    counts = {"assets": plan.count(ActionKind.DELETE_ASSET), "models": plan.count(ActionKind.DELETE_ASSET_MODEL),
              "monitor": plan.count(*MONITOR_KINDS), "actions": len(plan.actions)}
    write_latest(store, run.key, {"plan": name, "digest": plan.digest, "planned_at": clock.now(),
                                  "planned": datetime.now(UTC).isoformat(timespec="seconds"), "counts": counts,
                                  "gone_selectors": list(gone)})
    log.info("fleet.planned", run=run.label, plan=plan.digest, **counts)
    return PlanRow(run, EXIT_OK, digest=plan.digest, counts=counts)


def _apply_one(run: TargetRun, store: StateStore, *, clock: Clock, connector: Connector, stop: threading.Event,
               on_progress: Callable[[TargetRun, Progress], None] | None,
               apply_options: Mapping[str, Any]) -> ApplyRow:
    latest = read_latest(store, run.key)
    path = store.fetch(run.key, latest["plan"]) if latest else None
    if path is None:
        raise BadInputError(f"no plan for {run.label} in {store.description}: run `fleet plan` first")
    conn = connector(run, clock=clock, pool=run.workers + 4)
    hold = store.hold(run.key, stop)
    progress = (lambda p: on_progress(run, p)) if on_progress is not None else None
    report = apply(path, target=conn.target, client=conn.client, identity=lambda: (conn.account, conn.region),
                   auto_approve=True, max_deletes=run.max_deletes, workers=run.workers, rates=run.rates,
                   clock=clock, stop=stop, on_progress=progress, plan_path=path, state=hold, **apply_options)
    store.publish(run.key, path.name + REPORT_SUFFIX)
    unsynced = getattr(hold, "sync_errors", None)  # an S3 hold's failed uploads; a local one has none
    if unsynced and journal_path(path).exists():
        try:
            store.publish(run.key, journal_path(path).name)  # one more try, now the apply is over
        except Exception as exc:  # the report says what happened; the journal is still on this machine
            return ApplyRow(run, max(report.exit_code, EXIT_BAD_INPUT),
                            f"the journal could not be stored ({classify(exc)[1]}); it is in {path.parent}",
                            report)
    return ApplyRow(run, report.exit_code, None, report)


def _read_report(store: StateStore, key: str, name: str) -> dict[str, Any] | None:
    path = store.fetch(key, name + REPORT_SUFFIX)
    if path is None:
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
