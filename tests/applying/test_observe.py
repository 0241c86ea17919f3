"""Observing that an action took effect (teardown.applying.observe): asset and model deletes by the batched and
per-resource observers, a parent settling after a disassociation, a portal delete, and the lookups the executor
relies on; on fakes and a manual clock, or on the emulator."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest

from teardown.applying.observe import (
    DONE,
    BatchedObserver,
    ObserveSettings,
    PerResourceObserver,
    Verdict,
    assets_still_in_project,
    child_parent,
    wait_disassociated,
    wait_gone,
)
from teardown.aws.calls import Calls
from teardown.emulator.clock import ManualClock
from teardown.kinds import ActionKind
from tests.support.fakes import DeletingAssets, not_found
from tests.support.worlds import Env


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
    assert verdict.error == "asset a1 still DELETING after 60s (its deadline)"
    assert 60 <= clock.now() - start <= 70


# ---- settling after a disassociation, portal deletes, and the two lookups the executor relies on ------------


class Timeline:
    """A fake client for one resource whose state moves on the clock: ``steps`` are (seconds from now, state)
    in order, the first state holding from now on; a state of None means the resource is gone (404).
    DescribeAsset and DescribePortal both answer it; ListAssociatedAssets(PARENT) answers ``parent``."""

    def __init__(self, clock: ManualClock, *steps: tuple[float, str | None], parent: str | None = None) -> None:
        start = clock.now()
        self.clock = clock
        self.steps = [(start + at, state) for at, state in steps]
        self.parent = parent
        self.calls: Counter[str] = Counter()

    def _state(self, operation: str) -> dict[str, Any]:
        self.calls[operation] += 1
        now = self.clock.now()
        state = next(state for at, state in reversed(self.steps) if at <= now)
        if state is None:
            raise not_found(operation)
        if state == "FAILED":
            return {"state": state, "error": {"code": "INTERNAL_FAILURE", "message": "it broke",
                                              "details": [{"message": "disk on fire"}]}}
        return {"state": state}

    def describe_asset(self, **params: Any) -> dict[str, Any]:
        return {"assetStatus": self._state("DescribeAsset")}

    def describe_portal(self, **params: Any) -> dict[str, Any]:
        return {"portalStatus": self._state("DescribePortal")}

    def list_associated_assets(self, **params: Any) -> dict[str, Any]:
        self.calls["ListAssociatedAssets"] += 1
        assert params["traversalDirection"] == "PARENT"
        return {"assetSummaries": [{"id": self.parent}] if self.parent else []}


SETTLE = ObserveSettings(interval=1.0, settle_interval=0.5, timeout=10.0)


def test_disassociation_is_done_once_the_parent_is_active_again(clock: ManualClock) -> None:
    """The parent is UPDATING for 2 s, then ACTIVE with the child gone: done, after the 2 s and not before."""
    start = clock.now()
    fake = Timeline(clock, (0, "UPDATING"), (2.0, "ACTIVE"))
    verdict = wait_disassociated(Calls(fake, clock), clock, "p1", "c1", SETTLE)
    assert verdict == DONE
    assert 2.0 <= clock.now() - start <= 2.5
    assert fake.calls["DescribeAsset"] >= 4  # every half second of the UPDATING time
    assert fake.calls["ListAssociatedAssets"] == 1  # the child's parent checked once, when it settled


def test_disassociation_fails_when_the_parent_goes_failed(clock: ManualClock) -> None:
    """A parent that ends FAILED instead of ACTIVE fails the action, naming the parent."""
    fake = Timeline(clock, (0, "UPDATING"), (1.0, "FAILED"))
    verdict = wait_disassociated(Calls(fake, clock), clock, "p1", "c1", SETTLE)
    assert verdict == Verdict(False, "parent asset p1 went FAILED during the disassociation")


def test_disassociation_times_out_on_the_clock(clock: ManualClock) -> None:
    """A parent UPDATING forever: failed once the timeout has passed in clock seconds, saying so."""
    start = clock.now()
    fake = Timeline(clock, (0, "UPDATING"))
    verdict = wait_disassociated(Calls(fake, clock), clock, "p1", "c1", SETTLE)
    assert verdict == Verdict(False, "parent asset p1 still UPDATING after 10s (its deadline)")
    assert 10.0 <= clock.now() - start <= 10.5


def test_disassociation_from_a_parent_that_is_gone_is_done(clock: ManualClock) -> None:
    """404 on the parent: no parent, no association. Done at the first look."""
    start = clock.now()
    fake = Timeline(clock, (0, None))
    assert wait_disassociated(Calls(fake, clock), clock, "p1", "c1", SETTLE) == DONE
    assert clock.now() - start == pytest.approx(SETTLE.settle_interval)
    assert "ListAssociatedAssets" not in fake.calls


def test_disassociation_fails_when_the_child_is_still_there_after_the_parent_settled(clock: ManualClock) -> None:
    """The parent is ACTIVE yet the child still names it as parent: the request had no effect."""
    fake = Timeline(clock, (0, "ACTIVE"), parent="p1")
    verdict = wait_disassociated(Calls(fake, clock), clock, "p1", "c1", SETTLE)
    assert verdict == Verdict(False, "asset c1 is still associated to p1 after the parent settled")


def test_disassociation_settles_on_the_emulator(env: Env) -> None:
    """Against the emulator on realistic latency: DisassociateAssets puts site-1 in UPDATING for about a
    second; the wait polls through it and answers done once site-1 is ACTIVE and t1 has no parent."""
    env.backend.latency = "realistic"
    site, turbine = env.asset("site-1"), env.asset("site-1/t1")
    env.client.disassociate_assets(assetId=site, hierarchyId=env.world.hierarchies["site/turbines"],
                                   childAssetId=turbine)
    assert env.client.describe_asset(assetId=site)["assetStatus"]["state"] == "UPDATING"
    start = env.clock.now()
    assert wait_disassociated(env.calls(), env.clock, site, turbine, SETTLE) == DONE
    assert env.clock.now() - start >= 0.9  # the realistic update latency is 1 s, give or take 10%
    assert env.client.describe_asset(assetId=site)["assetStatus"]["state"] == "ACTIVE"
    assert child_parent(env.calls(), turbine) is None


def _portal_gone(fake: Any, clock: ManualClock) -> Verdict:
    return wait_gone(Calls(fake, clock), clock, ActionKind.DELETE_PORTAL, "po1", since=clock.now(), settings=SETTLE)


def test_portal_delete_is_done_on_404(clock: ManualClock) -> None:
    """DELETING for 3 s, then DescribePortal answers 404: done, and only then."""
    start = clock.now()
    fake = Timeline(clock, (0, "DELETING"), (3.0, None))
    assert _portal_gone(fake, clock) == DONE
    assert 3.0 <= clock.now() - start <= 4.0


def test_portal_delete_that_ends_failed_carries_the_service_text(clock: ManualClock) -> None:
    """FAILED is not gone: the verdict has the error code, message and details."""
    fake = Timeline(clock, (0, "DELETING"), (2.0, "FAILED"))
    verdict = _portal_gone(fake, clock)
    assert verdict == Verdict(False, "delete of portal po1 ended FAILED: INTERNAL_FAILURE: it broke (disk on fire)")


def test_portal_delete_times_out_on_the_clock(clock: ManualClock) -> None:
    """Still DELETING at the timeout: failed, saying so."""
    start = clock.now()
    fake = Timeline(clock, (0, "DELETING"))
    verdict = _portal_gone(fake, clock)
    assert verdict == Verdict(False, "portal po1 still DELETING after 10s (its deadline)")
    assert 10.0 <= clock.now() - start <= 11.0


def test_child_parent_reads_the_parent_link_from_the_emulator(env: Env) -> None:
    """A child's parent id; None for a root asset; None for an asset that does not exist (404)."""
    calls = env.calls()
    assert child_parent(calls, env.asset("site-1/t1")) == env.asset("site-1")
    assert child_parent(calls, env.asset("site-1")) is None
    assert child_parent(calls, "00000000-0000-4000-8000-000000000001") is None


def test_assets_still_in_project_lists_what_the_project_holds(env: Env) -> None:
    """Of the ids asked about, those the project still holds, in the order asked; after the unlink, none;
    none either when the project itself is gone (the listing is empty, not a 404)."""
    calls = env.calls()
    project = env.world.projects["ops"]
    site, turbine, other = env.asset("site-1"), env.asset("site-1/t1"), env.asset("site-2")
    assert assets_still_in_project(calls, project, [turbine, other, site]) == [turbine, site]
    env.client.batch_disassociate_project_assets(projectId=project, assetIds=[site, turbine])
    assert assets_still_in_project(calls, project, [turbine, site]) == []
    assert assets_still_in_project(calls, "00000000-0000-4000-8000-000000000002", [site]) == []
