"""`sitewise-teardown show PLAN`: render a saved plan for review (markdown for pull requests)."""

from __future__ import annotations

import argparse
from pathlib import Path

from teardown.errors import EXIT_OK, BadInputError
from teardown.planning.planfile import load_plan
from teardown.planning.render import FORMATS, MARKDOWN_LIMIT, render


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], parents: list[argparse.ArgumentParser]
) -> None:
    # The global options are accepted everywhere for uniform scripts; show itself reads no account.
    parser = subparsers.add_parser(
        "show", parents=parents, help="render a saved plan (text, json, markdown, dot, mermaid, digest)",
        description="Render a saved plan (its digest is verified first). markdown is a pull request comment: "
        f"past --max-chars characters (default {MARKDOWN_LIMIT:,}, under GitHub's 65,536) it summarises by "
        "subtree and kind and says where the full plan is (--full-plan). digest prints the verified digest "
        "alone, for scripts (apply --expect-digest).",
    )
    parser.add_argument("plan", type=Path, help="plan file")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default text)")
    parser.add_argument("--max-chars", type=int, default=MARKDOWN_LIMIT, metavar="N",
                        help=f"markdown: summarise past N characters (default {MARKDOWN_LIMIT})")
    parser.add_argument("--full-plan", metavar="TEXT",
                        help="markdown: where a summary says the full plan is, e.g. a link to the CI artifact "
                        "(default: this plan file and the show command)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.max_chars < 1:
        raise BadInputError("--max-chars must be at least 1")
    full_plan = args.full_plan or f"`{args.plan}` (`sitewise-teardown show {args.plan}` lists every action)"
    print(render(load_plan(args.plan), args.format, max_chars=args.max_chars, full_plan=full_plan), end="")
    return EXIT_OK
