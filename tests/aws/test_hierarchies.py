"""ModelArrivals: work that waits on some models starts as each arrives, and ends when arrivals close."""

from __future__ import annotations

import threading

from teardown.aws.hierarchies import ModelArrivals


def test_ready_tells_what_arrived_and_waits_only_when_asked() -> None:
    arrivals = ModelArrivals()
    arrivals.arrived("a")
    arrivals.arrived("unwanted")
    assert arrivals.ready({"a", "b", "c"}) == {"a"}  # b and c have not arrived: a does not wait for them
    assert arrivals.ready({"b", "c"}) == set()  # without wait, at once
    asked = threading.Event()

    def later() -> None:
        asked.wait(timeout=10)
        arrivals.arrived("c")

    thread = threading.Thread(target=later)
    thread.start()
    asked.set()
    assert arrivals.ready({"b", "c"}, wait=True) == {"c"}  # the first to arrive ends the wait
    thread.join(timeout=10)


def test_closing_ends_every_wait_with_what_arrived() -> None:
    arrivals = ModelArrivals()
    arrivals.arrived("a")
    closer = threading.Thread(target=arrivals.close)  # the descriptions failed: "b" never arrives
    closer.start()
    assert arrivals.ready({"b"}, wait=True) == set()
    arrivals.wait_closed()
    closer.join(timeout=10)
    assert arrivals.ready({"a", "b"}, wait=True) == {"a"}
    assert arrivals.ready(set(), wait=True) == set()
