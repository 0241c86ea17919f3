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

from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
)

from teardown.aws.classify import error_code, error_status, error_text
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
from teardown.errors import EXIT_ACTIONS_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_REFUSED, TeardownError

# Service answers that mean the credentials may not act (STS answers some of them with a 400).
_REFUSED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "ExpiredToken", "ExpiredTokenException",
                            "InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch"})

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
    except TeardownError as exc:
        print_error(str(exc), list(getattr(exc, "differences", ())), log_format=log_format)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (NoCredentialsError, PartialCredentialsError, ProfileNotFound, NoRegionError) as exc:
        print_error(f"AWS configuration: {exc}", log_format=log_format)
        return EXIT_BAD_INPUT
    except EndpointConnectionError as exc:
        print_error(f"cannot reach {exc.kwargs.get('endpoint_url')}: check --endpoint-url, the region and the "
                    "network (is the emulator running?)", log_format=log_format)
        return EXIT_BAD_INPUT
    except ClientError as exc:
        aws_code, status = error_code(exc) or "", error_status(exc) or 0
        print_error(f"AWS refused: {error_text(exc)}", log_format=log_format)
        # Credentials the service does not accept, or lacking a permission: the request was refused.
        return EXIT_REFUSED if status in (401, 403) or aws_code in _REFUSED_CODES else EXIT_ACTIONS_FAILED
    except OSError as exc:
        # A backstop: the commands check their files themselves and say which file is which. This keeps any
        # other file the OS refuses from ending in a traceback.
        where = f"{exc.filename}: " if exc.filename is not None else ""
        print_error(f"{where}{exc.strerror or exc}", log_format=log_format)
        return EXIT_BAD_INPUT
    return code


def run() -> None:
    sys.exit(main())
