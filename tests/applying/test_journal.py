"""The journal (durable, append-only, resumable), and the journal after a crash: a torn last line is cut off
when the journal is opened to append, so later runs read it whole; lines that are not entries are refused by
line number; a directory is no journal. (The apply lock is in test_lock.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from teardown.applying.journal import Journal, load_records
from teardown.applying.paths import journal_path
from teardown.errors import PlanRefused

DIGEST = "sha256:" + "d" * 64


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


def _journal(tmp_path: Path) -> Path:
    path = journal_path(tmp_path / "plan.json")
    with Journal.open(path, DIGEST, now=1.0) as journal:
        journal.record("a1", "started", at=2.0, client_token="tok-a1")
        journal.record("a1", "sent", at=2.1)
    return path


def test_a_torn_last_line_is_cut_off_and_later_runs_read_the_journal_whole(tmp_path: Path) -> None:
    """A crash mid-write left half a line. The next run drops it (logging journal.torn_line_truncated) before
    appending, so a third run reads every line: nothing is "corrupt", and the in-flight action is resumed."""
    path = _journal(tmp_path)
    with path.open("a", encoding="utf-8") as fh:
        fh.write('{"event": "done", "act')
    with capture_logs() as logs, Journal.open(path, DIGEST, now=3.0) as second:
        assert second.in_flight() == {"a1"}
        second.record("a1", "done", at=4.0)
    assert [e for e in logs if e["event"] == "journal.torn_line_truncated"] == [
        {"event": "journal.torn_line_truncated", "log_level": "warning", "path": str(path), "line": 5, "bytes": 22}
    ]
    assert all(json.loads(line) for line in path.read_text().splitlines())
    with Journal.open(path, DIGEST, now=5.0) as third:
        assert third.finished() == {"a1"}
        assert third.runs == 3
    records, runs = load_records(path, DIGEST)
    assert records["a1"].history == ["started", "sent", "done"] and runs == 3


def test_a_torn_line_of_bytes_that_are_not_utf8_is_cut_off_too(tmp_path: Path) -> None:
    """Half of a multi-byte character at the very end is a torn write like any other, not a corrupt journal."""
    path = _journal(tmp_path)
    with path.open("ab") as fh:
        fh.write(b'{"event": "failed", "error": "\xe2\x82')
    Journal.open(path, DIGEST, now=3.0).close()
    records, runs = load_records(path, DIGEST)
    assert records["a1"].in_flight and runs == 2


def test_a_whole_last_line_whose_newline_was_lost_is_kept(tmp_path: Path) -> None:
    """The crash came after the entry but before its newline: the entry stands, and the next one is appended
    on a line of its own instead of running into it."""
    path = _journal(tmp_path)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"event": "done", "action": "a1", "at": 3.0}))
    with Journal.open(path, DIGEST, now=4.0) as journal:
        assert journal.finished() == {"a1"}
        journal.record("a2", "started", at=5.0, client_token="tok-a2")
    records, _ = load_records(path, DIGEST)
    assert records["a1"].finished and records["a2"].in_flight


def test_a_journal_torn_inside_its_header_starts_afresh(tmp_path: Path) -> None:
    """A crash while the very first line was written leaves no header, only half of one: that journal holds
    nothing yet, so it is started again instead of refused as headless."""
    path = journal_path(tmp_path / "plan.json")
    path.write_text('{"event": "journal", "form')
    assert load_records(path, DIGEST) == ({}, 0)
    with Journal.open(path, DIGEST, now=1.0) as journal:
        journal.record("a1", "done", at=2.0)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["event"] for line in lines] == ["journal", "run", "done"]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b'{"action": "a1", "at": 3.0}', "without an event"),
        (b'{"event": 7, "action": "a1"}', "without an event"),
        (b"[1, 2, 3]", "not a JSON object"),
        (b'"done"', "not a JSON object"),
        (b"\xff\xfe not text", "not UTF-8"),
        (b'{"event": "done", "act', "corrupt at line 5"),
    ],
)
def test_a_line_that_is_not_an_entry_is_refused_naming_file_and_line(
    tmp_path: Path, line: bytes, reason: str
) -> None:
    """Before the last line, anything that is not a journal entry is corruption, not a torn write: refused
    (exit 3) with the file and the line number, for load_records and Journal.open alike, never a traceback."""
    path = _journal(tmp_path)
    with path.open("ab") as fh:
        fh.write(line + b"\n" + json.dumps({"event": "done", "action": "a1", "at": 9.0}).encode() + b"\n")
    for read in (lambda: load_records(path, DIGEST), lambda: Journal.open(path, DIGEST, now=10.0)):
        with pytest.raises(PlanRefused, match=reason) as refused:
            read()
        assert str(path) in str(refused.value) and "line 5" in str(refused.value)
        assert refused.value.exit_code == 3


@pytest.mark.parametrize("line", [b'{"action": "a1"}', b"[1, 2]"])
def test_a_whole_last_line_that_is_no_entry_is_refused_not_taken_for_torn(tmp_path: Path, line: bytes) -> None:
    """Valid JSON is never half a line: an object without an event, or a non-object, is refused even last."""
    path = _journal(tmp_path)
    with path.open("ab") as fh:
        fh.write(line + b"\n")
    with pytest.raises(PlanRefused, match=f"{path} is corrupt at line 5"):
        load_records(path, DIGEST)


def test_a_journal_path_that_is_a_directory_is_refused(tmp_path: Path) -> None:
    """A directory where the journal belongs: a refusal naming it, from reading and from opening alike."""
    path = journal_path(tmp_path / "plan.json")
    path.mkdir()
    for read in (lambda: load_records(path, DIGEST), lambda: Journal.open(path, DIGEST, now=1.0)):
        with pytest.raises(PlanRefused, match="Is a directory") as refused:
            read()
        assert str(refused.value).startswith(f"{path}: cannot read the journal")
