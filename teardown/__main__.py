"""Run the command line: python -m teardown."""

from teardown.cli import run

run()
