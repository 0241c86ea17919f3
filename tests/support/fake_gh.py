"""A stand-in for the GitHub CLI's ``gh api`` on issue comments, for testing the plan-review workflow's
comment script without GitHub. No tests here.

    FAKE_GH_STATE=state.json python -m tests.support.fake_gh api [-X METHOD] PATH [--paginate] [--jq F] [-F body=@FILE]

Comments live in the JSON file ``FAKE_GH_STATE`` (``{"next_id": N, "comments": [{"id", "issue", "user":
{"login"}, "body"}]}``); new ones are written as ``FAKE_GH_USER`` (default ``github-actions[bot]``). ``--jq``
filters are run by the real ``jq -r`` on the answer, as ``gh`` runs its own on each page. Every call is
appended to ``FAKE_GH_STATE``'s ``calls`` list, so a test can see which requests were made.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="gh")
    parser.add_argument("command", choices=["api"])
    parser.add_argument("path")
    parser.add_argument("-X", "--method", default="GET")
    parser.add_argument("--paginate", action="store_true")
    parser.add_argument("--jq")
    parser.add_argument("-F", "--field", action="append", default=[])
    args = parser.parse_args(argv)
    state_file = Path(os.environ["FAKE_GH_STATE"])
    state: dict[str, Any] = json.loads(state_file.read_text()) if state_file.exists() else {}
    state.setdefault("next_id", 1)
    state.setdefault("comments", [])
    state.setdefault("calls", []).append([args.method, args.path])
    fields = dict(f.split("=", 1) for f in args.field)
    body = Path(fields["body"][1:]).read_text() if fields.get("body", "").startswith("@") else fields.get("body")

    answer: Any
    if match := re.fullmatch(r"repos/[^/]+/[^/]+/issues/(\d+)/comments", args.path):
        issue = int(match.group(1))
        if args.method == "POST":
            answer = {"id": state["next_id"], "issue": issue, "body": body,
                      "user": {"login": os.environ.get("FAKE_GH_USER", "github-actions[bot]")}}
            state["next_id"] += 1
            state["comments"].append(answer)
        else:
            answer = [c for c in state["comments"] if c["issue"] == issue]
    elif match := re.fullmatch(r"repos/[^/]+/[^/]+/issues/comments/(\d+)", args.path):
        comment = next(c for c in state["comments"] if c["id"] == int(match.group(1)))
        if args.method == "PATCH":
            comment["body"] = body
        answer = comment
    else:
        print(f"fake gh: no such endpoint {args.path}", file=sys.stderr)
        return 1
    state_file.write_text(json.dumps(state, indent=1))
    text = json.dumps(answer)
    if args.jq:
        out = subprocess.run(["jq", "-r", args.jq], input=text, capture_output=True, text=True, check=True).stdout
        sys.stdout.write(out)
    else:
        sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
