"""`sitewise-teardown reset --config FILE`: plan and apply in one run, for scheduled environment resets."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from teardown.cli.progress import ProgressBar
from teardown.cli.tables import format_summary
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
    bar = ProgressBar(sys.stderr) if sys.stderr.isatty() else None
    result = run_reset(config, target=target, on_progress=bar.update if bar else None)
    if bar is not None:
        bar.close()
    for path, report in result.finished_first:
        print(f"Finished first what an earlier reset left unfinished: {path}")
        print(format_summary(report) + "\n")
    if result.report is None:
        print(render_text(result.plan), end="")
        return EXIT_OK
    print(f"Plan {result.plan.digest} written to {result.plan_path}")
    print(format_summary(result.report))
    return result.report.exit_code
