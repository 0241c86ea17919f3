"""Where an apply keeps its files: beside the plan, named after it (``PLAN.journal.jsonl``, ...). The lock is
not among them: it is per plan digest, in one directory for the user (``teardown.applying.lock``).

``SIDE_FILES`` names every file kind kept beside a plan, for a state store that copies a plan's files
elsewhere (``teardown.fleet``): the journal, the report and the archive."""

from __future__ import annotations

from pathlib import Path

JOURNAL_SUFFIX = ".journal.jsonl"
REPORT_SUFFIX = ".report.json"
ARCHIVE_SUFFIX = ".archive.json"
SIDE_FILES = (JOURNAL_SUFFIX, REPORT_SUFFIX, ARCHIVE_SUFFIX)


def journal_path(base: Path) -> Path:
    return base.with_name(base.name + JOURNAL_SUFFIX)


def report_path(base: Path) -> Path:
    return base.with_name(base.name + REPORT_SUFFIX)


def archive_path(base: Path) -> Path:
    """What the plan deletes, captured before its first mutation (``teardown.archive``)."""
    return base.with_name(base.name + ARCHIVE_SUFFIX)


def restore_journal_path(archive: Path) -> Path:
    """The journal of a restore of ``archive`` (``teardown.restoring``), beside it."""
    return archive.with_name(archive.name + ".restore.journal.jsonl")


def restore_report_path(archive: Path) -> Path:
    return archive.with_name(archive.name + ".restore.report.json")
