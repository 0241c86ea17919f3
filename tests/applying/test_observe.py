"""Observing that an action took effect: the batched and per-resource observers, on fakes and a manual clock."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from teardown.applying.observe import BatchedObserver, ObserveSettings, PerResourceObserver
from teardown.aws.calls import Calls
from teardown.emulator.clock import ManualClock
from tests.support.fakes import not_found


class FakeSiteWise:
    """Assets DELETING until the clock passes ``gone_at``; counts every read by operation."""

    def __init__(self, clock: ManualClock, assets: dict[str, str], gone_at: float,
                 failed: dict[str, str] | None = None) -> None:
        self.clock = clock
        self.assets = assets  # asset id -> model id
        self.gone_at = gone_at
        self.failed = failed or {}
        self.calls: Counter[str] = Counter()
        self.lock = threading.Lock()

    def _status(self, asset_id: str) -> dict[str, Any]:
        if asset_id in self.failed:
            return {"state": "FAILED", "error": {"code": "INTERNAL_FAILURE", "message": self.failed[asset_id]}}
        return {"state": "DELETING"}

    def list_assets(self, **params: Any) -> dict[str, Any]:
        return self._answer("ListAssets", params)

    def describe_asset(self, **params: Any) -> dict[str, Any]:
        return self._answer("DescribeAsset", params)

    def _answer(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.calls[operation] += 1
        present = self.clock.now() < self.gone_at
        if operation == "ListAssets":
            return {"assetSummaries": [
                {"id": a, "status": self._status(a)} for a, m in self.assets.items()
                if m == params["assetModelId"] and (present or a in self.failed)
            ]}
        if operation == "DescribeAsset":
            if not present and params["assetId"] not in self.failed:
                raise not_found()
            return {"assetStatus": self._status(params["assetId"])}
        raise AssertionError(operation)


def _wait_all(observer: BatchedObserver | PerResourceObserver, ids: list[str], since: float) -> list[Any]:
    results: list[Any] = [None] * len(ids)

    def wait(i: int) -> None:
        results[i] = observer.asset_gone(ids[i], "m1", since)

    threads = [threading.Thread(target=wait, args=(i,)) for i in range(len(ids))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_batched_observer_confirms_many_deletes_with_few_list_calls() -> None:
    """Ten concurrent waiters on one model share ListAssets rounds instead of polling each asset."""
    clock = ManualClock()
    ids = [f"a{i}" for i in range(10)]
    fake = FakeSiteWise(clock, dict.fromkeys(ids, "m1"), gone_at=clock.now() + 3.0)
    observer = BatchedObserver(Calls(fake, clock), clock, ObserveSettings(interval=1.0))
    results = _wait_all(observer, ids, clock.now())
    assert all(r.done for r in results)
    assert fake.calls["ListAssets"] < len(ids)
    assert "DescribeAsset" not in fake.calls


def test_per_resource_observer_spends_a_call_per_asset_per_round() -> None:
    """The comparison point: at least one Describe per asset."""
    clock = ManualClock()
    ids = [f"a{i}" for i in range(10)]
    fake = FakeSiteWise(clock, dict.fromkeys(ids, "m1"), gone_at=clock.now() + 3.0)
    results = _wait_all(PerResourceObserver(Calls(fake, clock), clock, ObserveSettings(interval=1.0)), ids,
                        clock.now())
    assert all(r.done for r in results)
    assert fake.calls["DescribeAsset"] >= len(ids)


def test_a_delete_that_ends_failed_fails_with_the_service_text() -> None:
    """FAILED is not gone: the verdict carries the service's error code and message."""
    clock = ManualClock()
    fake = FakeSiteWise(clock, {"a1": "m1"}, gone_at=clock.now() + 1.0, failed={"a1": "disk on fire"})
    verdict = BatchedObserver(Calls(fake, clock), clock, ObserveSettings(interval=1.0)).asset_gone(
        "a1", "m1", clock.now())
    assert not verdict.done
    assert verdict.error is not None
    assert "FAILED" in verdict.error
    assert "disk on fire" in verdict.error


def test_a_delete_stuck_in_deleting_times_out() -> None:
    """Still DELETING after the timeout: failed, saying so, after the timeout in clock seconds."""
    clock = ManualClock()
    start = clock.now()
    fake = FakeSiteWise(clock, {"a1": "m1"}, gone_at=start + 10_000)
    verdict = BatchedObserver(Calls(fake, clock), clock, ObserveSettings(interval=5.0, timeout=60.0)).asset_gone(
        "a1", "m1", start)
    assert verdict.error == "asset a1 still DELETING after 60s"
    assert 60 <= clock.now() - start <= 70
