"""The whole pure half of planning: select, build and order the graph, fingerprint, summarise, seal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from teardown._version import __version__
from teardown.inventory.index import children_index
from teardown.inventory.records import Inventory
from teardown.inventory.select import Selection, select
from teardown.inventory.selectors import SelectionSpec
from teardown.planning.fingerprint import fingerprint
from teardown.planning.graph import plan_order
from teardown.planning.planfile import FORMAT_VERSION, Plan, gc_paused, seal
from teardown.planning.summary import summarize


def make_plan(
    inventory: Inventory, spec: SelectionSpec, *, created_at: datetime | None = None,
    on_stage: Callable[[str], object] | None = None,
) -> tuple[Plan, Selection]:
    """Select, build and order the graph, fingerprint what it reads: the whole pure half of planning.
    ``on_stage`` is called with each step's name as it ends ("select", "graph", "fingerprint", "summary", "seal"),
    so a benchmark can time them."""
    with gc_paused():
        return _make_plan(inventory, spec, created_at, on_stage or (lambda _stage: None))


def _make_plan(
    inventory: Inventory, spec: SelectionSpec, created_at: datetime | None, done: Callable[[str], object]
) -> tuple[Plan, Selection]:
    children = children_index(inventory)  # one index for selecting, fingerprinting and summarising
    selection = select(inventory, spec, children=children)
    done("select")
    actions = tuple(plan_order(inventory, selection))
    done("graph")
    seen = fingerprint(inventory, selection, children=children)
    done("fingerprint")
    summary = summarize(inventory, selection, actions, children=children)
    done("summary")
    plan = seal(Plan(
        format_version=FORMAT_VERSION,
        tool_version=__version__,
        created_at=(created_at or datetime.now(UTC)).isoformat(timespec="seconds"),
        account=inventory.account,
        region=inventory.region,
        endpoint=inventory.endpoint,
        selection=spec.to_json(),
        fingerprint=seen,
        actions=actions,
        summary=summary,
    ))
    done("seal")
    return plan, selection
