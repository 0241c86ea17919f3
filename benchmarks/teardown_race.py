"""Benchmark (not a test): the teardown race. The engine, a naive script and aws-nuke-style retry waves tear
down the same world, each on a fresh identical copy, against the emulator over HTTP with a latency profile
and the published AWS quotas (asset family 30 TPS, model 10, Monitor 10), and are measured against the
lower bound those quotas allow (``benchmarks/race/bound.py``).

The worlds: three seeded random forests side by side, of depth 4, 5 and 6 (several models per level,
shared child models, a component model, projects with dashboards and access policies), deterministic from
``--seed``. ``--world sites`` races the issue's own world instead: one enterprise over 10 sites of 10 lines
of turbines (``benchmarks/race/sites.py``; 1,011 assets at 1,000; it has no seed). The strategies are
described in ``benchmarks/race/run.py`` and ``benchmarks/race/scripts.py``.

Measured per strategy and world: clock seconds (the engine's apply; planning is reported beside it), the
bound and the ratio, the seconds before the first mutation (the engine's stale check, which must re-read the
world at the same quotas, plus its archive capture; a script's first reads) and the ratio of the rest to the
bound (and, beside the table, the least time those first reads need at the quotas, and the ratio with them
counted in the bound), requests by operation (the emulator's own counts), reads per mutating call,
completion reads (reads after the first mutation) as % of mutating calls, throttled calls (%), the
strategy's peak memory (its own process), and whether the world ended empty (read from the emulator's
state).

1,000 assets run in real time; 10,000 at time scale 10, where the engine's rates are the published ones
times 10, so the bound in clock seconds is the same. The naive script needs about 3 s per asset, so by
default it runs on a sample world of ``--naive-sample`` assets (same shape) and its time is extrapolated
phase by phase (labelled so); ``--naive-sample 0`` runs it on the full world.

    python -m benchmarks.teardown_race [--assets 1000,10000] [--scale 1,10] [--strategies engine,naive,waves]
                                       [--world forests|sites] [--latency realistic|production] [--seed 7]
                                       [--naive-sample 100] [--quick]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import structlog

from benchmarks.race.bound import Shape, bound_of, published_rates
from benchmarks.race.run import EVENTS_ENV, STRATEGIES, child_main, race_one
from benchmarks.race.sites import site_world
from benchmarks.race.world import FORESTS, world_specs
from teardown.emulator import Clock, LatencyProfile
from teardown.emulator.seed import WorldSpec

RESULTS = Path(__file__).parent / "results" / "teardown_race.json"
QUICK_RESULTS = Path(__file__).parent / "results" / "teardown_race.quick.json"
NAIVE_SAMPLE = 100
# What each phase of the naive script grows with, to extrapolate a sample's time to the full world.
PHASE_UNITS = {"project_links": "projects", "assets": "assets", "models": "models", "monitor": "monitor_resources"}
WORLDS = ("forests", "sites")


def specs_of(world: str, assets: int, seed: int, forests: Sequence[tuple[int, int]] = FORESTS) -> list[WorldSpec]:
    """The specs of one race world of about ``assets`` assets: the forests, or the issue's sites."""
    if world == "sites":
        return [site_world(assets)]
    if world == "forests":
        return world_specs(assets, seed, forests)
    raise ValueError(f"unknown world {world!r}; expected one of {', '.join(WORLDS)}")


def extrapolate(phases: Mapping[str, float], sample: Mapping[str, int], full: Mapping[str, int]) -> float:
    """The naive script is sequential: each phase's time scales with the count of what it walks."""
    total = 0.0
    for phase, seconds in phases.items():
        unit = PHASE_UNITS[phase]
        total += seconds * (full[unit] / sample[unit] if sample[unit] else 1.0)
    return total


def race(
    worlds: Sequence[tuple[int, float]],
    strategies: Sequence[str],
    *,
    latency: str,
    seed: int,
    workdir: Path,
    naive_sample: int = NAIVE_SAMPLE,
    clock: Clock | None = None,
    quotas: str = "aws",
    forests: Sequence[tuple[int, int]] = FORESTS,
    world: str = "forests",
    on_row: Callable[[dict[str, Any]], None] = lambda _row: None,
) -> dict[str, Any]:
    """Every strategy on every world (``(assets, time scale)``); the results document. With ``clock``,
    everything runs in this process on it (the smoke test); else each strategy in a child process."""
    rows: list[dict[str, Any]] = []
    for assets, scale in worlds:
        specs = specs_of(world, assets, seed, forests)
        full = Shape.of_specs(specs)
        bound, _ = bound_of(full, LatencyProfile.named(latency))
        for strategy in strategies:
            sampled = strategy == "naive" and 0 < naive_sample < assets
            raced = specs_of(world, naive_sample, seed, forests) if sampled else specs
            row = race_one(raced, strategy, latency=latency, scale=scale, workdir=workdir / f"{assets}-{strategy}",
                           clock=clock, quotas=quotas)
            row["label"] = strategy
            if sampled:
                # The measured counts stay the sample's; only the time is carried over to the full world.
                row["sample_world"], row["world"] = row["world"], {**full.summary(), "forests": [s.name for s in specs]}
                row["measured_seconds"] = row["seconds"]
                row["measured_bound_seconds"] = row["bound_seconds"]
                row["seconds"] = round(extrapolate(row["phases"], row["sample_world"], row["world"]), 2)
                row["bound_seconds"] = round(bound, 2)
                row["ratio"] = round(row["seconds"] / bound, 3)
                row["label"] = f"naive~{naive_sample}"
                row["check_seconds"] = row["run_ratio"] = None  # the sample's: not carried over
            row["sampled"] = sampled
            rows.append(row)
            on_row(row)
    return {
        "benchmark": "teardown_race",
        "latency": latency,
        "quotas": quotas,
        "published_rates": published_rates(),
        "seed": seed,
        "world": world,
        "naive_sample": naive_sample,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "rows": rows,
    }


HEADER = (f"{'assets':>7} {'scale':>5} {'strategy':<11} {'clock s':>8} {'bound s':>8} {'ratio':>6} {'check s':>8} "
          f"{'run ratio':>9} {'requests':>9} {'reads/mut':>9} {'compl %':>8} {'thr %':>6} {'MiB':>6} {'empty':>5}")


def table_row(row: Mapping[str, Any]) -> str:
    def num(value: Any, fmt: str) -> str:
        return "-" if value is None else format(value, fmt)

    return (f"{row['world']['assets']:>7} {row['scale']:>5g} {row['label']:<11} {row['seconds']:>8.1f} "
            f"{row['bound_seconds']:>8.1f} {num(row['ratio'], '.2f'):>6} {num(row.get('check_seconds'), '.1f'):>8} "
            f"{num(row.get('run_ratio'), '.2f'):>9} {row['requests']:>9} "
            f"{num(row['reads_per_mutation'], '.2f'):>9} {num(row['completion_reads_pct'], '.1f'):>8} "
            f"{row['throttled_pct']:>6.2f} {num(row['peak_mib'], '.0f'):>6} {'yes' if row['ended_empty'] else 'NO':>5}")


def render(document: Mapping[str, Any]) -> str:
    lines = [HEADER, "-" * len(HEADER)]
    lines += [table_row(row) for row in document["rows"]]
    for row in document["rows"]:
        if row["sampled"]:
            sample = row["sample_world"]
            lines.append(f"{row['label']}: measured on a sample world of {sample['assets']} assets and "
                         f"{sample['models']} models in {row['measured_seconds']:.1f} s (bound "
                         f"{row['measured_bound_seconds']:.1f} s), its phases extrapolated to the full world; "
                         "requests and the other columns are the sample's")
        if row.get("error"):
            lines.append(f"{row['label']}, {row['world']['assets']} assets: FAILED {row['error']}")
        if "plan_seconds" in row:
            lines.append(f"{row['label']}, {row['world']['assets']} assets: planning {row['plan_seconds']:.1f} s and "
                         f"{row['planning_requests']} requests before the apply timed above; "
                         f"{row['actions']} actions, {row['workers']} workers" + _with_check(row))
        if "waves" in row:
            lines.append(f"waves, {row['world']['assets']} assets: {row['waves']} waves")
        if not row["ended_empty"]:
            lines.append(f"{row['label']}, {row['world']['assets']} assets: LEFT BEHIND {row['left']}")
    lines.append("")
    lines.append("requests by operation:")
    for row in document["rows"]:
        ops = ", ".join(f"{op} {n}" for op, n in row["requests_by_operation"].items())
        lines.append(f"  {row['world']['assets']} {row['label']}: {ops}")
    return "\n".join(lines)


def _with_check(row: Mapping[str, Any]) -> str:
    """The ratio were the stale check's reads in the bound (none for a world with nothing to delete)."""
    if row.get("ratio_with_check") is None:
        return ""
    return (f"; the stale check's reads need {row['check_floor_seconds']:.1f} s at the quotas: with them in the "
            f"bound, ratio {row['ratio_with_check']:.2f}")


def _floats(text: str) -> list[float]:
    return [float(x) for x in text.split(",") if x.strip()]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assets", default="1000,10000", help="world sizes, comma-separated")
    parser.add_argument("--scale", default="1,10", help="time scale per world (one value: every world)")
    parser.add_argument("--strategies", default=",".join(STRATEGIES))
    parser.add_argument("--latency", choices=("realistic", "production"), default="realistic")
    parser.add_argument("--world", choices=WORLDS, default="forests",
                        help="the seeded forests, or the issue's enterprise of sites, lines and turbines")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--naive-sample", type=int, default=NAIVE_SAMPLE,
                        help="assets of the sample world the naive script runs on (0: the full world)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 60 assets at time scale 20")
    parser.add_argument("--out", type=Path, help=f"results file (default {RESULTS})")
    parser.add_argument("--events", type=Path,
                        help="append the strategies' structlog events, debug included, to this file (JSON lines)")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # child mode: run one job, print its JSON
    args = parser.parse_args(argv)
    if args.child:
        child_main(args.child)
        return
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    for name, value in (("AWS_ACCESS_KEY_ID", "bench"), ("AWS_SECRET_ACCESS_KEY", "bench")):
        os.environ.setdefault(name, value)
    if args.events:
        os.environ[EVENTS_ENV] = str(args.events.resolve())
    if args.quick:
        args.assets, args.scale, args.naive_sample = "60", "20", 0
    sizes = [int(x) for x in _floats(args.assets)]
    scales = _floats(args.scale)
    if len(scales) == 1:
        scales *= len(sizes)
    if len(scales) != len(sizes):
        parser.error("--scale takes one value, or one per --assets size")
    strategies = [s.strip() for s in args.strategies.split(",") if s.strip()]
    unknown = set(strategies) - set(STRATEGIES)
    if unknown:
        parser.error(f"unknown strategies {sorted(unknown)}; expected some of {','.join(STRATEGIES)}")
    print(HEADER, flush=True)
    with tempfile.TemporaryDirectory(prefix="teardown-race-") as tmp:
        document = race(list(zip(sizes, scales, strict=True)), strategies, latency=args.latency, seed=args.seed,
                        workdir=Path(tmp), naive_sample=args.naive_sample, world=args.world,
                        on_row=lambda row: print(table_row(row), flush=True))
    print(f"\n{args.latency} latency, AWS quotas (asset 30, model 10, monitor 10 TPS), seed {args.seed}\n")
    print(render(document))
    out = args.out or (QUICK_RESULTS if args.quick else RESULTS)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
