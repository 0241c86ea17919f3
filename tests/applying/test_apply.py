"""apply() end to end against the emulator: what it deletes, what it keeps, its guards and refusals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx
import structlog.testing

from teardown.applying.effects import ObserveSettings
from teardown.applying.execute import client_token
from teardown.applying.lock import ApplyLock, lock_path
from teardown.applying.paths import journal_path, report_path
from teardown.applying.progress import Progress
from teardown.applying.report import Outcome
from teardown.applying.run import ApplySummary
from teardown.cli.tables import format_summary
from teardown.emulator import FaultSettings
from teardown.errors import ApplyLocked, PlanFileError, PlanRefused
from teardown.inventory.selectors import SelectionSpec
from teardown.kinds import ActionKind
from tests.support.planfiles import edit_plan_file
from tests.support.worlds import ACCOUNT, REGION, Env


def test_subtree_apply_removes_the_subtree_and_nothing_else(env: Env) -> None:
    """Every action is done; site-1 and its turbines are gone, site-2, spare and all models remain."""
    plan, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)))
    report = env.apply(path)
    assert report.exit_code == 0
    assert report.totals() == {"done": len(plan.actions)}
    for path_key in ("site-1", "site-1/t1", "site-1/t2", "site-1/t3"):
        assert not env.asset_exists(path_key)
    for path_key in ("site-2", "site-2/t1", "spare"):
        assert env.asset_exists(path_key)
    assert all(env.model_exists(k) for k in ("site", "turbine", "spare"))
    project = env.world.projects["ops"]
    assert env.client.list_project_assets(projectId=project)["assetIds"] == []


def test_report_and_journal_are_written_beside_the_plan(env: Env) -> None:
    """The report file holds per-kind counts and calls; the journal carries each action's clientToken."""
    plan, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)))
    report = env.apply(path)
    data = json.loads(report_path(path).read_text())
    assert data["plan_digest"] == plan.digest
    assert data["counts"]["delete_asset"] == {"done": 4}
    assert data["calls"]["DeleteAsset"] == 4
    assert data["root_causes"] == []
    lines = [json.loads(x) for x in journal_path(path).read_text().splitlines()]
    tokens = {x["action"]: x["client_token"] for x in lines if x["event"] == "started"}
    assert tokens == {a.id: client_token(plan.digest, a.id) for a in plan.actions}
    assert all(36 <= len(t) <= 64 and " " not in t for t in tokens.values())
    assert not lock_path(plan.digest).exists()  # released
    assert "delete_asset" in format_summary(report)
    assert 1 <= data["in_flight"]["asset"] <= report.workers  # the test's clock: no answer time, no wider slots


def test_the_summary_says_where_request_slots_grew_past_workers(env: Env) -> None:
    """A family whose rate times its answer time needed more than --workers in flight is named, with how many;
    within --workers the line reads as it always did."""
    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)))
    report = env.apply(path)
    assert format_summary(report).splitlines()[-1].endswith("with 8 request slots per quota family")
    report.in_flight = {"asset": 24, "model": 3}
    assert format_summary(report).splitlines()[-1].endswith("with 8 request slots per quota family (asset up to 24)")


def test_selecting_everything_deletes_models_after_their_assets(env: Env) -> None:
    """With everything selected, models go too, and the Monitor project and portal: the whole account ends
    empty of assets, models, projects and portals. The portal delete is asynchronous like an asset's."""
    plan, path = env.plan(SelectionSpec(all=True))
    assert plan.count(ActionKind.DELETE_ASSET_MODEL) == 3
    assert plan.count(ActionKind.DELETE_PROJECT) == 1 and plan.count(ActionKind.DELETE_PORTAL) == 1
    env.backend.latency = "realistic"
    report = env.apply(path)
    assert report.ok, format_summary(report)
    assert env.client.list_asset_models()["assetModelSummaries"] == []
    assert env.client.list_portals()["portalSummaries"] == []
    # observed gone, not taken on the 202's word
    assert report.calls.get("DescribePortal", 0) + report.calls.get("ListPortals", 0) >= 1


def test_per_resource_observation_also_completes(env: Env) -> None:
    """The per-resource observer (kept for comparison) observes the same outcome with Describe calls."""
    _, path = env.plan(SelectionSpec(asset_models=(env.world.models["spare"],)))
    report = env.apply(path, observe=ObserveSettings(timeout=600.0, mode="per_resource"))
    assert report.ok
    assert report.calls.get("DescribeAssetModel", 0) >= 1
    assert "ListAssetModels" not in report.calls
    assert not env.model_exists("spare")


def test_progress_reports_counts_and_confirm_sees_the_summary(env: Env) -> None:
    """confirm receives the counts; progress snapshots end with everything settled."""
    plan, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)))
    seen: list[ApplySummary] = []
    progress: list[Progress] = []

    def confirm(summary: ApplySummary) -> bool:
        seen.append(summary)
        return True

    env.apply(path, confirm=confirm, on_progress=progress.append, auto_approve=False)
    assert seen[0].total == len(plan.actions)
    assert seen[0].counts["delete_asset"] == 4
    assert seen[0].deletes == 4
    last = progress[-1]
    assert last.settled == last.total == len(plan.actions)
    assert last.in_flight == 0


# ---- refusals: each one sends not one mutating call ------------------------------------------------


def test_refuses_a_tampered_plan(env: Env) -> None:
    """An edited plan (digest no longer matches) is refused."""
    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)))
    edit_plan_file(path, lambda d: d["actions"].pop())
    env.refused(path, PlanFileError, "digest mismatch")


def test_refuses_an_unknown_format_version(env: Env) -> None:
    """A plan of a format this tool does not read is refused."""
    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)))
    edit_plan_file(path, lambda d: d.update(format_version=99))
    env.refused(path, PlanFileError, "unknown plan format version")


def test_refuses_a_malformed_plan(env: Env) -> None:
    """Not JSON at all: refused before anything is read from the account."""
    path = env.tmp / "broken.json"
    path.write_text("{not json")
    env.refused(path, PlanFileError, "not valid JSON")


def test_refuses_a_plan_for_another_account(env: Env) -> None:
    """The caller's account comes from STS (moto); a plan for another account is refused."""
    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)), account="999999999999")
    env.refused(path, PlanRefused, "999999999999")


def test_refuses_a_plan_for_another_region(env: Env) -> None:
    """A plan made for eu-west-1 is not applied in us-east-1."""
    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)), region="eu-west-1")
    env.refused(path, PlanRefused, "eu-west-1")


def test_identity_provider_is_injectable(env: Env) -> None:
    """An injected identity that disagrees with the plan refuses just like STS would."""
    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)))
    env.refused(path, PlanRefused, "another|account", identity=lambda: ("111111111111", REGION))


def test_refuses_a_stale_plan_with_the_differences(env: Env) -> None:
    """A new turbine under the selected site after planning: refused, the difference named."""
    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)))
    new = env.client.create_asset(assetName="Site 1 T4", assetModelId=env.world.models["turbine"])["assetId"]
    env.clock.advance(5)
    site = env.world.assets["site-1"]
    hierarchy = env.world.hierarchies["site/turbines"]
    env.client.associate_assets(assetId=site, hierarchyId=hierarchy, childAssetId=new)
    env.clock.advance(5)
    error = env.refused(path, PlanRefused, "stale")
    assert isinstance(error, PlanRefused)
    assert error.differences
    assert env.asset_exists("site-1/t1")


def test_refuses_over_max_deletes(env: Env) -> None:
    """--max-deletes smaller than the plan's deletes refuses the whole plan."""
    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)))
    env.refused(path, PlanRefused, "max-deletes 3", max_deletes=3)


def test_refuses_when_not_confirmed(env: Env) -> None:
    """The default answer is no: a confirm that declines, or no confirm at all, refuses."""
    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)))
    env.refused(path, PlanRefused, "not confirmed", auto_approve=False, confirm=lambda s: False)
    env.refused(path, PlanRefused, "not confirmed", auto_approve=False, confirm=None)


def test_refuses_while_another_apply_holds_the_lock(env: Env) -> None:
    """A live apply's lock refuses a second one with ApplyLocked."""
    plan, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)))
    with ApplyLock(plan.digest, path).held():
        env.refused(path, ApplyLocked, "another apply")
        assert lock_path(plan.digest).exists()  # not ours to remove


def test_refuses_a_journal_of_another_plan(env: Env) -> None:
    """A journal left by a different plan under the same file name is not mixed in."""
    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)))
    journal_path(path).write_text(json.dumps({"event": "journal", "format": 1, "plan_digest": "sha256:x"}) + "\n")
    env.refused(path, PlanRefused, "another plan")


def test_account_in_report_is_the_callers(env: Env) -> None:
    """The report names the account and region the apply acted in."""
    _, path = env.plan(SelectionSpec(asset_models=(env.world.models["spare"],)))
    report = env.apply(path)
    assert (report.account, report.region) == (ACCOUNT, REGION)
    assert report.outcome_of(report.actions[0].id) is Outcome.DONE


def test_sibling_disassociations_are_serialized_so_none_conflicts(env: Env) -> None:
    """Disassociations from one parent are not chained in the plan (any order will do), but apply runs one
    at a time per asset: on realistic latency, where each puts the parent in UPDATING for a second, not one
    DisassociateAssets is resent after a conflict."""
    plan, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)))
    graph = plan.action_graph()
    siblings = [a.id for a in plan.actions if a.kind is ActionKind.DISASSOCIATE_ASSET]
    assert len(siblings) == 3
    assert not any(nx.has_path(graph, siblings[0], s) for s in siblings[1:])
    env.backend.latency = "realistic"
    report = env.apply(path)
    assert report.ok, format_summary(report)
    assert report.retries.get("DisassociateAssets", 0) == 0
    assert report.calls["DisassociateAssets"] == 3


# ---- what an apply logs ------------------------------------------------------------------------------


def test_apply_logs_its_start_every_action_and_its_end(env: Env) -> None:
    """apply.starting (the plan, its size, the account), then one apply.action_finished per action with its
    kind, target and outcome, then apply.finished with the exit code and the totals, last."""
    plan, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)))
    with structlog.testing.capture_logs() as logs:
        env.apply(path, workers=4)
    events = [e["event"] for e in logs]
    starting = logs[events.index("apply.starting")]
    assert starting == {"event": "apply.starting", "log_level": "info", "plan": plan.digest,
                        "actions": len(plan.actions), "to_run": len(plan.actions), "workers": 4,
                        "account": ACCOUNT, "region": REGION}
    finished = [e for e in logs if e["event"] == "apply.action_finished"]
    assert sorted((e["action"], e["kind"], e["target"], e["outcome"]) for e in finished) == sorted(
        (a.id, a.kind.value, a.target, "done") for a in plan.actions)
    assert {e["kind"] for e in finished} == {"disassociate_asset", "disassociate_project_assets", "delete_asset"}
    assert events.index("apply.starting") < events.index("apply.action_finished")
    assert logs[-1] == {"event": "apply.finished", "log_level": "info", "plan": plan.digest, "exit_code": 0,
                        "done": len(plan.actions)}


def test_a_failed_action_is_logged_with_its_error_and_the_skipped_one_is_not(env: Env) -> None:
    """The spare asset's delete ends FAILED: its action_finished says failed with the service's text; the
    model delete that needed it is skipped, never started, so it logs no action_finished; the end counts both."""
    plan, path = env.plan(SelectionSpec(asset_models=(env.world.models["spare"],)))
    spare = env.world.assets["spare"]
    env.backend.faults = FaultSettings(fail_delete_ids=frozenset({spare}))
    with structlog.testing.capture_logs() as logs:
        env.apply(path)
    (finished,) = [e for e in logs if e["event"] == "apply.action_finished"]
    assert (finished["kind"], finished["target"], finished["outcome"]) == ("delete_asset", spare, "failed")
    assert "ended FAILED" in finished["error"]
    assert logs[-1]["event"] == "apply.finished"
    assert (logs[-1]["exit_code"], logs[-1]["failed"], logs[-1]["skipped"]) == (1, 1, 1)
    assert len(plan.actions) == 2


def test_an_apply_without_archive_writes_none_and_reads_nothing_for_it(env: Env) -> None:
    """archive=False (apply --no-archive, a reset's [apply] archive = false): no PLAN.archive.json, and none
    of the archive's reads (attribute values, an asset's full description); the default writes it before
    the first mutation, spending them."""
    from teardown.applying.paths import archive_path

    def spent_applying(subtree: str, name: str, **options: Any) -> tuple[Path, dict[str, int]]:
        _, path = env.plan(SelectionSpec(subtrees=(env.world.assets[subtree],)), name=name)
        before = env.backend.call_counts()
        assert env.apply(path, **options).ok
        return path, {op: n - before.get(op, 0) for op, n in env.backend.call_counts().items()}

    bare, without = spent_applying("site-1", "bare.plan.json", archive=False)
    kept, with_archive = spent_applying("site-2", "kept.plan.json")
    assert not archive_path(bare).exists() and archive_path(kept).is_file()
    assert without.get("DescribeAsset", 0) < with_archive["DescribeAsset"]
