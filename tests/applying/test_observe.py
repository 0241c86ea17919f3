"""Observing that an action took effect: the batched and per-resource observers, on fakes and a manual clock."""

from __future__ import annotations

import threading
from typing import Any

from teardown.applying.observe import BatchedObserver, ObserveSettings, PerResourceObserver
from teardown.aws.calls import Calls
from teardown.emulator.clock import ManualClock
from tests.support.fakes import DeletingAssets


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


def test_batched_observer_confirms_many_deletes_with_few_list_calls(clock: ManualClock,
                                                                    ten_deletes: DeletingAssets) -> None:
    """Ten concurrent waiters on one model share ListAssets rounds instead of polling each asset."""
    observer = BatchedObserver(Calls(ten_deletes, clock), clock, ObserveSettings(interval=1.0))
    results = _wait_all(observer, list(ten_deletes.assets), clock.now())
    assert all(r.done for r in results)
    assert ten_deletes.calls["ListAssets"] < len(ten_deletes.assets)
    assert "DescribeAsset" not in ten_deletes.calls


def test_per_resource_observer_spends_a_call_per_asset_per_round(clock: ManualClock,
                                                                  ten_deletes: DeletingAssets) -> None:
    """The comparison point: at least one Describe per asset."""
    observer = PerResourceObserver(Calls(ten_deletes, clock), clock, ObserveSettings(interval=1.0))
    results = _wait_all(observer, list(ten_deletes.assets), clock.now())
    assert all(r.done for r in results)
    assert ten_deletes.calls["DescribeAsset"] >= len(ten_deletes.assets)


def test_a_delete_that_ends_failed_fails_with_the_service_text(clock: ManualClock) -> None:
    """FAILED is not gone: the verdict carries the service's error code and message."""
    fake = DeletingAssets(clock, {"a1": "m1"}, gone_at=clock.now() + 1.0, failed={"a1": "disk on fire"})
    verdict = BatchedObserver(Calls(fake, clock), clock, ObserveSettings(interval=1.0)).asset_gone(
        "a1", "m1", clock.now())
    assert not verdict.done
    assert verdict.error is not None
    assert "FAILED" in verdict.error
    assert "disk on fire" in verdict.error


def test_a_delete_stuck_in_deleting_times_out(clock: ManualClock) -> None:
    """Still DELETING after the timeout: failed, saying so, after the timeout in clock seconds."""
    start = clock.now()
    fake = DeletingAssets(clock, {"a1": "m1"}, gone_at=start + 10_000)
    verdict = BatchedObserver(Calls(fake, clock), clock, ObserveSettings(interval=5.0, timeout=60.0)).asset_gone(
        "a1", "m1", start)
    assert verdict.error == "asset a1 still DELETING after 60s"
    assert 60 <= clock.now() - start <= 70
