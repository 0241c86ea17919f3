"""What the observer keeps per expected effect and per group of effects one read confirms together, and the
cadence its checks follow (``teardown.applying.observe`` runs them)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field

from teardown.applying.effects import URGENT_GAP, Effect, Verdict
from teardown.kinds import Completion

# Checks of one effect that finds it not yet there come after this fraction of its latency, doubling.
BACKOFF_START = 0.25
BACKOFF_MAX = 2.0
# In the tail (see ``EffectObserver._tail_groups``) a group is read once its last urgent effect is due, and
# after a miss this fraction of the time the effect has taken so far later (of its latency at least): a read
# then delays no mutation, and every moment a done effect goes unseen is added to the run's end. Not doubling:
# an effect a third late would be seen up to 0.4 latencies late; proportional, a tenth of its time at most.
TAIL_GAP = 0.1


@dataclass
class Watch:
    effect: Effect
    sent_at: float
    due_at: float
    deadline_at: float
    future: Future[Verdict]
    last_checked: float
    urgent: bool
    key: str | None = None
    misses: int = 0
    stakes: float = -math.inf  # the priority of the best work waiting for this effect (``hurry``)


@dataclass
class Urgent:
    """What a group's urgent watches add up to: kept as watches come and go, so planning the next check costs
    the same with thousands watched as with one."""

    due: float = math.inf  # when the first is due
    last_due: float = -math.inf  # when the last is due
    last_sent: float = -math.inf  # when the last was sent
    completions: frozenset[Completion] = frozenset()
    stakes: float = -math.inf  # the priority of the best work waiting for one


@dataclass
class Group:
    watches: dict[str, list[Watch]] = field(default_factory=lambda: defaultdict(list))  # rid -> watches
    pages: int = 1  # what its list cost last time
    checking: bool = False
    last_check: float = -math.inf
    _urgent: Urgent | None = None  # None: to add up again

    def add(self, watch: Watch) -> None:
        self.watches[watch.effect.rid].append(watch)
        self.now_urgent(watch)

    def now_urgent(self, watch: Watch) -> None:
        """``watch`` was added, made urgent, or given more at stake (its due time moved no later)."""
        if watch.urgent and self._urgent is not None:
            u = self._urgent
            self._urgent = Urgent(min(u.due, watch.due_at), max(u.last_due, watch.due_at),
                                  max(u.last_sent, watch.sent_at), u.completions | {watch.effect.completion},
                                  max(u.stakes, watch.stakes))

    def changed(self) -> None:
        """A watch was removed, or its due time moved later: add the urgent ones up again when next asked."""
        self._urgent = None

    def urgent(self) -> Urgent:
        if self._urgent is None:
            mine = [w for ws in self.watches.values() for w in ws if w.urgent]
            self._urgent = Urgent(urgent_due(mine), max((w.due_at for w in mine), default=-math.inf),
                                  max((w.sent_at for w in mine), default=-math.inf),
                                  frozenset(w.effect.completion for w in mine),
                                  max((w.stakes for w in mine), default=-math.inf))
        return self._urgent

    def stakes(self) -> float:
        return self.urgent().stakes

    def expected_end(self, latency: Mapping[Completion, float], now: float) -> float:
        """When its last urgent effect is expected: its request plus the latency learned for it, or ``now``
        where that is past (an effect missed is expected any moment, not at the next check its backoff set)."""
        urgent = self.urgent()
        if not urgent.completions:
            return -math.inf
        return max(urgent.last_sent + max(latency[c] for c in urgent.completions), now)

    def next_check(self, latency: Mapping[Completion, float], *, tail: bool = False) -> float:
        """When the group is next worth a read: its first urgent effect due, no sooner than ``URGENT_GAP``
        of their latency after the last read (in the ``tail``, at the latest when the last is due, no sooner
        than ``TAIL_GAP`` after the last read); never for lazy effects alone (``_pending`` lets the loop sleep
        until ``hurry`` or ``close`` makes one urgent)."""
        urgent = self.urgent()
        if not urgent.completions:
            return math.inf
        taken = min(latency[c] for c in urgent.completions)
        at = max(urgent.due, self.last_check + URGENT_GAP * taken)
        if tail:
            at = min(at, max(urgent.last_due, self.last_check + TAIL_GAP * taken))
        return at


def backoff(latency: float, misses: int, taken: float, *, tail: bool = False) -> float:
    """How long after its ``misses``-th miss an effect is read again, ``taken`` seconds after its request:
    ``BACKOFF_START`` of its latency, doubling; in the ``tail``, ``TAIL_GAP`` of the time it has taken so far
    (of its latency at least), so it is seen late by a tenth of its time at most. Both at most ``BACKOFF_MAX``
    latencies."""
    if tail:
        return min(TAIL_GAP * max(latency, taken), BACKOFF_MAX * latency)
    return latency * min(BACKOFF_START * 2.0 ** (misses - 1), BACKOFF_MAX)


def seen_after(not_yet: float, done: float, latency: float) -> float:
    """When an effect happened, seconds after its request, from the last read that did not show it
    (``not_yet``; 0 if none did) and the first that did (``done``): the midpoint between them. Seen at its first
    read, nothing bounds it below but the request: the midpoint would halve the estimate at every such hit (and
    first reads come early). It is taken to have happened within half a first backoff before that read, as a
    read a backoff earlier would have told; and a first read that came late (its group read after it was due)
    says only that it took less than that: no more than the estimate, so late reads never raise it. The
    estimate rises through misses only, and settles where first reads see nearly all their effects."""
    if not_yet > 0:
        return (not_yet + done) / 2
    return min(max(done / 2, done - BACKOFF_START * latency / 2), latency)


def urgent_due(watches: list[Watch]) -> float:
    """When the first of ``watches`` that something waits for is due: lazy ones are never read for
    themselves (not described one by one, nor counted towards a list), only along with urgent ones."""
    return min((w.due_at for w in watches if w.urgent), default=math.inf)


def ending_last(ends: Mapping[str, tuple[float, float]]) -> set[str]:
    """Of groups given as (when the work waiting on them would end, a tolerance), those ending last: within
    their tolerance of the latest end."""
    latest = max((end for end, _ in ends.values()), default=-math.inf)
    return {name for name, (end, tolerance) in ends.items() if end >= latest - tolerance}


def group_of(effect: Effect) -> str:
    return effect.group or f"describe:{effect.rid}"
