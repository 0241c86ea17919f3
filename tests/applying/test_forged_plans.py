"""A plan is applied only as far as its own selection implies it: an edited plan whose digest was recomputed,
a redirected request, a plan whose actions its selection does not imply, and a plan that is not the one
reviewed are refused before the first mutation, naming what is wrong."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from teardown.errors import EXIT_BAD_INPUT, EXIT_REFUSED, BadInputError, PlanFileError, PlanRefused
from teardown.inventory.selectors import SelectionSpec
from teardown.planning.planfile import compute_digest
from tests.support.worlds import Env


def _forge(path: Path, edit: Callable[[dict[str, Any]], None]) -> Path:
    """Edit the plan file and recompute its digest, as a forger would."""
    data = json.loads(path.read_text())
    edit(data)
    data["digest"] = compute_digest(data)
    path.write_text(json.dumps(data))
    return path


def _delete_of(env: Env, path: str) -> dict[str, Any]:
    asset_id = env.world.assets[path]
    model_id = env.client.describe_asset(assetId=asset_id)["assetModelId"]
    return {"id": f"delete-asset/{asset_id}", "kind": "delete_asset", "operation": "DeleteAsset",
            "target": asset_id, "params": {"assetId": asset_id}, "depends_on": [], "model_id": model_id}


def test_an_added_delete_of_an_unrelated_asset_is_refused(env: Env) -> None:
    """One extra delete_asset of an asset outside the selection: refused by name, nothing mutated."""
    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-2"],)))
    _forge(path, lambda data: data["actions"].append(_delete_of(env, "spare")))
    refused = env.refused(path, PlanRefused, "its own selection does not imply")
    assert refused.exit_code == EXIT_REFUSED
    assert any(env.world.assets["spare"] in line for line in refused.differences)
    assert env.asset_exists("spare")


def test_a_delete_redirected_at_an_unrelated_asset_is_refused(env: Env) -> None:
    """An existing delete whose target and request now name another asset: refused, the asset kept."""
    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-2"],)))
    spare = env.world.assets["spare"]

    def redirect(data: dict[str, Any]) -> None:
        delete = next(a for a in data["actions"] if a["kind"] == "delete_asset")
        delete["params"]["assetId"] = delete["target"] = spare

    _forge(path, redirect)
    env.refused(path, PlanRefused, "does not imply")
    assert env.asset_exists("spare")


def test_a_plan_whose_selection_names_nothing_there_cannot_delete_anything(env: Env) -> None:
    """A selection of a subtree that does not exist, and one delete of an unrelated asset: refused."""
    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-2"],)))

    def only_spare(data: dict[str, Any]) -> None:
        data["selection"]["subtrees"] = ["00000000-0000-4000-8000-000000000000"]
        data["actions"] = [_delete_of(env, "spare")]

    _forge(path, only_spare)
    env.refused(path, PlanRefused, "does not imply")
    assert env.asset_exists("spare")


@pytest.mark.parametrize(("edit", "message"), [
    (lambda a: a.update(operation="DeletePortal"), "DeleteAsset"),
    (lambda a: a["params"].update(forceDelete=True), "forceDelete"),
    (lambda a: a["params"].update(assetId="not an id"), "does not match"),
    (lambda a: a.update(target="00000000-0000-4000-8000-000000000000"), "targets"),
    (lambda a: a.pop("model_id"), "model_id"),
])
def test_an_action_that_breaks_its_kinds_schema_is_bad_input(
    env: Env, edit: Callable[[dict[str, Any]], None], message: str
) -> None:
    """Another operation, an unknown parameter, a malformed id, a target its request does not name, a
    missing model id: the plan file is malformed (exit 2), whatever its digest says."""
    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-2"],)))
    _forge(path, lambda data: edit(next(a for a in data["actions"] if a["kind"] == "delete_asset")))
    refused = env.refused(path, PlanFileError, message)
    assert refused.exit_code == EXIT_BAD_INPUT


def test_expect_digest_refuses_any_plan_but_the_reviewed_one(env: Env) -> None:
    """--expect-digest: a forged plan (digest recomputed) is refused; the reviewed one runs."""
    plan, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-2"],)))
    reviewed = plan.digest
    copy = env.tmp / "forged.plan.json"
    copy.write_text(path.read_text())
    _forge(copy, lambda data: data["selection"].update(names=["Site 2"]))
    before = env.mutating_calls()
    with pytest.raises(PlanRefused, match="not the reviewed"):
        env.apply(copy, expect_digest=reviewed)
    with pytest.raises(BadInputError, match="not a plan digest"):
        env.apply(path, expect_digest="sha256:abc")
    assert env.mutating_calls() == before
    assert env.apply(path, expect_digest=reviewed).ok
