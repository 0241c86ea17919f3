"""The small Python API: teardown.plan and teardown.apply, driven from code against the emulator."""

from __future__ import annotations

from pathlib import Path

import pytest

import teardown
from tests.support.worlds import Env


def test_plan_then_apply_from_code(farm: Env, tmp_path: Path) -> None:
    """plan() returns a sealed Plan (and writes it when asked); apply() carries it out and reports."""
    site = farm.asset("enterprise/site-3")
    plan = teardown.plan(subtrees=[site], region="us-east-1", client=farm.client, out=tmp_path / "p.json")
    assert plan.summary["deletes"]["assets"] == 13
    assert teardown.load_plan(tmp_path / "p.json") == plan
    report = teardown.apply(tmp_path / "p.json", region="us-east-1", client=farm.client, auto_approve=True,
                            clock=farm.clock)
    assert report.ok
    assert report.exit_code == 0
    sites = farm.client.list_associated_assets(assetId=farm.asset("enterprise"), traversalDirection="CHILD",
                                               hierarchyId=farm.world.hierarchies["enterprise/sites"])
    assert {a["id"] for a in sites["assetSummaries"]} == {farm.asset("enterprise/site-1"),
                                                          farm.asset("enterprise/site-2")}
    turbines = farm.client.list_assets(assetModelId=farm.world.models["turbine"])["assetSummaries"]
    assert len(turbines) == 20
    assert "delete assets" in teardown.render(plan, "text")


def test_api_refusals_are_the_cli_errors(farm: Env) -> None:
    """A refused selection raises SelectionRefused, the same error the CLI maps to exit code 3."""
    with pytest.raises(teardown.SelectionRefused, match="--subtree"):
        teardown.plan(asset_models=[farm.world.models["line"]], region="us-east-1", client=farm.client)
