"""`sitewise-teardown apply PLAN`: carry out a reviewed plan, and nothing else.

A thin layer over ``teardown.applying.run.apply``: it asks for confirmation on a terminal, shows the progress
(a live display on a terminal, plain lines otherwise), turns the first Ctrl-C into a graceful stop, and prints
the summary table. Exit codes: 0 all done, 1 some actions failed or were skipped, 2 bad input, 3 refused,
130 interrupted.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from teardown.applying.paths import archive_path
from teardown.applying.run import DEFAULT_WORKERS, MAX_WORKERS_FACTOR, ApplySummary, apply
from teardown.cli.options import add_rate_option, non_negative_int, positive_int, target_from_args
from teardown.cli.progress import progress_display
from teardown.cli.tables import format_summary, report_view
from teardown.cli.terminal import Screen
from teardown.errors import PlanRefused
from teardown.files import check_writable
from teardown.planning.planfile import load_plan


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], parents: list[argparse.ArgumentParser]
) -> None:
    parser = subparsers.add_parser(
        "apply", parents=parents,
        help="apply a reviewed plan file (asks first; resumable; Ctrl-C stops gracefully)",
        description="Carry out exactly the plan: refuses a tampered, foreign or stale plan without changing "
        "anything, asks for confirmation (default no), then walks the plan's action graph. Progress is "
        "journaled beside the plan; running apply again on the same plan resumes. "
        "Exit codes: 0 all done, 1 some actions failed, 2 bad input, 3 refused, 130 interrupted.",
    )
    parser.add_argument("plan", type=Path, help="the plan file written by `sitewise-teardown plan`")
    parser.add_argument("--auto-approve", action="store_true", help="do not ask for confirmation (automation)")
    parser.add_argument("--expect-digest", metavar="sha256:...",
                        help="refuse the plan unless its digest is this one (the digest that was reviewed)")
    add_rate_option(parser)
    parser.add_argument("--max-deletes", type=non_negative_int, metavar="N",
                        help="refuse a plan deleting more than N resources")
    parser.add_argument("--workers", type=positive_int, default=DEFAULT_WORKERS, metavar="N",
                        help=f"requests in flight at once per quota family, at least (default {DEFAULT_WORKERS}; "
                             f"up to {MAX_WORKERS_FACTOR}x where the rate times the answer time needs more)")
    parser.add_argument("--report", type=Path, metavar="FILE",
                        help="JSON report file (default: <plan>.report.json beside the plan)")
    parser.add_argument("--no-archive", dest="archive", action="store_false",
                        help="do not capture <plan>.archive.json before the first mutation (a throwaway "
                             "environment: saves a read or two per asset, and nothing can be restored)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.report is not None:  # found out before the apply, not after it
        check_writable(args.report, "report")
    target = target_from_args(args)
    interactive = sys.stdin.isatty()
    screen = Screen(log_format=args.log_format)
    display = progress_display(screen, verbose=args.verbose)
    stop = threading.Event()
    previous = signal.getsignal(signal.SIGINT)

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():  # a second Ctrl-C: stop waiting for in-flight actions
            signal.signal(signal.SIGINT, signal.default_int_handler)
            raise KeyboardInterrupt
        stop.set()
        sys.stderr.write("\nstopping: no new actions; waiting for in-flight ones (Ctrl-C again to abort)\n")

    if not args.auto_approve and not interactive:
        # Refuse before reading the account: nobody could answer the prompt anyway. A bad plan file
        # still reports as bad input (exit 2) first.
        load_plan(args.plan)
        raise PlanRefused("no terminal to confirm on: pass --auto-approve to apply without a prompt")

    def confirm(summary: ApplySummary) -> bool:
        sys.stderr.write(_describe(summary))
        sys.stderr.write(f"Apply {summary.to_run} actions? [y/N] ")
        sys.stderr.flush()
        try:
            answer = input()
        except EOFError:
            return False
        return answer.strip().lower() in {"y", "yes"}

    signal.signal(signal.SIGINT, on_sigint)
    try:
        report = apply(
            args.plan, target=target, confirm=confirm, auto_approve=args.auto_approve,
            max_deletes=args.max_deletes, expect_digest=args.expect_digest, rates=dict(args.rate) or None,
            workers=args.workers, stop=stop, on_progress=display.update, report_file=args.report,
            archive=args.archive,
        )
    finally:
        signal.signal(signal.SIGINT, previous)
        display.close()
    screen.show(format_summary(report), report_view(report))
    if report.path is not None:
        screen.line(f"\nreport: {report.path}")
    archive = archive_path(args.plan)
    if archive.is_file():  # written before the first mutation: what was deleted, for `restore`
        screen.line(f"archive: {archive} (undo with: sitewise-teardown restore {archive})")
    return report.exit_code


def _describe(summary: ApplySummary) -> str:
    lines = [f"Plan {summary.plan_digest[:19]}... for account {summary.account} in {summary.region}:"]
    lines.extend(f"  {n:>6}  {kind}" for kind, n in summary.counts.items())
    if summary.already_finished:
        lines.append(f"  ({summary.already_finished} already finished by an earlier run; they are not resent)")
    return "\n".join(lines) + "\n"
