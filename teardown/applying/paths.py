"""Where an apply keeps its files: beside the plan, named after it (``PLAN.journal.jsonl``, ...). The lock is
not among them: it is per plan digest, in one directory for the user (``teardown.applying.lock``)."""

from __future__ import annotations

from pathlib import Path


def journal_path(base: Path) -> Path:
    return base.with_name(base.name + ".journal.jsonl")


def report_path(base: Path) -> Path:
    return base.with_name(base.name + ".report.json")


def archive_path(base: Path) -> Path:
    """What the plan deletes, captured before its first mutation (``teardown.archive``)."""
    return base.with_name(base.name + ".archive.json")


def restore_journal_path(archive: Path) -> Path:
    """The journal of a restore of ``archive`` (``teardown.restoring``), beside it."""
    return archive.with_name(archive.name + ".restore.journal.jsonl")


def restore_report_path(archive: Path) -> Path:
    return archive.with_name(archive.name + ".restore.report.json")
