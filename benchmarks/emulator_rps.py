"""Requests per second of the emulator: in-process (mock_sitewise) versus over HTTP (serve), on the same
mixed read/write workload through real boto3 clients, sequential and with a thread pool.

    python benchmarks/emulator_rps.py [--rounds N] [--threads T]

Prints a table and writes benchmarks/results/emulator_rps.json (with the in-process/HTTP ratios).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import structlog
from botocore.config import Config

from teardown.emulator import ManualClock, SiteWiseBackend, mock_sitewise, serve

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

RESULTS = Path(__file__).parent / "results" / "emulator_rps.json"
# One round = 6 requests: 2 writes (create, delete) and 4 reads (describe x2, two lists).
REQUESTS_PER_ROUND = 6


def _round(client: IoTSiteWiseClient, model_id: str, index: int) -> None:
    asset_id = client.create_asset(assetName=f"a-{index}", assetModelId=model_id)["assetId"]
    client.describe_asset(assetId=asset_id)
    client.list_assets(assetModelId=model_id, filter="ALL", maxResults=10)
    client.describe_asset_model(assetModelId=model_id)
    client.list_asset_models(maxResults=10)
    client.delete_asset(assetId=asset_id)


def _workload(client: IoTSiteWiseClient, rounds: int, threads: int) -> float:
    """Seconds to run ``rounds`` rounds on ``threads`` threads (one shared client, as the engine does)."""
    model_id = client.create_asset_model(assetModelName=f"bench-{time.monotonic_ns()}")["assetModelId"]
    start = time.perf_counter()
    if threads == 1:
        for index in range(rounds):
            _round(client, model_id, index)
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(lambda i: _round(client, model_id, i), range(rounds)))
    return time.perf_counter() - start


def _config(threads: int, *, local: bool) -> Config:
    return Config(
        retries={"total_max_attempts": 1}, max_pool_connections=max(threads, 10), inject_host_prefix=not local
    )


def _in_process(rounds: int, threads: int) -> float:
    backend = SiteWiseBackend(clock=ManualClock(), latency="instant", quotas="off")
    with mock_sitewise(backend):
        return _workload(boto3.client("iotsitewise", config=_config(threads, local=False)), rounds, threads)


def _over_http(rounds: int, threads: int) -> float:
    backend = SiteWiseBackend(clock=ManualClock(), latency="instant", quotas="off")
    with serve(backend) as server:
        client = boto3.client("iotsitewise", endpoint_url=server.url, config=_config(threads, local=True))
        return _workload(client, rounds, threads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=500, help="rounds of 6 requests per measurement")
    parser.add_argument("--threads", type=int, default=8, help="threads for the concurrent measurement")
    args = parser.parse_args()
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    # Only the table on stdout: the emulator's info events (one per server start) are not results.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))

    modes: dict[str, Callable[[int, int], float]] = {"in-process": _in_process, "http": _over_http}
    rows: list[dict[str, Any]] = []
    for threads in (1, args.threads):
        for mode, run in modes.items():
            run(max(args.rounds // 10, 5), threads)  # warm-up: imports, model loading, connection pools
            seconds = run(args.rounds, threads)
            requests = args.rounds * REQUESTS_PER_ROUND
            rows.append(
                {"mode": mode, "threads": threads, "requests": requests, "seconds": round(seconds, 3),
                 "rps": round(requests / seconds, 1)}
            )  # fmt: skip
    ratios = {
        f"in-process/http, {threads} thread(s)": round(
            next(r["rps"] for r in rows if r["mode"] == "in-process" and r["threads"] == threads)
            / next(r["rps"] for r in rows if r["mode"] == "http" and r["threads"] == threads),
            2,
        )
        for threads in (1, args.threads)
    }
    print(f"{'mode':<12}{'threads':>8}{'requests':>10}{'seconds':>10}{'req/s':>10}")
    for row in rows:
        print(f"{row['mode']:<12}{row['threads']:>8}{row['requests']:>10}{row['seconds']:>10.2f}{row['rps']:>10.0f}")
    for name, ratio in ratios.items():
        print(f"{name}: {ratio}x")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "workload": "per round: CreateAsset, DescribeAsset, ListAssets, DescribeAssetModel, ListAssetModels, "
        "DeleteAsset (instant latency, quotas off)",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "results": rows,
        "ratios": ratios,
    }
    RESULTS.write_text(json.dumps(document, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
