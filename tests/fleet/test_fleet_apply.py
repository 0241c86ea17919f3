"""A fleet of four target runs (three accounts, three regions) on one emulator, over an S3 state store: plan,
apply, status, a failing and a throttled target, a run killed mid-apply and resumed from another working
directory, the S3 lock, and one run's apply leaving its neighbours' worlds untouched."""

from __future__ import annotations

from typing import Any

import pytest

from teardown.applying.paths import JOURNAL_SUFFIX
from teardown.applying.progress import Progress
from teardown.emulator.service.error_rules import ErrorRule
from teardown.emulator.service.faults import FaultSettings
from teardown.errors import EXIT_ACTIONS_FAILED, EXIT_OK, EXIT_REFUSED
from teardown.fleet.run import FleetStop, apply_fleet, fleet_status, plan_fleet, worst_exit
from teardown.fleet.s3_store import S3Lease
from teardown.fleet.store import read_latest
from teardown.fleet.targets import TargetRun, load_targets
from tests.fleet.conftest import Fleet
from tests.support.worlds import FAST_OBSERVE, FAST_RETRY

pytestmark = pytest.mark.http  # every test here serves the emulator over HTTP

FAST: dict[str, Any] = {"observe": FAST_OBSERVE, "retry": FAST_RETRY}


def test_each_target_run_is_planned_in_its_own_account(fleet: Fleet) -> None:
    """STS answers each assumed role with its own account; every run's plan and counts land in the store."""
    runs = load_targets(fleet.targets_file)
    rows = plan_fleet(runs, fleet.store(), clock=fleet.clock)
    assert [(r.run.account, r.exit_code) for r in rows] == [(m.account, EXIT_OK) for m in fleet.members]
    assert all(r.counts["assets"] == 7 and r.counts["models"] == 3 for r in rows)
    latest = read_latest(fleet.store("another-runner"), runs[1].key)
    assert latest is not None and latest["digest"] == rows[1].digest


def test_a_failing_target_and_a_throttled_one_leave_the_others_alone(fleet: Fleet) -> None:
    """One target's deletes end FAILED, another is throttled: the first exits 1, the others finish; the fleet's
    exit code is the worst run's."""
    runs = load_targets(fleet.targets_file)
    store = fleet.store()
    plan_fleet(runs, store, clock=fleet.clock)
    dev_eu, dev_us, qa, stage = fleet.members
    # The emulator's faults, aimed by resource id: every delete of qa's fails, stage's mutations are throttled.
    fleet.backend.faults = FaultSettings(fail_delete_ids=qa.ids(), seed=3, errors=tuple(
        ErrorRule(code="ThrottlingException", probability=0.4, resource=i) for i in sorted(stage.ids())))
    rows = apply_fleet(runs, store, clock=fleet.clock, **FAST)
    codes = {r.run.label: r.exit_code for r in rows}
    assert list(codes.values()) == [EXIT_OK, EXIT_OK, EXIT_ACTIONS_FAILED, EXIT_OK], codes
    assert worst_exit(rows) == EXIT_ACTIONS_FAILED
    stage_report = rows[3].report
    assert stage_report is not None and sum(stage_report.throttles.values()) > 0
    assert all(r.report is not None and not r.report.throttles for r in rows[:3])
    assert dev_eu.assets_left() == dev_us.assets_left() == stage.assets_left() == 0 and qa.assets_left() > 0
    status = [(s.run.name, s) for s in fleet_status(runs, fleet.store("someone-else"))]
    assert all(s.outcome == "done" and s.finished == s.actions for name, s in status if name == "dev")
    assert status[2][1].exit_code == EXIT_ACTIONS_FAILED


def test_a_run_killed_mid_apply_resumes_from_another_working_directory(fleet: Fleet) -> None:
    """Runner A dies mid-apply: its lock is left in S3 and the journal lines since its last sync are lost. Runner
    B, elsewhere, takes the lock once its lease expired, resumes from the stored journal and finishes."""
    runs = load_targets(fleet.targets_file)
    run = runs[0]
    store_a = fleet.store("runner-a")
    plan_fleet([run], store_a, clock=fleet.clock)
    stop = FleetStop()

    def kill_after_some(_run: TargetRun, progress: Progress) -> None:
        if progress.settled >= 4:
            stop.set()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(S3Lease, "release", lambda self: None)  # a dead runner never releases its lock
        first = apply_fleet([run], store_a, clock=fleet.clock, stop=stop, on_progress=kill_after_some, **FAST)
    assert first[0].exit_code == 130 and fleet.members[0].assets_left() > 0
    # What the kill lost: the journal lines written after the last upload (here: the last two).
    latest = read_latest(store_a, run.key)
    assert latest is not None
    journal_key = store_a.object_key(run.key, latest["plan"] + JOURNAL_SUFFIX)
    lines = store_a.call("get_object", Key=journal_key)["Body"].read().splitlines(keepends=True)
    store_a.call("put_object", Key=journal_key, Body=b"".join(lines[:-2]))

    store_b = fleet.store("runner-b")
    refused = apply_fleet([run], store_b, clock=fleet.clock, **FAST)
    assert refused[0].exit_code == EXIT_REFUSED and "another apply of this plan is running" in (refused[0].error or "")
    fleet.clock.advance(store_b.ttl + 1)  # the dead runner's lease runs out
    resumed = apply_fleet([run], store_b, clock=fleet.clock, **FAST)
    assert resumed[0].exit_code == EXIT_OK, resumed[0].error
    report = resumed[0].report
    assert report is not None and any(a.earlier_run for a in report.actions)
    assert fleet.members[0].assets_left() == 0


def test_a_second_apply_of_one_plan_is_refused_by_the_s3_lock(fleet: Fleet) -> None:
    """While one runner applies a target's plan, a second runner (another working directory) is refused, exit 3,
    and sends nothing; the first finishes."""
    run = load_targets(fleet.targets_file)[2]
    plan_fleet([run], fleet.store("runner-a"), clock=fleet.clock)
    second: list[int] = []

    def meanwhile(_run: TargetRun, _progress: Progress) -> None:
        if not second:
            second.append(-1)
            rows = apply_fleet([run], fleet.store("runner-b"), clock=fleet.clock, **FAST)
            second[0] = rows[0].exit_code
            assert "another apply of this plan is running" in (rows[0].error or "")

    first = apply_fleet([run], fleet.store("runner-a"), clock=fleet.clock, on_progress=meanwhile, **FAST)
    assert second == [EXIT_REFUSED]
    assert first[0].exit_code == EXIT_OK and fleet.members[2].assets_left() == 0


def test_a_target_whose_role_acts_in_another_account_is_refused(fleet: Fleet) -> None:
    """The guard: a role of another account than the target expects is refused before anything is read (both
    of dev's regions); the other targets go on."""
    text = fleet.targets_file.read_text().replace("role/sitewise-reset\"\nexternal_id = \"ext-dev\"",
                                                   "role/x\"\nexternal_id = \"ext-dev\"").replace(
        "arn:aws:iam::111111111111:role/x", "arn:aws:iam::999999999999:role/x")
    fleet.targets_file.write_text(text)
    rows = plan_fleet(load_targets(fleet.targets_file), fleet.store(), clock=fleet.clock)
    assert [r.exit_code for r in rows] == [EXIT_REFUSED, EXIT_REFUSED, EXIT_OK, EXIT_OK]
    assert "expects account 111111111111" in (rows[0].error or "")


def test_one_runs_apply_leaves_its_neighbours_worlds_untouched(fleet: Fleet) -> None:
    """Applying dev/eu-west-1's plan empties its world and no other: qa's (another account, same region) and
    dev/us-east-1's (same account, another region) are equal by snapshot and saw no call; no world appeared."""
    runs = load_targets(fleet.targets_file)
    store = fleet.store()
    plan_fleet(runs, store, clock=fleet.clock)
    target, same_account, same_region = fleet.members[0], fleet.members[1], fleet.members[2]
    assert (same_account.account, same_region.region) == (target.account, target.region)
    neighbours = fleet.members[1:]
    before = [(m.snapshot(), m.backend.call_counts(account=m.account, region=m.region)) for m in neighbours]
    worlds = fleet.backend.worlds()
    rows = apply_fleet(runs[:1], store, clock=fleet.clock, **FAST)
    assert rows[0].exit_code == EXIT_OK, rows[0].error
    assert target.assets_left() == 0 and not target.snapshot()["assetModels"]
    after = [(m.snapshot(), m.backend.call_counts(account=m.account, region=m.region)) for m in neighbours]
    assert after == before
    assert all(snapshot["assets"] for snapshot, _ in after)
    assert fleet.backend.worlds() == worlds


def test_a_runs_rates_pace_its_discovery_too(fleet: Fleet, monkeypatch: pytest.MonkeyPatch) -> None:
    """A target's ``rates`` (its account's own quotas) pace the plan's reads, not only the apply's requests."""
    from dataclasses import replace

    from teardown.aws.discover import discover_present
    from teardown.fleet import run as fleet_run

    seen: list[dict[str, float]] = []

    def spy(calls: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(calls.limiter.rates())
        return discover_present(calls, *args, **kwargs)

    monkeypatch.setattr(fleet_run, "discover_present", spy)
    run = replace(load_targets(fleet.targets_file)[0], rates={"asset": 60.0})
    [row] = plan_fleet([run], fleet.store(), clock=fleet.clock)
    assert row.exit_code == EXIT_OK
    assert [rates["asset"] for rates in seen] == [60.0]
