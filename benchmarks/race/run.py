"""One race run: a fresh world served over HTTP, one strategy against it, and what it cost.

The strategy runs in a child process (``python -m benchmarks.teardown_race --child JOB``) so its peak
memory is its own (``ru_maxrss``), not the emulator's, and the emulator does not share its interpreter;
or in-process (``clock`` given), which is what the smoke test does. The child is a client like any other:
it reaches the emulator only through the URL (and the control API's call counts).

- ``engine``: ``teardown.plan(all=True, out=...)`` then ``teardown.apply(path, auto_approve=True,
  archive=False)``, the defaults otherwise: a plan file applied as a user applies a reviewed one, its stale
  check re-reading the world first. ``engine+archive``: the same with the archive captured before the first
  mutation (the default of ``apply``, about two reads per asset), to show what the way back costs.
  ``reset``: as a scheduled reset of a throwaway environment runs it (``teardown.workflows.reset``, archive
  off): the plan applied at once, the reading it was made from standing for the stale check's
  (``fresh_inventory``). All run on the wall clock as a user's would, so at time scale N their ``rates`` are
  the published ones times N (unless given the emulator's clock, as in the smoke test).
- ``naive`` and ``waves``: ``benchmarks.race.scripts``, waiting on the emulator's clock.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import resource
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import boto3
import structlog
from botocore.config import Config

import teardown
from benchmarks.race.bound import Shape, bound_of, published_rates, read_seconds
from benchmarks.race.scripts import naive, waves
from benchmarks.race.world import REGION, fresh_world, left_over
from teardown.applying.heap import long_lived
from teardown.aws.discover import discover_target
from teardown.aws.target import AwsTarget
from teardown.emulator import Clock, LatencyProfile, ScaledClock, is_mutating, serve
from teardown.emulator.seed import WorldSpec
from teardown.emulator.server import client_environment
from teardown.inventory.records import Inventory
from teardown.planning.make import make_plan
from teardown.planning.planfile import write_plan

STRATEGIES = ("engine", "engine+archive", "reset", "naive", "waves")
ENGINES = ("engine", "engine+archive", "reset")
# Set by ``--events FILE``: the child process writes every structlog event, debug included, to FILE.
EVENTS_ENV = "TEARDOWN_RACE_EVENTS"


@dataclass(frozen=True)
class Job:
    """What the client side needs to run one strategy (JSON-able: it crosses to the child process)."""

    strategy: str
    url: str
    scale: float
    workdir: str
    rates: dict[str, float] | None = None  # the engine's; None: its defaults


def script_client(url: str) -> Any:
    """A boto3 client as a script builds one: botocore's standard retry mode (throttling retried with
    backoff, at most 3 attempts), pointed at the emulator."""
    return boto3.client("iotsitewise", region_name=REGION, endpoint_url=url,
                        config=Config(retries={"mode": "standard"}, inject_host_prefix=False))


def emulator_counts(url: str) -> dict[str, int]:
    with urllib.request.urlopen(f"{url}/_emulator/calls", timeout=30) as answer:
        counts: dict[str, int] = json.load(answer)
    return counts


def _plan(job: Job, path: Path, clock: Clock | None) -> tuple[teardown.Plan, Inventory | None]:
    """``teardown.plan(all=True)`` as a user calls it, at the job's rates as the apply; on an injected clock, or
    for a reset (which keeps what it read), the same three steps it takes (discovery's pacing and retries would
    otherwise wait on the wall clock): the plan, and what it was made from where that is kept."""
    if clock is None and job.strategy != "reset":
        return teardown.plan(all=True, endpoint_url=job.url, region=REGION, out=path, rates=job.rates), None
    spec = teardown.SelectionSpec(all=True)
    target = AwsTarget(region=REGION, endpoint_url=job.url)
    inventory = discover_target(target, spec, clock=clock, rates=job.rates)
    plan, _ = make_plan(inventory, spec)
    write_plan(plan, path)
    return plan, inventory if job.strategy == "reset" else None


def run_job(job: Job, clock: Clock, *, engine_clock: Clock | None = None) -> dict[str, Any]:
    """Run ``job``'s strategy; ``seconds`` is its duration on ``clock`` (the emulator's time)."""
    out: dict[str, Any] = {}
    started = clock.now()
    if job.strategy in ENGINES:
        path = Path(job.workdir) / "race.plan.json"
        plan, inventory = _plan(job, path, engine_clock)
        planned = clock.now()
        emulator_counts(job.url)  # marks where the apply's bill starts
        report = teardown.apply(plan if inventory is not None else path, plan_path=path, endpoint_url=job.url,
                                region=REGION, auto_approve=True, rates=job.rates, clock=engine_clock,
                                archive=job.strategy == "engine+archive", fresh_inventory=inventory)
        out.update(plan_seconds=planned - started, actions=len(plan.actions), ok=report.ok,
                   outcomes=report.totals(), workers=report.workers, engine_throttles=dict(report.throttles))
        started = planned
    elif job.strategy == "naive":
        out["phases"] = naive(script_client(job.url), clock)
    elif job.strategy == "waves":
        out["waves"] = waves(script_client(job.url), clock)
    else:
        raise ValueError(f"unknown strategy {job.strategy!r}; expected one of {STRATEGIES}")
    out["seconds"] = clock.now() - started
    return out


def peak_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def child_main(job_json: str) -> None:
    """The child process: run the job on a ScaledClock of the emulator's scale, print one JSON line."""
    events = os.environ.get(EVENTS_ENV)
    with contextlib.ExitStack() as stack:
        if events:  # every event down to debug (the observer's checks, say), as JSON lines
            sink = stack.enter_context(Path(events).open("a", encoding="utf-8"))
            structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG),
                                processors=[structlog.processors.add_log_level, structlog.processors.TimeStamper(),
                                            structlog.processors.JSONRenderer()],
                                logger_factory=structlog.WriteLoggerFactory(sink))
        else:  # stdout carries the result alone; the engine's warnings (retries, failures) go to stderr
            structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
                                logger_factory=structlog.PrintLoggerFactory(sys.stderr))
        job = Job(**json.loads(job_json))
        result = run_job(job, ScaledClock(job.scale))
    result["peak_mib"] = peak_mib()
    print(json.dumps(result))


def _in_child(job: Job) -> dict[str, Any]:
    env = {**os.environ, **client_environment(job.url, REGION), "SITEWISE_TEARDOWN_LOCK_DIR": job.workdir}
    done = subprocess.run([sys.executable, "-m", "benchmarks.teardown_race", "--child", json.dumps(asdict(job))],
                          env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{job.strategy} failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _delta(now: dict[str, int], then: dict[str, int]) -> dict[str, int]:
    return {op: n - then.get(op, 0) for op, n in sorted(now.items()) if n - then.get(op, 0)}


def race_one(
    specs: list[WorldSpec],
    strategy: str,
    *,
    latency: str,
    scale: float,
    workdir: Path,
    clock: Clock | None = None,
    quotas: str = "aws",
) -> dict[str, Any]:
    """Seed ``specs`` afresh, serve them over HTTP, tear them down with ``strategy``, and measure.

    With ``clock``, emulator and strategy (the engine too) run on it in this process; else the emulator runs
    on ``ScaledClock(scale)`` here and the strategy in a child process."""
    in_process = clock is not None
    world_clock: Clock = clock if clock is not None else ScaledClock(scale)
    seeded = fresh_world(specs, clock=world_clock, latency=latency, quotas=quotas)
    shape = Shape.of_snapshot(seeded.before)
    bound, minimum = bound_of(shape, LatencyProfile.named(latency))
    workdir.mkdir(parents=True, exist_ok=True)
    backend = seeded.backend
    # The seeded world is the race's fixture, not what it measures: frozen, no full collection of this process
    # (the emulator's) walks it, a pause of every request the server answers (``teardown.applying.heap``).
    with long_lived(), serve(backend) as server:
        rates = None if in_process or scale == 1 else published_rates(scale)
        job = Job(strategy, server.url, scale, str(workdir), rates)
        began, wall = world_clock.now(), time.monotonic()
        try:
            if in_process:
                result = run_job(job, world_clock, engine_clock=world_clock)
                result["peak_mib"] = peak_mib()
            else:
                result = _in_child(job)
        except Exception as exc:  # a strategy that crashes is a result too: what it left is read below
            result = {"error": f"{type(exc).__name__}: {exc}"[-2000:], "seconds": world_clock.now() - began,
                      "peak_mib": None}
        wall = time.monotonic() - wall
    after = backend.snapshot()
    # The bill starts at the last count read before the end: the engine's between plan and apply.
    mark = backend.mark
    assert mark is not None  # fresh_world read the counts
    end = backend.call_counts()
    calls = _delta(end, mark.counts)
    mutations = sum(n for op, n in calls.items() if is_mutating(op))
    reads = sum(calls.values()) - mutations
    first_mutation = backend.first_mutation
    first = first_mutation.counts if first_mutation is not None else end
    completion = sum(n for op, n in _delta(end, first).items() if not is_mutating(op))
    throttled = sum(backend.throttled.values()) - sum(mark.throttled.values())
    left = left_over(after)
    seconds = float(result.pop("seconds"))
    check = (round(first_mutation.at - mark.at, 2) if first_mutation is not None and first_mutation.at >= mark.at
             else None)
    # What the reads before the first mutation need at least, at their quotas: the bound would grow by this if
    # it counted the stale check (it counts no read).
    check_floor = read_seconds({op: n for op, n in _delta(first, mark.counts).items() if not is_mutating(op)})
    return {
        "strategy": strategy,
        "world": {**shape.summary(), "forests": [s.name for s in specs]},
        "latency": latency,
        "quotas": quotas,
        "scale": scale,
        "in_process": in_process,
        "seconds": round(seconds, 2),
        "wall_seconds": round(wall, 2),
        "bound_seconds": round(bound, 2),
        "ratio": round(seconds / bound, 3) if bound else None,
        "minimum_mutations": minimum,
        "requests": sum(calls.values()),
        "mutations": mutations,
        "reads": reads,
        # Before the first mutation: the engine's stale check (and archive capture), a script's first reads.
        "check_seconds": check,
        "run_ratio": round((seconds - check) / bound, 3) if bound and check is not None else None,
        "check_floor_seconds": round(check_floor, 2),
        "ratio_with_check": round(seconds / (bound + check_floor), 3) if bound else None,
        "reads_per_mutation": round(reads / mutations, 3) if mutations else None,
        "completion_reads": completion,
        "completion_reads_pct": round(100 * completion / mutations, 1) if mutations else None,
        "throttled": throttled,
        "throttled_pct": round(100 * throttled / sum(calls.values()), 2) if calls else 0.0,
        "peak_mib": result.pop("peak_mib"),
        "ended_empty": not left,
        "left": left,
        "requests_by_operation": calls,
        "refused": dict(sorted(backend.errors.items())),
        "planning_requests": sum(_delta(mark.counts, seeded.counts).values()),
        **result,
    }
