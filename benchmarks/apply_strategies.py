"""Benchmark (not a test): ways to carry out the same teardown plan, compared in one run.

Every strategy gets a fresh emulator seeded with the same random world, realistic latencies and the
published quotas, on a ScaledClock (default 20x: a 2.5 s delete takes 125 ms of wall time, and quotas
scale with it), and the same plan (everything selected). Measured: clock seconds to the end, requests
sent (from the emulator's own counts), and whether everything was gone at the end.

- dag-N:      the engine: the event-driven DAG walk with N request slots per quota family and the one
              batched observer (a slot is free once its request is answered, so N hardly matters)
- dag-N-poll: the same walk, observing each resource with its own Describe (what botocore waiters do)
- phases-N:   phase by phase: every generation of the graph finished before the next starts (barriers)
- waves-N:    the aws-nuke way: send every remaining request, wait, re-check, repeat until all stick

    python -m benchmarks.apply_strategies [--assets 120] [--scale 20] [--workers 8]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import structlog
from botocore.exceptions import ClientError

from teardown.applying.effects import ObserveSettings, child_parent
from teardown.applying.execute import Executor
from teardown.applying.observe import EffectObserver
from teardown.applying.report import Outcome
from teardown.applying.run import DEFAULT_WORKERS, apply
from teardown.applying.walk import WalkResult, walk
from teardown.aws.calls import Calls
from teardown.aws.classify import error_code
from teardown.aws.discover import discover
from teardown.aws.pacing import RateLimiter
from teardown.aws.target import AwsTarget, sitewise_client
from teardown.emulator import is_mutating
from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.clock import ScaledClock
from teardown.emulator.hook import mock_sitewise
from teardown.emulator.seed import random_world, seed_world
from teardown.inventory.selectors import SelectionSpec
from teardown.kinds import ActionKind
from teardown.planning.actions import Action
from teardown.planning.make import make_plan
from teardown.planning.planfile import Plan

RESULTS = Path(__file__).parent / "results" / "apply_strategies.json"
ACCOUNT = "123456789012"
REGION = "us-east-1"
OBSERVE = ObserveSettings(timeout=900.0)
WAVE_WAIT = 5.0  # clock seconds between naive waves (aws-nuke waits between its retries too)


@dataclass
class Run:
    name: str
    clock_seconds: float
    wall_seconds: float
    calls: dict[str, int]
    left: int  # resources of the plan still present at the end

    @property
    def requests(self) -> int:
        return sum(self.calls.values())

    @property
    def mutations(self) -> int:
        return sum(n for op, n in self.calls.items() if is_mutating(op))


@dataclass
class World:
    backend: SiteWiseBackend
    clock: ScaledClock
    client: Any
    plan: Plan
    counts_before: dict[str, int]


def fresh_world(assets: int, scale: float, seed: int) -> World:
    clock = ScaledClock(scale)
    backend = SiteWiseBackend(clock=clock, latency="instant", quotas="off", account_id=ACCOUNT, region=REGION)
    with mock_sitewise(backend):
        client = sitewise_client(AwsTarget(region=REGION), pool=32)
        seed_world(client, random_world(seed=seed, assets=assets, depth=4, fanout=6), clock=clock)
        spec = SelectionSpec(all=True)
        plan, _ = make_plan(discover(Calls(client, clock), spec, account=ACCOUNT, region=REGION), spec)
    backend.latency = "realistic"
    backend.quotas = "aws"
    # Seeding and planning are not part of any strategy's bill.
    return World(backend, clock, client, plan, backend.call_counts())


def calls_since_start(world: World) -> dict[str, int]:
    before = world.counts_before
    now = world.backend.call_counts()
    return {op: n - before.get(op, 0) for op, n in sorted(now.items()) if n - before.get(op, 0)}


def left_over(world: World) -> int:
    snap = world.backend.snapshot()
    text = json.dumps(snap)
    return sum(1 for a in world.plan.actions if a.kind.is_delete and a.target in text)


def timed(name: str, world: World, body: Callable[[], None]) -> Run:
    wall = time.monotonic()
    start = world.clock.now()
    with mock_sitewise(world.backend):
        body()
    return Run(name, world.clock.now() - start, time.monotonic() - wall, calls_since_start(world), left_over(world))


def dag(world: World, workers: int, observation: str, tmp: Path) -> None:
    report = apply(world.plan, client=world.client, identity=lambda: (ACCOUNT, REGION), auto_approve=True,
                   workers=workers, clock=world.clock, plan_path=tmp / f"{observation}-{workers}.plan",
                   observe=ObserveSettings(timeout=900.0, mode=observation))  # type: ignore[arg-type]
    if not report.ok:
        raise SystemExit(f"dag run failed: {report.totals()}")


def _executor(world: World, observer: EffectObserver) -> Executor:
    return Executor(observer.calls, digest=world.plan.digest, clock=world.clock, observer=observer)


def phases(world: World, workers: int) -> None:
    """Barriers: generation k+1 starts only when all of generation k is done."""
    graph = world.plan.action_graph()
    caller = Calls(world.client, world.clock, limiter=RateLimiter(world.clock))
    actions = {a.id: a for a in world.plan.actions}
    with EffectObserver(caller, world.clock, OBSERVE) as observer:
        executor = _executor(world, observer)
        for generation in nx.topological_generations(graph):
            result: WalkResult[str] = walk(
                graph.subgraph(generation), lambda aid: executor.run(actions[aid]), workers=workers
            )
            if any(v.outcome is Outcome.FAILED for v in result.values.values()):
                raise SystemExit("phase run failed")


def waves(world: World, workers: int) -> int:
    """No graph: send every remaining action's request once, wait, re-check; repeat until all stick."""
    caller = Calls(world.client, world.clock, limiter=RateLimiter(world.clock))
    remaining: list[Action] = list(world.plan.actions)
    count = 0

    def attempt(action: Action) -> None:
        try:
            caller.mutate(action.kind.operation, **action.params)
        except ClientError as exc:
            if error_code(exc) not in {"InvalidRequestException", "ConflictingOperationException",
                                       "ResourceNotFoundException"}:
                raise

    def settled(action: Action) -> bool:
        try:
            if action.kind is ActionKind.DELETE_ASSET:
                caller.read("DescribeAsset", assetId=action.target)
            elif action.kind is ActionKind.DELETE_ASSET_MODEL:
                caller.read("DescribeAssetModel", assetModelId=action.target)
            elif action.kind is ActionKind.DISASSOCIATE_ASSET:
                return child_parent(caller, str(action.params["childAssetId"])) is None
            elif action.kind is ActionKind.DISASSOCIATE_PROJECT_ASSETS:
                present = caller.read("ListProjectAssets", projectId=action.params["projectId"])["assetIds"]
                return not set(present) & set(action.params["assetIds"])
            else:  # Monitor deletes: the Describe of the same resource answers 404 once it is gone
                describe = action.kind.operation.replace("Delete", "Describe", 1)
                caller.read(describe, **action.params)
        except ClientError as exc:
            return error_code(exc) == "ResourceNotFoundException"
        return False

    with ThreadPoolExecutor(workers) as pool:
        while remaining and count < 200:
            count += 1
            list(pool.map(attempt, remaining))
            world.clock.sleep(WAVE_WAIT)
            done = list(pool.map(settled, remaining))
            remaining = [a for a, ok in zip(remaining, done, strict=True) if not ok]
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assets", type=int, default=120)
    parser.add_argument("--scale", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    # Retry and progress events would bury the table; warnings still show.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    for name, value in (("AWS_ACCESS_KEY_ID", "bench"), ("AWS_SECRET_ACCESS_KEY", "bench")):
        os.environ.setdefault(name, value)
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"apply-strategies-{os.getpid()}"
    tmp.mkdir(parents=True, exist_ok=True)
    w = args.workers
    runs: list[Run] = []
    wave_count = 0

    def run_waves(world: World) -> None:
        nonlocal wave_count
        wave_count = waves(world, w)

    strategies: list[tuple[str, Callable[[World], None]]] = [
        (f"dag-{w}", lambda world: dag(world, w, "batched", tmp)),
        (f"dag-{w // 4}", lambda world: dag(world, w // 4, "batched", tmp)),
        ("dag-1", lambda world: dag(world, 1, "batched", tmp)),
        (f"dag-{w}-poll", lambda world: dag(world, w, "per_resource", tmp)),
        (f"phases-{w}", lambda world: phases(world, w)),
        (f"waves-{w}", run_waves),
    ]
    actions = 0
    for name, body in strategies:
        world = fresh_world(args.assets, args.scale, args.seed)
        actions = len(world.plan.actions)
        runs.append(timed(name, world, lambda world=world, body=body: body(world)))  # type: ignore[misc]
        print(f"  {name}: {runs[-1].clock_seconds:.1f} clock s", flush=True)

    base = runs[0]
    header = f"{'strategy':<14}{'clock s':>9}{'x dag':>7}{'wall s':>8}{'requests':>10}{'x dag':>7}" \
             f"{'mutations':>11}{'reads':>7}{'left':>6}"
    print(f"\n{actions} actions on a random world of {args.assets} assets, realistic latency, AWS quotas, "
          f"clock x{args.scale:g}")
    print(header)
    print("-" * len(header))
    for r in runs:
        print(f"{r.name:<14}{r.clock_seconds:>9.1f}{r.clock_seconds / base.clock_seconds:>7.2f}"
              f"{r.wall_seconds:>8.1f}{r.requests:>10}{r.requests / base.requests:>7.2f}"
              f"{r.mutations:>11}{r.requests - r.mutations:>7}{r.left:>6}")
    print(f"(waves needed: {wave_count})")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "world": {"assets": args.assets, "seed": args.seed, "actions": actions},
        "clock_scale": args.scale, "latency": "realistic", "quotas": "aws", "workers": w,
        "waves_needed": wave_count,
        "runs": [
            {"strategy": r.name, "clock_seconds": round(r.clock_seconds, 2),
             "wall_seconds": round(r.wall_seconds, 2),
             "time_vs_dag": round(r.clock_seconds / base.clock_seconds, 3), "requests": r.requests,
             "requests_vs_dag": round(r.requests / base.requests, 3), "mutations": r.mutations,
             "reads": r.requests - r.mutations, "left": r.left, "calls": r.calls}
            for r in runs
        ],
    }, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
