"""Reads of one quota family never wait behind another family's pacing: each family reads on its own lane."""

from __future__ import annotations

import threading
from pathlib import Path

from teardown.aws.calls import Calls
from teardown.aws.discover import discover
from teardown.aws.lanes import BRANCH_READERS, connections_for, lane_size, lane_sizes
from teardown.aws.pacing import DEFAULT_RATES, RateLimiter, family_of
from teardown.emulator.clock import ManualClock
from teardown.emulator.seed import wind_park
from teardown.inventory.selectors import SelectionSpec
from tests.support.worlds import ACCOUNT, REGION, seeded

HANG_GUARD = 30.0  # real seconds a held read waits before giving up: only ever reached when the test fails


class MonitorHeldBack(RateLimiter):
    """Pacing where Monitor is as slow as can be: past the portal and project listings, no Monitor read goes
    until ``others`` reads of the other families have gone. Those wait until a Monitor read is held, so the
    Monitor reads are the first in line (the worst case for a shared pool). Records who went, in order."""

    def __init__(self, clock: ManualClock, *, others: int) -> None:
        super().__init__(clock)
        self.others = others
        self.went: list[tuple[str, str]] = []  # (family, thread name), in the order the reads went
        self.forced = False
        self._monitor_held = threading.Event()
        self._others_done = threading.Event()
        self._lock = threading.Lock()

    def acquire(self, family: str) -> None:
        with self._lock:
            monitor_before = sum(f == "monitor" for f, _ in self.went)
        if family == "monitor" and monitor_before >= 2:  # ListPortals and ListProjects have gone
            self._monitor_held.set()
            if not self._others_done.wait(HANG_GUARD):
                self.forced = True
        elif family != "monitor" and not self._monitor_held.wait(HANG_GUARD):
            self.forced = True
        with self._lock:
            self.went.append((family, threading.current_thread().name))
            if sum(f != "monitor" for f, _ in self.went) >= self.others:
                self._others_done.set()


def test_lanes_are_sized_from_the_family_rate_and_capped_by_workers() -> None:
    """30 TPS keeps 8 reads in flight, 10 TPS 3; never more than ``workers``, never none."""
    assert (lane_size(30.0, 8), lane_size(10.0, 8), lane_size(300.0, 8), lane_size(0.1, 8)) == (8, 3, 8, 1)
    assert lane_size(30.0, 2) == 2


def test_lanes_fit_the_clients_connections_the_largest_giving_up_threads_first() -> None:
    """botocore's default pool (10) or a pool of 16 or 20 is smaller than the lanes want (30): they shrink to
    fit, every family keeping at least one thread, and of lanes of one size the tags and series lanes give up
    theirs before the asset lane (discovery reads the asset family most); a client built for them has room
    for all."""
    wanted = lane_sizes(DEFAULT_RATES, 8)
    assert wanted == {"asset": 8, "model": 3, "monitor": 3, "time_series": 8, "tags": 8}
    assert lane_sizes(DEFAULT_RATES, 8, connections=16) == {"asset": 3, "model": 3, "monitor": 2, "time_series": 2,
                                                            "tags": 2}
    assert lane_sizes(DEFAULT_RATES, 8, connections=20) == {"asset": 4, "model": 3, "monitor": 3, "time_series": 3,
                                                            "tags": 3}
    assert lane_sizes(DEFAULT_RATES, 8, connections=10)["asset"] == 2
    assert lane_sizes(DEFAULT_RATES, 8, connections=1) == dict.fromkeys(wanted, 1)
    assert connections_for(DEFAULT_RATES, 8) == sum(wanted.values()) + BRANCH_READERS
    assert lane_sizes(DEFAULT_RATES, 8, connections=connections_for(DEFAULT_RATES, 8)) == wanted


def test_monitor_reads_held_back_do_not_delay_asset_or_model_reads(tmp_path: Path, clock: ManualClock) -> None:
    """A Monitor-heavy world (20 projects, each with its dashboards and access policies to list): while every
    Monitor read past the first two is held, every asset, model and series read discovery needs goes through;
    each on the lane of its own family."""
    with seeded(wind_park(sites=20, lines=1, turbines=1), tmp_path, clock=clock) as env:
        spec = SelectionSpec(all=True)
        plain = discover(Calls(env.client, clock), spec, account=ACCOUNT, region=REGION)
        others = sum(n for op, n in plain.calls.items() if family_of(op) != "monitor")
        limiter = MonitorHeldBack(clock, others=others)
        held = discover(Calls(env.client, clock, limiter=limiter), spec, account=ACCOUNT, region=REGION)
    assert not limiter.forced, "a read waited for the hang guard: one family's reads held up another's"
    families = [family for family, _ in limiter.went]
    first_held = [i for i, f in enumerate(families) if f == "monitor"][2]
    assert all(f == "monitor" for f in families[first_held:])  # every other read went before it
    assert sum(f != "monitor" for f in families) == others > 30
    on_lanes = [(family, thread) for family, thread in limiter.went if not thread.startswith("discover-branch")]
    assert {family for family, _ in on_lanes} == {"asset", "model", "monitor", "time_series"}
    assert all(thread.startswith(f"discover-{family}_") for family, thread in on_lanes)
    assert held.to_json() == plain.to_json()  # the same inventory, whichever family answered first
