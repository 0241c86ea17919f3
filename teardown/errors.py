"""The engine's exception tree. Imports nothing from the package, so any module may raise these.

Each error carries the CLI exit code it maps to, so the CLI never guesses (see README, "Exit codes").
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_ACTIONS_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_REFUSED = 3
EXIT_INTERRUPTED = 130


class TeardownError(Exception):
    """Base of every error the engine raises on purpose."""

    exit_code = EXIT_BAD_INPUT


class BadInputError(TeardownError):
    """The user gave something unusable: a flag, an id, a config file."""

    exit_code = EXIT_BAD_INPUT


class UnknownResourceError(BadInputError):
    """An id given on the command line names nothing in the account; ``ref`` is that id, as given."""

    def __init__(self, message: str, ref: str | None = None) -> None:
        super().__init__(message)
        self.ref = ref


class PlanFileError(BadInputError):
    """A plan file is malformed, of an unknown format version, or does not match its digest."""


class SelectionRefused(TeardownError):
    """The selection cannot be carried out safely as given; the message names the flag that resolves it."""

    exit_code = EXIT_REFUSED


class GraphCycleError(TeardownError):
    """The action graph has a cycle; the message names the resources on it."""

    exit_code = EXIT_REFUSED


class PlanRefused(TeardownError):
    """A valid plan that may not be applied here and now: stale, wrong account or region, over a guard."""

    exit_code = EXIT_REFUSED

    def __init__(self, message: str, differences: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.differences = differences


class ApplyLocked(PlanRefused):
    """Another apply of the same plan holds its lock."""


class WorkflowFailed(TeardownError):
    """A workflow could not set up its world (the demo's seeding of the emulator failed)."""

    exit_code = EXIT_ACTIONS_FAILED
