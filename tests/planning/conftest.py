"""Fixtures of the planning tests: the plan of a site decommission of the hand-built wind farm, in memory and
on disk (no client, no emulator)."""

from __future__ import annotations

from pathlib import Path

import pytest

from teardown.inventory.selectors import SelectionSpec
from teardown.planning.make import make_plan
from teardown.planning.planfile import Plan, write_plan
from tests.support.inventories import windfarm


@pytest.fixture
def site_plan() -> Plan:
    """``--subtree a-site-1`` of tests/support/inventories.py's wind farm: 7 assets deleted, the kept
    enterprise and a project modified, 15 actions."""
    plan, _ = make_plan(windfarm(), SelectionSpec(subtrees=("a-site-1",)))
    return plan


@pytest.fixture
def plan_file(site_plan: Plan, tmp_path: Path) -> Path:
    """``site_plan`` written to a plan file."""
    return write_plan(site_plan, tmp_path / "p.plan.json")
