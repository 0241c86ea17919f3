"""A fleet of three emulated accounts and regions over an S3 state store: plan, apply, status, a failing and a
throttled target, a run killed mid-apply and resumed from another working directory, and the S3 lock."""

from __future__ import annotations

from typing import Any

import pytest

from teardown.applying.paths import JOURNAL_SUFFIX
from teardown.applying.progress import Progress
from teardown.emulator.service.faults import FaultSettings
from teardown.errors import EXIT_ACTIONS_FAILED, EXIT_OK, EXIT_REFUSED
from teardown.fleet.run import FleetStop, apply_fleet, fleet_status, plan_fleet, worst_exit
from teardown.fleet.s3_store import S3Lease
from teardown.fleet.store import read_latest
from teardown.fleet.targets import TargetRun, load_targets
from tests.fleet.conftest import Fleet
from tests.support.worlds import FAST_OBSERVE, FAST_RETRY

pytestmark = pytest.mark.http  # every test here serves its emulators over HTTP

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
    dev, qa, stage = fleet.members
    qa.backend.faults = FaultSettings(fail_delete_rate=1.0, seed=1)
    stage.backend.faults = FaultSettings(throttle_before=0.4, seed=3)
    rows = apply_fleet(runs, store, clock=fleet.clock, **FAST)
    codes = {r.run.name: r.exit_code for r in rows}
    assert codes == {"dev": EXIT_OK, "qa": EXIT_ACTIONS_FAILED, "stage": EXIT_OK}
    assert worst_exit(rows) == EXIT_ACTIONS_FAILED
    stage_report = rows[2].report
    assert stage_report is not None and sum(stage_report.throttles.values()) > 0
    assert dev.assets_left() == 0 and stage.assets_left() == 0 and qa.assets_left() > 0
    status = {s.run.name: s for s in fleet_status(runs, fleet.store("someone-else"))}
    assert status["dev"].outcome == "done" and status["dev"].finished == status["dev"].actions
    assert status["qa"].exit_code == EXIT_ACTIONS_FAILED


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
    run = load_targets(fleet.targets_file)[1]
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
    assert first[0].exit_code == EXIT_OK and fleet.members[1].assets_left() == 0


def test_a_target_whose_role_acts_in_another_account_is_refused(fleet: Fleet) -> None:
    """The guard: a role of another account than the target expects is refused before anything is read."""
    text = fleet.targets_file.read_text().replace("role/sitewise-reset\"\nexternal_id = \"ext-dev\"",
                                                   "role/x\"\nexternal_id = \"ext-dev\"").replace(
        "arn:aws:iam::111111111111:role/x", "arn:aws:iam::999999999999:role/x")
    fleet.targets_file.write_text(text)
    rows = plan_fleet(load_targets(fleet.targets_file), fleet.store(), clock=fleet.clock)
    assert [r.exit_code for r in rows] == [EXIT_REFUSED, EXIT_OK, EXIT_OK]
    assert "expects account 111111111111" in (rows[0].error or "")
