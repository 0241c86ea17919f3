"""A bounded-parallel DAG walk that knows nothing about AWS (the habit of Terraform's dag/walk.go).

Nodes start as soon as all their predecessors succeeded: there are no phase barriers. A node that
fails marks every descendant "skipped: upstream failed", naming the failed node(s) as root cause, while
independent branches go on. Setting ``stop`` (Ctrl-C) starts no new node and lets in-flight ones settle.

Events are delivered on the walking thread, in order, so a progress callback needs no locking.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable, Collection, Hashable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

import networkx as nx
import structlog

from teardown.planning.graph import ORDER_ONLY

log = structlog.get_logger(__name__)

N = TypeVar("N", bound=Hashable)

# How often the walking thread looks at the stop event while every worker is busy.
_STOP_POLL_SECONDS = 0.05
SKIPPED_UPSTREAM = "skipped: upstream failed"


class EventKind(StrEnum):
    STARTED = "started"
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


class NodeFailed(Exception):
    """Raised by a visit to fail its node with a message, without a traceback in the result."""


@dataclass
class WalkResult(Generic[N]):
    """What became of every node. ``values`` holds what each visited node's visit returned."""

    succeeded: list[N] = field(default_factory=list)
    failed: dict[N, str] = field(default_factory=dict)
    skipped: dict[N, tuple[N, ...]] = field(default_factory=dict)
    not_started: list[N] = field(default_factory=list)
    values: dict[N, Any] = field(default_factory=dict)
    stopped: bool = False

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
) -> WalkResult[N]:
    """Visit every node of ``graph`` (edge u -> v: u must succeed before v starts).

    An edge with the attribute ``ORDER_ONLY`` set only orders: v waits for u to end, but a failure of
    u does not skip v (two requests that must not overlap, yet do not depend on each other's effect).

    ``visit`` fails its node by raising (``NodeFailed`` for a plain message) or, when ``failure_of`` is
    given, by returning a value for which ``failure_of`` answers an error text. ``completed`` nodes count
    as already succeeded and are not visited (resume). Raises ``ValueError`` on a cycle.
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")
    if not nx.is_directed_acyclic_graph(graph):
        raise ValueError(f"graph has a cycle: {nx.find_cycle(graph)}")
    return _Walker(
        graph, visit, workers=workers, stop=stop, on_event=on_event, completed=set(completed),
        failure_of=failure_of,
    ).run()


class _Walker(Generic[N]):
    """The state of one walk; driven from one thread, visits run on the pool."""

    def __init__(
        self,
        graph: nx.DiGraph,
        visit: Callable[[N], Any],
        *,
        workers: int,
        stop: threading.Event | None,
        on_event: Callable[[WalkEvent[N]], None] | None,
        completed: set[N],
        failure_of: Callable[[Any], str | None] | None,
    ) -> None:
        self.graph = graph
        self.visit = visit
        self.workers = workers
        self.stop = stop
        self.emit: Callable[[WalkEvent[N]], None] = on_event or (lambda _event: None)
        self.failure_of = failure_of
        self.result: WalkResult[N] = WalkResult()
        # Deterministic start order: the graph's own node order breaks ties.
        self.order: dict[N, int] = {node: i for i, node in enumerate(graph.nodes)}
        self.finished: set[N] = completed & set(graph.nodes)
        self.blocked_by: dict[N, set[N]] = {}
        # Failures travel along dependency edges only, never along ordering-only ones.
        self.depends = nx.subgraph_view(graph, filter_edge=lambda u, v: not graph.edges[u, v].get(ORDER_ONLY))
        self.waiting: dict[N, int] = {}
        # A heap of (graph order, node): the next ready node in O(log n), even with 100k actions ready.
        self.ready: list[tuple[int, N]] = []
        for node in graph.nodes:
            if node in self.finished:
                continue
            self.waiting[node] = sum(1 for p in graph.predecessors(node) if p not in self.finished)
            if self.waiting[node] == 0:
                heapq.heappush(self.ready, (self.order[node], node))

    def run(self) -> WalkResult[N]:
        in_flight: dict[Future[tuple[str | None, Any]], N] = {}
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="walk") as pool:
            while True:
                if self.stop is not None and self.stop.is_set() and not self.result.stopped:
                    self.result.stopped = True
                    self.emit(WalkEvent(EventKind.STOPPING, None))
                while self.ready and len(in_flight) < self.workers and not self.result.stopped:
                    _, node = heapq.heappop(self.ready)
                    self.emit(WalkEvent(EventKind.STARTED, node))
                    in_flight[pool.submit(self._run_one, node)] = node
                if not in_flight:
                    break
                # Wake up now and then to notice a stop request while every worker is busy.
                timeout = _STOP_POLL_SECONDS if self.stop is not None and not self.result.stopped else None
                done, _ = wait(in_flight, timeout=timeout, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=lambda f: self.order[in_flight[f]]):
                    node = in_flight.pop(future)
                    error, value = future.result()
                    self._settle(node, error, value)
        for node in _ordered(self.graph.nodes, self.order):
            if node in self.finished:
                continue
            if node in self.blocked_by:
                self.result.skipped[node] = tuple(_ordered(self.blocked_by[node], self.order))
            else:
                self.result.not_started.append(node)
        return self.result

    def _run_one(self, node: N) -> tuple[str | None, Any]:
        try:
            value = self.visit(node)
        except NodeFailed as exc:
            return str(exc), None
        except Exception as exc:  # a visit bug must fail its node, not the whole walk
            log.warning("walk.visit_raised", node=str(node), error=repr(exc))
            return f"{type(exc).__name__}: {exc}", None
        return (self.failure_of(value) if self.failure_of else None), value

    def _settle(self, node: N, error: str | None, value: Any) -> None:
        self.finished.add(node)
        self.result.values[node] = value
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
                heapq.heappush(self.ready, (self.order[child], child))


def _ordered(nodes: Iterable[N], order: dict[N, int]) -> list[N]:
    return sorted(nodes, key=order.__getitem__)
