"""A target run's outcome: its exit code and what to say, whatever ended it.

The exit codes are the README's (``teardown.errors``), classified exactly as the CLI classifies them for one
target (``teardown.aws.classify.exit_outcome``); anything else that ends a run (a bug) fails it, exit 1. The
fleet's exit code is the worst of its runs', the highest code: 130 interrupted, 3 refused, 2 bad input,
1 failed, 0 ok.
"""

from __future__ import annotations

from collections.abc import Iterable

from teardown.aws.classify import exit_outcome
from teardown.errors import EXIT_ACTIONS_FAILED, EXIT_OK


def classify(exc: BaseException) -> tuple[int, str]:
    """The exit code and message of an error that ended one target run."""
    return exit_outcome(exc) or (EXIT_ACTIONS_FAILED, f"{type(exc).__name__}: {exc}")


def worst(codes: Iterable[int]) -> int:
    return max(codes, default=EXIT_OK)
