"""`sitewise-teardown demo`: a site decommission against the embedded emulator, end to end, verified."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from teardown.applying.run import DEFAULT_WORKERS
from teardown.cli.options import positive_int
from teardown.cli.progress import progress_display
from teardown.cli.tables import format_summary, plan_view, report_view
from teardown.cli.terminal import ERROR_STYLE, OK_STYLE, Screen
from teardown.errors import EXIT_ACTIONS_FAILED, EXIT_OK
from teardown.planning.render import render_text


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], parents: list[argparse.ArgumentParser]
) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="decommission a site of a seeded wind farm in the embedded emulator, and verify the result",
        description="Starts the SiteWise emulator on a loopback port (realistic latencies, AWS quotas), seeds "
        "the packaged wind farm, plans --subtree of site 1, shows the plan, applies it with progress, and "
        "checks that everything selected is gone and nothing else changed. Touches no AWS account.",
    )
    parser.add_argument("--time-scale", type=float, default=1.0, metavar="X",
                        help="run the emulator's latencies and quotas X times faster (default 1: real time)")
    parser.add_argument("--plans-dir", type=Path, default=Path("plans"), help="where the demo plan goes")
    parser.add_argument("--workers", type=positive_int, default=DEFAULT_WORKERS, metavar="N",
                        help=f"actions in flight at once (default {DEFAULT_WORKERS})")
    parser.add_argument("--log-format", choices=("text", "json"), default=None, help=argparse.SUPPRESS)
    parser.add_argument("-v", "--verbose", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(func=run)


def _stages(screen: Screen) -> Callable[[str, Mapping[str, Any]], None]:
    def on_stage(stage: str, info: Mapping[str, Any]) -> None:
        if stage == "emulator":
            screen.line(f"Emulator   {info['url']} (SiteWise; moto answers STS on the same port), "
                        f"time scale {info['time_scale']:g}x")
        elif stage == "seeded":
            parts = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in info.items() if n)
            screen.line(f"Seeded     windfarm: {parts}")
        elif stage == "latency":
            screen.line("Latency    realistic (creates, updates and deletes take seconds), AWS quotas enforced")
        elif stage == "planned":
            screen.line(f"Planned    {info['path']}\n")
            screen.show(render_text(info["plan"], limit=12), plan_view(info["plan"], limit=12))
            screen.line("Applying the plan (auto-approved in the demo):", style="bold")

    return on_stage


def run(args: argparse.Namespace) -> int:
    from teardown.workflows.demo import run_demo  # noqa: PLC0415 (the emulator and moto load only for this command)

    screen = Screen(log_format=args.log_format)
    display = progress_display(screen, verbose=args.verbose)
    screen.line("sitewise-teardown demo: decommission site 1 of a wind farm, safely\n", style="bold")
    try:
        result = run_demo(time_scale=args.time_scale, plans_dir=args.plans_dir, workers=args.workers,
                          on_stage=_stages(screen), on_progress=display.update)
    finally:
        display.close()
    screen.line()
    screen.show(format_summary(result.report), report_view(result.report))
    screen.line("\nVerification against the emulator's state:")
    deleted = result.plan.summary["deletes"]["assets"]
    _check(screen, not result.left_behind, f"{deleted} selected assets gone", result.left_behind)
    _check(screen, not result.changed, "nothing outside the plan changed", result.changed)
    for k in result.plan.summary.get("kept_modified", ()):
        _check(screen, True, f"kept but modified as planned: {k['name']}: {k['change']}")
    if result.side_effects:
        _check(screen, True, f"{len(result.side_effects)} time series went with their assets, as the plan announced")
    verdict = "verified" if result.verified else "NOT verified"
    screen.line(f"\nDemo finished in {result.seconds:.1f}s: {verdict}. Plan, journal and report: "
                f"{result.plan_path.parent}/", style="bold" if result.verified else ERROR_STYLE)
    return EXIT_OK if result.verified else EXIT_ACTIONS_FAILED


def _check(screen: Screen, ok: bool, what: str, problems: list[str] | tuple[str, ...] = ()) -> None:
    screen.line(f"  {'ok ' if ok else 'BAD'} {what}", style=OK_STYLE if ok else ERROR_STYLE)
    for problem in problems:
        screen.line(f"      {problem}", style=ERROR_STYLE)
