"""The selector table (teardown.inventory.selectors.SELECTORS) and SelectionSpec, which must stay in step."""

from __future__ import annotations

import dataclasses

import pytest

from teardown.errors import BadInputError
from teardown.inventory.selectors import BY_FIELD, SELECTORS, SelectionSpec
from tests.support.selections import every_selector


def test_selector_table_and_selection_spec_have_the_same_fields_in_order() -> None:
    """One Selector row per SelectionSpec field, in the field order (the order flags and plan files list)."""
    assert [s.field for s in SELECTORS] == [f.name for f in dataclasses.fields(SelectionSpec)]
    assert len({s.flag for s in SELECTORS}) == len(SELECTORS)
    assert len({(s.config_table, s.config_key) for s in SELECTORS}) == len(SELECTORS)


def test_a_spec_with_every_selector_round_trips_through_its_json_and_flags() -> None:
    """to_json/from_json lose nothing, for every selector; flags() names every selector's flag."""
    spec = SelectionSpec.from_flags(**every_selector())
    assert all(getattr(spec, s.field) for s in SELECTORS)
    assert SelectionSpec.from_json(spec.to_json()) == spec
    assert list(spec.to_json()) == list(BY_FIELD)
    assert {flag for flag in spec.flags() if flag.startswith("--")} == {s.flag for s in SELECTORS}


def test_an_unknown_selector_is_bad_input_naming_the_known_ones() -> None:
    """A misspelt selector (from the API or a plan file) is refused, listing the real ones."""
    with pytest.raises(BadInputError, match=r"unknown selector\(s\) subtree; known: all, subtrees"):
        SelectionSpec.from_flags(subtree=["a-1"])
