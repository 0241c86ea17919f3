"""What a person watches: the live display on a terminal, plain lines elsewhere, and the choice between them.

The live display is checked on rich's recording console and, end to end, by running the demo on a
pseudo-terminal; the plain lines by running the same demo into a pipe (pytest's capture). The demo runs
on a ManualClock, so no test waits for its latencies.
"""

from __future__ import annotations

import io
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import structlog
import structlog.testing
from rich.console import Console

from teardown.applying.progress import Progress
from teardown.cli import main
from teardown.cli.progress import LINE_EVERY, LiveProgress, PlainProgress, progress_view, render
from teardown.cli.terminal import Screen, is_styled
from teardown.emulator import QuotaSettings
from teardown.emulator.clock import ManualClock
from teardown.inventory.selectors import SelectionSpec
from teardown.kinds import KINDS, ActionKind
from tests.support.cli import Cli
from tests.support.worlds import Env

PLAIN_LINE = re.compile(r"^  \[[#-]{24}\] \d+/\d+ ", re.MULTILINE)
ANSI = re.compile(r"\x1b\[")


def _snapshot(**changes: Any) -> Progress:
    fields: dict[str, Any] = {
        "totals": {"disassociate_asset": 13, "delete_asset": 13, "disassociate_project_assets": 1},
        "finished": {"disassociate_asset": 9, "delete_asset": 5, "disassociate_project_assets": 1},
        "failed": 0, "skipped": 0, "in_flight": 5, "elapsed": 6.0, "rate": 2.4, "eta": 5.0,
        "last": "delete-asset/a-1", "event": "succeeded", "throttles": 2, "retries": 3,
    }
    return Progress(**{**fields, **changes})


def _terminal(width: int = 100) -> Console:
    return Console(record=True, force_terminal=True, width=width, file=io.StringIO(), color_system="truecolor")


@pytest.fixture
def terminal_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing in the environment forces or forbids colour."""
    for name in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")


def test_the_live_view_shows_every_kind_in_flight_rate_eta_throttles_and_retries() -> None:
    """One bar per action kind (labelled from the kind table, in its order) and one for the plan, then actions
    in flight, the rate, the ETA, throttles, retries, failures and the last event."""
    console = _terminal()
    console.print(progress_view(_snapshot(failed=1, skipped=2)))
    text = console.export_text(clear=False)
    labels = [line.split()[0] for line in text.splitlines()[:4]]
    order = [KINDS[ActionKind.DISASSOCIATE_PROJECT_ASSETS].short, KINDS[ActionKind.DISASSOCIATE_ASSET].short,
             KINDS[ActionKind.DELETE_ASSET].short, "all"]
    assert labels == order
    assert re.search(r"disassoc\s+━+.*\s9/13\s+69%", text)
    assert re.search(r"all\s+━+.*\s18/27\s+66%", text)
    assert "5 in flight" in text and "2.4 actions/s" in text and "ETA 5s" in text and "elapsed 6s" in text
    assert "throttled 2" in text and "retries 3" in text and "failed 1" in text and "skipped 2" in text
    assert "last: done delete-asset/a-1" in text
    assert "\x1b[1;31mfailed 1" in console.export_text(styles=True)  # failures in the error colour


def test_live_display_starts_at_the_first_snapshot_quiets_info_logs_and_restores_them() -> None:
    """Nothing is drawn before the first snapshot (the confirmation prompt comes first); while it runs, info
    events are filtered out (they would scroll it away) and warnings pass; closing restores the log level and
    leaves the last frame on screen."""
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(20))
    before = structlog.get_config()["wrapper_class"]
    console = _terminal()
    live = LiveProgress(console, auto_refresh=False, clock=ManualClock(start=0.0).now)
    assert console.export_text(clear=False) == ""
    live.update(_snapshot(finished={}, in_flight=1, elapsed=0.0, rate=0.0, eta=None, throttles=0, retries=0))
    with structlog.testing.capture_logs() as logged:
        structlog.get_logger().info("apply.action_finished")
        structlog.get_logger().warning("apply.stopping")
    assert [e["event"] for e in logged] == ["apply.stopping"]
    live.update(_snapshot(finished={"disassociate_asset": 13, "delete_asset": 13, "disassociate_project_assets": 1},
                          in_flight=0, eta=0.0))
    live.close()
    assert structlog.get_config()["wrapper_class"] is before
    frames = console.export_text()
    assert "Applying 27 actions" in frames
    assert frames.rstrip().splitlines()[-3].split()[:2] == ["0", "in"]  # the last frame: "0 in flight ... done"
    assert "27/27" in frames and "done" in frames


def test_plain_lines_come_at_a_bounded_rate_and_always_end_on_the_last_state() -> None:
    """Snapshots every 0.1 s for 10 s: one line per LINE_EVERY seconds, plus the final one; an interrupted run's
    last state, held back by the rate bound, is printed on close."""
    now = [0.0]
    stream = io.StringIO()
    plain = PlainProgress(stream, clock=lambda: now[0])
    total = {"delete_asset": 100}
    for i in range(100):
        now[0] = i * 0.1
        plain.update(_snapshot(totals=total, finished={"delete_asset": i + 1}, throttles=0, retries=0))
    lines = stream.getvalue().splitlines()
    assert len(lines) == int(10 / LINE_EVERY) + 1
    assert all(PLAIN_LINE.match(line) for line in lines)
    assert lines[0].split()[1] == "1/100" and lines[-1].split()[1] == "100/100"

    stream = io.StringIO()
    plain = PlainProgress(stream, clock=lambda: 0.0)
    plain.update(_snapshot(totals=total, finished={"delete_asset": 1}))
    plain.update(_snapshot(totals=total, finished={"delete_asset": 2}, stopping=True))
    plain.close()
    assert [line.split()[1] for line in stream.getvalue().splitlines()] == ["1/100", "2/100"]
    assert "stopping" in stream.getvalue().splitlines()[-1]


def test_plain_lines_add_throttles_and_retries_only_when_there_are_some() -> None:
    """Today's line, unchanged on a calm run; throttles and retries join failures and skips when they happen."""
    calm = render(_snapshot(throttles=0, retries=0))
    assert "throttled" not in calm and "retries" not in calm
    assert calm == "[#############-----------] 15/27 disassoc 9/13 assets 5/13 unlink 1/1 | running 5 | 2.4/s ETA 5s"
    assert "| throttled 2 retries 3 running 5 |" in render(_snapshot())


def test_the_snapshots_carry_the_runs_throttles_and_retries(env: Env) -> None:
    """Against server quotas far below the client's pacing, the snapshots count throttles as they happen, and the
    last one agrees with the report."""
    _, path = env.plan(SelectionSpec(all=True))
    env.backend.quotas = QuotaSettings(asset_tps=2.0, model_tps=2.0, monitor_tps=2.0)
    seen: list[Progress] = []
    report = env.apply(path, rates={"asset": 500.0, "model": 500.0, "monitor": 500.0}, on_progress=seen.append)
    assert report.ok
    assert seen[-1].throttles == sum(report.throttles.values()) > 0
    assert seen[-1].retries == sum(report.retries.values())
    assert [p.throttles for p in seen] == sorted(p.throttles for p in seen)


@pytest.mark.usefixtures("terminal_env")
def test_styled_only_on_a_terminal_with_colour_and_text_logs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pipe is plain; a terminal (FORCE_COLOR stands in for one here) is styled unless NO_COLOR is set, TERM is
    dumb or the logs are JSON."""
    stream = io.StringIO()
    assert not is_styled(stream)
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert is_styled(stream)
    assert not is_styled(stream, "json")
    assert is_styled(stream, "text")
    monkeypatch.setenv("TERM", "dumb")
    assert not is_styled(stream)
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("NO_COLOR", "1")
    assert not is_styled(stream)
    assert not Screen(stream).styled


# -- the demo, on a terminal and into a pipe -------------------------------------------------------------


@pytest.fixture
def demo_on_manual_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """`sitewise-teardown demo` with its emulator and engine on a ManualClock: its seconds of latency are free."""
    from teardown.workflows import demo

    real = demo.run_demo

    def on_manual_clock(**kwargs: Any) -> Any:
        return real(**kwargs, clock=ManualClock())

    monkeypatch.setattr(demo, "run_demo", on_manual_clock)


@contextmanager
def pseudo_terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bytes]]:
    """sys.stdout on the slave side of a new pty; what reaches the master side is collected."""
    master, slave = os.openpty()
    received: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the slave side closed
                return
            if not chunk:
                return
            received.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    stdout = open(slave, "w", encoding="utf-8", closefd=True)  # noqa: SIM115 (closed below, after the run)
    monkeypatch.setattr("sys.stdout", stdout)
    try:
        yield received
    finally:
        stdout.close()
        reader.join(timeout=10)
        os.close(master)


@pytest.mark.http
@pytest.mark.usefixtures("terminal_env", "demo_on_manual_clock")
def test_the_demo_on_a_terminal_shows_the_live_display_and_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a pseudo-terminal the demo redraws a live display in place (cursor movements, bars) that ends on all 27
    actions, shows the plan and the report as tables, and prints none of the plain progress lines."""
    monkeypatch.setenv("COLUMNS", "110")
    with pseudo_terminal(monkeypatch) as received:
        code = main(["demo", "--plans-dir", str(tmp_path)])
    assert code == 0
    raw = b"".join(received).decode("utf-8", errors="replace")
    assert "\x1b[2K" in raw or "\x1b[1A" in raw  # the display redraws over itself
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", raw)
    assert "Applying 27 actions" in screen
    assert re.search(r"all\s+━+\s+27/27\s+100%", screen)
    assert re.search(r"assets\s+━+\s+13/13\s+100%", screen)
    assert not PLAIN_LINE.search(screen.replace("\r\n", "\n"))
    assert "Deleted subtrees" in screen and "─" in screen  # the plan's tables
    assert re.search(r"delete assets\s+13\s+0\s+0\s+0\s+0\s+13", screen)  # the report's table
    assert "Demo finished in" in screen and "verified" in screen


@pytest.mark.http
@pytest.mark.usefixtures("terminal_env", "demo_on_manual_clock")
def test_the_same_demo_into_a_pipe_prints_plain_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Into a pipe the demo prints today's plain text: progress lines (the first and the last at least), the plain
    summary table, no escape sequence and no box drawing."""
    assert main(["demo", "--plans-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert not ANSI.search(out)
    lines = PLAIN_LINE.findall(out)
    assert len(lines) >= 2
    assert "  [------------------------] 0/27 unlink 0/1 disassoc 0/13 assets 0/13" in out
    assert "  [########################] 27/27 unlink 1/1 disassoc 13/13 assets 13/13" in out
    assert re.search(r"^delete_asset +13 +0 +0 +0 +0 +13$", out, re.MULTILINE)
    assert "─" not in out and "━" not in out
    assert "Applying the plan (auto-approved in the demo):" in out


@pytest.mark.usefixtures("terminal_env")
def test_apply_on_a_terminal_draws_live_and_keeps_info_logs_off_it(
    env: Env, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a terminal (FORCE_COLOR), apply draws the live display and the rich report on stdout and logs no
    per-action info events meanwhile; without one, it prints plain lines and logs every action."""
    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-1"],)))
    monkeypatch.setenv("FORCE_COLOR", "1")
    styled = cli("apply", str(path), "--auto-approve")
    assert styled.code == 0
    assert ANSI.search(styled.out) and "Applying 8 actions" in styled.out
    assert not PLAIN_LINE.search(styled.out)
    assert "apply.action_finished" not in styled.err

    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-2"],)), name="site-2.json")
    monkeypatch.delenv("FORCE_COLOR")
    plain = cli("apply", str(path), "--auto-approve")
    assert plain.code == 0
    assert not ANSI.search(plain.out)
    assert PLAIN_LINE.search(plain.out)
    assert plain.err.count("apply.action_finished") == 3
