"""Fixtures of the inventory tests: a hand-built inventory (no client, no emulator)."""

from __future__ import annotations

import pytest

from teardown.inventory.records import Inventory
from tests.support.inventories import windfarm


@pytest.fixture
def inventory() -> Inventory:
    """The hand-built wind farm of tests/support/inventories.py: enterprise -> 2 sites -> 2 lines -> 2 turbines,
    a project holding part of site 1. Fresh per test."""
    return windfarm()
