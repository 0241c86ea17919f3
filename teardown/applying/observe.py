"""Observing that actions took effect: one observer for the whole run, batched, on a learned cadence.

A delete is done when the resource is gone (absent from a list, or a 404), not when it says DELETING; a
disassociation when its parent is ACTIVE again. The executor registers each expected effect
(``EffectObserver.expect``) the moment its request is answered and gets a future; the request slot is free
again at once. The observer's thread checks effects in batches: one ListAssets(assetModelId, ALL) shows the
state of every asset of a model, so it confirms that model's deletes and its settling parents together;
where ``_run`` finds it the cheaper read, one ListAssets(TOP_LEVEL) of the account confirms, across every model
at once, the asset deletes and the settling of the parents already unlinked from their own (absent from it, a
resource is gone only once it has shown it; ``_sighted``); one ListAssetModels confirms every model delete; one
ListPortals every portal delete.
Where fewer effects are due than a list has pages, it describes those resources instead (the cheaper read wins).

When: an effect's first check is when it is due (its request's answer plus the latency observed so far for its
kind, learned as the run goes from when each answer arrived; a read is sent early by what is queued ahead of it
in its family, so it is served then; before any latency is learned, at a quarter of the first guess), then
backing off. An urgent effect (something waits for it: see ``hurry``) is checked then, its group at most twice
per latency; one that holds nothing back yet (a delete that only its model's delete waits for, while other
deletes of the model are still to be sent) is never read for itself, only along with its group's urgent ones,
until something waits for it (noticing its failure sooner would change nothing: what depends on it is not
ready). The observer's reads of a quota family stay under ``read_share`` of
that family's rate while mutations queue for it, so checks never crowd out the mutations they wait for (when
nothing queues, a read costs nothing); effects that work better than anything ready waits for (their ``hurry``
stakes above the walk's frontier for the family), on a path no shorter than the time the family needs to send
what it has still to start, are on the critical path, and their checks may take ``critical_share``: work with
slack waits for its group's ordinary reads, which confirm more at once. In the tail (a family with nothing left
to start), the critical groups that end last are read as soon as their last effect is due, and after a miss a
tenth of the time the effect has taken so far (at least a tenth of its latency) later: there a read delays no
mutation, and an effect seen late is the run's end seen late.
A check that shows an effect not yet due (read along with its group) is no miss. No wall-clock constant is on
the critical path. Waits are on the injected clock; reads go through the one request path.
"""

from __future__ import annotations

import math
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace

import structlog
from botocore.exceptions import BotoCoreError, ClientError

from teardown.applying.effects import (
    DEFAULT_OBSERVE,
    DONE,
    SOURCES,
    TOP_LEVEL_GROUP,
    Effect,
    ObserveSettings,
    Verdict,
    status_text,
)
from teardown.applying.group_reads import Status, describe, group_family, list_group
from teardown.applying.latency import Latencies
from teardown.applying.watches import (
    BACKOFF_MAX,
    TAIL_GAP,
    Group,
    Watch,
    backoff,
    ending_last,
    group_of,
    seen_after,
    urgent_due,
)
from teardown.aws.calls import PAGE_SIZE, Calls
from teardown.aws.classify import error_text
from teardown.aws.clock import Clock
from teardown.kinds import Completion

log = structlog.get_logger(__name__)

OBSERVER_READERS = 4  # the observer's reads in flight at once (one per group being checked)


class EffectObserver:
    """Confirms registered effects in batches on its own thread. Use as a context manager (or ``close``)."""

    def __init__(
        self, calls: Calls, clock: Clock, settings: ObserveSettings = DEFAULT_OBSERVE, *,
        group_sizes: Mapping[str, int] | None = None, frontier: Mapping[Hashable, float] | None = None,
        unstarted: Mapping[Hashable, int] | None = None, known: Mapping[Completion, float] | None = None,
    ) -> None:
        self.calls = calls
        self.clock = clock
        self.settings = settings
        self._cond = threading.Condition()
        self._wake = threading.Event()
        self._groups: dict[str, Group] = defaultdict(Group)
        # When the family's read budget next allows a read: for ordinary checks, and for critical ones.
        self._family_free_at: dict[str, float] = defaultdict(float)
        self._critical_free_at: dict[str, float] = defaultdict(float)
        # Per quota family, the priority of the best ready work not started yet (the walk keeps it).
        self._frontier: Mapping[Hashable, float] = frontier if frontier is not None else {}
        # Per quota family, the actions still to start (the walk keeps it): the time the family needs to send
        # them is the slack of any work waiting on a shorter path.
        self._unstarted: Mapping[Hashable, int] | None = unstarted
        self._latency = Latencies(known)
        self._keys: dict[str, Watch] = {}
        self._top_listed: set[str] = set()  # the resources a read of the top-level list has shown
        self._closed = False
        # The list behind a group costs its pages: known from the plan until the first list answers.
        for group, size in (group_sizes or {}).items():
            self._groups[group].pages = max(1, math.ceil(size / PAGE_SIZE))
        self._reads = ThreadPoolExecutor(OBSERVER_READERS, thread_name_prefix="observe-read")
        self._thread = threading.Thread(target=self._loop, name="observe", daemon=True)
        self._thread.start()

    def __enter__(self) -> EffectObserver:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Confirm every effect still registered (nothing else is left to wait for them), then stop."""
        with self._cond:
            self._closed = True
            for group in self._groups.values():
                for watches in group.watches.values():
                    for watch in watches:
                        self._make_urgent(watch)
                group.changed()
            self._cond.notify_all()
        self._wake.set()
        self._thread.join()
        self._reads.shutdown(wait=True)

    def latency(self, completion: Completion) -> float:
        """The latency estimate the observer works with now (clock seconds)."""
        with self._cond:
            return self._latency[completion]

    def expect(self, effect: Effect, sent_at: float, *, key: str | None = None, urgent: bool = True) -> Future[Verdict]:
        """Register an effect whose request was answered at ``sent_at``; the future resolves to its verdict.
        A non-urgent effect is checked lazily until ``hurry(key)`` says something waits for it."""
        future: Future[Verdict] = Future()
        with self._cond:
            if self._closed:
                raise RuntimeError("the observer is closed")
            due = sent_at + self._latency.first_wait(effect.completion)
            watch = Watch(effect, sent_at, due, sent_at + self.settings.deadline(effect.kind), future, sent_at,
                          urgent=urgent, key=key)
            self._groups[group_of(effect)].add(watch)
            if key is not None:
                self._keys[key] = watch
            self._cond.notify_all()
        self._wake.set()  # a sleeping loop re-plans: this one may be due before what it waits for
        return future

    def hurry(self, key: str, stakes: float = math.inf) -> None:
        """Something now waits for the effect registered under ``key``: check it as soon as it is due.
        ``stakes``: the priority of the best work waiting for it; above the family's frontier, its checks
        take the critical share of the read budget."""
        with self._cond:
            watch = self._keys.get(key)
            if watch is None or watch.future.done() or (watch.urgent and stakes <= watch.stakes):
                return
            watch.stakes = max(watch.stakes, stakes)
            self._make_urgent(watch)
            self._groups[group_of(watch.effect)].now_urgent(watch)
            self._cond.notify_all()
        self._wake.set()

    def _make_urgent(self, watch: Watch) -> None:
        """Check ``watch`` as soon as it is due from now on (lazy ones are read only along with their group's
        urgent ones). Called under the lock."""
        if not watch.urgent:
            watch.urgent = True
            watch.due_at = max(min(watch.due_at, watch.sent_at + self._latency.first_wait(watch.effect.completion)),
                               self.clock.now())

    def wait(self, effect: Effect, sent_at: float) -> Verdict:
        """``expect`` and wait for the verdict (for callers that have nothing else to do meanwhile)."""
        return self.expect(effect, sent_at).result()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._closed and not self._pending():
                    self._cond.wait()
                if self._closed and not self._pending():
                    return
                now = self.clock.now()
                name, at = self._next_check(now)
                if name is not None and at <= now:
                    group = self._groups[name]
                    group.checking = True
                    self._reads.submit(self._check, name, now)
                    continue
                self._wake.clear()
            self._pause(at - now if name is not None else None)

    def _pending(self) -> bool:
        return any(g.watches and not g.checking for g in self._groups.values())

    def _next_check(self, now: float) -> tuple[str | None, float]:
        """The group to check next and when: its earliest due effect, but not before its family's read
        budget allows (a check costs its pages, or its describes)."""
        best: tuple[str | None, float] = (None, math.inf)
        tail = self._tail_groups(now)
        for name, group in self._groups.items():
            if not group.watches or group.checking:
                continue
            family = group_family(name)
            bucket = self.calls.limiter.bucket(family)
            queued = bucket.backlog()
            # Sent early by what is queued ahead of it, so that it is served when the effect is due.
            at = group.next_check(self._latency, tail=name in tail) - queued
            # Room in the family now (no request queued): a read costs the mutations nothing. Otherwise
            # the observer's share of the rate decides (the larger one where the best work waits).
            if queued > 1.0 / bucket.rate:
                at = max(at, self._free_at(self._critical(name, family))[family])
            if at < best[1]:
                best = (name, at)
        return best

    def _critical(self, name: str, family: str) -> bool:
        """Whether the best work waiting for group ``name``'s effects outranks everything ready in the family,
        and its path (in seconds) is no shorter than the time the family needs to send what it has still to
        start: waiting for it would then make the run longer, so its checks draw on the critical share of
        the read budget. Work with slack waits on the ordinary share, batched with more of its group."""
        stakes = self._groups[name].stakes()
        if stakes <= self._frontier.get(family, -math.inf):
            return False
        if self._unstarted is None:
            return True
        return stakes * self._latency.pace() >= self._unstarted.get(family, 0) / self.calls.limiter.bucket(family).rate

    def _tail_groups(self, now: float) -> set[str]:
        """The groups whose checks decide when the run ends: critical, in a family with nothing left to start
        (its reads then delay no mutation), and ending last: when their last urgent effect is expected (its
        request plus the latency learned, or now where that is past) plus the path waiting on it is within
        ``TAIL_GAP`` of a latency of the latest such end. A group that ends sooner has slack, and keeps the
        ordinary cadence. The expectation, not the next check: a group missed at its check would otherwise
        seem to end later with every miss, and push groups as late as it out of the tail. Called under the
        lock; costs nothing before a family's last action has started."""
        if self._unstarted is None or all(n > 0 for n in self._unstarted.values()):
            return set()
        pace = self._latency.pace()
        ends: dict[str, tuple[float, float]] = {}  # group -> (when its waiting work would end, its tolerance)
        for name, group in self._groups.items():
            family = group_family(name)
            if not group.watches or self._unstarted.get(family, 0) > 0 or not self._critical(name, family):
                continue
            urgent = group.urgent()
            if not urgent.completions:
                continue
            ends[name] = (group.expected_end(self._latency, now) + urgent.stakes * pace,
                          TAIL_GAP * min(self._latency[c] for c in urgent.completions))
        return ending_last(ends)

    def _free_at(self, critical: bool) -> dict[str, float]:
        return self._critical_free_at if critical else self._family_free_at

    def _pause(self, seconds: float | None) -> None:
        """Wait until the next check is due, or until a new effect is registered (which may be due sooner)."""
        wait_event: Callable[[threading.Event, float], bool] | None = getattr(self.clock, "wait_event", None)
        if seconds is None:
            self._wake.wait(timeout=None)
        elif wait_event is not None:
            wait_event(self._wake, seconds)
        else:  # a clock that cannot be woken (a manual clock: its sleep moves time on at once)
            self.clock.sleep(seconds)

    def _check(self, name: str, started: float) -> None:
        try:
            self._check_group(name, started)
        except Exception as exc:  # a bug here must fail the watches, never hang the run
            log.warning("observe.check_raised", group=name, error=repr(exc))
            self._fail_group(name, f"{type(exc).__name__}: {exc}")
        finally:
            with self._cond:
                self._groups[name].checking = False
                self._cond.notify_all()
            self._wake.set()

    def _check_group(self, name: str, started: float) -> None:
        with self._cond:
            group = self._groups[name]
            watched = {rid: list(ws) for rid, ws in group.watches.items()}
            family = group_family(name)
            bucket = self.calls.limiter.bucket(family)
            # The read waits behind what is queued for the family: what is due by the time it is served counts.
            serve_at = started + bucket.backlog()
            due = [rid for rid, ws in watched.items() if urgent_due(ws) <= serve_at]
            listable = bool(name) and not name.startswith("describe:") and self.settings.mode == "batched"
            use_list = listable and group.pages <= len(due)
            cost = group.pages if use_list else len(due)
            rate = bucket.configured_rate
            critical = self._critical(name, family)
            tail = critical and name in self._tail_groups(started)
            free_at = self._free_at(critical)
            share = self.settings.critical_share if critical else self.settings.read_share
            free_at[family] = max(free_at[family], started) + cost / max(rate * share, 1e-9)
            group.last_check = serve_at
        seen_at: dict[str, float] = {}  # when the answer showing each resource arrived
        states: dict[str, Status] = {}
        try:
            if use_list:
                states, pages = list_group(self.calls, self.clock, name, seen_at)
                with self._cond:
                    group.pages = max(1, pages)
            else:
                for rid in due:
                    states[rid] = describe(self.calls, watched[rid][0].effect)
                    seen_at[rid] = self.clock.now()
        except (ClientError, BotoCoreError) as exc:
            self._fail_group(name, error_text(exc), only=None if use_list else set(due))
            return
        taken = self.clock.now()  # a resource absent from the list: seen gone once the last page arrived
        moved = self._sighted(name, watched, states, started) if use_list and name == TOP_LEVEL_GROUP else set()
        seen: Counter[str] = Counter()
        for rid, status in states.items() if not use_list else ((r, states.get(r)) for r in watched if r not in moved):
            for watch in watched[rid]:
                if watch.sent_at <= started and self._judge(name, watch, status, seen_at.get(rid, taken), tail=tail):
                    seen[watch.effect.completion.value] += 1
        log.debug("observe.checked", group=name, reads=cost, due=len(due), watched=len(watched),
                  seen=dict(seen), critical=critical)

    def _sighted(self, name: str, watched: Mapping[str, list[Watch]], states: Mapping[str, Status],
                 started: float) -> set[str]:
        """After a read of the top-level list: note the watched resources it showed (a settling parent shown
        there needs no other proof once it is deleted); move those it has never shown to their fallback group
        (``TOP_LEVEL_GROUP`` says why), and answer them."""
        moved: set[str] = set()
        with self._cond:
            self._top_listed.update(rid for rid in watched if rid in states)
            for rid, watches in watched.items():
                if rid not in self._top_listed:
                    moved.add(rid)
                    for watch in watches:
                        if watch.sent_at <= started and watch in self._groups[name].watches.get(rid, []):
                            self._remove(name, watch)
                            watch.effect = replace(watch.effect, group=watch.effect.fallback, fallback="")
                            self._groups[group_of(watch.effect)].add(watch)
                            if watch.key is not None:
                                self._keys[watch.key] = watch
        return moved

    def _judge(self, name: str, watch: Watch, status: Status, observed: float, *,
               tail: bool = False) -> bool:
        """Give ``watch`` its verdict from ``status``, as read at ``observed`` (True), or plan its next check
        (False): after a miss, ``backoff`` (tighter in the ``tail``)."""
        effect = watch.effect
        source = SOURCES[effect.completion]
        state = None if status is None else status.get("state")
        verdict: Verdict | None = None
        if state is None or (source.want == "active" and state == "ACTIVE"):
            verdict = DONE  # gone (for a parent: no parent, no association), or settled
        elif state == "FAILED":
            what = "delete of" if source.want == "gone" else "disassociation under"
            verdict = Verdict(False, f"{what} {source.noun} {effect.rid} ended FAILED: {status_text(status or {})}")
        elif observed >= watch.deadline_at:
            limit = watch.deadline_at - watch.sent_at
            verdict = Verdict(False, f"{source.noun} {effect.rid} still {state} after {limit:g}s (its deadline)")
        with self._cond:
            if verdict is None and watch.due_at > observed:
                # Read early, along with its group's due effects: not yet expected, so not a miss (a miss
                # would stretch its backoff before it is even due).
                watch.last_checked = observed
                return False
            if verdict is None:
                watch.misses += 1
                gap = backoff(self._latency[effect.completion], watch.misses, observed - watch.sent_at, tail=tail)
                watch.due_at = min(observed + gap, watch.deadline_at)
                watch.last_checked = observed
                self._groups[name].changed()
                return False
            old = self._latency[effect.completion]
            if verdict.done and watch.urgent and observed - watch.last_checked <= BACKOFF_MAX * old:
                # Learnt only from urgent effects: a lazy one is seen when its group happens to be read; nor
                # from one made urgent long after it was sent, whose interval is wider than any backoff's and
                # says nothing of the latency.
                seen = seen_after(watch.last_checked - watch.sent_at, observed - watch.sent_at, old)
                latency = self._latency.learn(effect.completion, seen)
                log.debug("observe.learned", completion=effect.completion.value, seen=round(seen, 3),
                          misses=watch.misses, latency=round(latency, 3))
            self._remove(name, watch)
        watch.future.set_result(verdict)
        return True

    def _remove(self, name: str, watch: Watch) -> None:
        group = self._groups[name]
        group.changed()
        if watch.key is not None and self._keys.get(watch.key) is watch:
            del self._keys[watch.key]
        watches = group.watches.get(watch.effect.rid, [])
        if watch in watches:
            watches.remove(watch)
        if not watches:
            group.watches.pop(watch.effect.rid, None)
        if not group.watches and name.startswith("describe:"):
            del self._groups[name]

    def _fail_group(self, name: str, error: str, only: set[str] | None = None) -> None:
        with self._cond:
            group = self._groups.get(name)
            failed = [w for rid, ws in (group.watches.items() if group else []) if only is None or rid in only
                      for w in ws]
            for watch in failed:
                self._remove(name, watch)
        for watch in failed:
            watch.future.set_result(Verdict(False, error))
