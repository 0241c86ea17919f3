"""Benchmark (not a test): the reads discovery and the pre-apply stale check spend, and how long they take
paced at the published quotas, on issue 11's world (1 enterprise -> 10 sites -> 10 lines -> 9 turbines:
1,011 assets, 4 models, a project per site).

The world is seeded instantly into an in-process emulator; then the emulator enforces the AWS quotas on a
ScaledClock (``--scale``, default 1: real time) that the engine paces itself on. For each selection: the
reads `plan` discovery sends and its clock seconds, and the same for the stale check `apply` runs before its
first mutation (counted by the emulator, as served). Last, the pre-flight of a resumed subtree plan whose
90 turbine links an earlier run disassociated. Prints a table and writes benchmarks/results/discovery_reads.json.

    python -m benchmarks.discovery_reads [--sites 10] [--lines 10] [--turbines 9] [--scale 1]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import structlog

from teardown.applying.freshness import check_plan
from teardown.aws.calls import Calls
from teardown.aws.discover import discover
from teardown.aws.target import AwsTarget, sitewise_client
from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.clock import ScaledClock
from teardown.emulator.hook import mock_sitewise
from teardown.emulator.seed import SeededWorld, seed_world, wind_park
from teardown.inventory.selectors import SelectionSpec
from teardown.kinds import ActionKind
from teardown.planning.make import make_plan
from teardown.planning.planfile import Plan

RESULTS = Path(__file__).parent / "results" / "discovery_reads.json"
ACCOUNT = "123456789012"
REGION = "us-east-1"


def _selections(world: SeededWorld) -> dict[str, SelectionSpec]:
    return {
        "--all": SelectionSpec(all=True),
        "--subtree site": SelectionSpec(subtrees=(world.assets["e/s1"],)),
        "--subtree turbine": SelectionSpec(subtrees=(world.assets["e/s1/l1/t1"],)),
        "--asset-model (all four)": SelectionSpec(asset_models=tuple(world.models.values())),
        "--project": SelectionSpec(projects=(world.projects["p1"],)),
    }


def _measured(backend: SiteWiseBackend, clock: ScaledClock, body: Callable[[], Any]) -> tuple[Any, int, float]:
    """``body()``'s answer, the requests the emulator served for it, and its clock seconds."""
    before = sum(backend.call_counts().values())
    start = clock.now()
    answer = body()
    return answer, sum(backend.call_counts().values()) - before, round(clock.now() - start, 2)


def run(*, sites: int, lines: int, turbines: int, scale: float) -> list[dict[str, Any]]:
    clock = ScaledClock(scale)
    backend = SiteWiseBackend(clock=clock, latency="instant", quotas="off", account_id=ACCOUNT, region=REGION)
    rows: list[dict[str, Any]] = []
    with mock_sitewise(backend):
        client = sitewise_client(AwsTarget(region=REGION), pool=64)
        world = seed_world(client, wind_park(sites=sites, lines=lines, turbines=turbines), clock=clock)
        backend.quotas = "aws"
        plans: dict[str, Plan] = {}
        for name, spec in _selections(world).items():
            inventory, reads, seconds = _measured(backend, clock, partial(
                discover, Calls(client, clock), spec, account=ACCOUNT, region=REGION))
            plans[name], _ = make_plan(inventory, spec)
            _, check_reads, check_seconds = _measured(backend, clock, partial(
                check_plan, plans[name], Calls(client, clock)))
            rows.append({"selection": name, "discovery_reads": reads, "discovery_seconds": seconds,
                         "stale_check_reads": check_reads, "stale_check_seconds": check_seconds})
        plan = plans["--subtree site"]
        links = [a for a in plan.actions if a.kind is ActionKind.DISASSOCIATE_ASSET
                 and " Turbine " in a.label]
        backend.quotas = "off"
        for link in links:  # what the earlier run did, journaled done
            client.disassociate_assets(**link.params)
        backend.quotas = "aws"
        done = [a.id for a in links]
        _, resume_reads, resume_seconds = _measured(backend, clock, partial(
            check_plan, plan, Calls(client, clock), progressed=done, finished=done))
        rows.append({"selection": f"resumed --subtree site ({len(links)} links done)", "discovery_reads": None,
                     "discovery_seconds": None, "stale_check_reads": resume_reads,
                     "stale_check_seconds": resume_seconds})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--lines", type=int, default=10)
    parser.add_argument("--turbines", type=int, default=9)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "benchmark")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "benchmark")
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    rows = run(sites=args.sites, lines=args.lines, turbines=args.turbines, scale=args.scale)
    print(f"{'selection':42} {'discovery reads':>15} {'clock s':>8} {'stale check reads':>18} {'clock s':>8}")
    for row in rows:
        print(f"{row['selection']:42} {row['discovery_reads'] or '':>15} {row['discovery_seconds'] or '':>8} "
              f"{row['stale_check_reads']:>18} {row['stale_check_seconds']:>8}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"scale": args.scale, "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
