"""The whole pure half of planning: select, build and order the graph, fingerprint, summarise, seal."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from teardown._version import __version__
from teardown.inventory.records import Inventory
from teardown.inventory.select import Selection, select
from teardown.inventory.selectors import SelectionSpec
from teardown.planning.fingerprint import fingerprint
from teardown.planning.graph import plan_order
from teardown.planning.planfile import FORMAT_VERSION, Plan, seal
from teardown.planning.summary import summarize


def make_plan(
    inventory: Inventory, spec: SelectionSpec, *, created_at: datetime | None = None
) -> tuple[Plan, Selection]:
    """Select, build and order the graph, fingerprint what it reads: the whole pure half of planning."""
    with _gc_paused():
        return _make_plan(inventory, spec, created_at)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Planning allocates millions of small acyclic objects at 100k assets; the cyclic collector's repeated
    full passes over them cost more than the planning itself. Nothing here builds reference cycles."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _make_plan(inventory: Inventory, spec: SelectionSpec, created_at: datetime | None) -> tuple[Plan, Selection]:
    selection = select(inventory, spec)
    actions = tuple(plan_order(inventory, selection))
    draft = Plan(
        format_version=FORMAT_VERSION,
        tool_version=__version__,
        created_at=(created_at or datetime.now(UTC)).isoformat(timespec="seconds"),
        account=inventory.account,
        region=inventory.region,
        endpoint=inventory.endpoint,
        selection=spec.to_json(),
        fingerprint=fingerprint(inventory, selection),
        actions=actions,
        summary=summarize(inventory, selection, actions),
    )
    return seal(draft), selection
