"""Selection: every selector, the closure it implies, and every refusal (over hand-built inventories: the
``inventory`` fixture's wind farm, or an InventoryBuilder's)."""

from __future__ import annotations

import pytest

from teardown.errors import BadInputError, SelectionRefused, UnknownResourceError
from teardown.inventory.records import Inventory, ModelType
from teardown.inventory.select import Disassociation, select
from teardown.inventory.selectors import SelectionSpec
from tests.support.inventories import InventoryBuilder


def test_subtree_selects_the_asset_and_all_descendants_and_unlinks_its_kept_parent(inventory: Inventory) -> None:
    """--subtree takes the whole site; the kept enterprise loses it and is reported as modified."""
    sel = select(inventory, SelectionSpec(subtrees=("a-site-1",)))
    turbines = {f"a-turbine-1{line}{t}" for line in (1, 2) for t in (1, 2)}
    assert sel.assets == {"a-site-1", "a-line-11", "a-line-12", *turbines}
    assert sel.models == frozenset()
    assert sel.disassociations == (Disassociation("a-ent", "h-m-enterprise-sites", "a-site-1"),)
    assert sel.kept_modified["a-ent"] == "loses child assets"
    assert sel.project_unlinks == {"p-site-1": ("a-line-11", "a-site-1", "a-turbine-111")}


def test_subtree_accepts_external_ids() -> None:
    """Ids may be given as externalId:..."""
    b = InventoryBuilder().model("m-x")
    b.asset("a-1", "m-x", external_id="plant-7")
    assert select(b.inventory, SelectionSpec(subtrees=("externalId:plant-7",))).assets == {"a-1"}


def test_unknown_id_is_a_clear_bad_input(inventory: Inventory) -> None:
    """An id that names nothing is refused, naming the id."""
    with pytest.raises(UnknownResourceError, match="nope"):
        select(inventory, SelectionSpec(subtrees=("nope",)))


def test_asset_model_selects_model_and_all_its_assets() -> None:
    """--asset-model takes the model and every asset of it, and unlinks them from projects."""
    b = InventoryBuilder().model("m-pump").model("m-other")
    for i in range(3):
        b.asset(f"a-pump-{i}", "m-pump")
    b.asset("a-other", "m-other")
    b.project("p-1", ["a-pump-1", "a-other"])
    sel = select(b.inventory, SelectionSpec(asset_models=("m-pump",)))
    assert sel.models == {"m-pump"}
    assert sel.assets == {"a-pump-0", "a-pump-1", "a-pump-2"}
    assert sel.project_unlinks == {"p-1": ("a-pump-1",)}


def test_child_model_named_by_kept_parent_model_is_refused_even_with_all_assets(inventory: Inventory) -> None:
    """Selecting the turbine model alone is refused: the kept line model still names it as child model."""
    with pytest.raises(SelectionRefused, match=r"'line' \(m-line\) names it as child model.*--asset-model m-line"):
        select(inventory, SelectionSpec(asset_models=("m-turbine",)))


def test_whole_model_chain_selects_cleanly(inventory: Inventory) -> None:
    """Selecting every model of the chain, generator included, is accepted."""
    models = ("m-turbine", "m-line", "m-site", "m-enterprise", "m-generator")
    sel = select(inventory, SelectionSpec(asset_models=models))
    assert sel.models == set(models) and len(sel.assets) == 15


def test_asset_model_with_kept_children_is_refused_naming_subtree(inventory: Inventory) -> None:
    """A selected asset with a kept child is refused; the message names both and suggests --subtree."""
    with pytest.raises(SelectionRefused) as err:
        select(inventory, SelectionSpec(asset_models=("m-line",)))
    text = str(err.value)
    assert "a-line-11" in text and "a-turbine-111" in text and "--subtree a-line-11" in text


def test_model_named_by_kept_parent_model_is_refused() -> None:
    """A selected child model still named by a kept parent model's hierarchy is refused."""
    b = InventoryBuilder().model("m-leaf").model("m-parent", children={"kids": "m-leaf"})
    with pytest.raises(SelectionRefused, match=r"m-parent.*names it as child model.*--asset-model m-parent"):
        select(b.inventory, SelectionSpec(asset_models=("m-leaf",)))


def test_component_model_composed_by_kept_model_is_refused() -> None:
    """A component model still composed by a kept model is refused."""
    b = InventoryBuilder().model("m-gen", type=ModelType.COMPONENT_MODEL).model("m-turbine", components=["m-gen"])
    with pytest.raises(SelectionRefused, match=r"composes it"):
        select(b.inventory, SelectionSpec(asset_models=("m-gen",)))


def test_interface_implemented_by_kept_model_is_refused() -> None:
    """An interface still implemented by a kept model is refused."""
    b = InventoryBuilder().model("m-if", type=ModelType.INTERFACE).model("m-impl", interfaces=["m-if"])
    with pytest.raises(SelectionRefused, match=r"implements it"):
        select(b.inventory, SelectionSpec(asset_models=("m-if",)))


def test_model_selected_by_name_with_unselected_assets_is_refused() -> None:
    """--name picking a model but not all its assets is refused, suggesting --asset-model."""
    b = InventoryBuilder().model("m-pump")
    b.asset("a-keep", "m-pump", name="production pump")
    with pytest.raises(SelectionRefused, match=r"--asset-model m-pump"):
        select(b.inventory, SelectionSpec(names=("^pump$",)))


def test_protected_resource_in_selection_is_refused(inventory: Inventory) -> None:
    """Anything selected and protected is refused."""
    with pytest.raises(SelectionRefused, match=r"a-turbine-111.*protected"):
        select(inventory, SelectionSpec(subtrees=("a-site-1",), protect=("a-turbine-111",)))


def test_protected_kept_parent_cannot_be_modified(inventory: Inventory) -> None:
    """A protected parent may not even lose a child."""
    with pytest.raises(SelectionRefused, match=r"protected parent"):
        select(inventory, SelectionSpec(subtrees=("a-site-1",), protect=("a-ent",)))


def test_protected_project_cannot_lose_assets(inventory: Inventory) -> None:
    """A protected project may not lose asset links."""
    with pytest.raises(SelectionRefused, match=r"protected project"):
        select(inventory, SelectionSpec(subtrees=("a-site-1",), protect=("p-site-1",)))


def test_protect_tag_guards_tagged_resources(inventory: Inventory) -> None:
    """--protect-tag refuses a selection touching a tagged resource."""
    with pytest.raises(SelectionRefused, match="a-site-1"):
        select(inventory, SelectionSpec(subtrees=("a-site-1",), protect_tags=(("env", "prod"),)))


def test_tag_selection_of_a_parent_needs_its_subtree(inventory: Inventory) -> None:
    """A tag picking a parent with untagged children is refused, naming --subtree."""
    with pytest.raises(SelectionRefused, match=r"--subtree a-site-2"):
        select(inventory, SelectionSpec(tags=(("env", "test"),)))


def test_union_of_subtrees(inventory: Inventory) -> None:
    """Two subtrees give both; a protect elsewhere does not refuse."""
    sel = select(inventory, SelectionSpec(subtrees=("a-line-11", "a-line-22"), protect=("a-ent",)))
    assert sel.assets == {"a-line-11", "a-turbine-111", "a-turbine-112", "a-line-22", "a-turbine-221", "a-turbine-222"}


def test_all_selects_everything_and_closes_cleanly(inventory: Inventory) -> None:
    """--all takes every asset, model, portal and project: nothing is kept, so nothing is kept but modified;
    the project is emptied of all its assets before it goes."""
    sel = select(inventory, SelectionSpec(all=True))
    assert len(sel.assets) == 15 and len(sel.models) == 5
    assert sel.portals == {"portal-1"} and sel.projects == {"p-site-1"}
    assert sel.disassociations == ()
    assert sel.kept_modified == {}
    assert sel.project_unlinks == {"p-site-1": ("a-line-11", "a-site-1", "a-turbine-111")}


def test_project_selection_unlinks_every_asset_but_deletes_none(inventory: Inventory) -> None:
    """--project deletes the project (emptied first) and keeps its assets, which are not modified."""
    sel = select(inventory, SelectionSpec(projects=("p-site-1",)))
    assert sel.projects == {"p-site-1"} and sel.assets == frozenset()
    assert sel.project_unlinks == {"p-site-1": ("a-line-11", "a-site-1", "a-turbine-111")}
    assert sel.kept_modified == {}


def test_portal_selection_takes_its_projects_and_refuses_a_protected_one(inventory: Inventory) -> None:
    """--portal deletes the portal and every project in it; a protected project in it refuses the plan."""
    sel = select(inventory, SelectionSpec(portals=("portal-1",)))
    assert sel.portals == {"portal-1"} and sel.projects == {"p-site-1"}
    with pytest.raises(SelectionRefused, match=r"project 'p-site-1' \(p-site-1\) is selected but protected"):
        select(inventory, SelectionSpec(portals=("portal-1",), protect=("p-site-1",)))
    with pytest.raises(UnknownResourceError, match="unknown portal 'nope'"):
        select(inventory, SelectionSpec(portals=("nope",)))


def test_empty_selection_is_nothing_to_do(inventory: Inventory) -> None:
    """A selector matching nothing is a clean empty selection, not an error."""
    sel = select(inventory, SelectionSpec(names=("^no-such-thing$",)))
    assert sel.is_empty


def test_bad_regex_and_bad_tag_are_bad_input(inventory: Inventory) -> None:
    """A malformed --name or --tag is bad input with the reason."""
    with pytest.raises(BadInputError, match="regular expression"):
        select(inventory, SelectionSpec(names=("(",)))
    from teardown.inventory.selectors import parse_tag

    with pytest.raises(BadInputError, match="KEY=VALUE"):
        parse_tag("novalue")
