"""The journal (durable, append-only, resumable) and the apply lock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from teardown.applying.journal import Journal
from teardown.applying.lock import ApplyLock
from teardown.applying.paths import journal_path
from teardown.errors import ApplyLocked, PlanRefused


def test_journal_records_and_replays_progress(tmp_path: Path) -> None:
    """A reopened journal knows which actions finished and which were in flight, with their tokens."""
    path = journal_path(tmp_path / "plan.json")
    with Journal.open(path, "d" * 64, now=1.0) as journal:
        journal.record("a1", "started", at=2.0, client_token="tok-a1")
        journal.record("a1", "sent", at=2.1)
        journal.record("a1", "done", at=3.0)
        journal.record("a2", "started", at=2.0, client_token="tok-a2")
        journal.record("a3", "failed", at=2.5, error="InvalidRequestException: nope")
    reopened = Journal.open(path, "d" * 64, now=10.0)
    reopened.close()
    assert reopened.finished() == {"a1"}
    assert reopened.in_flight() == {"a2"}
    assert reopened.records["a2"].client_token == "tok-a2"
    assert reopened.records["a3"].error == "InvalidRequestException: nope"
    assert reopened.runs == 2
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines[0]["event"] == "journal"
    assert lines[0]["plan_digest"] == "d" * 64


def test_journal_of_another_plan_is_refused(tmp_path: Path) -> None:
    """A journal written for another digest is never mixed with this plan's progress."""
    path = journal_path(tmp_path / "plan.json")
    Journal.open(path, "a" * 64, now=1.0).close()
    with pytest.raises(PlanRefused, match="another plan"):
        Journal.open(path, "b" * 64, now=2.0)


def test_torn_last_line_is_ignored(tmp_path: Path) -> None:
    """A crash mid-write leaves half a line: the action it described is treated as in flight."""
    path = journal_path(tmp_path / "plan.json")
    with Journal.open(path, "d" * 64, now=1.0) as journal:
        journal.record("a1", "started", at=2.0, client_token="t")
    with path.open("a") as fh:
        fh.write('{"event": "done", "act')
    reopened = Journal.open(path, "d" * 64, now=3.0)
    reopened.close()
    assert reopened.in_flight() == {"a1"}


def test_lock_refuses_a_second_apply_while_held(tmp_path: Path) -> None:
    """A live owner's lock refuses; releasing it lets the next apply in."""
    first = ApplyLock("d" * 64, tmp_path / "plan.json", directory=tmp_path)
    path = first.path
    with first.held():
        assert json.loads(path.read_text())["pid"] == os.getpid()
        with pytest.raises(ApplyLocked, match=str(os.getpid())):
            ApplyLock("d" * 64, tmp_path / "plan.json", directory=tmp_path).acquire()
    assert not path.exists()
    with ApplyLock("d" * 64, tmp_path / "plan.json", directory=tmp_path).held():
        pass


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    """A lock left by a crashed apply (its pid is gone) does not block forever."""
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], check=True, capture_output=True, text=True
    )
    lock = ApplyLock("d" * 64, tmp_path / "plan.json", directory=tmp_path)
    lock.path.write_text(dead.stdout)
    with lock.held():
        assert json.loads(lock.path.read_text())["pid"] == os.getpid()
