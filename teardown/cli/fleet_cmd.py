"""`sitewise-teardown fleet plan|apply|status --targets FILE`: many accounts and regions from one targets file.

``plan`` plans every target run and prints one table; ``apply`` applies every run's latest plan side by side
(one confirmation for the fleet, or ``--auto-approve``), a report per run; ``status`` reads the state store.
``--target-index N`` (else ``JOB_COMPLETION_INDEX``, the Kubernetes Indexed Job variable) picks one run, so a
scheduler can fan the same file out. The exit code is the worst run's (the highest code).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from teardown.applying.progress import Progress
from teardown.cli.options import positive_int
from teardown.cli.progress import render
from teardown.cli.terminal import Screen
from teardown.errors import EXIT_OK, BadInputError, PlanRefused
from teardown.fleet.run import (
    DEFAULT_PARALLEL,
    ApplyRow,
    FleetStop,
    PlanRow,
    StatusRow,
    apply_fleet,
    fleet_status,
    latest_plans,
    plan_fleet,
    worst_exit,
)
from teardown.fleet.store import StateStore, open_store
from teardown.fleet.targets import TargetRun, load_targets, pick

INDEX_ENV = "JOB_COMPLETION_INDEX"
_PROGRESS_EVERY = 5.0  # wall seconds between one run's plain progress lines


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], parents: list[argparse.ArgumentParser]
) -> None:
    parser = subparsers.add_parser(
        "fleet", parents=parents, help="plan, apply and follow many accounts and regions from one targets file",
        description="Every account-region pair of the targets file (TOML, see examples/fleet/targets.toml) is one "
        "target run, numbered from 0. Plans, journals, locks and reports live in the state store (--state). "
        "Exit code: the worst target run's (0 done, 1 actions failed, 2 bad input, 3 refused, 130 interrupted).",
    )
    actions = parser.add_subparsers(dest="fleet_command", required=True, metavar="ACTION")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--targets", type=Path, required=True, help="the targets file (TOML)")
    common.add_argument("--state", metavar="DIR|s3://BUCKET/PREFIX",
                        help="the state store: a local directory (default fleet-state) or an S3 prefix "
                        "(AWS_ENDPOINT_URL_S3 honoured)")
    common.add_argument("--cache-dir", type=Path, metavar="DIR",
                        help="with an S3 store, where this machine works on its copies "
                        "(default .sitewise-teardown/state)")
    common.add_argument("--target-index", type=int, metavar="N",
                        help=f"only target run N (default: ${INDEX_ENV} when set, else every run)")
    common.add_argument("--max-parallel", type=positive_int, default=DEFAULT_PARALLEL, metavar="N",
                        help=f"target runs at once (default {DEFAULT_PARALLEL})")
    plan = actions.add_parser("plan", parents=[*parents, common], help="plan every target run; one summary table")
    plan.set_defaults(func=run_plan)
    apply = actions.add_parser("apply", parents=[*parents, common],
                               help="apply every target run's latest plan, side by side (asks once first)")
    apply.add_argument("--auto-approve", action="store_true", help="do not ask for confirmation (automation)")
    apply.set_defaults(func=run_apply)
    status = actions.add_parser("status", parents=[*parents, common],
                                help="each target run's last plan, progress and outcome, from the state store")
    status.set_defaults(func=run_status)


def _setup(args: argparse.Namespace) -> tuple[tuple[TargetRun, ...], StateStore]:
    runs = load_targets(args.targets)
    index = args.target_index
    if index is None and os.environ.get(INDEX_ENV, "") != "":
        try:
            index = int(os.environ[INDEX_ENV])
        except ValueError:
            raise BadInputError(f"{INDEX_ENV}={os.environ[INDEX_ENV]!r} is not a target index") from None
    return pick(runs, index), open_store(args.state, cache_dir=args.cache_dir)


def run_plan(args: argparse.Namespace) -> int:
    runs, store = _setup(args)
    rows = plan_fleet(runs, store, max_parallel=args.max_parallel)
    screen = Screen(log_format=args.log_format)
    screen.line(format_plan_table(rows))
    for row in rows:
        if row.error:
            screen.line(f"{row.run.label}: {row.error}")
    screen.line(f"State: {store.description}")
    return worst_exit(rows)


def run_apply(args: argparse.Namespace) -> int:
    runs, store = _setup(args)
    screen = Screen(log_format=args.log_format)
    if not args.auto_approve:
        if not sys.stdin.isatty():
            raise PlanRefused("no terminal to confirm on: pass --auto-approve to apply without a prompt")
        if not _confirm(runs, store):
            raise PlanRefused("not confirmed: nothing was changed (use --auto-approve for automation)")
    stop = FleetStop()
    progress = _FleetProgress(screen)
    previous = signal.getsignal(signal.SIGINT)

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        if stop.stopped:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            raise KeyboardInterrupt
        stop.set()
        sys.stderr.write("\nstopping every target run: no new actions (Ctrl-C again to abort)\n")

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, on_sigint)
    try:
        rows = apply_fleet(runs, store, max_parallel=args.max_parallel, stop=stop, on_progress=progress.update)
    finally:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, previous)
    screen.line(format_apply_table(rows))
    for row in rows:
        if row.error:
            screen.line(f"{row.run.label}: {row.error}")
        elif row.report is not None and row.report.path is not None:
            screen.line(f"{row.run.label}: report {row.report.path}")
    return worst_exit(rows)


def run_status(args: argparse.Namespace) -> int:
    runs, store = _setup(args)
    Screen(log_format=args.log_format).line(format_status_table(fleet_status(runs, store)))
    return EXIT_OK


def _confirm(runs: Sequence[TargetRun], store: StateStore) -> bool:
    plans = latest_plans(runs, store)
    for run, plan in plans:
        what = f"{len(plan.actions)} actions ({plan.digest[:19]}...)" if plan else "no plan (will fail: plan first)"
        sys.stderr.write(f"  {run.label}: {what}\n")
    total = sum(len(plan.actions) for _, plan in plans if plan)
    sys.stderr.write(f"Apply {total} actions in {len(plans)} target run(s)? [y/N] ")
    sys.stderr.flush()
    try:
        return input().strip().lower() in {"y", "yes"}
    except EOFError:
        return False


class _FleetProgress:
    """Plain lines, one per run at most every few seconds, and each run's last; prefixed with the run."""

    def __init__(self, screen: Screen) -> None:
        self.screen = screen
        self._last: dict[int, float] = {}
        self._lock = threading.Lock()

    def update(self, run: TargetRun, progress: Progress) -> None:
        now = time.monotonic()
        final = progress.settled >= progress.total
        with self._lock:
            if not final and now - self._last.get(run.index, -_PROGRESS_EVERY) < _PROGRESS_EVERY:
                return
            self._last[run.index] = now
            self.screen.line(f"{run.label}: {render(progress)}")


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [list(map(str, header)), *[list(map(str, row)) for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) if i < 4 else cell.rjust(width) for i, (cell, width)
                       in enumerate(zip(row, widths, strict=True))).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def format_plan_table(rows: Sequence[PlanRow]) -> str:
    header = ("#", "target", "account", "region", "assets", "models", "monitor", "actions", "refusals", "exit")
    body = [(r.run.index, r.run.name, r.run.account, r.run.region,
             *(r.counts.get(k, "-") for k in ("assets", "models", "monitor", "actions")), r.refusals, r.exit_code)
            for r in rows]
    return _table(header, body)


def format_apply_table(rows: Sequence[ApplyRow]) -> str:
    header = ("#", "target", "account", "region", "done", "already", "failed", "skipped", "not started",
              "throttled", "exit")
    body = []
    for r in rows:
        totals = r.report.totals() if r.report else {}
        throttles = sum(r.report.throttles.values()) if r.report else "-"
        body.append((r.run.index, r.run.name, r.run.account, r.run.region,
                     *(totals.get(k, 0) if r.report else "-"
                       for k in ("done", "already_done", "failed", "skipped", "not_started")), throttles, r.exit_code))
    return _table(header, body)


def format_status_table(rows: Sequence[StatusRow]) -> str:
    header = ("#", "target", "account", "region", "plan", "actions", "finished", "applies", "outcome", "exit")
    body = [(r.run.index, r.run.name, r.run.account, r.run.region, (r.digest or "-")[:19], r.actions, r.finished,
             r.runs, r.outcome, "-" if r.exit_code is None else r.exit_code) for r in rows]
    return _table(header, body)
