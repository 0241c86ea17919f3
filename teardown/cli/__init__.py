"""The command line: thin commands over plain functions. Only this package prints.

Each command lives in its own module exposing ``register(subparsers)``; the module's handler takes the
parsed arguments and returns an exit code (see ``teardown.errors`` and the README's exit code table).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from teardown.aws import AwsTarget
from teardown.cli import _logging
from teardown.errors import EXIT_BAD_INPUT, EXIT_INTERRUPTED, TeardownError

# Command modules, in the order `--help` lists them. Each has register(subparsers).
_COMMAND_MODULES = (
    "teardown.cli.plan_cmd",
    "teardown.cli.show_cmd",
    "teardown.cli.apply_cmd",
    "teardown.cli.reset_cmd",
    "teardown.cli.demo_cmd",
    "teardown.cli.emulator_cmd",
)


def add_global_options(parser: argparse.ArgumentParser) -> None:
    """Options every command honours; the standard AWS_* variables apply when these are absent."""
    group = parser.add_argument_group("AWS and output")
    group.add_argument("--region", help="AWS region (default: AWS_REGION / AWS_DEFAULT_REGION / profile)")
    group.add_argument("--profile", help="AWS named profile (default: AWS_PROFILE)")
    group.add_argument(
        "--endpoint-url",
        help="SiteWise (and STS) endpoint, e.g. the emulator's (default: AWS_ENDPOINT_URL_IOTSITEWISE)",
    )
    group.add_argument(
        "--log-format",
        choices=("text", "json"),
        default=None,
        help="structured log format (default: text on a terminal, json otherwise)",
    )
    group.add_argument("-v", "--verbose", action="store_true", help="log debug events too")


def target_from_args(args: argparse.Namespace) -> AwsTarget:
    """Where the global options point (None falls through to the standard AWS_* variables)."""
    return AwsTarget(region=args.region, profile=args.profile, endpoint_url=args.endpoint_url)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sitewise-teardown",
        description="Dependency-aware bulk teardown for AWS IoT SiteWise: discover, plan, review, apply.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a command still being built must not break the others
            if exc.name != name:
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _logging.configure(getattr(args, "log_format", None), verbose=getattr(args, "verbose", False))
    try:
        code: int = args.func(args)
    except TeardownError as exc:
        print(f"error: {exc}", file=sys.stderr)
        for line in getattr(exc, "differences", ()):
            print(f"  - {line}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return code


def run() -> None:
    sys.exit(main())
