"""ModelArrivals: work that waits on some models starts as each arrives, and ends when arrivals close."""

from __future__ import annotations

import threading

from teardown.aws.hierarchies import ModelArrivals


def test_batches_hand_out_each_model_as_it_arrives() -> None:
    arrivals = ModelArrivals()
    arrivals.arrived("a")
    arrivals.arrived("unwanted")
    batches = arrivals.batches({"a", "b", "c"})
    assert next(batches) == {"a"}  # b and c have not arrived: a does not wait for them
    handed = threading.Event()

    def later() -> None:
        handed.wait(timeout=10)
        arrivals.arrived("c")
        arrivals.arrived("b")

    thread = threading.Thread(target=later)
    thread.start()
    handed.set()
    rest = list(batches)
    thread.join(timeout=10)
    assert set().union(*rest) == {"b", "c"} and all(rest)


def test_closing_ends_the_batches_with_what_arrived() -> None:
    arrivals = ModelArrivals()
    arrivals.arrived("a")
    arrivals.close()  # the descriptions failed: "b" never arrives, and nothing waits for it
    assert list(arrivals.batches({"a", "b"})) == [{"a"}]
    assert list(arrivals.batches(set())) == []
