"""The archive: written by apply before its first mutation (and by plan --archive without applying), shaped as
the SiteWise bulk schema expects, sealed by a digest; an apply whose archive cannot be written does not start."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from teardown.applying.paths import archive_path
from teardown.archive.capture import capture_archive
from teardown.archive.document import (
    EXTENSION,
    ArchiveError,
    bulk_schema,
    extension_schema,
    load_archive,
    parse_archive,
)
from teardown.errors import EXIT_BAD_INPUT, BadInputError
from teardown.inventory.selectors import SelectionSpec
from tests.restoring.conftest import tear_down
from tests.support.cli import Cli
from tests.support.worlds import Env


def _document(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def test_an_archive_of_all_validates_against_the_bulk_schema_and_its_extension(rich_farm: Env) -> None:
    """What apply writes: the bulk part passes the SiteWise metadata transfer job schema as shipped, the extension
    its own schema; it holds every model (the interface in the extension), every asset with its details, the
    project link, the Monitor resources and the gateway."""
    archive = tear_down(rich_farm, SelectionSpec(all=True))
    data = _document(archive)
    jsonschema.validate({k: v for k, v in data.items() if k != EXTENSION}, bulk_schema())
    jsonschema.validate(data[EXTENSION], extension_schema())
    assert set(data) == {"assetModels", "assets", EXTENSION}
    ext = data[EXTENSION]
    assert sorted(m["assetModelName"] for m in data["assetModels"]) == [
        "Generator", "Meter", "Production line", "Wind enterprise", "Wind site", "Wind turbine"]
    assert [m["assetModelName"] for m in ext["interfaceModels"]] == ["Power producer"]
    assert len(data["assets"]) == 41
    turbine = next(m for m in data["assetModels"] if m["assetModelName"] == "Wind turbine")
    assert [c["composedAssetModelId"] for c in turbine["assetModelCompositeModels"]] == [
        rich_farm.world.models["generator"]]
    assert ext["interfaceLinks"][0]["interfaceAssetModelId"] == rich_farm.world.models["power-producer"]
    site = next(a for a in data["assets"] if a.get("assetExternalId") == "site-1")
    assert site["assetDescription"] == "Site 1, described"
    assert {h["childAssetId"] for h in site["assetHierarchies"]} == {
        rich_farm.asset("enterprise/site-1/line-1"), rich_farm.asset("enterprise/site-1/line-2")}
    meter = next(a for a in data["assets"] if a["assetName"] == "Meter 1")
    assert meter["assetModelExternalId"] == "meter-model"
    assert [p["attributeValue"] for p in meter["assetProperties"]] == ["7"]
    assert [len(ext[k]) for k in ("portals", "projects", "dashboards", "accessPolicies", "projectLinks")] == [
        1, 1, 1, 2, 1]
    assert [(g["gatewayName"], g["gatewayPlatform"]) for g in ext["gateways"]] == [
        ("Site 1 edge gateway", {"greengrassV2": {"coreDeviceThingName": "windfarm-site-1-core"}})]
    assert ext["keptTimeSeries"] == [] and ext["missing"] == []


def test_a_subtree_archive_names_its_kept_parent_outside_the_bulk_part(rich_farm: Env) -> None:
    """The link of Site 1 to the kept enterprise cannot be a bulk hierarchy (the parent is not in the archive): it
    is in keptParents, with the hierarchy; aliases and the asset's own unit are on the asset's properties."""
    env = rich_farm
    data = _document(tear_down(env, SelectionSpec(subtrees=(env.asset("enterprise/site-1"),))))
    assert data["assetModels"] == []
    assert data[EXTENSION]["keptParents"] == [{
        "assetId": env.asset("enterprise/site-1"), "parentAssetId": env.asset("enterprise"),
        "hierarchyId": env.world.hierarchies["enterprise/sites"], "parentName": "Contoso Wind"}]
    turbine = next(a for a in data["assets"] if a["assetId"] == env.asset("enterprise/site-1/line-1/turbine-3"))
    rows = {p.get("alias") or p.get("unit") or p.get("attributeValue"): p for p in turbine["assetProperties"]}
    assert rows["knots"]["propertyNotificationState"] == "ENABLED"
    assert "SN-0003" in rows
    assert "/windfarm/enterprise/site-1/line-1/turbine-3/power" in rows


def test_the_bulk_schema_refuses_what_the_service_would(rich_farm: Env) -> None:
    """The shipped schema is not a rubber stamp: an asset without a name, an id that is not a UUID, and a model
    type the bulk schema does not know are refused, each as an ArchiveError naming where."""
    archive = tear_down(rich_farm, SelectionSpec(all=True))
    data = _document(archive)
    edits: list[tuple[Callable[[dict[str, Any]], Any], str]] = [
        (lambda d: d["assets"][0].pop("assetName"), "assets/0"),
        (lambda d: d["assets"][0].update(assetId="not-a-uuid"), "assets/0/assetId"),
        (lambda d: d["assetModels"][0].update(assetModelType="INTERFACE"), "assetModels/0/assetModelType"),
        (lambda d: d[EXTENSION].update(gateways=[{"gatewayName": "x"}]), f"{EXTENSION}/gateways/0"),
    ]
    for edit, where in edits:
        edited = copy.deepcopy(data)
        edit(edited)
        with pytest.raises(ArchiveError, match=f"malformed archive at {where}"):
            parse_archive(edited)


def test_an_edited_archive_fails_its_digest(rich_farm: Env) -> None:
    """Changing one asset name (still schema-valid) is caught by the digest."""
    archive = tear_down(rich_farm, SelectionSpec(all=True))
    data = _document(archive)
    data["assets"][0]["assetName"] = "Forged"
    archive.write_text(json.dumps(data))
    with pytest.raises(ArchiveError, match="digest mismatch"):
        load_archive(archive)


def test_an_apply_whose_archive_cannot_be_written_does_not_start(env: Env) -> None:
    """A directory where the archive belongs: the apply is refused as bad input (exit 2) before one mutating
    call, and no journal is started."""
    _, path = env.plan(SelectionSpec(all=True))
    archive_path(path).mkdir()
    error = env.refused(path, BadInputError, "cannot write the archive")
    assert error.exit_code == EXIT_BAD_INPUT
    assert not path.with_name(path.name + ".journal.jsonl").exists()


def test_a_resumed_apply_keeps_the_archive_of_its_first_run(env: Env) -> None:
    """The second run of a plan does not capture again (what is left would overwrite what was there): the file is
    byte for byte the first run's. An archive of another plan in the way is refused."""
    _, path = env.plan(SelectionSpec(asset_models=(env.world.models["spare"],)))
    assert env.apply(path).exit_code == 0
    first = archive_path(path).read_bytes()
    assert env.apply(path).exit_code == 0
    assert archive_path(path).read_bytes() == first

    _, other = env.plan(SelectionSpec(all=True), name="other.json")
    archive_path(other).write_bytes(first)
    env.refused(other, ArchiveError, "an archive of another plan")


def test_capture_lists_what_is_already_gone(env: Env) -> None:
    """A resource the plan deletes that is gone when the archive is captured is listed missing, not an error."""
    plan, _ = env.plan(SelectionSpec(asset_models=(env.world.models["spare"],)))
    env.client.delete_asset(assetId=env.asset("spare"))
    env.clock.advance(60)
    archive = capture_archive(plan, env.calls())
    assert archive.section("missing") == [{"kind": "asset", "id": env.asset("spare")}]
    assert [m["assetModelName"] for m in archive.models] == ["Spare"]


def test_plan_archive_writes_one_without_applying(rich_farm: Env, cli: Cli, tmp_path: Path) -> None:
    """``plan --archive FILE``: the plan and the archive are written, not one mutating call is sent."""
    before = rich_farm.mutating_calls()
    out = tmp_path / "site-1.archive.json"
    result = cli("plan", "--subtree", rich_farm.asset("enterprise/site-1"), "--out", str(tmp_path / "p.json"),
                 "--archive", str(out))
    assert result.code == 0, result.err
    assert f"Archive written to {out}" in result.out
    assert len(load_archive(out).assets) == 13
    assert rich_farm.mutating_calls() == before
    refused = cli("plan", "--all", "--inventory", str(tmp_path / "none.json"), "--archive", str(out))
    assert refused.code == EXIT_BAD_INPUT
    assert "cannot be used with --inventory" in refused.err


def test_attribute_values_are_read_in_batches(rich_farm: Env) -> None:
    """Every attribute of every archived asset in BatchGetAssetPropertyValue calls of up to 128 entries: not
    one GetAssetPropertyValue per attribute (one read per asset less before the first mutation)."""
    env = rich_farm
    plan, _ = env.plan(SelectionSpec(all=True))
    before = env.backend.call_counts()
    archive = capture_archive(plan, env.calls())
    spent = {op: n - before.get(op, 0) for op, n in env.backend.call_counts().items() if n - before.get(op, 0)}
    values = [p for a in archive.data["assets"] for p in a["assetProperties"] if "attributeValue" in p]
    assert values  # the farm's assets carry attributes (serial numbers, a meter's reading)
    assert "GetAssetPropertyValue" not in spent
    assert 1 <= spent["BatchGetAssetPropertyValue"] <= -(-len(values) // 128) + 1
