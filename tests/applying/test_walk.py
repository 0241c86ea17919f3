"""The DAG walker, with fake visits: ordering, parallelism, failure propagation, stop, resume."""

from __future__ import annotations

import threading
from collections.abc import Iterable

import networkx as nx
import pytest

from teardown.applying.walk import EventKind, NodeFailed, WalkEvent, walk
from teardown.planning.graph import ORDER_ONLY


def _graph(edges: Iterable[tuple[str, str]], nodes: Iterable[str] = ()) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from(edges)
    return g


def test_every_node_runs_after_its_predecessors() -> None:
    """A node is visited only after all its predecessors were visited."""
    g = _graph([("a", "c"), ("b", "c"), ("c", "d"), ("a", "e")])
    seen: list[str] = []
    lock = threading.Lock()

    def visit(node: str) -> str:
        with lock:
            for pred in g.predecessors(node):
                assert pred in seen, f"{node} before {pred}"
            seen.append(node)
        return node.upper()

    result = walk(g, visit, workers=3)
    assert sorted(result.succeeded) == ["a", "b", "c", "d", "e"]
    assert result.values["c"] == "C"
    assert result.ok


def test_no_phase_barrier_a_ready_node_starts_while_a_slow_sibling_runs() -> None:
    """A child of a finished node starts while an unrelated slow node is still running."""
    g = _graph([("fast", "child")], nodes=["slow"])
    release = threading.Event()
    child_ran = threading.Event()

    def visit(node: str) -> None:
        if node == "slow":
            # Only finishes once the child ran: would deadlock if the walker waited for a whole "phase".
            assert child_ran.wait(5)
        if node == "child":
            child_ran.set()
        release.set()

    result = walk(g, visit, workers=2)
    assert sorted(result.succeeded) == ["child", "fast", "slow"]


def test_workers_bound_concurrency() -> None:
    """Never more than `workers` visits at once."""
    g = _graph([], nodes=[f"n{i}" for i in range(20)])
    active = 0
    peak = 0
    lock = threading.Lock()
    barrier = threading.Barrier(3)

    def visit(node: str) -> None:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        if node in {"n0", "n1", "n2"}:
            barrier.wait(5)  # proves three really ran together
        with lock:
            active -= 1

    walk(g, visit, workers=3)
    assert peak == 3


def test_failure_skips_descendants_and_independent_work_goes_on() -> None:
    """A failed node skips all its descendants with the root cause; other branches finish."""
    g = _graph([("a", "b"), ("b", "c"), ("x", "c"), ("y", "z")])
    events: list[WalkEvent[str]] = []

    def visit(node: str) -> None:
        if node == "a":
            raise NodeFailed("boom")

    result = walk(g, visit, workers=2, on_event=events.append)
    assert result.failed == {"a": "boom"}
    assert result.skipped == {"b": ("a",), "c": ("a",)}
    assert sorted(result.succeeded) == ["x", "y", "z"]
    skipped_events = [str(e.node) for e in events if e.kind is EventKind.SKIPPED]
    assert sorted(skipped_events) == ["b", "c"]


def test_two_failed_roots_are_both_named() -> None:
    """A node below two failures lists both as root causes; the failures themselves are not skipped."""
    g = _graph([("a", "c"), ("b", "c")])

    def visit(node: str) -> None:
        raise NodeFailed(f"{node} broke")

    result = walk(g, visit, workers=1)
    assert set(result.failed) == {"a", "b"}
    assert result.skipped == {"c": ("a", "b")}


def test_failure_by_returned_value_and_unexpected_exception() -> None:
    """failure_of turns a returned value into a failure; any other exception fails only its node."""
    g = _graph([("a", "b")], nodes=["c"])

    def visit(node: str) -> str:
        if node == "c":
            raise RuntimeError("bug")
        return "bad" if node == "a" else "ok"

    result = walk(g, visit, workers=2, failure_of=lambda v: "returned bad" if v == "bad" else None)
    assert result.failed["a"] == "returned bad"
    assert result.failed["c"] == "RuntimeError: bug"
    assert result.skipped == {"b": ("a",)}


def test_stop_starts_nothing_new_and_lets_in_flight_settle() -> None:
    """After stop is set the running node finishes; nodes not yet started are reported not started."""
    g = _graph([("a", "b"), ("b", "c")], nodes=["d"])
    stop = threading.Event()
    visited: list[str] = []

    def visit(node: str) -> None:
        visited.append(node)
        if node == "a":
            stop.set()

    result = walk(g, visit, workers=1, stop=stop)
    assert result.stopped
    assert "a" in result.succeeded
    assert "c" in result.not_started
    assert "c" not in visited


def test_completed_nodes_are_not_visited() -> None:
    """Resume: nodes given as completed count as succeeded predecessors and are never visited."""
    g = _graph([("a", "b"), ("b", "c")])
    visited: list[str] = []
    result = walk(g, visited.append, workers=2, completed={"a", "b"})
    assert visited == ["c"]
    assert result.succeeded == ["c"]


def test_cycle_is_refused() -> None:
    """A cyclic graph is refused before anything runs."""
    g = _graph([("a", "b"), ("b", "a")])
    with pytest.raises(ValueError, match="cycle"):
        walk(g, lambda n: None)


def test_order_only_edges_serialize_without_propagating_failure() -> None:
    """a -> b marked order-only: b waits for a to end, yet runs (and succeeds) although a failed."""
    g = _graph([("a", "b"), ("x", "y")])
    g.edges["a", "b"][ORDER_ONLY] = True
    g.add_edge("y", "b", **{ORDER_ONLY: True})
    order: list[str] = []

    def visit(node: str) -> None:
        order.append(node)
        if node == "a":
            raise NodeFailed("a broke")

    result = walk(g, visit, workers=4)
    assert result.failed == {"a": "a broke"}
    assert "b" in result.succeeded
    assert order.index("b") > order.index("a")
    assert order.index("b") > order.index("y")


def test_order_only_successor_of_a_skipped_node_still_runs() -> None:
    """a fails, so b (depends on a) is skipped; c, ordered after b only, runs instead of waiting forever."""
    g = _graph([("a", "b"), ("b", "c")])
    g.edges["b", "c"][ORDER_ONLY] = True

    def visit(node: str) -> None:
        if node == "a":
            raise NodeFailed("a broke")

    result = walk(g, visit, workers=2)
    assert result.skipped == {"b": ("a",)}
    assert result.succeeded == ["c"]
    assert result.not_started == []


# ---- effects awaited without a slot, claims, priority, lanes ------------------------------------------------


def test_a_visit_that_answers_a_future_frees_its_slot_until_the_future_resolves() -> None:
    """With one slot, three visits answer futures: all three start before any resolves (the slot is free
    once each answered), and each node succeeds only with its future's value; dependants wait for it."""
    from concurrent.futures import Future

    g = _graph([("a", "z"), ("b", "z"), ("c", "z")])
    futures: dict[str, Future[str]] = {}
    events: list[tuple[str, str | None]] = []

    def resolve_all() -> None:
        for name, future in futures.items():
            future.set_result(f"{name} seen")

    def visit(node: str) -> object:
        if node == "z":
            return "z done"
        futures[node] = Future()
        if len(futures) == 3:  # the last of the three resolves them all, from another thread
            threading.Thread(target=resolve_all).start()
        return futures[node]

    result = walk(g, visit, workers=1, on_event=lambda e: events.append((e.kind.value, e.node)))
    assert result.ok
    assert result.values["a"] == "a seen" and result.values["z"] == "z done"
    starts = [n for kind, n in events if kind == "started"]
    first_success = next(i for i, (kind, _) in enumerate(events) if kind == "succeeded")
    assert set(starts[:3]) == {"a", "b", "c"}
    assert all(events.index(("started", n)) < first_success for n in "abc")
    assert ("awaiting", "a") in events


def test_a_future_that_resolves_to_a_failure_fails_its_node_and_skips_dependants() -> None:
    from concurrent.futures import Future

    g = _graph([("a", "b")])

    def visit(node: str) -> object:
        future: Future[str] = Future()
        future.set_result("bad")
        return future

    result = walk(g, visit, failure_of=lambda v: "went bad" if v == "bad" else None)
    assert result.failed == {"a": "went bad"}
    assert result.skipped == {"b": ("a",)}


def test_nodes_with_conflicting_claims_never_overlap() -> None:
    """Three nodes hold the same key: with slots to spare they still run one at a time; a node that only
    needs the key free waits for it too; an unrelated node runs alongside."""
    from teardown.applying.walk import Claim

    g = _graph([], nodes=["h1", "h2", "h3", "n1", "free"])
    claims = {"h1": Claim(holds=frozenset({"k"})), "h2": Claim(holds=frozenset({"k"})),
              "h3": Claim(holds=frozenset({"k"})), "n1": Claim(needs_free=frozenset({"k"})), "free": Claim()}
    running: set[str] = set()
    overlaps: list[set[str]] = []
    lock = threading.Lock()
    gate = threading.Barrier(2, timeout=5)

    def visit(node: str) -> None:
        with lock:
            running.add(node)
            overlaps.append(set(running))
        if node in ("h1", "free"):
            gate.wait()  # h1 and free are in flight together: proof the unrelated node was not held back
        with lock:
            running.discard(node)

    result = walk(g, visit, workers=8, claims=claims.__getitem__)
    assert result.ok
    keyed = {"h1", "h2", "h3", "n1"}
    assert all(len(seen & keyed) <= 1 for seen in overlaps)


def test_ready_nodes_start_highest_priority_first() -> None:
    """With one slot and everything ready, nodes start by priority, the graph's order breaking ties."""
    g = _graph([], nodes=["low", "high", "mid", "mid2"])
    order: list[str] = []
    walk(g, order.append, workers=1, priority={"high": 3, "mid": 2, "mid2": 2, "low": 1})
    assert order == ["high", "mid", "mid2", "low"]


def test_each_lane_has_its_own_slots() -> None:
    """A lane whose only slot is busy does not hold back another lane: b (lane y) runs while a (lane x)
    is still in its visit."""
    g = _graph([], nodes=["a", "a2", "b"])
    lanes = {"a": "x", "a2": "x", "b": "y"}
    gate = threading.Barrier(2, timeout=5)
    seen: list[str] = []

    def visit(node: str) -> None:
        seen.append(node)
        if node in ("a", "b"):
            gate.wait()  # would time out if b had to wait for a's slot

    result = walk(g, visit, workers=1, lane_of=lanes.__getitem__)
    assert result.ok
    assert seen.index("a2") > seen.index("b")


def test_an_awaited_node_is_hurried_once_something_waits_only_for_it() -> None:
    """a and c answer futures that resolve only when hurried (an observer that checks lazily until told);
    b depends on a. The walk hurries each awaited node exactly once (b waits only for a's effect; then
    nothing else is left to start), and so ends, with b run after a's effect was seen."""
    from concurrent.futures import Future

    g = _graph([("a", "b")], nodes=["c"])
    futures: dict[str, Future[str]] = {}
    hurried: list[str] = []

    def visit(node: str) -> object:
        if node == "b":
            return "b done"
        futures[node] = Future()
        return futures[node]

    def hurry(node: str, _stakes: float) -> None:
        hurried.append(node)
        futures[node].set_result(f"{node} seen")  # an observer checking it now, and seeing it

    result: list[object] = []
    walker = threading.Thread(target=lambda: result.append(walk(g, visit, workers=2, hurry=hurry)))
    walker.start()
    walker.join(timeout=30)  # a guard against a hang, not a measurement
    assert not walker.is_alive(), "nothing hurried the awaited effects: the walk would wait forever"
    assert sorted(hurried) == ["a", "c"] and len(hurried) == len(set(hurried))
    assert result and result[0].ok  # type: ignore[attr-defined]


def test_hurry_says_what_is_at_stake_and_the_frontier_what_is_ready() -> None:
    """h holds claim k and awaits its effect; p (priority 9) needs k, so it parks, and the walk hurries h
    with p's priority as the stakes. With one slot, while h's request ran, the frontier showed the best
    ready node left waiting for the slot (p); once nothing is ready, nothing."""
    import math
    from concurrent.futures import Future

    from teardown.applying.walk import Claim

    g = _graph([], nodes=["h", "p", "q", "r"])
    claims = {"h": Claim(holds=frozenset({"k"})), "p": Claim(needs_free=frozenset({"k"})), "q": Claim(),
              "r": Claim()}
    priority = {"h": 10.0, "p": 9.0, "q": 4.0, "r": 1.0}
    effect: Future[str] = Future()
    frontier: dict[object, float] = {}
    hurried: list[tuple[str, float, float]] = []

    def visit(node: str) -> object:
        return effect if node == "h" else f"{node} done"

    def hurry(node: str, stakes: float) -> None:
        hurried.append((node, stakes, frontier[""]))
        effect.set_result("h seen")

    result = walk(g, visit, workers=1, priority=priority, claims=claims.__getitem__, hurry=hurry,
                  frontier=frontier)
    assert result.ok
    assert hurried == [("h", 9.0, 9.0)]
    assert frontier[""] == -math.inf


def test_unstarted_counts_each_lanes_nodes_still_to_start() -> None:
    """Per lane, the nodes not started yet: one less as each starts, and a node skipped because its
    upstream failed never will start, so it is counted out too (lane x: a, b, c; lane y: d, e)."""
    g = _graph([("a", "b"), ("b", "c"), ("a", "d"), ("d", "e")])
    lanes = {"a": "x", "b": "x", "c": "x", "d": "y", "e": "y"}
    unstarted: dict[object, int] = {}
    at_start: dict[str, dict[object, int]] = {}

    def visit(node: str) -> str:
        if node == "d":
            raise NodeFailed("d broke")
        return node

    def on_event(event: WalkEvent[str]) -> None:
        if event.kind is EventKind.STARTED and event.node is not None:
            at_start[event.node] = dict(unstarted)

    result = walk(g, visit, workers=1, lane_of=lanes.__getitem__, unstarted=unstarted, on_event=on_event)
    assert result.skipped == {"e": ("d",)}
    assert at_start["a"] == {"x": 2, "y": 2}
    assert at_start["c"]["x"] == 0
    assert unstarted == {"x": 0, "y": 0}


@pytest.mark.parametrize(("asked", "limit", "expected"), [(5, 8, 5), (50, 6, 6), (0, 8, 2)])
def test_a_lane_runs_as_many_as_its_slots_say_between_workers_and_max_workers(
    asked: int, limit: int, expected: int
) -> None:
    """``slots`` widens a lane past ``workers`` (five visits meet at a barrier with workers=2), but never past
    ``max_workers``, and never narrows it below ``workers``."""
    g = _graph([], nodes=[f"n{i}" for i in range(12)])
    active = peak = 0
    lock = threading.Lock()
    barrier = threading.Barrier(expected, timeout=5)

    def visit(node: str) -> None:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        if int(node[1:]) < expected:
            barrier.wait()  # would time out unless `expected` visits run together
        with lock:
            active -= 1

    result = walk(g, visit, workers=2, slots=lambda _lane: asked, max_workers=limit)
    assert result.ok
    assert peak == expected
    assert result.peak == {"": expected}


def test_max_workers_below_workers_is_refused() -> None:
    with pytest.raises(ValueError, match="max_workers"):
        walk(_graph([], nodes=["a"]), lambda _node: None, workers=4, max_workers=2)
