"""Interrupting and resuming an apply: Ctrl-C (the stop event), a crash with requests in flight, and
the journal that makes the next run pick up where the last one stopped."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

from teardown.applying.execute import client_token
from teardown.applying.journal import FINAL_EVENTS, Journal
from teardown.applying.lock import lock_path
from teardown.applying.paths import journal_path
from teardown.applying.progress import Progress
from teardown.applying.report import Outcome
from teardown.errors import EXIT_INTERRUPTED
from teardown.inventory.selectors import SelectionSpec
from teardown.kinds import ActionKind
from tests.support.worlds import Env


def test_stop_event_lets_in_flight_settle_and_the_next_run_resumes(env: Env) -> None:
    """Stop after the first finished action: the run reports interrupted (130), in-flight actions end
    settled in the journal, nothing new starts. The next run does only what is left."""
    plan, path = env.plan(SelectionSpec(all=True))
    stop = threading.Event()

    def on_progress(p: Progress) -> None:
        if p.event == "succeeded":
            stop.set()

    first = env.apply(path, stop=stop, on_progress=on_progress, workers=2)
    assert first.interrupted
    assert first.exit_code == EXIT_INTERRUPTED
    not_started = [a for a in first.actions if a.outcome is Outcome.NOT_STARTED]
    finished_first = {a.id for a in first.actions if a.outcome is Outcome.DONE}
    assert not_started
    assert finished_first
    events: dict[str, str] = {}
    for line in journal_path(path).read_text().splitlines():
        entry = json.loads(line)
        if "action" in entry:
            events[entry["action"]] = entry["event"]
    assert set(events.values()) <= FINAL_EVENTS  # no action left "started" or "sent"
    assert not lock_path(plan.digest).exists()

    deletes_before = env.backend.call_counts().get("DeleteAsset", 0)
    second = env.apply(path)
    assert second.exit_code == 0
    assert {a.id for a in second.actions if a.earlier_run} == finished_first
    finished_deletes = sum(1 for a in plan.actions if a.id in finished_first and a.kind is ActionKind.DELETE_ASSET)
    sent = env.backend.call_counts()["DeleteAsset"] - deletes_before
    assert sent == plan.count(ActionKind.DELETE_ASSET) - finished_deletes  # finished ones not resent
    assert env.client.list_asset_models()["assetModelSummaries"] == []


def test_crash_with_a_request_in_flight_resends_the_same_token(env: Env) -> None:
    """A crashed run left: a stale lock (dead pid), and a DeleteAsset journaled as sent whose request
    really reached the service. The next run takes the lock over, passes the stale check (the change is
    its own), resends with the same clientToken (replayed, not executed twice) and finishes everything."""
    plan, path = env.plan(SelectionSpec(asset_models=(env.world.models["spare"],)))
    spare_delete = next(a for a in plan.actions if a.kind is ActionKind.DELETE_ASSET)
    token = client_token(plan.digest, spare_delete.id)
    with Journal.open(journal_path(path), plan.digest, now=env.clock.now()) as journal:
        journal.record(spare_delete.id, "started", at=env.clock.now(), client_token=token)
        env.client.delete_asset(assetId=spare_delete.target, clientToken=token)
        journal.record(spare_delete.id, "sent", at=env.clock.now())
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          check=True, capture_output=True, text=True).stdout
    lock_path(plan.digest).write_text(dead)
    env.clock.advance(1)

    report = env.apply(path)
    assert report.exit_code == 0
    # Replayed: the resend answered like the original (DONE), it did not find the asset gone (ALREADY_DONE).
    assert report.outcome_of(spare_delete.id) is Outcome.DONE
    assert not env.model_exists("spare")
    started = [json.loads(x) for x in journal_path(path).read_text().splitlines()
               if '"started"' in x and spare_delete.id in x]
    assert [e["client_token"] for e in started] == [token, token]
    assert started[-1].get("resumed") is True


def test_a_finished_plan_applied_again_sends_nothing(env: Env) -> None:
    """Everything journaled as done: the rerun is all earlier-run, with no mutating call."""
    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)))
    env.apply(path)
    before = env.mutating_calls()
    again = env.apply(path)
    assert again.exit_code == 0
    assert all(a.earlier_run for a in again.actions)
    assert env.mutating_calls() == before
