"""`sitewise-teardown demo`: a site decommission against the embedded emulator, end to end, verified."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from teardown.applying.progress import Progress
from teardown.applying.run import DEFAULT_WORKERS
from teardown.cli.options import positive_int
from teardown.cli.progress import ProgressBar, render
from teardown.cli.tables import format_summary
from teardown.errors import EXIT_ACTIONS_FAILED, EXIT_OK
from teardown.planning.render import render_text

_LINE_EVERY = 2.0  # seconds between progress lines when stdout is not a terminal


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


class _LineProgress:
    """Progress for logs and pipes: one line every few seconds instead of a redrawn bar."""

    def __init__(self) -> None:
        self._last = 0.0

    def update(self, progress: Progress) -> None:
        now = time.monotonic()
        if now - self._last >= _LINE_EVERY or progress.settled == progress.total:
            self._last = now
            print(f"  {render(progress)}", flush=True)

    def close(self) -> None:
        return None


def _stage(stage: str, info: Mapping[str, Any]) -> None:
    if stage == "emulator":
        print(f"Emulator   {info['url']} (SiteWise; moto answers STS on the same port), "
              f"time scale {info['time_scale']:g}x")
    elif stage == "seeded":
        parts = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in info.items() if n)
        print(f"Seeded     windfarm: {parts}")
    elif stage == "latency":
        print("Latency    realistic (creates, updates and deletes take seconds), AWS quotas enforced")
    elif stage == "planned":
        print(f"Planned    {info['path']}\n")
        print(render_text(info["plan"], limit=12))
        print("Applying the plan (auto-approved in the demo):")
    sys.stdout.flush()


def run(args: argparse.Namespace) -> int:
    from teardown.workflows.demo import run_demo  # noqa: PLC0415 (the emulator and moto load only for this command)

    progress: ProgressBar | _LineProgress = ProgressBar(sys.stdout) if sys.stdout.isatty() else _LineProgress()
    print("sitewise-teardown demo: decommission site 1 of a wind farm, safely\n")
    result = run_demo(time_scale=args.time_scale, plans_dir=args.plans_dir, workers=args.workers,
                      on_stage=_stage, on_progress=progress.update)
    progress.close()
    print()
    print(format_summary(result.report))
    print("\nVerification against the emulator's state:")
    deleted = result.plan.summary["deletes"]["assets"]
    print(f"  {'ok ' if not result.left_behind else 'BAD'} {deleted} selected assets gone"
          + "".join(f"\n      {p}" for p in result.left_behind))
    print(f"  {'ok ' if not result.changed else 'BAD'} nothing outside the plan changed"
          + "".join(f"\n      {p}" for p in result.changed))
    for k in result.plan.summary.get("kept_modified", ()):
        print(f"  ok  kept but modified as planned: {k['name']}: {k['change']}")
    if result.side_effects:
        print(f"  ok  {len(result.side_effects)} time series went with their assets, as the plan announced")
    verdict = "verified" if result.verified else "NOT verified"
    print(f"\nDemo finished in {result.seconds:.1f}s: {verdict}. Plan, journal and report: {result.plan_path.parent}/")
    return EXIT_OK if result.verified else EXIT_ACTIONS_FAILED
