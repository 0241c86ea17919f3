"""Benchmark (not a test): planning alone on synthetic inventories of 1k, 10k and 100k assets.

Each size runs in a fresh subprocess so peak memory (ru_maxrss) is that size's own. Measures the pure half
of planning, exactly what `sitewise-teardown plan` runs after discovery: select + graph + order +
fingerprint + digest (make_plan), then writing the plan file. Prints a table and writes
benchmarks/results/plan_scale.json.

    python -m benchmarks.plan_scale [--sizes 1000 10000 100000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
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
from teardown.planning.planfile import write_plan

RESULTS = Path(__file__).parent / "results" / "plan_scale.json"
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


def measure(assets: int) -> dict[str, float]:
    inventory = synthetic_inventory(assets)
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    plan, _ = make_plan(inventory, SelectionSpec(all=True))
    planned = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        path = write_plan(plan, Path(tmp) / "bench.plan.json")
        size = path.stat().st_size
    written = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "assets": assets,
        "actions": len(plan.actions),
        "plan_seconds": round(planned - start, 3),
        "write_seconds": round(written - planned, 3),
        "peak_rss_mib": round(peak / 1024, 1),
        "planning_rss_mib": round((peak - base_rss) / 1024, 1),
        "plan_file_mib": round(size / 2**20, 2),
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
    base = rows[0]
    for row in rows:
        row["seconds_per_1k_assets"] = round(1000 * row["plan_seconds"] / row["assets"], 4)
        row["time_ratio_vs_smallest"] = round(row["plan_seconds"] / max(base["plan_seconds"], 1e-9), 1)
    header = f"{'assets':>8} {'actions':>8} {'plan s':>8} {'write s':>8} {'s/1k':>7} {'x time':>7} " \
             f"{'plan MiB':>9} {'peak MiB':>9} {'file MiB':>9}"
    print(header)
    for r in rows:
        print(f"{r['assets']:>8} {r['actions']:>8} {r['plan_seconds']:>8} {r['write_seconds']:>8} "
              f"{r['seconds_per_1k_assets']:>7} {r['time_ratio_vs_smallest']:>7} {r['planning_rss_mib']:>9} "
              f"{r['peak_rss_mib']:>9} {r['plan_file_mib']:>9}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"benchmark": "plan_scale", "rows": rows}, indent=2) + "\n")
    print(f"\nwritten {RESULTS}")


if __name__ == "__main__":
    main()
