"""The apply journal, beside the plan file.

``<plan>.journal.jsonl`` is append-only JSON lines, each flushed and fsynced before the engine moves
on: a header naming the plan digest, then per action ``started`` (with its clientToken), ``sent``, and
one of ``done``, ``already_done``, ``failed``, ``skipped``, ``not_started``. Replaying it tells a resumed
apply which actions finished (skip them) and which were in flight (send again with the SAME clientToken,
which the service answers idempotently). A torn last line (a crash mid-write) is ignored.
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

log = structlog.get_logger(__name__)

JOURNAL_FORMAT = 1
FINISHED_EVENTS = frozenset({"done", "already_done"})
FINAL_EVENTS = frozenset({"done", "already_done", "failed", "skipped", "not_started"})


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


class Journal:
    """Append-only, durable, thread-safe. Open with ``Journal.open``; close when the apply ends."""

    def __init__(self, path: Path, digest: str, records: dict[str, ActionRecord], runs: int) -> None:
        self.path = path
        self.digest = digest
        self.records = records
        self.runs = runs
        self._lock = threading.Lock()
        self._file = path.open("a", encoding="utf-8")

    @classmethod
    def open(cls, path: Path, digest: str, *, now: float) -> Journal:
        """Open (or start) the journal of the plan with ``digest``; refuse one of another plan."""
        records, runs = load_records(path, digest)
        fresh = not path.exists() or path.stat().st_size == 0
        journal = cls(path, digest, records, runs)
        if fresh:
            journal._append({"event": "journal", "format": JOURNAL_FORMAT, "plan_digest": digest, "at": now})
        journal._append({"event": "run", "pid": os.getpid(), "host": socket.gethostname(), "at": now})
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
            self._append(entry)
            rec = self.records.setdefault(action_id, ActionRecord(last_event=event))
            rec.last_event = event
            rec.history.append(event)
            if "client_token" in entry:
                rec.client_token = entry["client_token"]
            rec.error = entry.get("error")

    def close(self) -> None:
        with self._lock:
            if not self._file.closed:
                self._file.close()

    def _append(self, entry: Mapping[str, Any]) -> None:
        self._file.write(json.dumps(entry, sort_keys=True, default=str) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def load_records(path: Path, digest: str) -> tuple[dict[str, ActionRecord], int]:
    """Read-only replay: each action's record and the number of runs so far ({} and 0 with no journal)."""
    records: dict[str, ActionRecord] = {}
    runs = 0
    if not path.exists() or path.stat().st_size == 0:
        return records, runs
    header, entries = _read(path)
    if header.get("plan_digest") != digest:
        raise PlanRefused(
            f"journal {path} belongs to another plan (digest {str(header.get('plan_digest'))[:19]}..., "
            f"this plan is {digest[:19]}...); move it away to apply this plan",
        )
    for entry in entries:
        if entry.get("event") == "run":
            runs += 1
            continue
        action_id = entry.get("action")
        if not isinstance(action_id, str):
            continue
        rec = records.setdefault(action_id, ActionRecord(last_event=entry["event"]))
        rec.last_event = entry["event"]
        rec.history.append(entry["event"])
        rec.client_token = entry.get("client_token", rec.client_token)
        rec.error = entry.get("error")
    return records, runs


def _read(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    entries: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            if number == len(lines):  # torn by a crash mid-write: the action will be re-checked
                log.warning("journal.torn_line_ignored", path=str(path), line=number)
                break
            raise PlanRefused(f"journal {path} is corrupt at line {number}: {exc}") from exc
        if isinstance(entry, dict):
            entries.append(entry)
    if not entries or entries[0].get("event") != "journal":
        raise PlanRefused(f"journal {path} has no header; move it away to apply this plan")
    if entries[0].get("format") != JOURNAL_FORMAT:
        raise PlanRefused(f"journal {path} has unknown format {entries[0].get('format')!r}")
    return entries[0], entries[1:]
