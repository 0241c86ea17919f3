"""apply() under injected faults: throttling with quotas on, 5xx before and after a mutation was
applied, slow deletes on a realistic latency profile, and deletes that end FAILED."""

from __future__ import annotations

from teardown.applying.report import Outcome
from teardown.cli.tables import format_summary
from teardown.emulator import FaultSettings, QuotaSettings
from teardown.inventory.selectors import SelectionSpec
from teardown.kinds import ActionKind
from tests.support.worlds import Env


def test_throttling_with_quotas_on_is_retried_and_slows_down(env: Env) -> None:
    """Server quotas of 2 TPS, client pacing set far above them: throttles happen, are retried, all done."""
    _, path = env.plan(SelectionSpec(all=True))
    # The pre-flight reads are throttled too, and retried on the same request path.
    env.backend.quotas = QuotaSettings(asset_tps=2.0, model_tps=2.0, monitor_tps=2.0)
    report = env.apply(path, rates={"asset": 500.0, "model": 500.0, "monitor": 500.0})
    assert report.ok, format_summary(report)
    assert sum(report.throttles.values()) > 0
    assert sum(report.retries.values()) >= sum(report.throttles.values())
    env.backend.quotas = "off"  # the check below is not part of the run
    assert env.client.list_asset_models()["assetModelSummaries"] == []


def test_client_side_pacing_stays_under_the_quotas(env: Env) -> None:
    """With the published quotas on both sides, the engine's own buckets keep throttles rare."""
    _, path = env.plan(SelectionSpec(all=True))
    env.backend.quotas = "aws"
    report = env.apply(path)
    assert report.ok, format_summary(report)
    assert sum(report.throttles.values()) <= 2


def test_internal_failure_before_the_mutation_is_retried(env: Env) -> None:
    """Half the mutations fail with a 500 before being applied: retried until every action is done."""
    _, path = env.plan(SelectionSpec(all=True))
    env.backend.faults = FaultSettings(internal_before=0.5, seed=3)
    report = env.apply(path)
    assert report.ok, format_summary(report)
    assert sum(report.retries.values()) > 0
    assert env.client.list_asset_models()["assetModelSummaries"] == []


def test_internal_failure_after_the_mutation_replays_with_the_same_token(env: Env) -> None:
    """Every delete is applied then answered 500 (a lost response). The resend carries the same
    clientToken, so the service replays its answer: each action is DONE, never re-executed (a second
    real DeleteAsset on a gone asset would answer 404 and show up as already_done)."""
    plan, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)))
    env.backend.faults = FaultSettings(internal_after=1.0, operations=frozenset({"DeleteAsset"}))
    calls_before = env.backend.call_counts().get("DeleteAsset", 0)
    report = env.apply(path)
    deletes = [a for a in report.actions if a.kind is ActionKind.DELETE_ASSET]
    # internal_after=1.0 fails every attempt, replays included: the deadline ends the retries.
    assert all(a.outcome is Outcome.FAILED for a in deletes)
    assert all("InternalFailureException" in (a.error or "") for a in deletes)
    assert env.backend.call_counts()["DeleteAsset"] - calls_before > len(deletes)
    # ...yet the first attempt was applied once, and only once: the assets are gone.
    assert not env.asset_exists("site-1/t1")
    assert plan.count(ActionKind.DELETE_ASSET) == len(deletes)


def test_lost_responses_are_recovered_by_token_replay(env: Env) -> None:
    """Some responses lost after the change was applied: resending with the same token completes the
    action as DONE (replayed), not ALREADY_DONE (a second execution finding the asset gone)."""
    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)))
    env.backend.faults = FaultSettings(internal_after=0.5, seed=11)
    report = env.apply(path)
    assert report.ok, format_summary(report)
    assert sum(report.retries.values()) > 0
    assert {a.outcome for a in report.actions} == {Outcome.DONE}


def test_slow_deletes_on_realistic_latency_are_observed_until_gone(env: Env) -> None:
    """Deletes take seconds: actions are done only once the resources are gone, and the clock shows it."""
    _, path = env.plan(SelectionSpec(all=True))
    env.backend.latency = "realistic"
    start = env.clock.now()
    report = env.apply(path)
    assert report.ok, format_summary(report)
    model_deletes = [a for a in report.actions if a.kind is ActionKind.DELETE_ASSET_MODEL]
    assert all(a.duration >= 3.0 for a in model_deletes)  # realistic model deletes take ~4 s
    assert env.clock.now() - start >= 6.5  # an asset delete then its model's delete, at least
    assert env.client.list_asset_models()["assetModelSummaries"] == []


def test_failed_delete_fails_its_action_skips_dependents_and_independent_work_goes_on(env: Env) -> None:
    """site-2/t1's delete ends FAILED: that action fails with the service's text, the turbine model's
    delete (which depends on it) is skipped naming it as root cause, everything independent is done."""
    plan, path = env.plan(SelectionSpec(all=True))
    bad = env.world.assets["site-2/t1"]
    env.backend.faults = FaultSettings(fail_delete_ids=frozenset({bad}))
    report = env.apply(path)
    assert report.exit_code == 1
    failed = report.root_causes()
    assert [a.target for a in failed] == [bad]
    assert "FAILED" in (failed[0].error or "")
    skipped = [a for a in report.actions if a.outcome is Outcome.SKIPPED]
    assert skipped
    assert all(a.root_causes == (failed[0].id,) for a in skipped)
    turbine_model = env.world.models["turbine"]
    assert any(a.target == turbine_model for a in skipped)
    assert not env.model_exists("spare")  # independent work done
    assert not env.asset_exists("site-1/t2")
    assert env.model_exists("turbine")
    assert "root causes" in format_summary(report)
    assert len(report.actions) == len(plan.actions)
