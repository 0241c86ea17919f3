"""Benchmark (not a test): planning alone on synthetic inventories of 1k, 10k and 100k assets.

Each size runs in a fresh subprocess, the inventory already in memory. Measures what `sitewise-teardown plan`
runs after discovery, stage by stage (make_plan's own steps: select, graph = actions + edges + order,
fingerprint, summary, seal = digest), then writing the plan file and loading it back as apply does (read,
schema, digest, tamper checks). Each stage's peak RSS is its own (the kernel's high-water mark, reset between
stages); "planning" is select through load. Prints a table per size and writes
benchmarks/results/plan_scale.json. Target at 100k assets: planning <= 5 s and <= 1 GiB peak.

    python -m benchmarks.plan_scale [--sizes 1000 10000 100000]
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
    planning = [row for row in stages.rows if row["stage"] != "inventory"]
    return {
        "assets": assets,
        "actions": len(plan.actions),
        "plan_file_mib": round(size / 2**20, 2),
        "stages": stages.rows,
        "planning_seconds": round(sum(float(str(row["seconds"])) for row in planning), 3),
        "planning_peak_mib": max(float(str(row["peak_mib"])) for row in planning),
        "peak_per_stage": stages.resettable,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child mode: measure one size
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return
    rows = []
    for size in args.sizes:
        out = subprocess.run([sys.executable, "-m", "benchmarks.plan_scale", "--one", str(size)],
                             check=True, capture_output=True, text=True)
        rows.append(json.loads(out.stdout))
    for row in rows:
        print(f"{row['assets']:,} assets, {row['actions']:,} actions, plan file {row['plan_file_mib']} MiB")
        print(f"  {'stage':<12} {'seconds':>8} {'peak MiB':>9}")
        for stage in row["stages"]:
            print(f"  {stage['stage']:<12} {stage['seconds']:>8.3f} {stage['peak_mib']:>9.1f}")
        print(f"  {'planning':<12} {row['planning_seconds']:>8.3f} {row['planning_peak_mib']:>9.1f}"
              "   (select through load; the inventory is input)")
        if not row["peak_per_stage"]:
            print("  (peak MiB is the process's peak so far: this system cannot reset it per stage)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "plan_scale", "target": {"seconds": TARGET_SECONDS, "peak_mib": TARGET_PEAK_MIB},
        "rows": rows,
    }, indent=2) + "\n")
    print(f"\nwritten {RESULTS}")


if __name__ == "__main__":
    main()
