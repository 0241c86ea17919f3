"""The latency the observer expects of each asynchronous completion, learnt as the run goes (``EffectObserver``
reads and teaches it under its lock): the first guess of the completion table until an effect is seen, then
moving towards what is observed, and the kinds not observed yet paced like those that are."""

from __future__ import annotations

import statistics
from collections.abc import Mapping

from teardown.applying.effects import SOURCES
from teardown.applying.watches import BACKOFF_START
from teardown.kinds import Completion

_LEARN_RATE = 0.2  # weight of each new observation in the latency estimate


class Latencies(dict[Completion, float]):
    """Completion -> the latency expected now (clock seconds). ``known``: latencies known before the run
    (another run's, a test's), as good as observed."""

    def __init__(self, known: Mapping[Completion, float] | None = None) -> None:
        super().__init__({c: s.first_guess for c, s in SOURCES.items()})
        self.learned: set[Completion] = set()  # the completions whose latency the run has observed
        if known:
            self.update(known)
            self.learned.update(known)
            self._pace_unlearned()

    def first_wait(self, completion: Completion) -> float:
        """How long after its request an effect is first read: its latency once the run has learned any; before,
        ``BACKOFF_START`` of the first guess (a constant: waited out, it would hold the first round of a faster
        region, or of an emulator at time scale 10, for the whole guess)."""
        return self[completion] if self.learned else BACKOFF_START * self[completion]

    def learn(self, completion: Completion, seen: float) -> float:
        """One effect of ``completion`` was seen to take ``seen`` seconds: the estimate moves towards it; answers
        the new estimate."""
        old = self[completion]
        self[completion] = max(1e-3, old + _LEARN_RATE * (seen - old))
        self.learned.add(completion)
        self._pace_unlearned()
        return self[completion]

    def pace(self) -> float:
        """How much longer than first guessed effects take here (the largest ratio learned so far, 1 before any):
        stakes are paths in first-guess seconds, so a world twice as slow doubles them."""
        return max(self._learned_ratios(), default=1.0)

    def _learned_ratios(self) -> list[float]:
        """Per completion the run has observed, its learned latency over its first guess."""
        return [self[c] / SOURCES[c].first_guess for c in self.learned]

    def _pace_unlearned(self) -> None:
        """Kinds the run has not observed yet take the pace of those it has (the geometric mean of their
        learned-to-first-guess ratios): a world where parents settle in a tenth of the first guess (a region
        that is fast today, an emulator at time scale 10) deletes its models faster too. Model deletes come
        last, so nothing else teaches their latency: the first guess would be a fixed constant on the run's
        last step."""
        pace = statistics.geometric_mean(self._learned_ratios())
        for completion, source in SOURCES.items():
            if completion not in self.learned:
                self[completion] = source.first_guess * pace
