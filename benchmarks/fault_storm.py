"""Benchmark (not a test): the same teardown fault-free and under a fault storm, compared in one run.

Each run gets a fresh emulator seeded with the same random world, realistic latencies and the published
quotas, on a ScaledClock, and applies the same plan (everything selected) with the engine's defaults. The
storm starts before the pre-flight and hits every request the engine sends (reads and mutations): a share
of them throttled beside the quotas, a share answered 500 before anything was applied, and a share
applied but answered 500 (a lost response). The engine must end exactly (nothing left) and, since its
pacing backs off once a cooldown and wins the rate back per success, within a small multiple of the
fault-free time.

    python -m benchmarks.fault_storm [--assets 120] [--scale 20] [--throttle 0.3] [--errors 0.05] [--lost 0.02]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
from pathlib import Path

import structlog

from benchmarks.apply_strategies import Run, World, dag, fresh_world, timed
from teardown.aws.pacing import OPERATION_FAMILIES
from teardown.emulator import FaultSettings

RESULTS = Path(__file__).parent / "results" / "fault_storm.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assets", type=int, default=120)
    parser.add_argument("--scale", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--throttle", type=float, default=0.3, help="share of requests throttled")
    parser.add_argument("--errors", type=float, default=0.05, help="share answered 500 before being applied")
    parser.add_argument("--lost", type=float, default=0.02, help="share applied, then answered 500")
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    for name, value in (("AWS_ACCESS_KEY_ID", "bench"), ("AWS_SECRET_ACCESS_KEY", "bench")):
        os.environ.setdefault(name, value)
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"fault-storm-{os.getpid()}"
    tmp.mkdir(parents=True, exist_ok=True)
    storm = FaultSettings(throttle_before=args.throttle, internal_before=args.errors, internal_after=args.lost,
                          operations=frozenset(OPERATION_FAMILIES), seed=args.seed)
    runs: list[Run] = []
    for name, faults in (("fault-free", FaultSettings()), ("storm", storm)):
        world: World = fresh_world(args.assets, args.scale, args.seed)
        world.backend.faults = faults
        (tmp / name).mkdir(exist_ok=True)

        def body(world: World = world, name: str = name) -> None:
            dag(world, 32, "batched", tmp / name)

        runs.append(timed(name, world, body))
        world.backend.faults = FaultSettings()
        print(f"  {name}: {runs[-1].clock_seconds:.1f} clock s, {runs[-1].left} left", flush=True)

    base = runs[0]
    header = f"{'run':<12}{'clock s':>9}{'x fault-free':>14}{'requests':>10}{'mutations':>11}{'left':>6}"
    print(f"\nrandom world of {args.assets} assets, realistic latency, AWS quotas, clock x{args.scale:g}; storm: "
          f"{args.throttle:.0%} throttled, {args.errors:.0%} 5xx, {args.lost:.0%} lost responses")
    print(header)
    print("-" * len(header))
    for r in runs:
        print(f"{r.name:<12}{r.clock_seconds:>9.1f}{r.clock_seconds / base.clock_seconds:>14.2f}{r.requests:>10}"
              f"{r.mutations:>11}{r.left:>6}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "world": {"assets": args.assets, "seed": args.seed}, "clock_scale": args.scale,
        "storm": {"throttle": args.throttle, "errors": args.errors, "lost": args.lost},
        "runs": [{"run": r.name, "clock_seconds": round(r.clock_seconds, 2),
                  "vs_fault_free": round(r.clock_seconds / base.clock_seconds, 3), "requests": r.requests,
                  "mutations": r.mutations, "left": r.left, "calls": r.calls} for r in runs],
    }, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
