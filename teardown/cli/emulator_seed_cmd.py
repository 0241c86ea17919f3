"""``sitewise-teardown emulator seed``: seed a world into a running emulator (or any SiteWise endpoint).

    sitewise-teardown emulator seed --world windfarm                       # the packaged windfarm
    sitewise-teardown emulator seed --world examples/worlds/windfarm.toml  # a world file
    sitewise-teardown emulator seed --random-assets 2000 --seed 7          # a seeded random forest
    sitewise-teardown emulator seed --region eu-west-1 --account 222222222222   # another world of the emulator

The endpoint comes from --endpoint-url or AWS_ENDPOINT_URL_IOTSITEWISE (what `emulator serve` prints).
The emulator keeps a world per account and region: --region picks the region (the signing region), and
--account the account (moto's ``x-moto-account-id`` header; credentials of a role assumed through the
emulator's STS land in that role's account without it).
Registered under "emulator" by ``teardown.cli.emulator_cmd``.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from botocore.exceptions import EndpointConnectionError

from teardown.aws.clock import SystemClock
from teardown.aws.target import AwsTarget, sitewise_client
from teardown.cli.options import target_from_args
from teardown.errors import EXIT_BAD_INPUT, EXIT_OK

DEFAULT_REGION = "us-east-1"  # the emulator's default region, when neither flag nor environment names one
ACCOUNT_ID = re.compile(r"\d{12}")
# moto's header naming the account a request is for; the emulator's world selection honours it as moto does.
ACCOUNT_HEADER = "x-moto-account-id"


def register(emulator_subparsers: Any, parents: list[argparse.ArgumentParser]) -> None:
    parser = emulator_subparsers.add_parser(
        "seed", parents=parents,
        help="seed a world (windfarm, a TOML file, or a random forest) into a running emulator",
        description="Create a world's models, assets, hierarchy, portals, projects, dashboards, access "
        "policies, gateways and time series through the SiteWise API, and wait until all are ACTIVE. "
        "Ids are stable: the same world and seed give the same ids.",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--world", metavar="FILE|NAME",
        help="a TOML world file, or the name of a packaged world (windfarm); default: windfarm",
    )
    source.add_argument("--random-assets", type=_positive_int, metavar="N", help="seed a random forest of N assets")
    random_opts = parser.add_argument_group("random worlds (with --random-assets)")
    random_opts.add_argument("--seed", type=int, default=1, help="random seed; same seed, same world (default: 1)")
    random_opts.add_argument("--depth", type=_positive_int, default=4, help="levels of the trees (default: 4)")
    random_opts.add_argument("--fanout", type=_positive_int, default=10, help="max children per asset (default: 10)")
    random_opts.add_argument("--projects", type=int, default=1, help="projects, one subtree each (default: 1)")
    parser.add_argument(
        "--account", type=_account_id, metavar="ID",
        help="the emulator's account to seed (default: the one the credentials map to; the emulator only)",
    )
    parser.add_argument("--max-workers", type=_positive_int, default=8, help="concurrent requests (default: 8)")
    parser.add_argument("--json", action="store_true", help="print every created id as JSON")
    parser.set_defaults(func=seed_command)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _account_id(text: str) -> str:
    if not ACCOUNT_ID.fullmatch(text):
        raise argparse.ArgumentTypeError("must be a 12-digit AWS account id")
    return text


def seed_command(args: argparse.Namespace) -> int:
    from teardown.emulator.seed import WorldError  # noqa: PLC0415  (the emulator loads only for emulator commands)

    # Seeding's errors are the emulator's, not the engine's (it imports nothing of the engine): this command
    # maps them to its exit code itself, as main() does for the engine's (2 bad world, 1 failed, 3 seeded).
    try:
        return _seed(args)
    except WorldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code


def _seed(args: argparse.Namespace) -> int:

    from teardown.emulator.seed import (  # noqa: PLC0415  (the emulator loads only for emulator commands)
        PACKAGED_WORLDS,
        load_world,
        packaged_world,
        random_world,
        seed_world,
    )

    if args.random_assets is not None:
        spec = random_world(seed=args.seed, assets=args.random_assets, depth=args.depth, fanout=args.fanout,
                            projects=args.projects)
    elif args.world is None or (args.world in PACKAGED_WORLDS and not Path(args.world).exists()):
        spec = packaged_world(args.world or "windfarm")
    else:
        spec = load_world(args.world)

    target = target_from_args(args)
    session = target.session()
    if session.region_name is None:
        target = AwsTarget(region=DEFAULT_REGION, profile=args.profile, endpoint_url=args.endpoint_url)
        session = target.session()
    client = sitewise_client(target, pool=args.max_workers, session=session)
    if args.account is not None:
        client.meta.events.register("before-sign.iotsitewise", functools.partial(_name_account, args.account))
    try:
        world = seed_world(client, spec, clock=SystemClock(), max_workers=args.max_workers)
    except EndpointConnectionError as exc:
        print(f"error: cannot reach SiteWise at {exc.kwargs.get('endpoint_url')}: is the emulator running "
              "(sitewise-teardown emulator serve)?", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        print(json.dumps(asdict(world), indent=2, sort_keys=True))
        return EXIT_OK
    where = target.sitewise_endpoint() or f"AWS {session.region_name}"
    where += f" (account {args.account}, {session.region_name})" if args.account else ""
    print(f"seeded world {spec.name!r} (seed {spec.seed}) into {where}")
    for name, count in world.counts().items():
        print(f"  {name:<16} {count:>7}")
    return EXIT_OK


def _name_account(account: str, request: Any, **_: Any) -> None:
    """Name the emulator's account on every request, before it is signed (the header is then signed too)."""
    request.headers[ACCOUNT_HEADER] = account
