"""The command line: a table of thin commands over plain functions. Only this package prints.

Each command module exposes ``register(subparsers, parents)``; its handler takes the parsed arguments and
returns an exit code (see ``teardown.errors`` and the README's exit code table). Commands that need the
emulator or moto import them inside their handler, so the others start fast. Shell completion is generated
from the same table (``completion_cmd``).

Arguments may come from files: ``sitewise-teardown plan @site-7.selection`` reads one or more arguments per
line of the file (shell quoting, ``#`` comments), so a selection can live in a reviewed file.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence

from teardown.aws.classify import exit_outcome
from teardown.cli import (
    apply_cmd,
    completion_cmd,
    demo_cmd,
    emulator_cmd,
    fleet_cmd,
    logging_setup,
    plan_cmd,
    reset_cmd,
    restore_cmd,
    show_cmd,
)
from teardown.cli.options import global_options
from teardown.cli.terminal import print_error
from teardown.errors import EXIT_INTERRUPTED

# The commands, in the order `--help` lists them.
COMMANDS = (plan_cmd, show_cmd, apply_cmd, restore_cmd, reset_cmd, fleet_cmd, demo_cmd, emulator_cmd,
            completion_cmd)


class _Parser(argparse.ArgumentParser):
    def convert_arg_line_to_args(self, arg_line: str) -> list[str]:
        """An ``@file`` line: shell words, ``#`` starts a comment (``--subtree externalId:site-7  # OPS-12``)."""
        return shlex.split(arg_line, comments=True)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="sitewise-teardown",
        description="Dependency-aware bulk teardown for AWS IoT SiteWise: discover, plan, review, apply.",
        epilog="Arguments can be read from a file: @FILE (shell words per line, # comments).",
        fromfile_prefix_chars="@",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parents = [global_options()]
    for command in COMMANDS:
        command.register(subparsers, parents)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    log_format = getattr(args, "log_format", None)
    logging_setup.configure(log_format, verbose=getattr(args, "verbose", False))
    try:
        code: int = args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        # One table (shared with the fleet's target runs) says which errors are answers, and their codes.
        outcome = exit_outcome(exc)
        if outcome is None:
            raise
        print_error(outcome[1], list(getattr(exc, "differences", ())), log_format=log_format)
        return outcome[0]
    return code


def run() -> None:
    sys.exit(main())
