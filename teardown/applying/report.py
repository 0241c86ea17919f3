"""What an apply did: per-action outcomes, root causes only, counts per kind, durations, calls and retries.

``ApplyReport.to_json`` is the report file (``<plan>.report.json``); the CLI renders it for people.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from teardown.errors import EXIT_ACTIONS_FAILED, EXIT_INTERRUPTED, EXIT_OK
from teardown.files import write_text_atomic
from teardown.kinds import ActionKind

REPORT_FORMAT = 1


class Outcome(StrEnum):
    """How an action ended in an apply (the journal's final events carry the same values)."""

    DONE = "done"
    ALREADY_DONE = "already_done"
    FAILED = "failed"
    SKIPPED = "skipped"
    NOT_STARTED = "not_started"


@dataclass(frozen=True)
class ActionReport:
    id: str
    kind: ActionKind
    target: str
    outcome: Outcome
    label: str = ""
    error: str | None = None
    # For a skipped action: the failed actions that blocked it (root causes, never intermediate skips).
    root_causes: tuple[str, ...] = ()
    duration: float = 0.0
    # True when a previous (interrupted or crashed) run finished it, per the journal.
    earlier_run: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "kind": self.kind.value, "target": self.target, "outcome": self.outcome.value,
            "duration": round(self.duration, 3),
        }
        if self.label:
            out["label"] = self.label
        if self.error:
            out["error"] = self.error
        if self.root_causes:
            out["root_causes"] = list(self.root_causes)
        if self.earlier_run:
            out["earlier_run"] = True
        return out


@dataclass
class ApplyReport:
    plan_digest: str
    account: str
    region: str
    started_at: float
    finished_at: float
    workers: int
    actions: list[ActionReport]
    interrupted: bool = False
    calls: Mapping[str, int] = field(default_factory=dict)
    retries: Mapping[str, int] = field(default_factory=dict)
    throttles: Mapping[str, int] = field(default_factory=dict)
    in_flight: Mapping[str, int] = field(default_factory=dict)  # per quota family, the most requests at once
    path: Path | None = None

    @property
    def duration(self) -> float:
        return max(0.0, self.finished_at - self.started_at)

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return EXIT_INTERRUPTED
        if any(a.outcome in (Outcome.FAILED, Outcome.SKIPPED, Outcome.NOT_STARTED) for a in self.actions):
            return EXIT_ACTIONS_FAILED
        return EXIT_OK

    @property
    def ok(self) -> bool:
        return self.exit_code == EXIT_OK

    def outcome_of(self, action_id: str) -> Outcome:
        for action in self.actions:
            if action.id == action_id:
                return action.outcome
        raise KeyError(action_id)

    def root_causes(self) -> list[ActionReport]:
        """The failed actions; everything skipped is explained by one of these."""
        return [a for a in self.actions if a.outcome is Outcome.FAILED]

    def counts(self) -> dict[str, dict[str, int]]:
        """Per action kind (in plan order of kinds), how many ended each way."""
        table: dict[str, Counter[str]] = {}
        for action in self.actions:
            table.setdefault(action.kind.value, Counter())[action.outcome.value] += 1
        return {kind: dict(sorted(c.items())) for kind, c in table.items()}

    def totals(self) -> dict[str, int]:
        return dict(sorted(Counter(a.outcome.value for a in self.actions).items()))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": REPORT_FORMAT,
            "plan_digest": self.plan_digest,
            "account": self.account,
            "region": self.region,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "duration": round(self.duration, 3),
            "workers": self.workers,
            "interrupted": self.interrupted,
            "exit_code": self.exit_code,
            "totals": self.totals(),
            "counts": self.counts(),
            "root_causes": [{"id": a.id, "target": a.target, "error": a.error} for a in self.root_causes()],
            "calls": dict(self.calls),
            "retries": dict(self.retries),
            "throttles": dict(self.throttles),
            "in_flight": dict(self.in_flight),
            "actions": [a.to_json() for a in self.actions],
        }

    def write(self, path: Path) -> Path:
        write_text_atomic(path, json.dumps(self.to_json(), indent=2, sort_keys=False) + "\n", "report")
        self.path = path
        return path
