"""The plan-review workflow (examples/plan-review/): the commands its steps run, run for real.

The workflow's steps call three scripts; these tests check that the workflow file calls them as tested, then
run them with bash against the emulator over HTTP, the CLI as a subprocess (on a manual clock, see
tests/support/cli_on_manual_clock.py) and, for the comment script, a stand-in for ``gh api``
(tests/support/fake_gh.py). GitHub itself (triggers, artifacts, OIDC) is not simulated.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from teardown.aws.target import AwsTarget, sitewise_client
from teardown.emulator import is_mutating, serve
from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.clock import ManualClock
from teardown.emulator.seed import SeededWorld, seed_world
from tests.support.worlds import ACCOUNT, APPLY_WORLD, REGION

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "plan-review"
WORKFLOW = EXAMPLE / "sitewise-plan-review.yml"
DIGEST_LINE = re.compile(r"^<!-- sitewise-teardown-digest: (sha256:[0-9a-f]{64}|none) -->$", re.MULTILINE)


@dataclass
class Served:
    backend: SiteWiseBackend
    client: IoTSiteWiseClient
    world: SeededWorld
    env: dict[str, str]  # what the scripts run with: the emulator's endpoint, the CLI on a manual clock
    tmp: Path

    def run(self, script: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", str(EXAMPLE / script), *map(str, args)], env=self.env, cwd=self.tmp,
                              capture_output=True, text=True, timeout=120, check=False)

    def selection(self, text: str, name: str = "site.selection") -> Path:
        path = self.tmp / name
        path.write_text(text)
        return path

    def mutations(self) -> dict[str, int]:
        return {op: n for op, n in self.backend.call_counts().items() if is_mutating(op)}

    def asset_exists(self, path: str) -> bool:
        try:
            self.client.describe_asset(assetId=self.world.assets[path])
        except self.client.exceptions.ResourceNotFoundException:
            return False
        return True


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    """The apply world of tests/support/worlds.py behind the emulator's HTTP server (instant latencies)."""
    clock = ManualClock()
    backend = SiteWiseBackend(clock=clock, latency="instant", quotas="off", account_id=ACCOUNT, region=REGION)
    with serve(backend) as server:
        endpoint = {"AWS_ENDPOINT_URL_IOTSITEWISE": server.url, "AWS_ENDPOINT_URL_STS": server.url,
                    "AWS_DISABLE_HOST_PREFIX_INJECTION": "true"}
        for name, value in endpoint.items():
            monkeypatch.setenv(name, value)
        client = sitewise_client(AwsTarget(region=REGION))
        world = seed_world(client, APPLY_WORLD, clock=clock)
        env = {**os.environ, "SITEWISE_TEARDOWN": f"{sys.executable} -m tests.support.cli_on_manual_clock",
               "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}
        yield Served(backend, client, world, env, tmp_path)


def _steps(job: dict[str, Any]) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def test_the_workflow_runs_the_tested_scripts() -> None:
    """The plan job plans and posts through plan.sh and comment.sh, the merge job applies through apply.sh with
    the digest from the bot's comment, and the artifact it downloads is the one the plan job uploads."""
    workflow = yaml.safe_load(WORKFLOW.read_text())
    trigger = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(trigger["pull_request"]["types"]) >= {"synchronize", "closed"}
    assert trigger["pull_request"]["paths"] == ["sitewise/*.selection"]
    scripts = workflow["env"]["SCRIPTS"]
    assert (ROOT / scripts).resolve() == EXAMPLE
    plan, apply = workflow["jobs"]["plan"], workflow["jobs"]["apply"]
    assert "closed" in plan["if"] and "merged" in apply["if"]

    plan_runs = _steps(plan)
    assert any(r.startswith('$SCRIPTS/plan.sh "$SELECTION" plan') for r in plan_runs)
    assert any('$SCRIPTS/comment.sh upsert "$PR" "$PLAN_MARKER" plan/comment.md' in r for r in plan_runs)
    uploaded = next(s for s in plan["steps"] if s.get("uses", "").startswith("actions/upload-artifact"))
    assert uploaded["with"]["path"] == "plan/"

    apply_runs = "\n".join(_steps(apply))
    downloaded = re.search(r'gh run download "\$run_id" --name "([^"]+)" --dir plan', apply_runs)
    assert downloaded is not None
    assert downloaded.group(1).replace("$PR", "${{ github.event.pull_request.number }}") == uploaded["with"]["name"]
    assert '$SCRIPTS/comment.sh get "$PR" "$PLAN_MARKER" > plan/reviewed-comment.md' in apply_runs
    assert "$SCRIPTS/apply.sh plan plan/reviewed-comment.md" in apply_runs
    assert '$SCRIPTS/comment.sh upsert "$PR" "$REPORT_MARKER" plan/report.md' in apply_runs
    assert workflow["env"]["PLAN_MARKER"] in (EXAMPLE / "plan.sh").read_text()
    assert workflow["env"]["REPORT_MARKER"] in (EXAMPLE / "apply.sh").read_text()


@pytest.mark.http
def test_plan_comment_then_apply_exactly_the_reviewed_plan(served: Served) -> None:
    """A pull request plans site 1, then a push adds site 2: each plan's comment carries its digest and the
    markdown plan. After merge, the superseded artifact is refused (exit 3) and a corrupted one is bad input
    (exit 2), neither sending a mutating call; the reviewed artifact applies (exit 0) and the report says so."""
    first = served.run("plan.sh", served.selection(f"--subtree {served.world.assets['site-1']}  # OPS-1\n"), "pr-1")
    assert first.returncode == 0, first.stderr
    old_digest = (served.tmp / "pr-1" / "digest").read_text().strip()

    pushed = served.selection(f"# decommission two sites\n--subtree {served.world.assets['site-1']}\n"
                              f"--subtree {served.world.assets['site-2']}\n")
    second = served.run("plan.sh", pushed, "plan")
    assert second.returncode == 0, second.stderr
    comment = (served.tmp / "plan" / "comment.md").read_text()
    digest = (served.tmp / "plan" / "digest").read_text().strip()
    assert digest != old_digest
    assert comment.startswith("<!-- sitewise-teardown-plan -->\n")
    assert DIGEST_LINE.findall(comment) == [digest]
    assert f"- **Digest:** `{digest}`" in comment
    assert "| delete assets | 6 |" in comment
    assert f"apply --expect-digest {digest}" in comment
    reviewed = served.tmp / "reviewed-comment.md"
    shutil.copy(served.tmp / "plan" / "comment.md", reviewed)

    before = served.mutations()
    superseded = served.tmp / "superseded"
    shutil.copytree(served.tmp / "pr-1", superseded)
    refused = served.run("apply.sh", superseded, reviewed)
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert "refused, nothing was changed (exit 3)" in (superseded / "report.md").read_text()
    assert digest in refused.stderr

    corrupted = served.tmp / "corrupted"
    shutil.copytree(served.tmp / "plan", corrupted)
    plan_file = corrupted / "plan.json"
    data = json.loads(plan_file.read_text())
    data["actions"] = data["actions"][:1]
    plan_file.write_text(json.dumps(data))
    assert served.run("apply.sh", corrupted, reviewed).returncode == 2
    assert served.mutations() == before

    applied = served.run("apply.sh", served.tmp / "plan", reviewed)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert not served.asset_exists("site-1") and not served.asset_exists("site-2/t1")
    assert served.asset_exists("spare")
    report = (served.tmp / "plan" / "report.md").read_text()
    assert report.startswith("<!-- sitewise-teardown-report -->\n## SiteWise teardown: applied (exit 0)")
    assert f"Plan `{digest}`" in report
    assert re.search(r"^delete_asset +6 ", report, re.MULTILINE)
    assert "  [" not in report  # the progress lines stay in the job log
    assert json.loads((served.tmp / "plan" / "report.json").read_text())["exit_code"] == 0


@pytest.mark.http
def test_a_refused_selection_comments_why_and_merging_applies_nothing(served: Served) -> None:
    """A selection that touches a protected asset: plan.sh exits 3 with the refusal in the comment and no
    digest; apply.sh given that comment applies nothing (exit 0)."""
    site, turbine = served.world.assets["site-1"], served.world.assets["site-1/t1"]
    result = served.run("plan.sh", served.selection(f"--subtree {site}\n--protect {turbine}\n"), "plan")
    assert result.returncode == 3
    comment = (served.tmp / "plan" / "comment.md").read_text()
    assert DIGEST_LINE.findall(comment) == ["none"]
    assert "not made (exit 3)" in comment
    assert "error: selection refused" in comment
    assert not (served.tmp / "plan" / "plan.json").exists()
    before = served.mutations()
    nothing = served.run("apply.sh", served.tmp / "plan", served.tmp / "plan" / "comment.md")
    assert nothing.returncode == 0
    assert "nothing to apply" in nothing.stdout
    assert served.mutations() == before


@pytest.mark.skipif(shutil.which("jq") is None, reason="the gh stand-in runs --jq filters with jq")
def test_the_plan_comment_is_updated_not_duplicated(tmp_path: Path) -> None:
    """comment.sh upsert posts the bot's comment once and then edits it in place; a person's comment quoting the
    marker is never edited nor read back; get returns the bot's latest body."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m tests.support.fake_gh "$@"\n')
    gh.chmod(0o755)
    state = tmp_path / "gh.json"
    marker = "<!-- sitewise-teardown-plan -->"
    quoted = {"id": 90, "issue": 7, "user": {"login": "alice"}, "body": f"why does {marker} say that?"}
    state.write_text(json.dumps({"next_id": 100, "comments": [quoted]}))
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "FAKE_GH_STATE": str(state),
           "GITHUB_REPOSITORY": "acme/sites",
           "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}

    def comment(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", str(EXAMPLE / "comment.sh"), *args], env=env, capture_output=True, text=True,
                              timeout=60, check=False)

    for push in (1, 2, 3):
        body = tmp_path / f"body-{push}.md"
        body.write_text(f"{marker}\nplan of push {push}\n")
        assert comment("upsert", "7", marker, str(body)).returncode == 0
    comments = json.loads(state.read_text())["comments"]
    assert len(comments) == 2
    assert comments[0] == quoted
    assert comments[1]["user"]["login"] == "github-actions[bot]"
    assert comments[1]["body"] == f"{marker}\nplan of push 3\n"
    calls = [method for method, _ in json.loads(state.read_text())["calls"]]
    assert calls.count("POST") == 1 and calls.count("PATCH") == 2
    got = comment("get", "7", marker)
    assert got.returncode == 0
    assert got.stdout == f"{marker}\nplan of push 3\n\n"  # jq -r ends the body with a newline
    assert comment("get", "8", marker).returncode == 3
