"""What a restore did: per-step outcomes (created, reused, failed, skipped, not started), and the old-to-new id
map of everything it restored. ``RestoreReport.to_json`` is the report file (``<archive>.restore.report.json``)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from teardown.applying.report import Outcome
from teardown.errors import EXIT_ACTIONS_FAILED, EXIT_INTERRUPTED, EXIT_OK
from teardown.files import write_text_atomic
from teardown.restoring.steps import STEP_KINDS, StepKind

REPORT_FORMAT = 1
# A step's outcome in words: "done" created (or linked) it, "already_done" found it there and reused it.
OUTCOME_WORDS: Mapping[Outcome, str] = {Outcome.DONE: "done", Outcome.ALREADY_DONE: "reused",
                                        Outcome.FAILED: "failed", Outcome.SKIPPED: "skipped",
                                        Outcome.NOT_STARTED: "not started"}


@dataclass(frozen=True)
class StepReport:
    id: str
    kind: StepKind
    ref: str
    label: str
    outcome: Outcome
    error: str | None = None
    root_causes: tuple[str, ...] = ()
    earlier_run: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "kind": self.kind.value, "archived_id": self.ref, "label": self.label,
                               "outcome": self.outcome.value}
        if self.error:
            out["error"] = self.error
        if self.root_causes:
            out["root_causes"] = list(self.root_causes)
        if self.earlier_run:
            out["earlier_run"] = True
        return out


@dataclass
class RestoreReport:
    archive_digest: str
    account: str
    region: str
    steps: list[StepReport]
    # kind title -> archived id -> new id, for the resources restore re-created or found (their parts apart).
    ids: dict[str, dict[str, str]]
    parts: dict[str, str]  # properties, hierarchies and composite models of the models: archived id -> new id
    interrupted: bool = False
    calls: Mapping[str, int] = field(default_factory=dict)  # requests sent per operation, attempts included
    retries: int = 0
    throttles: int = 0
    path: Path | None = None

    @property
    def ok(self) -> bool:
        return all(s.outcome in (Outcome.DONE, Outcome.ALREADY_DONE) for s in self.steps)

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return EXIT_INTERRUPTED
        return EXIT_OK if self.ok else EXIT_ACTIONS_FAILED

    def counts(self) -> dict[str, Counter[str]]:
        """kind title -> outcome word -> steps."""
        out: dict[str, Counter[str]] = {}
        for step in sorted(self.steps, key=lambda s: STEP_KINDS[s.kind].rank):
            out.setdefault(STEP_KINDS[step.kind].title, Counter())[OUTCOME_WORDS[step.outcome]] += 1
        return out

    def root_causes(self) -> list[StepReport]:
        return [s for s in self.steps if s.outcome is Outcome.FAILED]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": REPORT_FORMAT, "archive_digest": self.archive_digest, "account": self.account,
            "region": self.region, "ok": self.ok, "interrupted": self.interrupted, "exit_code": self.exit_code,
            "counts": {kind: dict(c) for kind, c in self.counts().items()},
            "ids": self.ids, "parts": self.parts, "calls": dict(self.calls), "retries": self.retries,
            "throttles": self.throttles,
            "steps": [s.to_json() for s in self.steps],
        }

    def write(self, path: Path) -> Path:
        write_text_atomic(path, json.dumps(self.to_json(), indent=2) + "\n", "restore report")
        self.path = path
        return path
