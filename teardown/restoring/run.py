"""Restore what an archive holds, with the apply engine's qualities: every guard first, then the DAG walk of the
restore plan, journaled and resumable.

Before anything is created (each refusal raises and sends not one mutating call): the archive's schemas and
digest (``ArchiveError``, exit 2), a restore plan its models can be ordered in (``PlanRefused``), the caller's
account and region against the archive's, the lock (one restore of an archive at a time, per its digest), the
journal's archive digest, and the confirmation (default no) unless ``auto_approve``.

Then ``teardown.applying.walk.walk`` over the restore plan: ``workers`` steps at once, each as soon as what it
depends on is done, every request on the one request path (``Calls``: paced, retried), each mutation with a
clientToken derived from the run's salt. Finished steps of an earlier run (per the journal, whose entries carry
the ids each step established) are not run again; in-flight ones look for what they may have created first.
A restore run again after it finished is a no-op that reports the same id map.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog

from teardown.applying.journal import FINISHED_EVENTS, ActionRecord, Journal, load_records
from teardown.applying.lock import ApplyLock
from teardown.applying.paths import restore_journal_path, restore_report_path
from teardown.applying.report import Outcome
from teardown.applying.walk import EventKind, NodeFailed, WalkEvent, walk
from teardown.archive.document import load_archive
from teardown.aws.calls import Calls, CallStats
from teardown.aws.clock import Clock, SystemClock
from teardown.aws.pacing import RateLimiter
from teardown.aws.retry import DEFAULT_RETRY, RetrySettings
from teardown.aws.target import AwsTarget, caller_identity, sitewise_client
from teardown.errors import PlanRefused
from teardown.restoring.assets import associate, link_project, restore_asset
from teardown.restoring.context import Restorer, RestoreSettings, StepFailed, StepResult
from teardown.restoring.models import restore_model
from teardown.restoring.monitor import (
    restore_access_policy,
    restore_dashboard,
    restore_gateway,
    restore_portal,
    restore_project,
)
from teardown.restoring.report import RestoreReport, StepReport
from teardown.restoring.steps import STEP_KINDS, RestorePlan, Step, StepKind, restore_plan

log = structlog.get_logger(__name__)

DEFAULT_WORKERS = 16
IdentityProvider = Callable[[], tuple[str, str]]
# What carries out each kind of step.
HANDLERS: Mapping[StepKind, Callable[[Restorer, Step], StepResult]] = {
    StepKind.MODEL: restore_model,
    StepKind.ASSET: restore_asset,
    StepKind.ASSOCIATE: associate,
    StepKind.LINK_PROJECT: link_project,
    StepKind.PORTAL: restore_portal,
    StepKind.PROJECT: restore_project,
    StepKind.DASHBOARD: restore_dashboard,
    StepKind.ACCESS_POLICY: restore_access_policy,
    StepKind.GATEWAY: restore_gateway,
}


@dataclass(frozen=True)
class RestoreSummary:
    """What the user confirms: the steps per kind, and how many an earlier run already finished."""

    archive_digest: str
    account: str
    region: str
    counts: Mapping[str, int]
    total: int
    already_finished: int


def load_restore_plan(path: str | Path) -> RestorePlan:
    """The archive at ``path``, verified, and the restore plan it gives (what a dry run shows)."""
    return restore_plan(load_archive(Path(path)))


def restore(
    archive_file: str | Path,
    *,
    target: AwsTarget | None = None,
    client: Any | None = None,
    identity: IdentityProvider | None = None,
    confirm: Callable[[RestoreSummary], bool] | None = None,
    auto_approve: bool = False,
    workers: int = DEFAULT_WORKERS,
    clock: Clock | None = None,
    stop: threading.Event | None = None,
    on_step: Callable[[StepReport], None] | None = None,
    report_file: str | Path | None = None,
    rates: Mapping[str, float] | None = None,
    retry: RetrySettings = DEFAULT_RETRY,
    settings: RestoreSettings | None = None,
) -> RestoreReport:
    """Restore the archive at ``archive_file``; see the module docstring for the order of guards. The journal and
    the report live beside the archive (``<archive>.restore.journal.jsonl``, ``<archive>.restore.report.json``)."""
    clock = clock or SystemClock()
    path = Path(archive_file)
    plan = load_restore_plan(path)
    archive = plan.archive
    target = target or AwsTarget()
    if identity is not None:
        account, region = identity()
    else:
        account, region = caller_identity(target, clock=clock)
        if client is not None:
            region = client.meta.region_name or region
    if (account, region) != (archive.account, archive.region):
        raise PlanRefused(f"the archive was taken in account {archive.account} in {archive.region}, "
                          f"but the credentials act in account {account} in {region}; nothing was changed")
    if client is None:
        client = sitewise_client(target, pool=workers + 4)
    calls = Calls(client, clock, limiter=RateLimiter(clock, rates), retry=retry, stats=CallStats())
    journal_file = restore_journal_path(path)
    with ApplyLock(archive.digest, plan=path).held():
        records, _ = load_records(journal_file, archive.digest)
        finished = {sid for sid, rec in records.items() if rec.finished}
        summary = RestoreSummary(archive.digest, account, region, plan.counts(), len(plan.steps),
                                 sum(1 for s in plan.steps if s.id in finished))
        if not auto_approve and (confirm is None or not confirm(summary)):
            raise PlanRefused("not confirmed: nothing was changed (use --auto-approve for automation)")
        log.info("restore.starting", archive=archive.digest, steps=len(plan.steps), finished=len(finished))
        with Journal.open(journal_file, archive.digest, now=clock.now()) as journal:
            started_at, earlier = _recorded(journal_file)
            restorer = Restorer(archive, calls, clock, salt=f"{archive.digest}/{started_at}",
                                settings=settings or RestoreSettings(),
                                resumed=_may_have_acted(records), earlier=earlier)
            report = _walk(plan, restorer, journal, finished, workers=workers, stop=stop, on_step=on_step,
                           account=account, region=region)
    report.write(Path(report_file) if report_file is not None else restore_report_path(path))
    log.info("restore.finished", archive=archive.digest, exit_code=report.exit_code)
    return report


def _may_have_acted(records: Mapping[str, ActionRecord]) -> set[str]:
    """Steps an earlier run started and did not finish (in flight at a crash, or failed): they look for what
    they may have created under the ids the run chose before creating anything."""
    return {sid for sid, rec in records.items() if rec.in_flight or rec.last_event == "failed"}


def _recorded(journal_file: Path) -> tuple[float, dict[str, StepResult]]:
    """When the journal was started (the run's salt) and the result of every step it saw finish."""
    started_at = 0.0
    results: dict[str, StepResult] = {}
    for line in journal_file.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)  # Journal.open has cut off a torn last line already
        if entry.get("event") == "journal":
            started_at = float(entry["at"])
        elif entry.get("event") in FINISHED_EVENTS and isinstance(entry.get("result"), dict):
            results[str(entry["action"])] = StepResult.from_json(entry["result"])
    return started_at, results


def _walk(plan: RestorePlan, restorer: Restorer, journal: Journal, finished: set[str], *, workers: int,
          stop: threading.Event | None, on_step: Callable[[StepReport], None] | None, account: str,
          region: str) -> RestoreReport:
    steps = plan.by_id
    clock = restorer.clock
    outcomes: dict[str, StepReport] = {}

    def visit(step_id: str) -> str:
        step = steps[step_id]
        journal.record(step_id, "started", at=clock.now(), resumed=step_id in restorer.resumed or None)
        try:
            result = HANDLERS[step.kind](restorer, step)
        except Exception as exc:
            error = str(exc) if isinstance(exc, StepFailed) else f"{type(exc).__name__}: {exc}"
            journal.record(step_id, "failed", at=clock.now(), error=error)
            outcomes[step_id] = StepReport(step.id, step.kind, step.ref, step.label, Outcome.FAILED, error)
            raise NodeFailed(error) from exc
        restorer.record(result)
        outcome = Outcome.ALREADY_DONE if result.reused else Outcome.DONE
        journal.record(step_id, outcome.value, at=clock.now(), result=result.to_json())
        outcomes[step_id] = StepReport(step.id, step.kind, step.ref, step.label, outcome)
        return outcome.value

    def on_event(event: WalkEvent[str]) -> None:
        if on_step is not None and event.node is not None and event.node in outcomes and event.kind in (
                EventKind.SUCCEEDED, EventKind.FAILED):
            on_step(outcomes[event.node])

    result = walk(plan.graph(), visit, workers=workers, stop=stop, on_event=on_event, completed=finished)
    now = clock.now()
    reports = []
    for step in plan.steps:
        if step.id in finished:
            rec = journal.records.get(step.id)
            outcome = Outcome(rec.last_event) if rec is not None and rec.finished else Outcome.DONE
            reports.append(StepReport(step.id, step.kind, step.ref, step.label, outcome, earlier_run=True))
        elif step.id in outcomes:
            reports.append(outcomes[step.id])
        elif step.id in result.skipped:
            roots = tuple(result.skipped[step.id])
            journal.record(step.id, "skipped", at=now, root_causes=list(roots))
            reports.append(StepReport(step.id, step.kind, step.ref, step.label, Outcome.SKIPPED,
                                      "skipped: upstream failed", roots))
        else:
            journal.record(step.id, "not_started", at=now)
            reports.append(StepReport(step.id, step.kind, step.ref, step.label, Outcome.NOT_STARTED))
    stats = restorer.calls.stats.snapshot()
    return RestoreReport(
        archive_digest=plan.archive.digest, account=account, region=region, steps=reports,
        ids=_top_level_ids(plan, restorer), parts=_part_ids(plan, restorer), interrupted=result.stopped,
        calls=stats["calls"], retries=sum(stats["retries"].values()), throttles=sum(stats["throttles"].values()),
    )


def _top_level_ids(plan: RestorePlan, restorer: Restorer) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    mapping = restorer.id_map()
    for step in plan.steps:
        if step.kind in (StepKind.ASSOCIATE, StepKind.LINK_PROJECT) or step.ref not in mapping:
            continue
        out.setdefault(STEP_KINDS[step.kind].short, {})[step.ref] = mapping[step.ref]
    return out


def _part_ids(plan: RestorePlan, restorer: Restorer) -> dict[str, str]:
    top = {s.ref for s in plan.steps}
    return {old: new for old, new in restorer.id_map().items() if old not in top}
