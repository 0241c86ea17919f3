"""Renderers: what a reviewer reads, and graphs that stay readable when the plan is large."""

from __future__ import annotations

import dataclasses

from teardown.inventory.selectors import SelectionSpec
from teardown.planning.make import make_plan
from teardown.planning.planfile import Plan
from teardown.planning.render import MAX_DRAWN, render
from tests.support.inventories import InventoryBuilder, edge_windfarm, windfarm


def _plan(spec: SelectionSpec) -> Plan:
    return make_plan(windfarm(), spec)[0]


def test_text_lists_counts_roots_kept_and_every_action(site_plan: Plan) -> None:
    """The text summary names counts per type, each root with its size, and what is kept but modified."""
    text = render(site_plan, "text")
    assert "delete assets                      7" in text
    assert "site-1 (a-site-1): 7" in text
    assert "ent (a-ent): loses child assets" in text
    assert "15. " in text and "16. " not in text


def test_text_limit_says_how_many_more(site_plan: Plan) -> None:
    """A limited listing ends with the count it left out."""
    text = render(site_plan, "text", limit=5)
    assert "... and 10 more" in text


def test_markdown_is_a_pull_request_comment(site_plan: Plan) -> None:
    """Markdown has the counts table, the kept-but-modified list and a collapsible action list."""
    md = render(site_plan, "markdown")
    assert "| delete assets | 7 |" in md
    assert "<details><summary>All 15 actions, in order</summary>" in md
    assert "`p-site-1`): loses 3 asset link(s)" in md


def test_small_graphs_draw_every_action_and_edge() -> None:
    """dot and mermaid draw one node per action, one edge per dependency, a dashed one per ordering (plans
    made now hold none, but a plan file may: here one is added by hand)."""
    b = InventoryBuilder().model("m-leaf").model("m-root", children={"kids": "m-leaf"})
    b.asset("a-root", "m-root").asset("a-leaf", "m-leaf", parent="a-root")
    made = make_plan(b.inventory, SelectionSpec(all=True))[0]
    first, *rest = made.actions
    ordered = [*rest[:-1], dataclasses.replace(rest[-1], after=(first.id,))]
    plan = dataclasses.replace(made, actions=(first, *ordered))
    depends = sum(len(a.depends_on) for a in plan.actions)
    order = sum(len(a.after) for a in plan.actions)
    assert order > 0
    dot = render(plan, "dot")
    assert dot.count("->") == depends + order
    assert dot.count("[style=dashed]") == order
    assert dot.count("[label=") == len(plan.actions)
    mermaid = render(plan, "mermaid")
    assert mermaid.startswith("flowchart LR")
    assert mermaid.count(" --> ") == depends and mermaid.count(" -.-> ") == order


def test_large_graphs_collapse_to_a_summary() -> None:
    """Past MAX_DRAWN actions the graph shows one node per kind and model, with counts."""
    b = InventoryBuilder().model("m-leaf").model("m-root", children={"kids": "m-leaf"})
    b.asset("a-root", "m-root")
    for i in range(MAX_DRAWN):
        b.asset(f"a-{i:04}", "m-leaf", parent="a-root")
    plan = make_plan(b.inventory, SelectionSpec(all=True))[0]
    mermaid = render(plan, "mermaid")
    assert "summary graph" in mermaid
    assert f"delete assets (model m-leaf): {MAX_DRAWN}" in mermaid
    assert mermaid.count("\n") < 20


def test_empty_plan_says_nothing_to_do() -> None:
    """An empty selection renders as a clean no-op in every text format."""
    plan = _plan(SelectionSpec(names=("^nothing$",)))
    assert "Nothing to do" in render(plan, "text")
    assert "Nothing to do" in render(plan, "markdown")


def test_bound_time_series_are_shown_as_deleted_with_their_asset() -> None:
    """The reviewer sees which series (and their data) go with the deleted assets, and only those."""
    plan = make_plan(edge_windfarm(), SelectionSpec(subtrees=("a-site-1",)))[0]
    assert plan.summary["time_series_deleted"] == [
        {"asset": "a-turbine-111", "name": "turbine-111", "series": ["/wf/111/power"]},
        {"asset": "a-turbine-112", "name": "turbine-112", "series": ["/wf/112/power"]},
        {"asset": "a-turbine-121", "name": "turbine-121", "series": ["s-121"]},
    ]
    text = render(plan, "text")
    assert "Deleted with their assets: 3 time series and their data" in text
    assert "turbine-111: /wf/111/power" in text and "/wf/211/power" not in text
    assert "### Deleted with their assets: 3 time series" in render(plan, "markdown")
