"""The plan summary and errors as a person reads them: tables and one error colour on a terminal, today's plain
text everywhere else; and selection flags read from a file (``plan @FILE``), as a pull request holds them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from teardown.cli import main
from teardown.cli.plan_cmd import SHOWN_ACTIONS
from teardown.planning.planfile import load_plan
from teardown.planning.render import render_text
from tests.support.worlds import Env

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def no_colour_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing in the environment forces or forbids colour."""
    for name in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")


@pytest.mark.usefixtures("no_colour_settings")
def test_plan_summary_is_tables_on_a_terminal_and_plain_text_in_a_pipe(
    farm: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Into a pipe, `plan` prints exactly render_text's summary and the three next-step lines; on a terminal
    (FORCE_COLOR), the same facts as rich tables."""
    site = farm.asset("enterprise/site-2")
    assert main(["plan", "--subtree", site, "--out", str(tmp_path / "a.plan.json")]) == 0
    plain = capsys.readouterr().out
    plan = load_plan(tmp_path / "a.plan.json")
    assert plain.startswith(render_text(plan, limit=SHOWN_ACTIONS))
    assert plain.endswith(f"\nPlan written to {tmp_path / 'a.plan.json'}\n"
                          f"Review it:  sitewise-teardown show {tmp_path / 'a.plan.json'} --format markdown\n"
                          f"Apply it:   sitewise-teardown apply {tmp_path / 'a.plan.json'}\n")
    assert not ANSI.search(plain)

    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    assert main(["plan", "--subtree", site, "--out", str(tmp_path / "b.plan.json")]) == 0
    styled = capsys.readouterr().out
    text = ANSI.sub("", styled)
    assert ANSI.search(styled)
    assert re.search(r"^ ?action\s+count\s*$", text, re.MULTILINE)
    assert re.search(r"^─{20,}", text, re.MULTILINE)  # a table rule
    assert re.search(r"^Site 2\s+" + site + r"\s+13\s*$", text, re.MULTILINE)  # the deleted subtree's row
    assert f"Plan written to {tmp_path / 'b.plan.json'}" in text


@pytest.mark.usefixtures("no_colour_settings")
def test_errors_are_one_colour_on_a_terminal_and_plain_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing plan is exit 2 with `error: ...` on stderr: plain into a pipe, bold red on a terminal, plain again
    with NO_COLOR; the text is the same."""
    missing = tmp_path / "missing.plan.json"
    assert main(["show", str(missing)]) == 2
    plain = capsys.readouterr().err
    assert plain.startswith("error: ") and str(missing) in plain and not ANSI.search(plain)

    monkeypatch.setenv("FORCE_COLOR", "1")
    assert main(["show", str(missing)]) == 2
    coloured = capsys.readouterr().err
    assert coloured.startswith("\x1b[1;31merror: \x1b[0m\x1b[31m")
    assert ANSI.sub("", coloured) == plain

    monkeypatch.setenv("NO_COLOR", "1")
    assert main(["show", str(missing)]) == 2
    assert capsys.readouterr().err == plain


def test_plan_reads_selection_flags_from_a_file(
    inventory_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`plan @FILE`: shell words per line, # comments; the plan is the one the same flags give on the command
    line (same digest). Planned from a saved inventory: no client."""
    selection = tmp_path / "decommission.selection"
    selection.write_text("# OPS-1234: decommission site 1\n--subtree a-site-1   # the site\n\n"
                         "--subtree 'a-line-21' --protect-tag keep=true\n")
    from_file = tmp_path / "from-file.json"
    assert main(["plan", f"@{selection}", "--inventory", str(inventory_file), "--out", str(from_file)]) == 0
    assert main(["plan", "--subtree", "a-site-1", "--subtree", "a-line-21", "--protect-tag", "keep=true",
                 "--inventory", str(inventory_file), "--out", str(tmp_path / "from-flags.json")]) == 0
    capsys.readouterr()
    plan = load_plan(from_file)
    assert plan.digest == load_plan(tmp_path / "from-flags.json").digest
    assert set(plan.spec.subtrees) == {"a-site-1", "a-line-21"} and plan.spec.protect_tags == (("keep", "true"),)
