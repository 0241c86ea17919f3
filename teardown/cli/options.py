"""Options shared by commands, as argparse parents: the global AWS and output options every command takes,
and the selector options (built from the selector table) of the commands that plan."""

from __future__ import annotations

import argparse

from teardown.aws.target import AwsTarget
from teardown.inventory.selectors import SELECTORS, SelectionSpec


def global_options() -> argparse.ArgumentParser:
    """Options every command honours; the standard AWS_* variables apply when these are absent."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("AWS and output")
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
    return parent


def selection_options() -> argparse.ArgumentParser:
    """One flag per selector of the selector table (repeatable, combined as a union)."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("selection (repeatable, combinable; ids are UUIDs or externalId:X)")
    for selector in SELECTORS:
        if selector.value == "switch":
            group.add_argument(selector.flag, dest=selector.field, action="store_true", help=selector.help)
        else:
            group.add_argument(selector.flag, dest=selector.field, action="append", default=[],
                               metavar=selector.metavar, help=selector.help)
    return parent


def target_from_args(args: argparse.Namespace) -> AwsTarget:
    """Where the global options point (None falls through to the standard AWS_* variables)."""
    return AwsTarget(region=args.region, profile=args.profile, endpoint_url=args.endpoint_url)


def spec_from_args(args: argparse.Namespace) -> SelectionSpec:
    return SelectionSpec.from_flags(**{s.field: getattr(args, s.field) for s in SELECTORS})
