"""Benchmark (not a test): planning alone on synthetic inventories of 1k, 10k and 100k assets.

Each size runs in a fresh subprocess, the inventory already in memory. Measures, stage by stage, what
`sitewise-teardown plan` runs after discovery: make_plan's own steps (select, graph = actions + edges + order,
fingerprint, summary, seal = digest) and writing the plan file. Those six are "plan", the figure the target
holds at 100k assets: plan <= 5 s and peak <= 1 GiB. Then "load": loading the file back as apply does it
(read, schema, digest, tamper checks), apply's own cost, reported beside the target but not in it. Each
stage's peak RSS is its own (the kernel's high-water mark, reset between stages). Times fluctuate on a busy
machine: ``--runs 3`` runs each size three times and reports each stage's best (and its highest peak). Prints
a table per size and writes benchmarks/results/plan_scale.json.

    python -m benchmarks.plan_scale [--sizes 1000 10000 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from teardown.inventory.records import (
    AssetRecord,
    Hierarchy,
    Inventory,
    ModelRecord,
    ModelType,
    ParentLink,
    ProjectRecord,
)
from teardown.inventory.selectors import SelectionSpec
from teardown.planning.make import make_plan
from teardown.planning.planfile import load_plan, write_plan

RESULTS = Path(__file__).parent / "results" / "plan_scale.json"
TARGET_SECONDS, TARGET_PEAK_MIB = 5.0, 1024.0
_STATUS, _CLEAR_REFS = Path("/proc/self/status"), Path("/proc/self/clear_refs")
TARGET_ASSETS = 100_000
PLAN_STAGES = ("select", "graph", "fingerprint", "summary", "seal", "write")  # make_plan, then write_plan
APPLY_STAGES = ("load",)
LEVELS = ("enterprise", "site", "line", "turbine", "sensor")
FANOUT = 10


def synthetic_inventory(assets: int) -> Inventory:
    """A forest: enterprises -> sites -> lines -> turbines -> sensors, fanout 10, one project per site."""
    inv = Inventory(account="123456789012", region="us-east-1", endpoint=None, monitor_loaded=True,
                    gateways_loaded=True, alias_prefixes_loaded=("",))
    for depth, level in enumerate(LEVELS):
        child = LEVELS[depth + 1] if depth + 1 < len(LEVELS) else None
        hierarchies = (Hierarchy(f"h-{level}", f"{child}s", f"m-{child}"),) if child else ()
        inv.models[f"m-{level}"] = ModelRecord(f"m-{level}", level, f"arn:m-{level}", ModelType.ASSET_MODEL,
                                               "ACTIVE", 1.0, hierarchies=hierarchies)
    count = 0
    frontier: list[tuple[str, int]] = []
    while count < assets:
        if not frontier:
            root = f"a-{count}"
            inv.assets[root] = AssetRecord(root, root, f"arn:{root}", "m-enterprise", "ACTIVE", 1.0,
                                           hierarchy_ids=("h-enterprise",))
            frontier.append((root, 0))
            count += 1
            continue
        parent, depth = frontier.pop(0)
        if depth + 1 >= len(LEVELS):
            continue
        level = LEVELS[depth + 1]
        for _ in range(FANOUT):
            if count >= assets:
                break
            aid = f"a-{count}"
            hierarchy = ("h-" + level,) if depth + 2 < len(LEVELS) else ()
            inv.assets[aid] = AssetRecord(aid, aid, f"arn:{aid}", f"m-{level}", "ACTIVE", 1.0,
                                          hierarchy_ids=hierarchy, parent=ParentLink(parent, f"h-{LEVELS[depth]}"))
            frontier.append((aid, depth + 1))
            count += 1
    sites = [a.id for a in inv.assets.values() if a.model_id == "m-site"]
    for site in sites[:50]:
        inv.projects[f"p-{site}"] = ProjectRecord(f"p-{site}", f"project {site}", "arn", "portal", 1.0, (site,))
    return inv


class _Stages:
    """Seconds and peak RSS (MiB) of each stage, the peak reset as a stage starts where Linux allows it."""

    def __init__(self) -> None:
        self.rows: list[dict[str, object]] = []
        self.resettable = _reset_peak()
        self.started = time.perf_counter()

    def done(self, stage: str) -> None:
        now = time.perf_counter()
        self.rows.append({"stage": stage, "seconds": round(now - self.started, 3), "peak_mib": round(_peak_mib(), 1)})
        _reset_peak()
        self.started = time.perf_counter()

    def run(self, stage: str, work: Callable[[], object]) -> object:
        result = work()
        self.done(stage)
        return result


def _peak_mib() -> float:
    """The process's peak RSS since the last reset (VmHWM), or since it started (ru_maxrss) elsewhere."""
    if _STATUS.exists():
        found = re.search(r"VmHWM:\s+(\d+) kB", _STATUS.read_text())
        if found:
            return int(found.group(1)) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> bool:
    try:
        _CLEAR_REFS.write_text("5")  # 5: reset the peak RSS to the current RSS
    except OSError:
        return False
    return True


def measure(assets: int) -> dict[str, object]:
    stages = _Stages()
    inventory = stages.run("inventory", lambda: synthetic_inventory(assets))
    assert isinstance(inventory, Inventory)
    plan, _ = make_plan(inventory, SelectionSpec(all=True), on_stage=stages.done)
    with tempfile.TemporaryDirectory() as tmp:
        path = stages.run("write", lambda: write_plan(plan, Path(tmp) / "bench.plan.json"))
        assert isinstance(path, Path)
        size = path.stat().st_size
        loaded = stages.run("load", lambda: load_plan(path))
    assert loaded == plan, "the plan did not load back equal"
    return {
        "assets": assets,
        "actions": len(plan.actions),
        "plan_file_mib": round(size / 2**20, 2),
        "stages": stages.rows,
        "peak_per_stage": stages.resettable,
    }


def best_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One size's runs as one row: each stage's best time and highest peak; the plan and load totals are the
    best run's (a sum of per-stage bests would be a run that never happened), with the target's verdict."""
    names = [str(stage["stage"]) for stage in runs[0]["stages"]]
    timed = [{str(stage["stage"]): stage for stage in run["stages"]} for run in runs]
    seconds = {name: min(float(run[name]["seconds"]) for run in timed) for name in names}
    peaks = {name: max(float(run[name]["peak_mib"]) for run in timed) for name in names}
    stages = [{"stage": name, "seconds": seconds[name], "peak_mib": peaks[name]} for name in names]
    plan = min(sum(float(run[name]["seconds"]) for name in PLAN_STAGES) for run in timed)
    load = min(sum(float(run[name]["seconds"]) for name in APPLY_STAGES) for run in timed)
    plan_peak, load_peak = max(peaks[name] for name in PLAN_STAGES), max(peaks[name] for name in APPLY_STAGES)
    row = {key: runs[0][key] for key in ("assets", "actions", "plan_file_mib", "peak_per_stage")}
    return {**row, "runs": len(runs), "stages": stages, "plan_seconds": round(plan, 3), "plan_peak_mib": plan_peak,
            "load_seconds": round(load, 3), "load_peak_mib": load_peak,
            "target_met": plan <= TARGET_SECONDS and max(plan_peak, load_peak) <= TARGET_PEAK_MIB}


def _report(row: dict[str, Any]) -> None:
    runs = f", best of {row['runs']} runs" if row["runs"] > 1 else ""
    print(f"{row['assets']:,} assets, {row['actions']:,} actions, plan file {row['plan_file_mib']} MiB{runs}")
    print(f"  {'stage':<12} {'seconds':>8} {'peak MiB':>9}")
    for stage in row["stages"]:
        part = "plan" if stage["stage"] in PLAN_STAGES else "apply" if stage["stage"] in APPLY_STAGES else "input"
        print(f"  {stage['stage']:<12} {stage['seconds']:>8.3f} {stage['peak_mib']:>9.1f}   {part}")
    print(f"  {'PLAN':<12} {row['plan_seconds']:>8.3f} {row['plan_peak_mib']:>9.1f}   "
          "= make_plan + write_plan, select through write: the target's figure")
    print(f"  {'LOAD':<12} {row['load_seconds']:>8.3f} {row['load_peak_mib']:>9.1f}   "
          "= apply's load_plan (read, schema, digest, tamper checks): not in the target")
    if row["assets"] == TARGET_ASSETS:
        verdict = "MET" if row["target_met"] else "NOT MET"
        print(f"  target at {TARGET_ASSETS:,} assets: plan <= {TARGET_SECONDS:g} s and peak <= {TARGET_PEAK_MIB:g} MiB"
              f" (plan and load): {verdict} (plan {row['plan_seconds']:.3f} s, peak "
              f"{max(row['plan_peak_mib'], row['load_peak_mib']):.1f} MiB)")
    if not row["peak_per_stage"]:
        print("  (peak MiB is the process's peak so far: this system cannot reset it per stage)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--runs", type=int, default=1, help="runs per size; each stage's best is reported")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child mode: measure one size
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return
    rows = []
    for size in args.sizes:
        runs = [json.loads(subprocess.run([sys.executable, "-m", "benchmarks.plan_scale", "--one", str(size)],
                                          check=True, capture_output=True, text=True).stdout)
                for _ in range(max(1, args.runs))]
        rows.append(best_of(runs))
        _report(rows[-1])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "plan_scale", "target": {"assets": TARGET_ASSETS, "seconds": TARGET_SECONDS,
                                              "peak_mib": TARGET_PEAK_MIB, "plan_stages": PLAN_STAGES},
        "rows": rows,
    }, indent=2) + "\n")
    print(f"\nwritten {RESULTS}")


if __name__ == "__main__":
    main()
