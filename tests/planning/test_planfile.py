"""The plan file: deterministic digest, schema validation, tamper and version refusals."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from teardown.errors import PlanFileError
from teardown.inventory.selectors import SELECTORS, SelectionSpec
from teardown.kinds import KINDS, ActionKind
from teardown.planning.make import make_plan
from teardown.planning.planfile import Plan, load_plan, schema, write_plan
from tests.support.inventories import windfarm
from tests.support.planfiles import edit_plan_file
from tests.support.selections import every_selector


def test_same_world_and_flags_give_byte_identical_actions_and_digest() -> None:
    """The digest ignores the creation time; the action list is byte-identical."""
    a, _ = make_plan(windfarm(), SelectionSpec(all=True), created_at=datetime(2026, 1, 1, tzinfo=UTC))
    b, _ = make_plan(windfarm(), SelectionSpec(all=True), created_at=datetime(2026, 6, 1, tzinfo=UTC))
    assert a.digest == b.digest
    assert json.dumps([x.to_json() for x in a.actions]) == json.dumps([x.to_json() for x in b.actions])


def test_round_trip(site_plan: Plan, plan_file: Path) -> None:
    """A written plan loads back equal."""
    plan = load_plan(plan_file)
    assert plan == site_plan
    assert len(plan.actions) == 15
    assert plan.summary["deletes"] == {"assets": 7, "asset_models": 0, "portals": 0, "projects": 0,
                                       "dashboards": 0, "access_policies": 0, "gateways": 0, "time_series": 0}
    assert plan.action_graph().number_of_edges() > 0


def test_default_path_is_under_plans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --out the plan goes under plans/."""
    monkeypatch.chdir(tmp_path)
    plan, _ = make_plan(windfarm(), SelectionSpec(subtrees=("a-line-11",)))
    path = write_plan(plan)
    assert path.parent == Path("plans") and path.name.endswith(".plan.json")


def test_tampered_plan_is_refused(plan_file: Path) -> None:
    """Editing an action without re-sealing the plan is detected."""
    def redirect(data: dict[str, Any]) -> None:
        delete = next(a for a in data["actions"] if a["kind"] == "delete_asset")
        delete["params"]["assetId"] = delete["target"] = "someone-else"

    edit_plan_file(plan_file, redirect)
    with pytest.raises(PlanFileError, match="digest mismatch"):
        load_plan(plan_file)


def test_unknown_format_version_is_refused(plan_file: Path) -> None:
    """A plan from a future format is refused with both versions named."""
    edit_plan_file(plan_file, lambda d: d.update(format_version=99))
    with pytest.raises(PlanFileError, match="unknown plan format version 99"):
        load_plan(plan_file)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.pop("actions"), "'actions' is a required property"),
        (lambda d: d["actions"][0].update(kind="drop_table"), "actions/0/kind"),
        (lambda d: d.update(account="abc"), "account"),
    ],
)
def test_malformed_plan_names_the_problem(plan_file: Path, edit: Callable[[dict[str, Any]], object],
                                         message: str) -> None:
    """Schema violations are reported with where they are."""
    edit_plan_file(plan_file, edit)
    with pytest.raises(PlanFileError, match=message):
        load_plan(plan_file)


def test_not_json_and_missing_file_are_plan_errors(tmp_path: Path) -> None:
    """Garbage and absence are both clear PlanFileErrors."""
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(PlanFileError, match="not valid JSON"):
        load_plan(bad)
    with pytest.raises(PlanFileError, match="no such plan file"):
        load_plan(tmp_path / "absent.json")


# ---- the schema and the tables it must agree with ---------------------------------------------------------


def test_schema_kind_and_operation_enums_are_the_kinds_table() -> None:
    """The shipped schema's action ``kind`` and ``operation`` enums list exactly the kinds table's kinds and
    operations, and the table has one row per ActionKind, keyed by its own kind."""
    action = schema()["properties"]["actions"]["items"]["properties"]
    assert sorted(action["kind"]["enum"]) == sorted(kind.value for kind in KINDS)
    assert sorted(action["operation"]["enum"]) == sorted(spec.operation for spec in KINDS.values())
    assert list(KINDS) == list(ActionKind)
    assert all(spec.kind is kind for kind, spec in KINDS.items())


def test_loaded_schema_carries_every_selector() -> None:
    """schema() fills the selection in from the selector table: every field, all required, nothing else."""
    selection = schema()["$defs"]["selection"]
    fields = [s.field for s in SELECTORS]
    assert list(selection["properties"]) == fields
    assert selection["required"] == fields
    everything = SelectionSpec.from_flags(**every_selector())
    jsonschema.validate(everything.to_json(), selection)
    with pytest.raises(jsonschema.ValidationError, match="Additional properties"):
        jsonschema.validate({**everything.to_json(), "colour": []}, selection)

