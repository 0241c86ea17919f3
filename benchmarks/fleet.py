"""Benchmark (not a test): N target runs driven concurrently by one process at full quota, and its CPU per target.

One emulator in a subprocess (`sitewise-teardown emulator serve`, realistic latencies, the published quotas,
a scaled clock) serves every target run: each is its own account (a role assumed through moto's STS on the
same port, as in the fleet tests) in one of a few regions, so each has a world, and request quotas, of its
own. Every world is seeded with the same random world. This process then plans and applies all of them at
once through ``teardown.fleet`` (a local state store). Only this process's CPU is counted (the emulator runs
elsewhere), so "CPU / wall" says whether driving N targets at full quota is still I/O bound (well under one
core: Python's threads share one) or CPU binds.

    python -m benchmarks.fleet [--targets 1 4 8] [--assets 60] [--scale 10]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import boto3
import structlog
from botocore.config import Config

from teardown.emulator.clock import ScaledClock
from teardown.emulator.seed import WorldSpec, random_world, seed_world
from teardown.fleet.run import apply_fleet, plan_fleet
from teardown.fleet.store import LocalStore
from teardown.fleet.targets import load_targets

RESULTS = Path(__file__).parent / "results" / "fleet.json"
STARTUP_DEADLINE = 30.0  # wall seconds for the emulator to answer
# Target runs take these regions in turn, so the emulator's worlds differ by account and by region.
REGIONS = ("us-east-1", "eu-west-1", "eu-central-1")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _control(url: str, settings: dict[str, object]) -> None:
    request = urllib.request.Request(f"{url}/_emulator/settings", data=json.dumps(settings).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=10).close()


def _start(scale: float) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "teardown", "emulator", "serve", "--port", str(port),
                             "--latency", "instant", "--quotas", "off", "--time-scale", str(scale)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_DEADLINE
    while True:
        try:
            urllib.request.urlopen(f"{url}/_emulator/settings", timeout=1).close()
            return proc, url
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise SystemExit(f"emulator on {url} did not start") from None
            time.sleep(0.1)


def _seed(url: str, account: str, region: str, world: WorldSpec, scale: float) -> None:
    """Seed the world of ``account`` in ``region``: credentials of a role of that account, a client of it."""
    sts = boto3.client("sts", endpoint_url=url, region_name=region)
    keys = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/seed", RoleSessionName="seed")["Credentials"]
    client = boto3.client("iotsitewise", endpoint_url=url, region_name=region, config=Config(inject_host_prefix=False),
                          aws_access_key_id=keys["AccessKeyId"], aws_secret_access_key=keys["SecretAccessKey"],
                          aws_session_token=keys["SessionToken"])
    seed_world(client, world, clock=ScaledClock(scale))


def one_round(n: int, assets: int, scale: float, tmp: Path) -> dict[str, float | int | bool]:
    lines = ["[defaults.select]\nall = true\n[defaults.apply]\nworkers = 8\n"]
    proc, url = _start(scale)
    try:
        for i in range(n):
            account, region = f"{100000000000 + i:012d}", REGIONS[i % len(REGIONS)]
            _seed(url, account, region, random_world(seed=7, assets=assets, depth=3, fanout=5), scale)
            lines.append(f'[[targets]]\nname = "t{i}"\naccount = "{account}"\nregions = ["{region}"]\n'
                         f'endpoint_url = "{url}"\nrole_arn = "arn:aws:iam::{account}:role/bench"\n')
        _control(url, {"latency": "realistic", "quotas": "aws"})
        targets = tmp / f"targets-{n}.toml"
        targets.write_text("\n".join(lines))
        runs, store, clock = load_targets(targets), LocalStore(tmp / f"state-{n}"), ScaledClock(scale)
        plan_fleet(runs, store, clock=clock, max_parallel=n)
        wall, cpu = time.monotonic(), time.process_time()
        rows = apply_fleet(runs, store, clock=clock, max_parallel=n)
        wall, cpu = time.monotonic() - wall, time.process_time() - cpu
        failed = [r.run.label for r in rows if r.exit_code != 0]
        if failed:
            raise SystemExit(f"target runs failed: {failed}")
        actions = sum(len(r.report.actions) for r in rows if r.report)
        return {"targets": n, "actions": actions, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
                "cpu_s_per_target": round(cpu / n, 3), "cpu_share": round(cpu / wall, 3),
                "io_bound": cpu / wall < 0.5}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--targets", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--assets", type=int, default=60)
    parser.add_argument("--scale", type=float, default=10.0)
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    for name, value in (("AWS_ACCESS_KEY_ID", "bench"), ("AWS_SECRET_ACCESS_KEY", "bench")):
        os.environ.setdefault(name, value)
    os.environ["AWS_DISABLE_HOST_PREFIX_INJECTION"] = "true"
    results = []
    print(f"{'targets':>7} {'actions':>7} {'wall s':>7} {'CPU s':>7} {'CPU s/target':>12} {'CPU/wall':>8}  I/O bound")
    with tempfile.TemporaryDirectory(prefix="fleet-bench-") as tmp:
        for n in args.targets:
            row = one_round(n, args.assets, args.scale, Path(tmp))
            results.append(row)
            print(f"{row['targets']:>7} {row['actions']:>7} {row['wall_s']:>7} {row['cpu_s']:>7} "
                  f"{row['cpu_s_per_target']:>12} {row['cpu_share']:>8}  {'yes' if row['io_bound'] else 'no'}",
                  flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"assets": args.assets, "scale": args.scale, "rounds": results}, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
