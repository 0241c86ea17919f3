"""Planning what sits beside the asset tree: the actions for gateways, alias-only series and kept series, the
edge that keeps a series before its asset goes, the plan file's schema for them, and what every renderer
shows (over tests/support/inventories.py's ``edge_windfarm``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from teardown.errors import PlanFileError
from teardown.inventory.select import select
from teardown.inventory.selectors import SelectionSpec
from teardown.kinds import KINDS, ActionKind
from teardown.planning.graph import ORDER_ONLY, RULES, build_graph
from teardown.planning.make import make_plan
from teardown.planning.planfile import Plan, load_plan, write_plan
from teardown.planning.render import render
from tests.support.inventories import edge_windfarm
from tests.support.planfiles import edit_plan_file

KEEP = SelectionSpec(subtrees=("a-line-11",), keep_time_series=True)
EVERYTHING = SelectionSpec(all=True, keep_time_series=True, allow_data_loss=True)


def _plan(spec: SelectionSpec) -> Plan:
    return make_plan(edge_windfarm(), spec)[0]


def test_a_kept_series_leaves_its_asset_before_the_asset_is_deleted() -> None:
    """The keep action is a real dependency of the asset delete (skipped if it fails), named by its rule."""
    inventory = edge_windfarm()
    graph = build_graph(inventory, select(inventory, KEEP))
    edge = graph.edges["keep-time-series/s-111", "delete-asset/a-turbine-111"]
    assert edge[RULES] == ("kept_series_leave_before_asset_delete",)
    assert ORDER_ONLY not in edge
    assert not graph.has_edge("keep-time-series/s-111", "delete-asset/a-turbine-112")


def test_edge_actions_send_exactly_the_requests_the_service_takes() -> None:
    """DisassociateTimeSeriesFromAssetProperty names alias, asset and property; DeleteTimeSeries the alias;
    DeleteGateway the id. The token goes with every request but DeleteGateway's, which takes none."""
    plan = _plan(EVERYTHING)
    by_id = {a.id: a for a in plan.actions}
    kept = by_id["keep-time-series/s-111"]
    assert (kept.kind, kept.target) == (ActionKind.DISASSOCIATE_TIME_SERIES, "/wf/111/power")
    assert kept.params == {"alias": "/wf/111/power", "assetId": "a-turbine-111", "propertyId": "p-power"}
    assert by_id["delete-time-series/s-old-1"].params == {"alias": "/old/1"}
    assert by_id["delete-gateway/g-edge"].params == {"gatewayId": "g-edge"}
    assert "delete-time-series/s-111" not in by_id  # a bound series is kept, or goes with its asset
    assert KINDS[ActionKind.DELETE_GATEWAY].token("t") == {}
    assert KINDS[ActionKind.DELETE_TIME_SERIES].token("t") == {"clientToken": "t"}


def test_the_plan_file_records_the_options_and_loads_back(tmp_path: Path) -> None:
    """--keep-time-series and --allow-data-loss are in the plan's selection (apply re-derives the same actions
    from it), and a plan of every new kind validates and loads back equal."""
    plan = _plan(EVERYTHING)
    assert plan.selection["keep_time_series"] is True and plan.selection["allow_data_loss"] is True
    assert plan.spec == EVERYTHING
    assert load_plan(write_plan(plan, tmp_path / "p.json")) == plan
    assert "--keep-time-series --allow-data-loss" in render(plan, "text")


@pytest.mark.parametrize("kind", ["delete-gateway/g-edge", "delete-time-series/s-old-1", "keep-time-series/s-111"])
def test_a_client_token_or_other_extra_parameter_is_malformed(tmp_path: Path, kind: str) -> None:
    """Each new kind's schema allows its parameters and no other (a token is the executor's, never the plan's)."""
    path = write_plan(_plan(EVERYTHING), tmp_path / "p.json")

    def add_token(data: dict[str, object]) -> None:
        actions = data["actions"]
        assert isinstance(actions, list)
        next(a for a in actions if a["id"] == kind)["params"]["clientToken"] = "x" * 36

    edit_plan_file(path, add_token)
    with pytest.raises(PlanFileError, match="Additional properties are not allowed"):
        load_plan(path)


def test_text_and_markdown_list_kept_series_alias_only_series_and_gateways() -> None:
    plan = _plan(EVERYTHING)
    text = render(plan, "text")
    assert "Kept: 3 time series and their history" in text and "turbine-111: /wf/111/power" in text
    assert "Deleted: 3 alias-only time series (bound to no asset) and their data" in text and "  /old/1" in text
    assert "Deleted: 2 gateway(s), with their capability configurations:\n  edge (g-edge)\n  spare (g-spare)" in text
    assert "keep time series                     3" in text
    md = render(plan, "markdown")
    assert "### Kept: 3 time series and their history" in md and "- spare (`g-spare`)" not in md
    assert "- spare (g-spare)" in md and "- /lab/x" in md


def test_a_series_that_cannot_be_kept_is_named_by_its_property() -> None:
    """With --allow-data-loss the plan lists the unaliased series among the data deleted, by property."""
    text = render(_plan(EVERYTHING), "text")
    assert "these have no alias, so --keep-time-series cannot keep them" in text
    assert "turbine-121: property 'rpm' (p-rpm)" in text


def test_json_dot_and_mermaid_carry_the_new_actions() -> None:
    plan = _plan(EVERYTHING)
    data = json.loads(render(plan, "json"))
    assert data["summary"]["deletes"]["gateways"] == 2 and data["summary"]["deletes"]["time_series"] == 3
    assert [k["alias"] for k in data["summary"]["time_series_kept"]] == ["/wf/111/power", "/wf/112/power",
                                                                         "/wf/211/power"]
    for fmt in ("dot", "mermaid"):
        drawn = render(plan, fmt)
        assert "delete gateway 'edge'" in drawn and "delete alias-only time series '/old/1'" in drawn
        assert "keep time series '/wf/111/power'" in drawn
