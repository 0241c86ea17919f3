"""The apply journal, beside the plan file.

``<plan>.journal.jsonl`` is append-only JSON lines, each flushed and fsynced before the engine moves
on: a header naming the plan digest, then per action ``started`` (with its clientToken), ``sent``, and
one of ``done``, ``already_done``, ``failed``, ``skipped``, ``not_started``. Replaying it tells a resumed
apply which actions finished (skip them) and which were in flight (send again with the SAME clientToken,
which the service answers idempotently).

A crash mid-write leaves a torn last line: reading ignores it (the action it described is re-checked), and
opening the journal to append cuts it off first (``journal.torn_line_truncated``), so the next line starts
clean and later runs read the journal whole. Anything else that is not an entry (a line that is not UTF-8,
not JSON, not an object, or without an ``event``) before the last line is refused, naming the line.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import structlog

from teardown.errors import PlanRefused
from teardown.files import file_errors

log = structlog.get_logger(__name__)

JOURNAL_FORMAT = 1
FINISHED_EVENTS = frozenset({"done", "already_done"})
FINAL_EVENTS = frozenset({"done", "already_done", "failed", "skipped", "not_started"})
_MOVE_AWAY = "move it away to apply this plan"


@dataclass
class ActionRecord:
    """What the journal knows about one action: its last event and the clientToken it was sent with."""

    last_event: str
    client_token: str | None = None
    error: str | None = None
    history: list[str] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.last_event in FINISHED_EVENTS

    @property
    def in_flight(self) -> bool:
        return self.last_event in {"started", "sent"}


@dataclass(frozen=True)
class _Scan:
    """A journal file as read: its entries, and what a crash left at its end."""

    entries: list[dict[str, Any]]
    torn_line: int | None = None  # the number of a torn last line, ignored
    torn_offset: int = 0  # where that line starts, in bytes
    size: int = 0
    unterminated: bool = False  # the last line is whole but its newline was never written

class Journal:
    """Append-only, durable, thread-safe. Open with ``Journal.open``; close when the apply ends.

    ``record`` queues its line and returns; a flusher thread writes and fsyncs whatever was queued since
    its last fsync, back to back, so the disk catches up within one fsync while no action ever waits for
    it (one fsync per line, or even one write while an fsync runs, serialized every action of a fast run
    behind the disk). A line lost in a crash is harmless: a resumed run resends the action with the same
    clientToken, and the service replays its answer or finds it already done."""

    def __init__(self, path: Path, digest: str, records: dict[str, ActionRecord], runs: int) -> None:
        self.path = path
        self.digest = digest
        self.records = records
        self.runs = runs
        self._lock = threading.Lock()
        self._dirty = threading.Event()  # lines queued since the last write
        self._queue: list[str] = []
        self._io_lock = threading.Lock()  # the file: the flusher's writes, and _append's at open
        self._closed = False
        with file_errors(path, "journal", writing=True, error=PlanRefused):
            self._file = path.open("a", encoding="utf-8")
        self._flusher = threading.Thread(target=self._flush_loop, name="journal-fsync", daemon=True)
        self._flusher.start()

    @classmethod
    def open(cls, path: Path, digest: str, *, now: float) -> Journal:
        """Open (or start) the journal of the plan with ``digest``; refuse one of another plan. A torn last
        line is cut off first, so what this run appends starts on a line of its own."""
        scan = _scan(path)
        records, runs = _replay(path, digest, scan)
        journal = cls(path, digest, records, runs)
        try:
            with file_errors(path, "journal", writing=True, error=PlanRefused):
                journal._repair(scan)
                if not scan.entries:
                    journal._append({"event": "journal", "format": JOURNAL_FORMAT, "plan_digest": digest, "at": now})
                journal._append({"event": "run", "pid": os.getpid(), "host": socket.gethostname(), "at": now})
        except BaseException:
            journal.close()
            raise
        journal.runs += 1
        return journal

    def finished(self) -> set[str]:
        return {aid for aid, rec in self.records.items() if rec.finished}

    def in_flight(self) -> set[str]:
        return {aid for aid, rec in self.records.items() if rec.in_flight}

    def failed_attempts(self) -> dict[str, int]:
        """How many earlier runs ended each action failed (what a retry's new clientToken counts)."""
        return {aid: n for aid, rec in self.records.items() if (n := rec.history.count("failed"))}

    def record(self, action_id: str, event: str, *, at: float, **fields: Any) -> None:
        extra = {k: v for k, v in fields.items() if v is not None}
        entry = {"event": event, "action": action_id, "at": at, **extra}
        with self._lock:
            if self._closed:
                raise RuntimeError("the journal is closed")
            self._queue.append(_line(entry))
            rec = self.records.setdefault(action_id, ActionRecord(last_event=event))
            rec.last_event = event
            rec.history.append(event)
            if "client_token" in entry:
                rec.client_token = entry["client_token"]
            rec.error = entry.get("error")
        self._dirty.set()

    def _flush_loop(self) -> None:
        while True:
            self._dirty.wait()
            self._dirty.clear()
            if not self._flush():
                return

    def _flush(self) -> bool:
        """Write and fsync what is queued; False once the journal is closed and drained."""
        with self._lock:
            lines, self._queue = self._queue, []
            closed = self._closed
        if lines:
            with self._io_lock:
                self._file.write("".join(lines))
                self._file.flush()
                os.fsync(self._file.fileno())
        return not closed

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._dirty.set()
        self._flusher.join()  # it drains the queue, fsyncs and ends
        self._flush()
        with self._io_lock:
            self._file.close()

    def _repair(self, scan: _Scan) -> None:
        if scan.torn_line is not None:
            self._file.truncate(scan.torn_offset)
            os.fsync(self._file.fileno())
            log.warning("journal.torn_line_truncated", path=str(self.path), line=scan.torn_line,
                        bytes=scan.size - scan.torn_offset)
        elif scan.unterminated:
            self._file.write("\n")
            self._file.flush()
            os.fsync(self._file.fileno())

    def _append(self, entry: Mapping[str, Any]) -> None:
        with self._io_lock:
            self._file.write(_line(entry))
            self._file.flush()
            os.fsync(self._file.fileno())

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _line(entry: Mapping[str, Any]) -> str:
    return json.dumps(entry, sort_keys=True, default=str) + "\n"


def load_records(path: Path, digest: str) -> tuple[dict[str, ActionRecord], int]:
    """Read-only replay: each action's record and the number of runs so far ({} and 0 with no journal)."""
    return _replay(path, digest, _scan(path))


def _replay(path: Path, digest: str, scan: _Scan) -> tuple[dict[str, ActionRecord], int]:
    records: dict[str, ActionRecord] = {}
    runs = 0
    if not scan.entries:
        return records, runs
    header, entries = scan.entries[0], scan.entries[1:]
    if header["event"] != "journal":
        raise PlanRefused(f"journal {path} has no header; {_MOVE_AWAY}")
    if header.get("format") != JOURNAL_FORMAT:
        raise PlanRefused(f"journal {path} has unknown format {header.get('format')!r}")
    if header.get("plan_digest") != digest:
        raise PlanRefused(
            f"journal {path} belongs to another plan (digest {str(header.get('plan_digest'))[:19]}..., "
            f"this plan is {digest[:19]}...); {_MOVE_AWAY}",
        )
    for entry in entries:
        event = entry["event"]
        if event == "run":
            runs += 1
            continue
        action_id = entry.get("action")
        if not isinstance(action_id, str):
            continue
        rec = records.setdefault(action_id, ActionRecord(last_event=event))
        rec.last_event = event
        rec.history.append(event)
        rec.client_token = entry.get("client_token", rec.client_token)
        rec.error = entry.get("error")
    return records, runs


def _scan(path: Path) -> _Scan:
    """Every entry of the journal at ``path`` (none when there is no file). A last line that is not a whole
    entry is torn by a crash mid-write and left out; any other line that is not an entry is refused."""
    if not path.exists():
        return _Scan(entries=[])
    with file_errors(path, "journal", error=PlanRefused):
        data = path.read_bytes()
    lines = data.split(b"\n")  # the last piece is what follows the last newline (b"" in a whole file)
    last = max((i for i, line in enumerate(lines) if line.strip()), default=-1)
    entries: list[dict[str, Any]] = []
    offset = 0
    for index, raw in enumerate(lines):
        start, offset = offset, offset + len(raw) + 1
        if not raw.strip():
            continue
        number = index + 1
        try:
            entry = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            if index == last:
                return _torn(path, entries, number, start, len(data))
            raise PlanRefused(f"journal {path} is corrupt at line {number}: not UTF-8 text; {_MOVE_AWAY}") from None
        except json.JSONDecodeError as exc:
            if index == last:
                return _torn(path, entries, number, start, len(data))
            raise PlanRefused(f"journal {path} is corrupt at line {number}: {exc}; {_MOVE_AWAY}") from None
        if not isinstance(entry, dict):
            raise PlanRefused(f"journal {path} is corrupt at line {number}: not a JSON object; {_MOVE_AWAY}")
        if not isinstance(entry.get("event"), str):
            raise PlanRefused(f"journal {path} is corrupt at line {number}: an entry without an event; {_MOVE_AWAY}")
        entries.append(entry)
    return _Scan(entries=entries, size=len(data), unterminated=bool(data) and not data.endswith(b"\n"))


def _torn(path: Path, entries: list[dict[str, Any]], number: int, offset: int, size: int) -> _Scan:
    log.warning("journal.torn_line_ignored", path=str(path), line=number)
    return _Scan(entries=entries, torn_line=number, torn_offset=offset, size=size)
