"""Selections that use every selector of the table, for the tests that keep the table and its readers in step."""

from __future__ import annotations

from typing import Any

from teardown.inventory.selectors import SELECTORS


def every_selector() -> dict[str, Any]:
    """One value per selector, keyed by field, as flags are given: switches on, else one ``<field>=v`` (a
    KEY=VALUE, which every kind of selector accepts)."""
    return {s.field: True if s.value == "switch" else [f"{s.field}=v"] for s in SELECTORS}
