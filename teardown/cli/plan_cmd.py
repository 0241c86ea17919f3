"""`sitewise-teardown plan`: discover, select, order, and write a reviewable plan file. Mutates nothing."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from teardown.archive.capture import capture_archive
from teardown.archive.document import write_archive
from teardown.aws.calls import Calls
from teardown.aws.clock import SystemClock
from teardown.aws.discover import discover_target
from teardown.aws.pacing import RateLimiter
from teardown.aws.target import sitewise_client
from teardown.cli.options import add_rate_option, positive_int, selection_options, spec_from_args, target_from_args
from teardown.cli.tables import plan_view
from teardown.cli.terminal import Screen
from teardown.errors import EXIT_OK, BadInputError
from teardown.files import check_writable, read_text, write_text_atomic
from teardown.inventory.records import Inventory
from teardown.inventory.selectors import SELECTORS
from teardown.planning.make import make_plan
from teardown.planning.planfile import DEFAULT_DIR, write_plan
from teardown.planning.render import render_text

SHOWN_ACTIONS = 25


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], parents: list[argparse.ArgumentParser]
) -> None:
    parser = subparsers.add_parser(
        "plan", parents=[*parents, selection_options()],
        help="discover and write a reviewable teardown plan (read-only)",
        description="Discover what the selectors name, close over what that implies, and write a plan file. "
        "Selectors combine as a union; protections refuse any plan that would touch what they guard.",
    )
    parser.add_argument("--out", type=Path, help="plan file to write (default: plans/<time>-<digest>.plan.json)")
    parser.add_argument("--inventory", type=Path, help="plan from a saved inventory instead of the live account")
    parser.add_argument("--save-inventory", type=Path, help="also save the discovered inventory as JSON")
    parser.add_argument("--archive", type=Path, metavar="FILE",
                        help="also capture the archive of what the plan deletes (what `restore` reads), without "
                        "applying; needs the live account, not --inventory")
    parser.add_argument("--workers", type=positive_int, default=8, metavar="N",
                        help="concurrent discovery calls (default 8)")
    add_rate_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    spec = spec_from_args(args)
    rates = dict(args.rate) or None
    if spec.is_empty:
        flags = [s.flag for s in SELECTORS if s.selects]
        raise BadInputError(f"nothing selected: give {', '.join(flags[:-1])} or {flags[-1]}")
    # Before discovery spends a single call: where the plan and the inventory go must be writable.
    if args.out is not None:
        check_writable(args.out, "plan")
    else:
        check_writable(DEFAULT_DIR, "plans directory", directory=True)
    if args.save_inventory is not None:
        check_writable(args.save_inventory, "inventory")
    if args.archive is not None:
        if args.inventory is not None:
            raise BadInputError("--archive reads the definitions from the live account; it cannot be used "
                                "with --inventory")
        check_writable(args.archive, "archive")
    if args.inventory is not None:
        inventory = _load_inventory(args.inventory)
    else:
        inventory = discover_target(target_from_args(args), spec, workers=args.workers, rates=rates)
    if args.save_inventory is not None:
        write_text_atomic(args.save_inventory, json.dumps(inventory.to_json(), indent=1) + "\n", "inventory")
    plan, _selection = make_plan(inventory, spec)
    screen = Screen(log_format=args.log_format)
    if plan.is_empty:
        screen.show(render_text(plan), plan_view(plan))
        return EXIT_OK
    path = write_plan(plan, args.out)
    screen.show(render_text(plan, limit=SHOWN_ACTIONS), plan_view(plan, limit=SHOWN_ACTIONS))
    screen.line()
    screen.line(f"Plan written to {path}", style="bold")
    if args.archive is not None:
        clock = SystemClock()
        archive = capture_archive(plan, Calls(sitewise_client(target_from_args(args)), clock,
                                              limiter=RateLimiter(clock, rates)))
        write_archive(archive, args.archive)
        screen.line(f"Archive written to {args.archive} ({archive.digest})")
        screen.line(f"Restore it: sitewise-teardown restore {args.archive}")
    screen.line(f"Review it:  sitewise-teardown show {path} --format markdown")
    screen.line(f"Apply it:   sitewise-teardown apply {path}")
    return EXIT_OK


def _load_inventory(path: Path) -> Inventory:
    text = read_text(path, "inventory file")
    try:
        return Inventory.from_json(json.loads(text))
    except KeyError as exc:
        raise BadInputError(f"{path}: not a valid inventory file: missing key {exc.args[0]!r}") from None
    except (ValueError, TypeError, AttributeError) as exc:
        raise BadInputError(f"{path}: not a valid inventory file: {exc}") from None
