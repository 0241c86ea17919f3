"""The command line as a user runs it: ``Cli`` runs ``teardown.cli.main`` and hands back a ``CliResult``.
The ``cli`` fixture built on it is in tests/conftest.py. No tests here."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from teardown.cli import main


@dataclass(frozen=True)
class CliResult:
    """What one ``teardown.cli.main`` run returned and printed."""

    code: int
    out: str
    err: str

    @property
    def errors(self) -> list[str]:
        """The ``error: ...`` lines on stderr."""
        return [line for line in self.err.splitlines() if line.startswith("error: ") or ": error: " in line]

    @property
    def clean(self) -> bool:
        """No Python traceback was printed."""
        return "Traceback" not in self.err and "Traceback" not in self.out


class Cli:
    """``cli(*argv)`` runs ``teardown.cli.main`` and returns its exit code (argparse's refusals included, which
    exit through SystemExit) with what it printed. Any other exception fails the test, as a traceback would."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys

    def __call__(self, *argv: str) -> CliResult:
        self.capsys.readouterr()
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse refuses a bad flag value by exiting 2
            code = exc.code if isinstance(exc.code, int) else 1
        captured = self.capsys.readouterr()
        return CliResult(code=code, out=captured.out, err=captured.err)
