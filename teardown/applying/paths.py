"""Where an apply keeps its files: beside the plan, named after it (``PLAN.journal.jsonl``, ...)."""

from __future__ import annotations

from pathlib import Path


def journal_path(base: Path) -> Path:
    return base.with_name(base.name + ".journal.jsonl")


def lock_path(base: Path) -> Path:
    return base.with_name(base.name + ".lock")


def report_path(base: Path) -> Path:
    return base.with_name(base.name + ".report.json")
