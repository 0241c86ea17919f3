"""`sitewise-teardown show PLAN`: render a saved plan for review (markdown for pull requests)."""

from __future__ import annotations

import argparse
from pathlib import Path

from teardown.errors import EXIT_OK
from teardown.planning.planfile import load_plan
from teardown.planning.render import FORMATS, render


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], parents: list[argparse.ArgumentParser]
) -> None:
    # The global options are accepted everywhere for uniform scripts; show itself reads no account.
    parser = subparsers.add_parser("show", parents=parents,
                                   help="render a saved plan (text, json, markdown, dot, mermaid)")
    parser.add_argument("plan", type=Path, help="plan file")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default text)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    print(render(load_plan(args.plan), args.format), end="")
    return EXIT_OK
