"""Running apply again finishes what was started: after completion for every selector kind, after a crash
that left the plan's own work unjournaled, and after deletes that ended FAILED. Harmless changes to kept
resources do not make a plan stale; an effect that never comes fails at its deadline."""

from __future__ import annotations

import pytest

from teardown.applying.effects import ObserveSettings
from teardown.applying.journal import Journal
from teardown.applying.paths import journal_path
from teardown.applying.report import Outcome
from teardown.emulator import FaultSettings, LatencyProfile
from teardown.inventory.selectors import SelectionSpec
from teardown.kinds import ActionKind
from tests.support.worlds import Env


def _specs(env: Env) -> dict[str, SelectionSpec]:
    portal = env.client.list_portals()["portalSummaries"][0]["id"]
    project = env.client.list_projects(portalId=portal)["projectSummaries"][0]["id"]
    return {
        "subtree": SelectionSpec(subtrees=(env.world.assets["site-2"],)),
        "asset_model": SelectionSpec(asset_models=(env.world.models["spare"],)),
        "project": SelectionSpec(projects=(project,)),
        "portal": SelectionSpec(portals=(portal,)),
        "name": SelectionSpec(names=("^Site 2",)),
        "all": SelectionSpec(all=True),
    }


@pytest.mark.parametrize("selector", ["subtree", "asset_model", "project", "portal", "name", "all"])
def test_a_finished_plan_applied_again_is_a_clean_no_op(env: Env, selector: str) -> None:
    """Apply, then apply the same plan again: exit 0 both times, and the second sends no mutation."""
    _, path = env.plan(_specs(env)[selector])
    assert env.apply(path).ok
    before = env.mutating_calls()
    again = env.apply(path)
    assert again.ok
    assert env.mutating_calls() == before
    assert all(a.earlier_run for a in again.actions)


def test_a_crash_after_a_disassociation_that_was_not_journaled_resumes(env: Env) -> None:
    """One turbine under a kept site; the crash came after the service disassociated it but before the
    journal said so. The resume must not call the plan's own work a change made outside it."""
    turbine = env.world.assets["site-1/t2"]
    plan, path = env.plan(SelectionSpec(subtrees=(turbine,)))
    link = next(a for a in plan.actions if a.kind is ActionKind.DISASSOCIATE_ASSET)
    with Journal.open(journal_path(path), plan.digest, now=env.clock.now()) as journal:
        journal.record(link.id, "started", at=env.clock.now())
    env.client.disassociate_assets(**link.params)  # what the crashed run's request did
    report = env.apply(path)
    assert report.ok, report.root_causes()
    assert not env.asset_exists("site-1/t2")
    assert env.asset_exists("site-1/t1")


def test_a_crash_after_a_journaled_disassociation_resumes_and_deletes_the_orphan(env: Env) -> None:
    """Killed right after the turbine's disassociation was journaled done: the turbine is no longer under its
    subtree's parent, yet still the plan's; the resume deletes it and exits 0."""
    turbine = env.world.assets["site-1/t2"]
    plan, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)))
    link = next(a for a in plan.actions if a.kind is ActionKind.DISASSOCIATE_ASSET
                and a.params["childAssetId"] == turbine)
    env.client.disassociate_assets(**link.params)
    with Journal.open(journal_path(path), plan.digest, now=env.clock.now()) as journal:
        journal.record(link.id, "started", at=env.clock.now())
        journal.record(link.id, "done", at=env.clock.now())
    report = env.apply(path)
    assert report.ok, report.root_causes()
    assert not env.asset_exists("site-1/t2")
    assert not env.asset_exists("site-1")


def test_deletes_that_ended_failed_are_retried_by_the_next_run(env: Env) -> None:
    """Two asset deletes end FAILED: exit 1, their parent skipped. With the fault cleared, the next run sends
    them again (with new client tokens) and finishes."""
    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)))
    failing = frozenset({env.world.assets["site-1/t1"], env.world.assets["site-1/t3"]})
    env.backend.faults = FaultSettings(fail_delete_ids=failing)
    first = env.apply(path)
    assert first.exit_code == 1
    assert {a.target for a in first.root_causes()} == failing
    env.backend.faults = FaultSettings()
    second = env.apply(path)
    assert second.ok, second.root_causes()
    assert not env.asset_exists("site-1/t1")
    assert not env.asset_exists("site-1")


def test_a_new_sibling_under_the_kept_parent_does_not_make_the_plan_stale(env: Env) -> None:
    """Another turbine under the kept site after planning one turbine: the plan still applies."""
    turbine = env.world.assets["site-1/t2"]
    _, path = env.plan(SelectionSpec(subtrees=(turbine,)))
    model = env.client.describe_asset(assetId=turbine)["assetModelId"]
    sibling = env.client.create_asset(assetName="Site 1 T4", assetModelId=model)["assetId"]
    site = env.client.describe_asset(assetId=env.world.assets["site-1"])
    env.client.associate_assets(assetId=site["assetId"], hierarchyId=site["assetHierarchies"][0]["id"],
                                childAssetId=sibling)
    assert env.apply(path).ok
    assert env.exists("describe_asset", assetId=sibling)


def test_a_selected_leaf_deleted_by_someone_else_is_fine(env: Env) -> None:
    """A turbine of the planned subtree is already gone (someone else deleted it): the plan still applies."""
    plan, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)))
    turbine = env.world.assets["site-1/t3"]
    link = next(a for a in plan.actions if a.kind is ActionKind.DISASSOCIATE_ASSET
                and a.params["childAssetId"] == turbine)
    env.client.disassociate_assets(**link.params)
    env.client.delete_asset(assetId=turbine)
    report = env.apply(path)
    assert report.ok, report.root_causes()
    assert not env.asset_exists("site-1")


def test_an_effect_that_never_comes_fails_at_its_deadline_and_skips_its_dependants(env: Env) -> None:
    """Asset deletes that stay DELETING far past the kind's deadline: the turbines fail naming the deadline,
    the site that needs them gone is skipped, and the run ends (on the clock, not forever)."""
    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-2"],)))
    env.backend.latency = LatencyProfile(delete_asset=100_000.0)
    start = env.clock.now()
    report = env.apply(path, observe=ObserveSettings())
    assert report.exit_code == 1
    failed = report.root_causes()
    assert failed
    assert all("its deadline" in (a.error or "") for a in failed)
    assert report.outcome_of(f"delete-asset/{env.world.assets['site-2']}") in (Outcome.FAILED, Outcome.SKIPPED)
    assert env.clock.now() - start < 100_000.0
