"""A DAG walk that knows nothing about AWS (the habit of Terraform's dag/walk.go), event-driven.

Nodes start as soon as all their predecessors succeeded: there are no phase barriers. A node that
fails marks every descendant "skipped: upstream failed", naming the failed node(s) as root cause, while
independent branches go on. Setting ``stop`` (Ctrl-C) starts no new node and lets in-flight ones settle.

A visit runs on a request slot of its node's lane (``lane_of``: a quota family, say) and may answer a
``Future``: the request slot is free again at once, while the node stays in flight until the future
resolves (an effect an observer will confirm). So requests in flight are bounded per lane, and nodes
awaiting their effect are not bounded at all. Ready nodes start highest ``priority`` first (the longest
remaining path, say), and a node whose ``claims`` conflict with a node in flight waits until it ends.
``hurry(node, stakes)`` says that work of priority ``stakes`` now waits for an awaited node's effect,
``frontier`` holds, per lane, the priority of the best ready node still waiting for a slot, and ``unstarted``
how many of the lane's nodes are still to start: together they tell an observer which checks are on the
critical path.

Events are delivered on the walking thread, in order, so a progress callback needs no locking.
"""

from __future__ import annotations

import heapq
import math
import queue
import threading
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, MutableMapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

import networkx as nx
import structlog

from teardown.planning.graph import ORDER_ONLY

log = structlog.get_logger(__name__)

N = TypeVar("N", bound=Hashable)

# How often the walking thread looks at the stop event while it waits (wall seconds; off the critical path:
# any request or effect that ends wakes it at once).
_STOP_POLL_SECONDS = 0.05
SKIPPED_UPSTREAM = "skipped: upstream failed"


class EventKind(StrEnum):
    STARTED = "started"
    AWAITING = "awaiting"  # its request was answered; its effect is still to be seen
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    STOPPING = "stopping"


@dataclass(frozen=True)
class WalkEvent(Generic[N]):
    kind: EventKind
    node: N | None
    value: Any = None
    error: str | None = None
    root_causes: tuple[N, ...] = ()


@dataclass(frozen=True)
class Claim:
    """What a node needs to itself: ``holds`` are taken from its start until it ends; it starts only while
    none of ``holds`` or ``needs_free`` is held by another node in flight."""

    holds: frozenset[Hashable] = frozenset()
    needs_free: frozenset[Hashable] = frozenset()


NO_CLAIM = Claim()


class NodeFailed(Exception):
    """Raised by a visit to fail its node with a message, without a traceback in the result."""


@dataclass
class WalkResult(Generic[N]):
    """What became of every node. ``values`` holds what each visited node's visit returned; ``peak`` the most
    visits each lane ran at once."""

    succeeded: list[N] = field(default_factory=list)
    failed: dict[N, str] = field(default_factory=dict)
    skipped: dict[N, tuple[N, ...]] = field(default_factory=dict)
    not_started: list[N] = field(default_factory=list)
    values: dict[N, Any] = field(default_factory=dict)
    stopped: bool = False
    peak: dict[Hashable, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.skipped and not self.not_started


def walk(
    graph: nx.DiGraph,
    visit: Callable[[N], Any],
    *,
    workers: int = 8,
    stop: threading.Event | None = None,
    on_event: Callable[[WalkEvent[N]], None] | None = None,
    completed: Collection[N] = (),
    failure_of: Callable[[Any], str | None] | None = None,
    priority: Mapping[N, float] | None = None,
    claims: Callable[[N], Claim] | None = None,
    lane_of: Callable[[N], Hashable] | None = None,
    hurry: Callable[[N, float], None] | None = None,
    frontier: MutableMapping[Hashable, float] | None = None,
    unstarted: MutableMapping[Hashable, int] | None = None,
    slots: Callable[[Hashable], int] | None = None,
    max_workers: int | None = None,
) -> WalkResult[N]:
    """Visit every node of ``graph`` (edge u -> v: u must succeed before v starts).

    An edge with the attribute ``ORDER_ONLY`` set only orders: v waits for u to end, but a failure of
    u does not skip v (two requests that must not overlap, yet do not depend on each other's effect).

    ``visit`` fails its node by raising (``NodeFailed`` for a plain message) or, when ``failure_of`` is
    given, by returning (or resolving its future to) a value for which ``failure_of`` answers an error
    text. ``workers`` bounds the visits running at once in each lane; with ``slots``, a lane may run
    ``slots(lane)`` at once instead, never fewer than ``workers`` nor more than ``max_workers`` (its threads).
    ``completed`` nodes count as already succeeded and are not visited (resume). Raises ``ValueError`` on a
    cycle.
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")
    if max_workers is not None and max_workers < workers:
        raise ValueError("max_workers must be at least workers")
    if not nx.is_directed_acyclic_graph(graph):
        raise ValueError(f"graph has a cycle: {nx.find_cycle(graph)}")
    return _Walker(
        graph, visit, workers=workers, slots=slots, max_workers=max_workers or workers, stop=stop,
        on_event=on_event, completed=set(completed),
        failure_of=failure_of, priority=priority or {}, claims=claims, lane_of=lane_of, hurry=hurry,
        frontier=frontier, unstarted=unstarted,
    ).run()


_Entry = tuple[float, int, Any]  # (-priority, graph order, node): a heap entry


class _Walker(Generic[N]):
    """The state of one walk; driven from one thread, visits run on one pool per lane."""

    def __init__(
        self,
        graph: nx.DiGraph,
        visit: Callable[[N], Any],
        *,
        workers: int,
        slots: Callable[[Hashable], int] | None,
        max_workers: int,
        stop: threading.Event | None,
        on_event: Callable[[WalkEvent[N]], None] | None,
        completed: set[N],
        failure_of: Callable[[Any], str | None] | None,
        priority: Mapping[N, float],
        claims: Callable[[N], Claim] | None,
        lane_of: Callable[[N], Hashable] | None,
        hurry: Callable[[N, float], None] | None,
        frontier: MutableMapping[Hashable, float] | None,
        unstarted: MutableMapping[Hashable, int] | None,
    ) -> None:
        self.graph = graph
        self.visit = visit
        self.workers = workers
        self.max_workers = max_workers
        self.slots: Callable[[Hashable], int] = slots or (lambda _lane: workers)
        self.stop = stop
        self.emit: Callable[[WalkEvent[N]], None] = on_event or (lambda _event: None)
        self.failure_of = failure_of
        self.priority = priority
        self.claims = claims or (lambda _node: NO_CLAIM)
        self.lane_of: Callable[[N], Hashable] = lane_of or (lambda _node: "")
        self.result: WalkResult[N] = WalkResult()
        # Deterministic start order: priority first, then the graph's own node order.
        self.order: dict[N, int] = {node: i for i, node in enumerate(graph.nodes)}
        self.finished: set[N] = completed & set(graph.nodes)
        self.blocked_by: dict[N, set[N]] = {}
        # Failures travel along dependency edges only, never along ordering-only ones.
        self.depends = nx.subgraph_view(graph, filter_edge=lambda u, v: not graph.edges[u, v].get(ORDER_ONLY))
        self.waiting: dict[N, int] = {}
        # One heap of ready nodes per lane: the next one in O(log n), even with 100k actions ready.
        self.ready: dict[Hashable, list[_Entry]] = defaultdict(list)
        self.held: dict[Hashable, N] = {}  # claim key -> the node in flight holding it
        self.parked: dict[Hashable, list[_Entry]] = defaultdict(list)  # claim key -> nodes waiting for it
        self.busy: dict[Hashable, int] = defaultdict(int)  # lane -> visits running
        self.hurry = hurry or (lambda _node, _stakes: None)
        self.frontier: MutableMapping[Hashable, float] = frontier if frontier is not None else {}
        self.unstarted: MutableMapping[Hashable, int] = unstarted if unstarted is not None else {}
        self.awaiting: set[N] = set()  # answered, effect still to be seen
        self.hurried: dict[N, float] = {}  # node -> the best stakes it was hurried with
        self.unhurried: set[N] = set()  # awaiting, and never hurried
        # Futures land here as they resolve: the walk takes them one at a time, so a step costs the same with
        # ten thousand effects awaited as with one (``concurrent.futures.wait`` locks every future it is given).
        self.resolved: queue.SimpleQueue[Future[Any]] = queue.SimpleQueue()
        self.answered: set[N] = set()
        self.unanswered: dict[N, int] = {}  # node -> predecessors whose request is not answered yet
        for node in graph.nodes:
            if node in self.finished:
                continue
            self.waiting[node] = sum(1 for p in graph.predecessors(node) if p not in self.finished)
            self.unanswered[node] = self.waiting[node]
            lane = self.lane_of(node)
            self.unstarted[lane] = self.unstarted.get(lane, 0) + 1
            if self.waiting[node] == 0:
                self._make_ready(node)

    def _make_ready(self, node: N) -> None:
        entry = (-self._priority(node), self.order[node], node)
        heapq.heappush(self.ready[self.lane_of(node)], entry)

    def run(self) -> WalkResult[N]:
        requests: dict[Future[tuple[str | None, Any]], N] = {}
        awaiting: dict[Future[Any], N] = {}
        pools: dict[Hashable, ThreadPoolExecutor] = {}
        try:
            while True:
                if self.stop is not None and self.stop.is_set() and not self.result.stopped:
                    self.result.stopped = True
                    self.emit(WalkEvent(EventKind.STOPPING, None))
                if not self.result.stopped:
                    for node, lane in self._startable():
                        pool = pools.get(lane)
                        if pool is None:
                            pool = pools[lane] = ThreadPoolExecutor(self.max_workers,
                                                                      thread_name_prefix=f"walk-{lane}")
                        self.emit(WalkEvent(EventKind.STARTED, node))
                        request = pool.submit(self._run_one, node)
                        requests[request] = node
                        request.add_done_callback(self.resolved.put)
                    for lane, heap in self.ready.items():
                        self.frontier[lane] = -heap[0][0] if heap else -math.inf
                if not requests and not awaiting:
                    break
                if not requests:  # nothing can start before some effect is seen: every effect is urgent
                    for node in _ordered(self.unhurried, self.order):
                        self._hurry(node, self._priority(node))
                # Wake up now and then to notice a stop request while everything is in flight.
                timeout = _STOP_POLL_SECONDS if self.stop is not None and not self.result.stopped else None
                done = self._resolved(timeout)
                for future in sorted(done, key=lambda f: self.order[requests[f] if f in requests else awaiting[f]]):
                    if future in requests:
                        node = requests.pop(future)
                        self.busy[self.lane_of(node)] -= 1
                        error, value = future.result()
                        if error is None and isinstance(value, Future):
                            awaiting[value] = node
                            value.add_done_callback(self.resolved.put)
                            self.emit(WalkEvent(EventKind.AWAITING, node))
                            self._now_awaiting(node)
                            continue
                    else:
                        node = awaiting.pop(future)
                        self.awaiting.discard(node)
                        self.unhurried.discard(node)
                        error, value = self._outcome(future)
                    self._settle(node, error, value)
        finally:
            for pool in pools.values():
                pool.shutdown(wait=True)
        for node in _ordered(self.graph.nodes, self.order):
            if node in self.finished:
                continue
            if node in self.blocked_by:
                self.result.skipped[node] = tuple(_ordered(self.blocked_by[node], self.order))
            else:
                self.result.not_started.append(node)
        return self.result

    def _resolved(self, timeout: float | None) -> list[Future[Any]]:
        """The futures resolved since the last call: waits for one (at most ``timeout``), then takes the rest."""
        try:
            done = [self.resolved.get(timeout=timeout)]
        except queue.Empty:
            return []
        while True:
            try:
                done.append(self.resolved.get_nowait())
            except queue.Empty:
                return done

    def _startable(self) -> Iterable[tuple[N, Hashable]]:
        """Take ready nodes, best first per lane, while the lane has a free slot and their claims are free."""
        for lane, heap in self.ready.items():
            limit = min(max(self.workers, self.slots(lane)), self.max_workers)
            while heap and self.busy[lane] < limit:
                entry = heapq.heappop(heap)
                node: N = entry[2]
                claim = self.claims(node)
                conflict = next((k for k in (*claim.holds, *claim.needs_free) if k in self.held), None)
                if conflict is not None:
                    self.parked[conflict].append(entry)  # back in its lane when the holder ends
                    if self.held[conflict] in self.awaiting:
                        self._hurry(self.held[conflict], -entry[0])
                    continue
                for key in claim.holds:
                    self.held[key] = node
                self.busy[lane] += 1
                self.result.peak[lane] = max(self.result.peak.get(lane, 0), self.busy[lane])
                self.unstarted[lane] -= 1
                yield node, lane

    def _now_awaiting(self, node: N) -> None:
        self.awaiting.add(node)
        if node not in self.hurried:
            self.unhurried.add(node)
        self._answer(node)
        parked = [-entry[0] for key in self.claims(node).holds for entry in self.parked.get(key, ())]
        if parked:
            self._hurry(node, max(parked))

    def _answer(self, node: N) -> None:
        """``node``'s request was answered: a successor with every predecessor answered now waits on effects."""
        if node in self.answered:
            return
        self.answered.add(node)
        for child in self.graph.successors(node):
            if child in self.finished or child in self.blocked_by:
                continue
            self.unanswered[child] -= 1
            if self.unanswered[child] == 0:
                for pred in self.graph.predecessors(child):
                    if pred in self.awaiting:
                        self._hurry(pred, self._priority(child))

    def _priority(self, node: N) -> float:
        return float(self.priority.get(node, 0.0))

    def _hurry(self, node: N, stakes: float) -> None:
        """Tell ``hurry`` that work of priority ``stakes`` waits for ``node``'s effect (again only when more
        is at stake than before)."""
        if stakes > self.hurried.get(node, -math.inf):
            self.hurried[node] = stakes
            self.unhurried.discard(node)
            self.hurry(node, stakes)

    def _run_one(self, node: N) -> tuple[str | None, Any]:
        try:
            value = self.visit(node)
        except NodeFailed as exc:
            return str(exc), None
        except Exception as exc:  # a visit bug must fail its node, not the whole walk
            log.warning("walk.visit_raised", node=str(node), error=repr(exc))
            return f"{type(exc).__name__}: {exc}", None
        if isinstance(value, Future):
            return None, value
        return (self.failure_of(value) if self.failure_of else None), value

    def _outcome(self, future: Future[Any]) -> tuple[str | None, Any]:
        try:
            value = future.result()
        except Exception as exc:  # an observer bug must fail its node, not the whole walk
            log.warning("walk.effect_raised", error=repr(exc))
            return f"{type(exc).__name__}: {exc}", None
        return (self.failure_of(value) if self.failure_of else None), value

    def _settle(self, node: N, error: str | None, value: Any) -> None:
        self._answer(node)
        self.finished.add(node)
        self.result.values[node] = value
        for key in self.claims(node).holds:
            if self.held.get(key) == node:
                del self.held[key]
                for entry in self.parked.pop(key, []):
                    heapq.heappush(self.ready[self.lane_of(entry[2])], entry)
        if error is None:
            self.result.succeeded.append(node)
            self.emit(WalkEvent(EventKind.SUCCEEDED, node, value=value))
            self._release(node, only_order=False)
            return
        self.result.failed[node] = error
        self.emit(WalkEvent(EventKind.FAILED, node, value=value, error=error))
        newly_blocked: list[N] = []
        for desc in _ordered(nx.descendants(self.depends, node), self.order):
            if desc in self.finished:
                continue
            if desc not in self.blocked_by:
                # Announced once, when first blocked; the result lists every root cause.
                self.emit(WalkEvent(EventKind.SKIPPED, desc, error=SKIPPED_UPSTREAM, root_causes=(node,)))
                newly_blocked.append(desc)
                self.unstarted[self.lane_of(desc)] -= 1
            self.blocked_by.setdefault(desc, set()).add(node)
        # What waited on these only for ordering need not wait any more: they will never run.
        for ended in (node, *newly_blocked):
            self._release(ended, only_order=True)

    def _release(self, node: N, *, only_order: bool) -> None:
        """Count ``node`` as ended for its successors (for a failed node: its ordering-only ones)."""
        for child in self.graph.successors(node):
            if child in self.finished or child in self.blocked_by:
                continue
            if only_order and not self.graph.edges[node, child].get(ORDER_ONLY):
                continue
            self.waiting[child] -= 1
            if self.waiting[child] == 0:
                self._make_ready(child)


def _ordered(nodes: Iterable[N], order: dict[N, int]) -> list[N]:
    return sorted(nodes, key=order.__getitem__)
