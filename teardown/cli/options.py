"""Options shared by commands, as argparse parents: the global AWS and output options every command takes,
and the selector options (built from the selector table) of the commands that plan."""

from __future__ import annotations

import argparse
import math

from teardown.aws.pacing import DEFAULT_RATES
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


def add_rate_option(parser: argparse.ArgumentParser) -> None:
    """``--rate FAMILY=TPS`` (repeatable): the commands that read or change the account pace by it."""
    parser.add_argument("--rate", type=rate, action="append", default=[], metavar="FAMILY=TPS",
                        help="pace a quota family at this many requests per second, for an account whose quotas "
                        f"were raised or lowered (repeatable; default: the published {default_rates_text()})")


def default_rates_text() -> str:
    """The published per-family rates, as help text reads them ("asset 30, model 10, ...")."""
    return ", ".join(f"{family} {tps:g}" for family, tps in DEFAULT_RATES.items())


def rate(text: str) -> tuple[str, float]:
    """argparse type of ``--rate FAMILY=TPS``: a quota family of the published table and a positive rate
    (quotas are adjustable per account: this paces the engine at the account's own)."""
    family, sep, value = text.partition("=")
    if not sep or family not in DEFAULT_RATES:
        raise argparse.ArgumentTypeError(f"expected FAMILY=TPS with FAMILY one of {', '.join(DEFAULT_RATES)}, "
                                         f"not {text!r}")
    try:
        tps = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of requests per second, not {value!r}") from None
    if not (math.isfinite(tps) and tps > 0):
        raise argparse.ArgumentTypeError(f"a rate must be a positive number of requests per second, not {value!r}")
    return family, tps


def positive_int(text: str) -> int:
    """argparse type of counts that must be at least 1 (``--workers``)."""
    return _int_at_least(text, 1)


def non_negative_int(text: str) -> int:
    """argparse type of limits where 0 means none at all (``--max-deletes 0`` refuses any delete)."""
    return _int_at_least(text, 0)


def _int_at_least(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {value}")
    return value


def target_from_args(args: argparse.Namespace) -> AwsTarget:
    """Where the global options point (None falls through to the standard AWS_* variables)."""
    return AwsTarget(region=args.region, profile=args.profile, endpoint_url=args.endpoint_url)


def spec_from_args(args: argparse.Namespace) -> SelectionSpec:
    return SelectionSpec.from_flags(**{s.field: getattr(args, s.field) for s in SELECTORS})
