"""scan_choice: which CHILD listings the stale check's scan skips, and which models it lists per model instead."""

from __future__ import annotations

from teardown.aws.discover_place import PlanSight, ScanChoice, scan_choice
from teardown.inventory.records import Hierarchy, ModelRecord, ModelType


def _model(model_id: str, *held: str, kind: ModelType = ModelType.ASSET_MODEL) -> ModelRecord:
    return ModelRecord(id=model_id, name=model_id, arn=model_id, type=kind, status="ACTIVE", last_update=0.0,
                       hierarchies=tuple(Hierarchy(id=f"{model_id}/{m}", name=m, child_model_id=m) for m in held))


MODELS = {m.id: m for m in (_model("line", "turbine"), _model("site", "line"), _model("turbine"),
                            _model("bay", "turbine"), _model("rack", "iface"),
                            _model("iface", kind=ModelType.INTERFACE))}


def _sight(childless: dict[str, str], **per_model: int) -> PlanSight:
    return PlanSight(childless=childless, per_model=per_model)


def test_without_the_plans_sight_nothing_is_skipped() -> None:
    assert scan_choice(None, MODELS) == ScanChoice()


def test_childless_assets_are_skipped_where_listing_what_they_may_hold_is_fewer_reads() -> None:
    """Three empty lines cost three listings; the turbines' one page replaces them."""
    choice = scan_choice(_sight({"l1": "line", "l2": "line", "l3": "line"}, turbine=200, line=3), MODELS)
    assert choice == ScanChoice(skipped=frozenset({"l1", "l2", "l3"}), listed=frozenset({"turbine"}))


def test_a_listing_is_kept_where_skipping_it_saves_nothing() -> None:
    """One empty line against one page of turbines: listed, as before; so are three against 800 turbines."""
    assert scan_choice(_sight({"l1": "line"}, turbine=10), MODELS) == ScanChoice()
    three = _sight({"l1": "line", "l2": "line", "l3": "line"}, turbine=800)  # four pages
    assert scan_choice(three, MODELS) == ScanChoice()


def test_a_model_listed_for_one_holder_costs_the_next_nothing() -> None:
    """The lines pay for the turbines' page; the empty bay after them then skips for free."""
    sight = _sight({"l1": "line", "l2": "line", "b1": "bay"}, turbine=100)
    assert scan_choice(sight, MODELS) == ScanChoice(skipped=frozenset({"l1", "l2", "b1"}),
                                                    listed=frozenset({"turbine"}))


def test_a_hierarchy_naming_an_interface_keeps_its_holders_listed() -> None:
    """Which models' assets an interface's hierarchy admits is not told: a skipped rack could hide any."""
    sight = _sight({f"r{n}": "rack" for n in range(5)}, iface=0)
    assert scan_choice(sight, MODELS) == ScanChoice()
