"""One pool of reader threads per quota family, so reads of one family never queue behind another's pacing.

With one shared pool, reads paced at 10 TPS (Monitor) fill the pool's threads while they wait for their
bucket, and reads of a 30 TPS family queue behind them. Here each family reads on its own lane. A lane holds
as many threads as its family's rate can use: ``rate * READ_SECONDS`` reads in flight keep the family at its
full rate while a read takes up to ``READ_SECONDS``; more threads would only wait on the family's bucket.
``workers`` caps every lane, and all of them fit the client's connection pool (``connections``), so no
request waits for, or throws away, a connection.

A job runs on the lane of the operation it sends (``teardown.aws.pacing.family_of``), and a job never waits
for another job: only the thread that hands the jobs out waits, so no lane can wait on itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import TypeVar

from teardown.aws.pacing import family_of

_T = TypeVar("_T")

READ_SECONDS = 0.25  # a generous SiteWise read: a lane sized for it runs its family at full rate
BRANCH_READERS = 4  # threads outside the lanes that read too (the first listing of each branch of discovery)


def lane_size(rate: float, workers: int) -> int:
    """Threads for a family paced at ``rate`` TPS: enough for the rate, at most ``workers``, at least one."""
    return max(1, min(workers, math.ceil(rate * READ_SECONDS)))


# Among lanes of one size, which gives up a thread first where they do not fit: the families discovery reads
# least (tags only for tag selectors, series a page at a time) before the asset family, which it reads most.
_GIVES_UP_FIRST: Mapping[str, int] = {"tags": 4, "time_series": 3, "monitor": 2, "model": 1, "asset": 0}


def lane_sizes(rates: Mapping[str, float], workers: int, connections: int | None = None) -> dict[str, int]:
    """Each family's lane; where they would not fit ``connections``, the largest give up threads first (of
    lanes of one size, those in ``_GIVES_UP_FIRST`` order)."""
    sizes = {family: lane_size(rate, workers) for family, rate in rates.items()}
    budget = max(len(sizes), connections - BRANCH_READERS) if connections is not None else None
    while budget is not None and sum(sizes.values()) > budget:
        sizes[max(sorted(sizes), key=lambda f: (sizes[f], _GIVES_UP_FIRST.get(f, len(_GIVES_UP_FIRST))))] -= 1
    return sizes


class Lanes:
    """A thread pool per quota family, sized from the family's configured rate."""

    def __init__(
        self, rates: Mapping[str, float], *, workers: int, connections: int | None = None, name: str = "discover"
    ) -> None:
        self.sizes = lane_sizes(rates, workers, connections)
        self._pools = {
            family: ThreadPoolExecutor(max_workers=size, thread_name_prefix=f"{name}-{family}")
            for family, size in self.sizes.items()
        }

    def map(self, sends: str, fn: Callable[[_T], None], items: Iterable[_T]) -> None:
        """Run ``fn`` over ``items`` on the lane of operation ``sends``; once all have settled, the first error
        (in the order of ``items``) propagates."""
        pool = self._pools.get(family_of(sends)) or self._pools["asset"]
        futures: list[Future[None]] = [pool.submit(fn, item) for item in items]
        wait(futures)
        for future in futures:
            future.result()

    def close(self) -> None:
        for pool in self._pools.values():
            pool.shutdown(wait=True)


def connections_for(rates: Mapping[str, float], workers: int) -> int:
    """The connections a client needs to serve every lane, and the other readers, at once."""
    return sum(lane_sizes(rates, workers).values()) + BRANCH_READERS
