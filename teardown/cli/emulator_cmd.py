"""``sitewise-teardown emulator serve``: run the SiteWise emulator over HTTP in the foreground.

Other emulator subcommands live in their own modules; each exposes ``register(emulator_subparsers,
parents)`` (the seeding command is ``teardown.cli.emulator_seed_cmd``).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any, TextIO

from teardown.cli import emulator_seed_cmd

DUMMY_ACCESS_KEY = "testing"
DUMMY_SECRET_KEY = "testing"


def register(subparsers: Any, parents: list[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "emulator",
        help="run the local SiteWise emulator",
        description="A faithful local IoT SiteWise emulator (plus STS), for demos, tests and benchmarks.",
    )
    commands = parser.add_subparsers(dest="emulator_command", required=True, metavar="SUBCOMMAND")
    serve = commands.add_parser(
        "serve", parents=parents,
        help="serve the emulator over HTTP until Ctrl-C",
        description="Serve the emulator (SiteWise + STS on one port) and print the environment a client needs.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=5000, help="port to bind; 0 picks a free one (default: 5000)")
    serve.add_argument(
        "--latency",
        choices=("instant", "realistic", "production"),
        default="realistic",
        help="how long transitions (CREATING, DELETING...) take (default: realistic)",
    )
    serve.add_argument("--quotas", choices=("off", "aws"), default="aws", help="request-rate quotas (default: aws)")
    serve.add_argument(
        "--time-scale",
        type=_positive_float,
        default=1.0,
        metavar="X",
        help="run the emulator's clock X times faster than wall time (default: 1)",
    )
    serve.add_argument(
        "--account-id", default="123456789012",
        help="the default world's account: the one dummy credentials land in (default: 123456789012)",
    )
    serve.set_defaults(func=serve_command)
    emulator_seed_cmd.register(commands, parents)


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


def client_environment(url: str, region: str) -> dict[str, str]:
    """What boto3 and the AWS CLI need to talk to the emulator at ``url`` without code changes."""
    return {
        "AWS_ENDPOINT_URL_IOTSITEWISE": url,
        "AWS_ENDPOINT_URL_STS": url,
        "AWS_DISABLE_HOST_PREFIX_INJECTION": "true",
        "AWS_ACCESS_KEY_ID": DUMMY_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET_KEY,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
    }


def print_environment(env: dict[str, str], out: TextIO) -> None:
    for name, value in env.items():
        print(f"export {name}={shlex.quote(value)}", file=out)


def serve_command(args: argparse.Namespace) -> int:
    # The emulator pulls in werkzeug and moto: only the command that serves pays for the imports.
    from teardown.emulator.backend import SiteWiseBackend  # noqa: PLC0415
    from teardown.emulator.clock import ScaledClock  # noqa: PLC0415
    from teardown.emulator.server import make_server_for  # noqa: PLC0415

    region = args.region or "us-east-1"
    backend = SiteWiseBackend(
        clock=ScaledClock(args.time_scale),
        latency=args.latency,
        quotas=args.quotas,
        account_id=args.account_id,
        region=region,
    )
    server = make_server_for(backend, host=args.host, port=args.port)
    # Ctrl-C at any moment from here on (even while the banner prints) is the normal way to stop.
    try:
        print(
            f"# SiteWise emulator on {server.url} (latency {args.latency}, quotas {args.quotas}, "
            f"time x{args.time_scale:g}); control API under {server.url}/_emulator/"
        )
        print(f"# One world per account and region; the default is {args.account_id} in {region}. Other regions:"
              " sign for them; other accounts: assume a role through this STS (worlds: GET /_emulator/worlds).")
        print("# Point clients at it with:")
        print_environment(client_environment(server.url, region), sys.stdout)
        sys.stdout.flush()
        server.serve_forever()  # werkzeug returns from here on Ctrl-C
    except KeyboardInterrupt:
        server.shutdown()
    print("# emulator stopped", flush=True)
    return 0
