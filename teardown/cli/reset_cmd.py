"""`sitewise-teardown reset --config FILE`: plan and apply in one run, for scheduled environment resets."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from teardown.cli.progress import progress_display
from teardown.cli.tables import format_summary, plan_view, report_view
from teardown.cli.terminal import Screen
from teardown.errors import EXIT_OK
from teardown.planning.render import render_text
from teardown.workflows.reset import load_reset_config, run_reset


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], parents: list[argparse.ArgumentParser]
) -> None:
    parser = subparsers.add_parser(
        "reset", parents=parents,
        help="plan and apply in one run from a TOML config (scheduled test-environment resets)",
        description="Reads the selection, protections, account/region guard and limits from a TOML file "
        "(see examples/reset.toml), refuses unless the credentials act in the guarded account and region, "
        "writes the plan for the record, then applies it without asking: the file is the approval. "
        "Exit codes as for apply: 0 done (or nothing to do), 1 some actions failed, 2 bad config, 3 refused.",
    )
    parser.add_argument("--config", type=Path, required=True, help="reset config (TOML)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = load_reset_config(args.config)
    overrides = {k: v for k, v in (("region", args.region), ("profile", args.profile),
                                   ("endpoint_url", args.endpoint_url)) if v is not None}
    target = dataclasses.replace(config.target, **overrides)
    screen = Screen(log_format=args.log_format)
    display = progress_display(screen, verbose=args.verbose)
    try:
        result = run_reset(config, target=target, on_progress=display.update)
    finally:
        display.close()
    for path, report in result.finished_first:
        screen.line(f"Finished first what an earlier reset left unfinished: {path}")
        screen.show(format_summary(report) + "\n", report_view(report))
    if result.report is None:
        screen.show(render_text(result.plan), plan_view(result.plan))
        return EXIT_OK
    screen.line(f"Plan {result.plan.digest} written to {result.plan_path}")
    screen.show(format_summary(result.report), report_view(result.report))
    return result.report.exit_code
