"""`sitewise-teardown restore ARCHIVE`: re-create what a teardown archived, through the API, in dependency order.

A thin layer over ``teardown.restoring.run.restore``: it shows the restore plan first (``--dry-run`` stops
there), asks for confirmation on a terminal, prints one line per finished step, then the counts and the
old-to-new id map. Exit codes: 0 all restored (or nothing left to do), 1 some steps failed or were skipped, 2 a
bad, tampered or unreadable archive, 3 refused (another account or region, not confirmed, locked), 130
interrupted (run it again to resume).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from teardown.cli.options import add_rate_option, positive_int, target_from_args
from teardown.cli.terminal import ERROR_STYLE, OK_STYLE, Screen
from teardown.errors import EXIT_OK, PlanRefused
from teardown.files import check_writable
from teardown.restoring.report import OUTCOME_WORDS, RestoreReport, StepReport
from teardown.restoring.run import DEFAULT_WORKERS, RestoreSummary, load_restore_plan, restore
from teardown.restoring.steps import RestorePlan, StepKind

SHOWN_STEPS = 25


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], parents: list[argparse.ArgumentParser]
) -> None:
    parser = subparsers.add_parser(
        "restore", parents=parents,
        help="re-create what a teardown archived (asks first; resumable; --dry-run shows the restore plan)",
        description="Re-create the asset models, assets, hierarchy, property aliases, units and attribute "
        "values, project links and Monitor resources an archive (PLAN.archive.json, or plan --archive FILE) "
        "holds. Models and assets that still exist are reused; external ids are kept; new ids are reported "
        "against the archived ones. Journaled beside the archive: running restore again resumes, and after "
        "it finished is a no-op. Exit codes: 0 restored, 1 some steps failed, 2 bad or tampered archive, "
        "3 refused, 130 interrupted.",
    )
    parser.add_argument("archive", type=Path, help="the archive written by apply or plan --archive")
    parser.add_argument("--auto-approve", action="store_true", help="do not ask for confirmation (automation)")
    parser.add_argument("--dry-run", action="store_true", help="show the restore plan and change nothing")
    add_rate_option(parser)
    parser.add_argument("--workers", type=positive_int, default=DEFAULT_WORKERS, metavar="N",
                        help=f"steps in flight at once (default {DEFAULT_WORKERS})")
    parser.add_argument("--report", type=Path, metavar="FILE",
                        help="JSON report file (default: <archive>.restore.report.json beside the archive)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.report is not None:
        check_writable(args.report, "restore report")
    plan = load_restore_plan(args.archive)  # a bad or tampered archive is refused here (exit 2)
    screen = Screen(log_format=args.log_format)
    for line in plan_lines(plan):
        screen.line(line)
    if args.dry_run:
        screen.line()
        screen.line(f"Dry run: nothing was changed. Restore it:  sitewise-teardown restore {args.archive}")
        return EXIT_OK
    if not args.auto_approve and not sys.stdin.isatty():
        raise PlanRefused("no terminal to confirm on: pass --auto-approve to restore without a prompt")
    stop = threading.Event()
    previous = signal.getsignal(signal.SIGINT)

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            signal.signal(signal.SIGINT, signal.default_int_handler)
            raise KeyboardInterrupt
        stop.set()
        sys.stderr.write("\nstopping: no new steps; waiting for in-flight ones (Ctrl-C again to abort)\n")

    def confirm(summary: RestoreSummary) -> bool:
        sys.stderr.write(f"Restore {summary.total - summary.already_finished} steps in account "
                         f"{summary.account} in {summary.region}? [y/N] ")
        sys.stderr.flush()
        try:
            return input().strip().lower() in {"y", "yes"}
        except EOFError:
            return False

    def on_step(step: StepReport) -> None:
        word = OUTCOME_WORDS[step.outcome]
        style = ERROR_STYLE if step.error else None
        screen.line(f"  {word:<8} {step.label}" + (f": {step.error}" if step.error else ""), style=style)

    screen.line()
    signal.signal(signal.SIGINT, on_sigint)
    try:
        report = restore(args.archive, target=target_from_args(args), confirm=confirm,
                         auto_approve=args.auto_approve, workers=args.workers, stop=stop, on_step=on_step,
                         report_file=args.report, rates=dict(args.rate) or None)
    finally:
        signal.signal(signal.SIGINT, previous)
    for line, style in report_lines(report):
        screen.line(line, style=style)
    return report.exit_code


def plan_lines(plan: RestorePlan) -> list[str]:
    archive = plan.archive
    ext = archive.extension
    lines = [
        f"Restore plan of archive {archive.digest}",
        f"  account {archive.account}, region {archive.region}; archived {ext['created_at']} "
        f"before plan {str(ext['plan_digest'])[:19]}...",
        "",
        f"{len(plan.steps)} steps:",
        *(f"  {title:<30} {n:>5}" for title, n in plan.counts().items()),
    ]
    series = archive.section("keptTimeSeries")
    if series:
        lines += ["", f"Kept time series, bound back by alias ({len(series)}):",
                  *(f"  {k['alias']}" for k in series[:SHOWN_STEPS])]
    kept = archive.section("keptParents")
    names = {a["assetId"]: a["assetName"] for a in archive.assets}
    if kept:
        lines += ["", "Re-attached under kept parents:",
                  *(f"  {names.get(k['assetId'], k['assetId'])} under {k.get('parentName', '')} ({k['parentAssetId']})"
                    for k in kept)]
    notes = []
    if archive.section("missing"):
        notes.append(f"  {len(archive.section('missing'))} resource(s) were already gone when archived")
    if notes:
        lines += ["", "Not restored:", *notes]
    lines += ["", "Models and assets that still exist (same external id, else same name) are reused.", "",
              "Steps, in order:"]
    lines += [f"  {i:>5}. {step.label}" for i, step in enumerate(plan.ordered()[:SHOWN_STEPS], 1)]
    if len(plan.steps) > SHOWN_STEPS:
        lines.append(f"  ... and {len(plan.steps) - SHOWN_STEPS} more")
    return lines


def report_lines(report: RestoreReport) -> list[tuple[str, str | None]]:
    words = list(OUTCOME_WORDS.values())
    out: list[tuple[str, str | None]] = [("", None), (f"{'step':<30}" + "".join(f"{w:>13}" for w in words), None)]
    for kind, counts in report.counts().items():
        out.append((f"{kind:<30}" + "".join(f"{counts.get(w, 0):>13}" for w in words), None))
    out.append(("", None))
    earlier = sum(1 for step in report.steps if step.earlier_run)
    if earlier:
        out.append((f"{earlier} step(s) were finished by an earlier run; nothing was sent for them.", None))
    out.append(("New ids (archived -> now):", "bold"))
    links = (StepKind.ASSOCIATE, StepKind.LINK_PROJECT)  # their refs name what they link, not a resource
    labels = {step.ref: step.label for step in report.steps if step.kind not in links}
    width = max((len(labels.get(old, "")) for ids in report.ids.values() for old in ids), default=0)
    for ids in report.ids.values():
        for old, new in sorted(ids.items(), key=lambda pair: labels.get(pair[0], "")):
            same = "  (reused as it was)" if old == new else ""
            out.append((f"  {labels.get(old, ''):<{width}}  {old} -> {new}{same}", None))
    if report.parts:
        out.append((f"  ... and {len(report.parts)} properties, hierarchies and composite models "
                    "(in the report file)", None))
    for step in report.root_causes():
        out.append((f"failed: {step.label}: {step.error}", ERROR_STYLE))
    if report.ok:
        verdict = "Restored: everything the archive holds is back."
    elif report.interrupted:
        verdict = "Interrupted: run the same restore again to resume."
    else:
        verdict = "Some steps failed (and what depends on them was skipped); run the same restore again to retry."
    out.append(("", None))
    out.append((verdict, OK_STYLE if report.ok else ERROR_STYLE))
    if report.path is not None:
        out.append((f"report: {report.path}", None))
    return out
