"""Where an apply keeps its files: beside the plan, named after it (``PLAN.journal.jsonl``, ...). The lock is
not among them: it is per plan digest, in one directory for the user (``teardown.applying.lock``)."""

from __future__ import annotations

from pathlib import Path


def journal_path(base: Path) -> Path:
    return base.with_name(base.name + ".journal.jsonl")


def report_path(base: Path) -> Path:
    return base.with_name(base.name + ".report.json")
