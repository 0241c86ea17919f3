"""Benchmark (not a test): how fast seeding builds a large random world in-process.

A fresh emulator (instant latency, quotas off, manual clock) per size; the world is a seeded random
forest (depth 4, fanout 10, shared child models, 3 projects) created through a real boto3 client served
by ``mock_sitewise``. Measured: wall seconds, assets per second, and requests sent (the emulator's counts).
Writes benchmarks/results/seed_world.json.

    python -m benchmarks.seed_world [--assets 1000 10000] [--workers 8] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import time
from pathlib import Path
from typing import Any

import boto3
import structlog
from botocore.config import Config

from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.clock import ManualClock
from teardown.emulator.hook import mock_sitewise
from teardown.emulator.seed import random_world, seed_world

RESULTS = Path(__file__).parent / "results" / "seed_world.json"
REGION = "us-east-1"


def run_one(assets: int, *, workers: int, seed: int) -> dict[str, Any]:
    spec_started = time.perf_counter()
    spec = random_world(seed=seed, assets=assets, projects=3)
    spec_seconds = time.perf_counter() - spec_started
    clock = ManualClock()
    backend = SiteWiseBackend(clock=clock, latency="instant", quotas="off")
    with mock_sitewise(backend):
        client = boto3.client(
            "iotsitewise",
            region_name=REGION,
            config=Config(retries={"total_max_attempts": 1}, max_pool_connections=workers),
        )
        started = time.perf_counter()
        world = seed_world(client, spec, clock=clock, max_workers=workers)
        seconds = time.perf_counter() - started
    calls = backend.call_counts()
    return {
        "assets": assets,
        "seconds": round(seconds, 3),
        "assets_per_second": round(assets / seconds, 1),
        "spec_seconds": round(spec_seconds, 3),
        "requests": sum(calls.values()),
        "requests_per_second": round(sum(calls.values()) / seconds, 1),
        "counts": world.counts(),
        "calls": dict(sorted(calls.items())),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assets", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    # Dummy credentials: the hook answers in-process, nothing may reach AWS.
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))

    runs = [run_one(n, workers=args.workers, seed=args.seed) for n in args.assets]
    print(f"{'assets':>8} {'seconds':>9} {'assets/s':>9} {'requests':>9} {'req/s':>8}")
    for r in runs:
        print(f"{r['assets']:>8} {r['seconds']:>9.2f} {r['assets_per_second']:>9.0f} "
              f"{r['requests']:>9} {r['requests_per_second']:>8.0f}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "seed_world",
        "workers": args.workers,
        "seed": args.seed,
        "latency": "instant",
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "runs": runs,
    }, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
