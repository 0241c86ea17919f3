"""`sitewise-teardown apply` on the command line: exit codes, confirmation, summary, progress bar.

The ``cli`` fixture (tests/conftest.py) runs the command with its ``apply`` on the test's ManualClock, the clock
of ``env`` (no real sleeps); everything else, argument parsing, the client built from the global options, STS,
the prompt and the output, is real."""

from __future__ import annotations

import io
import json
import threading
from typing import Any

import pytest

from teardown.applying.paths import report_path
from teardown.applying.progress import Progress
from teardown.applying.run import apply
from teardown.cli import apply_cmd, main
from teardown.cli.progress import PlainProgress, render
from teardown.emulator import FaultSettings
from teardown.inventory.selectors import SelectionSpec
from tests.support.cli import Cli
from tests.support.planfiles import edit_plan_file
from tests.support.worlds import FAST_OBSERVE, Env


def test_auto_approve_applies_and_prints_the_summary(env: Env, cli: Cli) -> None:
    """Exit 0, a summary table with per-kind counts on stdout, the report file beside the plan."""
    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)))
    result = cli("apply", str(path), "--auto-approve", "--region", "us-east-1")
    assert result.code == 0
    out = result.out
    assert "delete_asset" in out
    assert "total" in out
    assert json.loads(report_path(path).read_text())["exit_code"] == 0
    assert not env.asset_exists("site-1")


def test_without_a_terminal_and_without_auto_approve_it_refuses(env: Env, cli: Cli) -> None:
    """No TTY to ask on: refused with exit 3 before any SiteWise call, mutating or not."""
    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)))
    before = env.backend.call_counts()
    result = cli("apply", str(path))
    assert result.code == 3
    assert "--auto-approve" in result.err
    assert env.backend.call_counts() == before


def test_on_a_terminal_the_default_answer_is_no(env: Env, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pressing Enter at "Apply N actions? [y/N]" refuses (exit 3); "y" applies (exit 0)."""
    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)))
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    refused = cli("apply", str(path))
    assert refused.code == 3
    assert "Apply 8 actions? [y/N]" in refused.err
    assert env.asset_exists("site-1")
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    assert cli("apply", str(path)).code == 0
    assert not env.asset_exists("site-1")


def test_bad_plan_file_exits_2(env: Env, cli: Cli) -> None:
    """A tampered plan is bad input: exit 2, with the reason."""
    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)))
    edit_plan_file(path, lambda d: d.update(account="000000000000"))
    result = cli("apply", str(path), "--auto-approve")
    assert result.code == 2
    assert "digest mismatch" in result.err


def test_max_deletes_refusal_exits_3(env: Env, cli: Cli) -> None:
    """--max-deletes below the plan's deletes: exit 3, nothing changed."""
    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)))
    before = env.mutating_calls()
    assert cli("apply", str(path), "--auto-approve", "--max-deletes", "1").code == 3
    assert env.mutating_calls() == before


def test_a_failed_action_exits_1_and_names_the_root_cause(env: Env, cli: Cli) -> None:
    """A delete that ends FAILED: exit 1 and the summary lists it as a root cause."""
    _, path = env.plan(SelectionSpec(all=True))
    env.backend.faults = FaultSettings(fail_delete_ids=frozenset({env.world.assets["spare"]}))
    result = cli("apply", str(path), "--auto-approve")
    assert result.code == 1
    out = result.out
    assert "root causes" in out
    assert env.world.assets["spare"] in out


def test_interrupt_exits_130(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stop requested (as by Ctrl-C) before anything starts: exit 130, and the plan can be resumed."""

    def stopped_at_once(*args: Any, stop: threading.Event, **kwargs: Any) -> Any:
        stop.set()
        return apply(*args, **kwargs, stop=stop, clock=env.clock, observe=FAST_OBSERVE)

    monkeypatch.setattr(apply_cmd, "apply", stopped_at_once)
    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)))
    assert main(["apply", str(path), "--auto-approve"]) == 130
    assert env.asset_exists("site-1")


def test_progress_line_shows_counts_rate_and_eta() -> None:
    """The plain line names each action type's progress, failures, the rate and the ETA, once per step."""
    p = Progress(totals={"delete_asset": 30, "delete_asset_model": 7}, finished={"delete_asset": 12},
                 failed=1, skipped=2, in_flight=4, elapsed=6.0, rate=2.0, eta=11.0)
    line = render(p)
    assert "15/37" in line
    assert "assets 12/30" in line
    assert "models 0/7" in line
    assert "failed 1" in line
    assert "skipped 2" in line
    assert "2.0/s" in line
    assert "ETA 11s" in line
    stream = io.StringIO()
    plain = PlainProgress(stream, clock=lambda: 0.0)
    plain.update(p)
    plain.close()
    assert stream.getvalue() == f"  {line}\n"
