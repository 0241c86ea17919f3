"""`sitewise-teardown plan`: discover, select, order, and write a reviewable plan file. Mutates nothing."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from teardown.cli import add_global_options, target_from_args
from teardown.discover import discover_target
from teardown.errors import EXIT_OK, BadInputError
from teardown.model import Inventory
from teardown.plan import make_plan, write_plan
from teardown.render import render_text
from teardown.select import SelectionSpec

SHOWN_ACTIONS = 25


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "plan",
        help="discover and write a reviewable teardown plan (read-only)",
        description="Discover what the selectors name, close over what that implies, and write a plan file. "
        "Selectors combine as a union; protections refuse any plan that would touch what they guard.",
    )
    add_selection_options(parser)
    parser.add_argument("--out", type=Path, help="plan file to write (default: plans/<time>-<digest>.plan.json)")
    parser.add_argument("--inventory", type=Path, help="plan from a saved inventory instead of the live account")
    parser.add_argument("--save-inventory", type=Path, help="also save the discovered inventory as JSON")
    parser.add_argument("--workers", type=int, default=8, help="concurrent discovery calls (default 8)")
    add_global_options(parser)
    parser.set_defaults(func=run)


def add_selection_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("selection (repeatable, combinable; ids are UUIDs or externalId:X)")
    group.add_argument("--all", action="store_true",
                       help="every asset, asset model, and Monitor portal and project")
    group.add_argument("--subtree", action="append", default=[], metavar="ASSET",
                       help="the asset and all its descendants (a site decommission)")
    group.add_argument("--asset-model", action="append", default=[], metavar="MODEL",
                       help="the asset model and all its assets")
    group.add_argument("--tag", action="append", default=[], metavar="KEY=VALUE", help="resources with this tag")
    group.add_argument("--name", action="append", default=[], metavar="REGEX",
                       help="assets and models whose name matches")
    group.add_argument("--portal", action="append", default=[], metavar="PORTAL",
                       help="the Monitor portal with its projects, dashboards and access policies (assets are kept)")
    group.add_argument("--project", action="append", default=[], metavar="PROJECT",
                       help="the Monitor project with its dashboards and access policies (assets are kept)")
    group.add_argument("--protect", action="append", default=[], metavar="ID",
                       help="never delete or change this resource")
    group.add_argument("--protect-tag", action="append", default=[], metavar="KEY=VALUE",
                       help="never delete or change resources with this tag")


def spec_from_args(args: argparse.Namespace) -> SelectionSpec:
    return SelectionSpec.from_flags(
        all=args.all, subtrees=args.subtree, asset_models=args.asset_model, tags=args.tag, names=args.name,
        protect=args.protect, protect_tags=args.protect_tag, portals=args.portal, projects=args.project,
    )


def run(args: argparse.Namespace) -> int:
    spec = spec_from_args(args)
    if spec.is_empty:
        raise BadInputError("nothing selected: give --all, --subtree, --asset-model, --tag, --name, --portal "
                            "or --project")
    if args.inventory is not None:
        inventory = _load_inventory(args.inventory)
    else:
        inventory = discover_target(target_from_args(args), spec, workers=args.workers)
    if args.save_inventory is not None:
        args.save_inventory.write_text(json.dumps(inventory.to_json(), indent=1) + "\n", encoding="utf-8")
    plan, _selection = make_plan(inventory, spec)
    if plan.is_empty:
        print(render_text(plan), end="")
        return EXIT_OK
    path = write_plan(plan, args.out)
    print(render_text(plan, limit=SHOWN_ACTIONS), end="")
    print(f"\nPlan written to {path}")
    print(f"Review it:  sitewise-teardown show {path} --format markdown")
    print(f"Apply it:   sitewise-teardown apply {path}")
    sys.stdout.flush()
    return EXIT_OK


def _load_inventory(path: Path) -> Inventory:
    try:
        return Inventory.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise BadInputError(f"{path}: no such inventory file") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise BadInputError(f"{path}: not a valid inventory file: {exc}") from None
