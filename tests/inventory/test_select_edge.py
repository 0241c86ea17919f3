"""Selection beside the asset tree: gateways, alias-only series, and what --keep-time-series keeps or refuses
(over tests/support/inventories.py's ``edge_windfarm``)."""

from __future__ import annotations

import pytest

from teardown.errors import BadInputError, SelectionRefused, UnknownResourceError
from teardown.inventory.records import Inventory
from teardown.inventory.select import select
from teardown.inventory.selectors import SelectionSpec
from tests.support.inventories import edge_windfarm


@pytest.fixture
def edge() -> Inventory:
    return edge_windfarm()


def test_gateway_selects_that_gateway_only(edge: Inventory) -> None:
    """--gateway takes the one named; nothing else is selected."""
    sel = select(edge, SelectionSpec(gateways=("g-edge",)))
    assert sel.gateways == {"g-edge"}
    assert not (sel.assets or sel.models or sel.portals or sel.projects or sel.series)


def test_all_takes_every_gateway_and_every_alias_only_series(edge: Inventory) -> None:
    """--all includes gateways and the series bound to no asset (the bound ones go with their assets)."""
    sel = select(edge, SelectionSpec(all=True))
    assert sel.gateways == {"g-edge", "g-spare"}
    assert sel.series == {"s-old-1", "s-old-2", "s-lab"}
    assert sel.kept_series == ()


def test_an_unknown_gateway_names_the_id(edge: Inventory) -> None:
    with pytest.raises(UnknownResourceError, match="unknown gateway 'g-nope'"):
        select(edge, SelectionSpec(gateways=("g-nope",)))


def test_a_protected_gateway_refuses_the_selection(edge: Inventory) -> None:
    """--all with --protect g-edge is refused, naming the gateway."""
    with pytest.raises(SelectionRefused, match=r"gateway 'edge' \(g-edge\) is selected but protected"):
        select(edge, SelectionSpec(all=True, protect=("g-edge",)))


def test_time_series_alias_takes_alias_only_series_under_the_prefix(edge: Inventory) -> None:
    """A prefix takes the alias-only series it starts, never a bound series whose alias it also starts."""
    assert select(edge, SelectionSpec(time_series_aliases=("/old/",))).series == {"s-old-1", "s-old-2"}
    assert select(edge, SelectionSpec(time_series_aliases=("/wf/",))).is_empty
    both = select(edge, SelectionSpec(time_series_aliases=("/old/1", "/lab")))
    assert both.series == {"s-old-1", "s-lab"}


def test_an_empty_prefix_is_bad_input() -> None:
    """An empty prefix would name every alias-only series; --all says that."""
    with pytest.raises(BadInputError, match="--time-series-alias needs a prefix"):
        SelectionSpec.from_flags(time_series_aliases=[""])


def test_keep_time_series_keeps_the_aliased_series_of_deleted_assets(edge: Inventory) -> None:
    """With --keep-time-series every aliased series of a deleted asset is kept; with no unaliased one among
    them the plan needs no --allow-data-loss."""
    sel = select(edge, SelectionSpec(subtrees=("a-line-11",), keep_time_series=True))
    assert [s.id for s in sel.kept_series] == ["s-111", "s-112"]
    assert sel.unkeepable_series == ()


def test_a_series_without_alias_refuses_keeping_per_property(edge: Inventory) -> None:
    """Site 1 holds turbine-121's unaliased rpm series: the refusal names that asset and that property, and
    says both ways out."""
    with pytest.raises(SelectionRefused) as refused:
        select(edge, SelectionSpec(subtrees=("a-site-1",), keep_time_series=True))
    message = str(refused.value)
    assert "asset 'turbine-121' (a-turbine-121) property 'rpm' (p-rpm): its time series has no alias" in message
    assert "--allow-data-loss" in message and "give the property an alias" in message
    assert "turbine-111" not in message


def test_allow_data_loss_plans_and_lists_what_cannot_be_kept(edge: Inventory) -> None:
    sel = select(edge, SelectionSpec(subtrees=("a-site-1",), keep_time_series=True, allow_data_loss=True))
    assert [s.id for s in sel.kept_series] == ["s-111", "s-112"]
    assert [s.id for s in sel.unkeepable_series] == ["s-121"]


def test_allow_data_loss_without_keeping_is_bad_input() -> None:
    """--allow-data-loss alone changes nothing: said, rather than ignored, before anything is read."""
    with pytest.raises(BadInputError, match="only matters with --keep-time-series"):
        SelectionSpec.from_flags(subtrees=["a-site-1"], allow_data_loss=True)


def test_an_inventory_without_gateways_or_streams_cannot_plan_them(edge: Inventory) -> None:
    """A saved inventory that never listed gateways, or alias-only series under a prefix, cannot plan them."""
    edge.gateways_loaded = False
    with pytest.raises(BadInputError, match="deleting gateways needs an inventory"):
        select(edge, SelectionSpec(gateways=("g-edge",)))
    edge.alias_prefixes_loaded = ("/old/",)
    assert select(edge, SelectionSpec(time_series_aliases=("/old/1",))).series == {"s-old-1"}
    with pytest.raises(BadInputError, match="alias-only series under '/lab' were not discovered"):
        select(edge, SelectionSpec(time_series_aliases=("/lab",)))


def test_options_alone_select_nothing() -> None:
    """--keep-time-series is how a plan is made, not what it deletes."""
    assert SelectionSpec(keep_time_series=True, allow_data_loss=True).is_empty
