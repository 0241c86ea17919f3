"""Observing that actions took effect (teardown.applying.observe): the one observer of a run, batching checks
of asset and model deletes, parents settling after a disassociation and portal deletes, on a cadence it learns
and within a read budget; and the lookups the executor relies on. On fakes and a manual clock, or the
emulator."""

from __future__ import annotations

import math
from collections import Counter
from concurrent.futures import Future
from typing import Any

import pytest

from teardown.applying.effects import (
    DONE,
    Effect,
    ObserveSettings,
    Verdict,
    asset_gone,
    assets_still_in_project,
    child_parent,
    parent_settled,
    portal_gone,
)
from teardown.applying.observe import EffectObserver
from teardown.applying.watches import Group, Watch, ending_last
from teardown.aws.calls import Calls
from teardown.aws.pacing import RateLimiter, TokenBucket
from teardown.emulator.clock import ManualClock
from teardown.kinds import Completion
from tests.support.fakes import DeletingAssets, not_found
from tests.support.worlds import Env


def _verdicts(observer: EffectObserver, effects: list[Effect], sent_at: float) -> list[Verdict]:
    futures = [observer.expect(effect, sent_at) for effect in effects]
    return [f.result(timeout=30) for f in futures]


def _observer(fake: Any, clock: ManualClock, settings: ObserveSettings | None = None,
              **kwargs: Any) -> EffectObserver:
    return EffectObserver(Calls(fake, clock), clock, settings or ObserveSettings(), **kwargs)


def test_one_list_confirms_many_deletes(clock: ManualClock, ten_deletes: DeletingAssets) -> None:
    """Ten deletes of one model are confirmed by a few ListAssets rounds shared by all, never one Describe each."""
    with _observer(ten_deletes, clock) as observer:
        verdicts = _verdicts(observer, [asset_gone(a, "m1") for a in ten_deletes.assets], clock.now())
    assert verdicts == [DONE] * 10
    assert ten_deletes.calls["ListAssets"] < len(ten_deletes.assets)
    assert "DescribeAsset" not in ten_deletes.calls


def test_per_resource_mode_spends_a_describe_per_asset(clock: ManualClock, ten_deletes: DeletingAssets) -> None:
    """The comparison point (what botocore's waiters do): at least one Describe per asset, no list."""
    with _observer(ten_deletes, clock, ObserveSettings(mode="per_resource")) as observer:
        verdicts = _verdicts(observer, [asset_gone(a, "m1") for a in ten_deletes.assets], clock.now())
    assert verdicts == [DONE] * 10
    assert ten_deletes.calls["DescribeAsset"] >= len(ten_deletes.assets)
    assert "ListAssets" not in ten_deletes.calls


def test_a_describe_is_chosen_when_the_list_would_cost_more_pages(clock: ManualClock) -> None:
    """One delete due, of a model whose list takes 4 pages (1,000 assets): one Describe is the cheaper read."""
    fake = DeletingAssets(clock, {"a1": "m1"}, gone_at=clock.now() + 1.0)
    with _observer(fake, clock, group_sizes={"assets:m1": 1000}) as observer:
        assert _verdicts(observer, [asset_gone("a1", "m1")], clock.now()) == [DONE]
    assert fake.calls["DescribeAsset"] >= 1
    assert "ListAssets" not in fake.calls


def _first_reads(clock: ManualClock, fake: DeletingAssets, **kwargs: Any) -> tuple[list[float], float]:
    """Clock seconds after its request of each ListAssets until one delete is confirmed; and the latency the
    observer started with."""
    start = clock.now()
    seen: list[float] = []
    original = fake.list_assets

    def list_assets(**params: Any) -> dict[str, Any]:
        seen.append(clock.now() - start)
        return original(**params)

    fake.list_assets = list_assets  # type: ignore[method-assign]  # spy on the fake's reads
    with _observer(fake, clock, **kwargs) as observer:
        expected = observer.latency(Completion.ASSET_GONE)
        _verdicts(observer, [asset_gone("a0", "m1")], start)
    return seen, expected


def test_the_first_check_waits_until_the_effect_is_due(clock: ManualClock, ten_deletes: DeletingAssets) -> None:
    """Once the latency is known, nothing is read before it has passed: no check at the instant of the request
    (a delete is never done the moment it is accepted)."""
    seen, expected = _first_reads(clock, ten_deletes, known={Completion.ASSET_GONE: 2.0})
    assert expected == 2.0
    assert seen and min(seen) >= expected


def test_before_any_latency_is_learned_the_first_check_comes_at_a_quarter_of_the_guess(clock: ManualClock) -> None:
    """The first guess is a constant: a delete done in a tenth of it (a fast region, an emulator at time scale
    10) is seen at the first read, a quarter of the guess after the request, not after the whole guess; and
    that read is still not at the instant of the request."""
    with EffectObserver(Calls(None, clock), clock) as fresh:
        guess = fresh.latency(Completion.ASSET_GONE)
    fake = DeletingAssets(clock, {"a0": "m1"}, gone_at=clock.now() + guess / 10)
    seen, expected = _first_reads(clock, fake)
    assert expected == guess
    assert seen == [pytest.approx(guess / 4)]


def test_the_latency_estimate_follows_what_is_observed(clock: ManualClock) -> None:
    """Deletes that take 10 s, far over the first guess: after three rounds of them the estimate has moved
    up towards 10 s, so later effects are first checked later (fewer wasted reads)."""
    with EffectObserver(Calls(None, clock), clock) as observer:
        first_guess = observer.latency(Completion.ASSET_GONE)
        for _ in range(3):
            fake = DeletingAssets(clock, {f"a{i}": "m1" for i in range(5)}, gone_at=clock.now() + 10.0)
            observer.calls = Calls(fake, clock)
            _verdicts(observer, [asset_gone(a, "m1") for a in fake.assets], clock.now())
        learned = observer.latency(Completion.ASSET_GONE)
    assert first_guess < 10.0
    assert learned > first_guess


def test_an_effect_hurried_long_after_it_was_sent_teaches_no_latency(clock: ManualClock) -> None:
    """A model delete nothing waited for until 100 s after its request: when it is seen gone, all that is
    known is that it took under 100 s. Learnt as a midpoint, that would push the estimate towards 50 s and
    delay the first check of every later model delete; the estimate stays where it was."""
    start = clock.now()
    fake = DeletingAssets(clock, {"a1": "m1"}, gone_at=start + 0.5)
    with _observer(fake, clock) as observer:
        before = observer.latency(Completion.ASSET_GONE)
        lazy = observer.expect(asset_gone("a1", "m1"), start, key="a1", urgent=False)
        clock.advance(100.0)
        observer.hurry("a1", 5.0)
        assert lazy.result(timeout=30) == DONE
        assert observer.latency(Completion.ASSET_GONE) == before


def test_a_delete_first_read_late_teaches_nothing_beyond_the_estimate(clock: ManualClock) -> None:
    """A delete first read half a latency after it was due (its group was read when an earlier effect was
    due, the next read comes later), and seen gone: all it says is that it took less than one and a half
    latencies, so the estimate stays. Learnt as happening just before that read, every late read would push
    the estimate up (and the next first reads later still); learnt as the midpoint, down."""
    with _observer(DeletingAssets(clock, {}, gone_at=0.0), clock) as observer:
        before = observer.latency(Completion.ASSET_GONE)
        fake = DeletingAssets(clock, {"a1": "m1"}, gone_at=clock.now() - 0.5 * before)
        observer.calls = Calls(fake, clock)
        assert _verdicts(observer, [asset_gone("a1", "m1")], clock.now() - 1.5 * before) == [DONE]
        assert observer.latency(Completion.ASSET_GONE) == before


def test_kinds_not_yet_observed_take_the_pace_of_those_that_were(clock: ManualClock) -> None:
    """Deletes that take a tenth of the first guess teach the asset latency; model deletes, which come last
    and teach nothing before, are then first checked at the same pace, not at their first guess (a constant
    that would hold the last step of a fast run). A kind once observed keeps its own estimate."""
    with EffectObserver(Calls(None, clock), clock) as observer:
        model_guess = observer.latency(Completion.MODEL_GONE)
        asset_guess = observer.latency(Completion.ASSET_GONE)
        for _ in range(10):
            fake = DeletingAssets(clock, {f"a{i}": "m1" for i in range(5)}, gone_at=clock.now() + asset_guess / 10)
            observer.calls = Calls(fake, clock)
            _verdicts(observer, [asset_gone(a, "m1") for a in fake.assets], clock.now())
        asset = observer.latency(Completion.ASSET_GONE)
        model = observer.latency(Completion.MODEL_GONE)
    assert asset < asset_guess / 2
    assert model == pytest.approx(model_guess * asset / asset_guess)


def test_an_effect_nothing_waits_for_is_read_only_once_something_does(clock: ManualClock) -> None:
    """A delete of model m2 that nothing waits for yet, beside one of m1 that something does and that takes
    30 s: m2's list is never read while m1 is watched (noticing m2's failure sooner would change nothing,
    and the read would take a mutation's slot); closing the observer, when nothing else is left, confirms it."""
    start = clock.now()
    fake = DeletingAssets(clock, {"a1": "m1", "b1": "m2"}, gone_at=start + 2.5, gone_at_of={"a1": start + 30.0})
    listed: list[str] = []
    original = fake.list_assets

    def list_assets(**params: Any) -> dict[str, Any]:
        listed.append(params["assetModelId"])
        return original(**params)

    fake.list_assets = list_assets  # type: ignore[method-assign]  # spy on which model's list is read
    with _observer(fake, clock) as observer:  # the with closes it too if an assertion fails first
        lazy = observer.expect(asset_gone("b1", "m2"), start, key="b1", urgent=False)
        assert observer.expect(asset_gone("a1", "m1"), start).result(timeout=30) == DONE
        assert "m2" not in listed
        assert not lazy.done()
        observer.close()
        assert lazy.result(timeout=30) == DONE
    assert "m2" in listed


def test_reads_stay_within_the_read_budget(clock: ManualClock) -> None:
    """Fifty deletes that take a minute, with a budget of 1% of the asset family's 30 TPS (0.3 reads a
    second): however often effects come due, the observer never reads faster than the budget."""
    start = clock.now()
    fake = DeletingAssets(clock, {f"a{i}": "m1" for i in range(50)}, gone_at=start + 60.0)
    with _observer(fake, clock, ObserveSettings(read_share=0.01)) as observer:
        verdicts = _verdicts(observer, [asset_gone(a, "m1") for a in fake.assets], start)
    assert verdicts == [DONE] * 50
    elapsed = clock.now() - start
    assert fake.calls["ListAssets"] <= elapsed * 0.3 + 1


def test_a_check_before_an_effect_is_due_is_not_a_miss(clock: ManualClock) -> None:
    """Deletes of one model sent a second apart share their model's list, so each check for the earlier ones
    also shows the last (a9), before it is due. Those reads must not count as misses of a9 (each miss doubles
    the wait before its next check): a9, gone just after it is due, is confirmed at the group's next check."""
    start = clock.now()
    assets = {f"a{i}": "m1" for i in range(10)}
    with _observer(DeletingAssets(clock, {}, gone_at=0.0), clock) as observer:
        latency = observer.latency(Completion.ASSET_GONE)
        gone_at = {a: start + i + latency + 0.05 for i, a in enumerate(assets)}  # each just after it is due
        observer.calls = Calls(DeletingAssets(clock, assets, gone_at=0.0, gone_at_of=gone_at), clock)
        futures = {a: observer.expect(asset_gone(a, "m1"), start + i) for i, a in enumerate(assets)}
        for a, future in futures.items():
            assert future.result(timeout=30) == DONE
            seen = clock.now()
            if a == "a9":
                break
    # Counted as misses, the early reads would have put a9's next check a latency or more after it is due.
    assert seen - gone_at["a9"] < latency / 2


class _Waiting(TokenBucket):
    """The asset family with mutations queued for it, so that every read waits ``wait`` seconds to be served."""

    def __init__(self, clock: ManualClock, rate: float, wait: float) -> None:
        super().__init__(clock, rate)
        self.wait = wait

    def reserve(self) -> float:
        return self.wait

    def backlog(self) -> float:
        return self.wait


@pytest.mark.parametrize("wait_share", [0.0, 0.5])
def test_the_latency_learned_is_the_effects_not_the_reads_queue(clock: ManualClock, wait_share: float) -> None:
    """Deletes that take their first guess exactly, checked through a family where each read waits behind
    queued mutations. The state is seen when the answer arrives, not when the check was planned, and the read
    is sent early by that wait: so the estimate stays near the truth, and does not shrink by the wait (nor
    halve at every delete seen at its first read), which would pull every kind not yet observed early too."""
    limiter = RateLimiter(clock)
    settings = ObserveSettings(read_share=1.0, critical_share=1.0)
    with EffectObserver(Calls(None, clock, limiter=limiter), clock, settings) as observer:
        truth = observer.latency(Completion.ASSET_GONE)
        limiter.buckets["asset"] = _Waiting(clock, 30.0, wait_share * truth)
        learned = []
        for _ in range(12):
            fake = DeletingAssets(clock, {f"a{i}": "m1" for i in range(5)}, gone_at=clock.now() + truth)
            observer.calls = Calls(fake, clock, limiter=limiter)
            _verdicts(observer, [asset_gone(a, "m1") for a in fake.assets], clock.now())
            learned.append(observer.latency(Completion.ASSET_GONE) / truth)
    assert min(learned[2:]) >= 0.85 and max(learned[2:]) <= 1.25, learned


class _Queued(TokenBucket):
    """The asset family with mutations always queued for it (so the observer's read budget applies)."""

    def backlog(self) -> float:
        return 10.0


def _seen_after(clock: ManualClock, stakes: float, unstarted: dict[object, int] | None = None) -> float:
    """Two deletes gone 2.5 s after their requests, hurried by work of priority ``stakes`` while the best
    ready asset work has priority 1.0 (and ``unstarted`` asset actions are still to start): clock seconds
    until both are confirmed."""
    start = clock.now()
    fake = DeletingAssets(clock, {"a1": "m1", "a2": "m1"}, gone_at=start + 2.5)
    limiter = RateLimiter(clock)
    limiter.buckets["asset"] = _Queued(clock, 30.0)
    settings = ObserveSettings(read_share=0.001, critical_share=0.5)  # 0.03 reads a second, or 15
    with EffectObserver(Calls(fake, clock, limiter=limiter), clock, settings, frontier={"asset": 1.0},
                        unstarted=unstarted) as observer:
        futures = [observer.expect(asset_gone(a, "m1"), start, key=a, urgent=False) for a in ("a1", "a2")]
        for a in ("a1", "a2"):
            observer.hurry(a, stakes)
        assert [f.result(timeout=30) for f in futures] == [DONE, DONE]
    return clock.now() - start


def test_effects_the_best_work_waits_for_read_on_the_critical_share(clock: ManualClock) -> None:
    """While mutations queue, checks are rationed to the read share; but effects that work better than
    anything ready waits for (stakes above the family's frontier) are checked on the larger critical share:
    confirmed within a latency of being gone, where rationed checks come one every 33 s."""
    assert _seen_after(clock, stakes=5.0) < 5.0
    assert _seen_after(ManualClock(), stakes=0.5) > 30.0


def test_work_with_slack_waits_on_the_read_share_however_high_it_ranks(clock: ManualClock) -> None:
    """Stakes are a path in seconds: work on a path shorter than the time the family needs to send what it
    has still to start (300 actions at 30 TPS: 10 s) can wait without making the run longer, so its checks
    stay rationed; once the family's queue is shorter than the path (60 actions: 2 s), they are critical."""
    assert _seen_after(clock, stakes=5.0, unstarted={"asset": 300}) > 30.0
    assert _seen_after(ManualClock(), stakes=5.0, unstarted={"asset": 60}) < 5.0


def _lag(clock: ManualClock, unstarted: dict[object, int], late: float = 1.05) -> float:
    """A delete gone ``late`` latencies after its request (just after it is due by default, so its first check
    misses), hurried by critical work (stakes 5 against a frontier of 0.5): latencies from gone to confirmed."""
    start = clock.now()
    with EffectObserver(Calls(None, clock), clock, frontier={"asset": 0.5}, unstarted=unstarted,
                        known={Completion.ASSET_GONE: 2.0}) as observer:
        latency = observer.latency(Completion.ASSET_GONE)
        gone_at = start + late * latency
        observer.calls = Calls(DeletingAssets(clock, {"a1": "m1"}, gone_at=gone_at), clock)
        future = observer.expect(asset_gone("a1", "m1"), start, key="a1", urgent=False)
        observer.hurry("a1", 5.0)
        assert future.result(timeout=30) == DONE
        return (clock.now() - gone_at) / latency


def test_in_the_tail_an_effect_missed_is_read_again_within_a_tenth_of_its_latency(clock: ManualClock) -> None:
    """Once the family has nothing left to start, a read delays no mutation and every moment a done effect
    goes unseen adds to the run's end: a delete missed at its first check is read again a tenth of its
    latency later. While one action is still to start, the ordinary cadence (half a latency) holds."""
    assert _lag(clock, unstarted={"asset": 0}) < 0.1
    assert _lag(ManualClock(), unstarted={"asset": 1}) > 0.3


def test_in_the_tail_an_effect_that_keeps_missing_is_seen_within_a_tenth_of_its_time(clock: ManualClock) -> None:
    """A delete that takes a third longer than its latency misses several checks in the tail: the gaps grow with
    the time it has taken, not by doubling (which would read it at 1.1, 1.3 and 1.7 latencies, 0.35 late)."""
    assert _lag(clock, unstarted={"asset": 0}, late=1.35) < 0.15


def test_in_the_tail_a_group_that_missed_does_not_push_a_group_as_late_out() -> None:
    """Groups end (for ``ending_last``) when their last effect is expected, not at their next check: one missed
    at its check is expected any moment, so it ends no later than a group as late that was not read yet. Were
    the next check its end, every miss would push it later, and the other out of the tail."""
    latency = {Completion.ASSET_GONE: 2.0}
    missed, unread = Group(), Group()
    for group, name in ((missed, "a1"), (unread, "a2")):
        group.add(Watch(asset_gone(name, "m"), 0.0, 2.0, 600.0, Future(), 0.0, urgent=True))
    watch = missed.watches["a1"][0]
    watch.due_at, watch.misses = 2.7, 1  # read at 2.5 and not yet gone: its backoff reads it again at 2.7
    missed.changed()
    assert missed.urgent().last_due > unread.urgent().last_due
    assert missed.expected_end(latency, 2.5) == unread.expected_end(latency, 2.5) == 2.5
    assert unread.expected_end(latency, 1.0) == 2.0  # not yet due: its request plus the latency
    assert Group().expected_end(latency, 1.0) == -math.inf


def test_in_the_tail_only_the_groups_that_end_last_are_read_tightly() -> None:
    """A group whose waiting work ends well before the latest has slack: it keeps the ordinary cadence. Those
    within their tolerance of the latest end are the tail."""
    ends = {"m1": (12.0, 0.25), "m2": (7.0, 0.25), "m3": (11.8, 0.25), "m4": (11.7, 0.25)}
    assert ending_last(ends) == {"m1", "m3"}
    assert ending_last({}) == set()


def test_a_delete_that_ends_failed_fails_with_the_service_text(clock: ManualClock) -> None:
    """FAILED is not gone: the verdict carries the service's error code and message."""
    fake = DeletingAssets(clock, {"a1": "m1"}, gone_at=clock.now() + 1.0, failed={"a1": "disk on fire"})
    with _observer(fake, clock) as observer:
        [verdict] = _verdicts(observer, [asset_gone("a1", "m1")], clock.now())
    assert verdict == Verdict(False, "delete of asset a1 ended FAILED: INTERNAL_FAILURE: disk on fire")


def test_a_delete_stuck_in_deleting_fails_at_its_deadline(clock: ManualClock) -> None:
    """Still DELETING at the deadline: failed, saying so, at the deadline in clock seconds."""
    start = clock.now()
    fake = DeletingAssets(clock, {"a1": "m1"}, gone_at=start + 10_000)
    with _observer(fake, clock, ObserveSettings(timeout=60.0)) as observer:
        [verdict] = _verdicts(observer, [asset_gone("a1", "m1")], start)
    assert verdict == Verdict(False, "asset a1 still DELETING after 60s (its deadline)")
    assert 60 <= clock.now() - start <= 70


# ---- parents settling after a disassociation, portal deletes, and the lookups the executor relies on ---------


class Timeline:
    """A fake client for one resource whose state moves on the clock: ``steps`` are (seconds from now, state)
    in order, the first state holding from now on; a state of None means the resource is gone (404).
    DescribeAsset, DescribePortal and ListPortals answer it; ListAssociatedAssets(PARENT) answers ``parent``."""

    def __init__(self, clock: ManualClock, *steps: tuple[float, str | None], parent: str | None = None) -> None:
        start = clock.now()
        self.clock = clock
        self.steps = [(start + at, state) for at, state in steps]
        self.parent = parent
        self.calls: Counter[str] = Counter()

    def _state(self, operation: str) -> dict[str, Any] | None:
        self.calls[operation] += 1
        now = self.clock.now()
        state = next(state for at, state in reversed(self.steps) if at <= now)
        if state is None:
            return None
        if state == "FAILED":
            return {"state": state, "error": {"code": "INTERNAL_FAILURE", "message": "it broke",
                                              "details": [{"message": "disk on fire"}]}}
        return {"state": state}

    def _described(self, operation: str, key: str) -> dict[str, Any]:
        status = self._state(operation)
        if status is None:
            raise not_found(operation)
        return {key: status}

    def describe_asset(self, **params: Any) -> dict[str, Any]:
        return self._described("DescribeAsset", "assetStatus")

    def describe_portal(self, **params: Any) -> dict[str, Any]:
        return self._described("DescribePortal", "portalStatus")

    def list_portals(self, **params: Any) -> dict[str, Any]:
        status = self._state("ListPortals")
        return {"portalSummaries": [] if status is None else [{"id": "po1", "status": status}]}

    def list_associated_assets(self, **params: Any) -> dict[str, Any]:
        self.calls["ListAssociatedAssets"] += 1
        assert params["traversalDirection"] == "PARENT"
        return {"assetSummaries": [{"id": self.parent}] if self.parent else []}


SETTLE = ObserveSettings(timeout=10.0)


def _settled(fake: Timeline, clock: ManualClock) -> Verdict:
    with _observer(fake, clock, SETTLE) as observer:
        return observer.wait(parent_settled("p1", None), clock.now())


def test_disassociation_is_done_once_the_parent_is_active_again(clock: ManualClock) -> None:
    """The parent is UPDATING for 2 s, then ACTIVE: done, after the 2 s and not before; the child's parent
    is not read (it is unlinked when the request is answered)."""
    start = clock.now()
    fake = Timeline(clock, (0, "UPDATING"), (2.0, "ACTIVE"))
    assert _settled(fake, clock) == DONE
    assert clock.now() - start >= 2.0
    assert fake.calls["DescribeAsset"] >= 2
    assert "ListAssociatedAssets" not in fake.calls


def test_disassociation_fails_when_the_parent_goes_failed(clock: ManualClock) -> None:
    """A parent that ends FAILED instead of ACTIVE fails the action, naming the parent and the service text."""
    fake = Timeline(clock, (0, "UPDATING"), (1.0, "FAILED"))
    assert _settled(fake, clock) == Verdict(
        False, "disassociation under parent asset p1 ended FAILED: INTERNAL_FAILURE: it broke (disk on fire)")


def test_disassociation_times_out_on_the_clock(clock: ManualClock) -> None:
    """A parent UPDATING forever: failed at the deadline in clock seconds, saying so."""
    start = clock.now()
    fake = Timeline(clock, (0, "UPDATING"))
    assert _settled(fake, clock) == Verdict(False, "parent asset p1 still UPDATING after 10s (its deadline)")
    assert 10.0 <= clock.now() - start <= 11.0


def test_disassociation_from_a_parent_that_is_gone_is_done(clock: ManualClock) -> None:
    """404 on the parent: no parent, no association. Done at the first look."""
    fake = Timeline(clock, (0, None))
    assert _settled(fake, clock) == DONE
    assert fake.calls["DescribeAsset"] == 1


def test_a_settling_parent_shows_in_its_models_list_on_the_emulator(env: Env) -> None:
    """On the emulator with realistic latency, DisassociateAssets puts site-1 in UPDATING for about a second;
    the observer confirms it from its model's ListAssets (no Describe) once site-1 is ACTIVE again."""
    env.backend.latency = "realistic"
    site, turbine = env.asset("site-1"), env.asset("site-1/t1")
    env.client.disassociate_assets(assetId=site, hierarchyId=env.world.hierarchies["site/turbines"],
                                   childAssetId=turbine)
    model = env.client.describe_asset(assetId=site)["assetModelId"]
    assert env.client.describe_asset(assetId=site)["assetStatus"]["state"] == "UPDATING"
    start = env.clock.now()
    calls = env.calls()
    with EffectObserver(calls, env.clock, SETTLE) as observer:
        assert observer.wait(parent_settled(site, model), start) == DONE
    assert env.clock.now() - start >= 0.9  # the realistic update latency is 1 s, give or take 10%
    assert env.client.describe_asset(assetId=site)["assetStatus"]["state"] == "ACTIVE"
    assert calls.stats.calls["ListAssets"] >= 1
    assert "DescribeAsset" not in calls.stats.calls


def _portal_gone(fake: Timeline, clock: ManualClock) -> Verdict:
    with _observer(fake, clock, SETTLE) as observer:
        return observer.wait(portal_gone("po1"), clock.now())


def test_portal_delete_is_done_when_it_leaves_the_list(clock: ManualClock) -> None:
    """DELETING for 3 s, then gone from ListPortals: done, and only then."""
    start = clock.now()
    fake = Timeline(clock, (0, "DELETING"), (3.0, None))
    assert _portal_gone(fake, clock) == DONE
    assert clock.now() - start >= 3.0
    assert fake.calls["ListPortals"] >= 1
    assert "DescribePortal" not in fake.calls


def test_portal_delete_that_ends_failed_carries_the_service_text(clock: ManualClock) -> None:
    """FAILED is not gone: the verdict has the error code, message and details."""
    fake = Timeline(clock, (0, "DELETING"), (2.0, "FAILED"))
    verdict = _portal_gone(fake, clock)
    assert verdict == Verdict(False, "delete of portal po1 ended FAILED: INTERNAL_FAILURE: it broke (disk on fire)")


def test_portal_delete_times_out_on_the_clock(clock: ManualClock) -> None:
    """Still DELETING at the deadline: failed, saying so, at the first check the Monitor read budget allows
    from the deadline on (5% of 10 TPS: a read every 2 s)."""
    start = clock.now()
    fake = Timeline(clock, (0, "DELETING"))
    assert _portal_gone(fake, clock) == Verdict(False, "portal po1 still DELETING after 10s (its deadline)")
    assert 10.0 <= clock.now() - start <= 12.0


def test_a_closed_observer_takes_no_more_effects(clock: ManualClock, ten_deletes: DeletingAssets) -> None:
    observer = _observer(ten_deletes, clock)
    observer.close()
    with pytest.raises(RuntimeError, match="closed"):
        observer.expect(asset_gone("a0", "m1"), clock.now())


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
