"""Client-side quota pacing on a manual clock."""

from __future__ import annotations

import itertools
import threading

import pytest

from teardown.aws.pacing import DEFAULT_RATES, AdaptiveSettings, RateLimiter, TokenBucket, family_of
from teardown.emulator.clock import ManualClock


def test_bucket_paces_requests_at_its_rate(clock: ManualClock) -> None:
    """30 requests at 10 TPS take about 3 seconds of clock time."""
    start = clock.now()
    bucket = TokenBucket(clock, 10.0)
    for _ in range(30):
        bucket.acquire()
    assert 2.8 <= clock.now() - start <= 3.0


def test_burst_allows_an_initial_run_without_waiting(clock: ManualClock) -> None:
    """A burst of 5 passes at once; the sixth waits."""
    bucket = TokenBucket(clock, 10.0, burst=5)
    waits = [bucket.reserve() for _ in range(6)]
    assert waits[:5] == [0.0] * 5
    assert waits[5] > 0


def test_bucket_is_fair_across_threads(clock: ManualClock) -> None:
    """Concurrent acquirers together never exceed the rate (the reservations are serialized)."""
    bucket = TokenBucket(clock, 20.0)
    reservations: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(10):
            wait = bucket.reserve()
            with lock:
                reservations.append(clock.now() + wait)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    starts = sorted(reservations)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 1 / 20 - 1e-6  # epoch-sized floats lose ~1e-7


def test_adaptive_slows_down_on_throttle_and_recovers(clock: ManualClock) -> None:
    """A throttle halves the rate; each success adds a fraction of the configured rate back, up to it."""
    bucket = TokenBucket(clock, 30.0, adaptive=AdaptiveSettings(increase=0.25))
    bucket.throttled()
    assert bucket.rate == 15.0
    bucket.succeeded()
    assert bucket.rate == 22.5
    bucket.succeeded()
    bucket.succeeded()
    assert bucket.rate == 30.0


def test_a_burst_of_throttles_is_one_signal_per_cooldown(clock: ManualClock) -> None:
    """Ten throttles within a second cut the rate once; one after the cooldown cuts it again; never below
    the floor."""
    bucket = TokenBucket(clock, 30.0, adaptive=AdaptiveSettings(cooldown=1.0, floor=0.2))
    for _ in range(10):
        bucket.throttled()
    assert bucket.rate == 15.0
    clock.advance(1.0)
    bucket.throttled()
    assert bucket.rate == 7.5
    for _ in range(5):
        clock.advance(1.0)
        bucket.throttled()
    assert bucket.rate == 6.0


def test_limiter_has_a_bucket_per_family_with_defaults_and_overrides(clock: ManualClock) -> None:
    """Defaults follow the published quotas; rates are configurable per family."""
    limiter = RateLimiter(clock, {"model": 2.0})
    assert limiter.rates() == {**DEFAULT_RATES, "model": 2.0}
    assert family_of("DeleteAssetModel") == "model"
    assert family_of("ListProjectAssets") == "monitor"
    assert family_of("ListAssets") == "asset"


def test_a_bucket_learns_how_many_requests_in_flight_keep_it_at_its_rate(clock: ManualClock) -> None:
    """Little's law: at 300 TPS with answers taking 0.1 s, 30 requests in flight keep the family busy; the
    learned answer time follows slower answers gradually, not at the first one."""
    bucket = TokenBucket(clock, 300.0)
    assert bucket.concurrency() == 0.0  # nothing answered yet: nothing to go by
    bucket.answered(0.1)
    assert bucket.concurrency() == pytest.approx(30.0)
    bucket.answered(0.5)
    assert 30.0 < bucket.concurrency() < 150.0
    limiter = RateLimiter(clock, {"asset": 30.0})
    for _ in range(200):
        limiter.answered("asset", 0.2)
    assert limiter.bucket("asset").concurrency() == pytest.approx(6.0)
