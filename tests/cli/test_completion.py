"""`sitewise-teardown completion bash|zsh|fish`: scripts generated from the command table, run in the shells.

bash completes in a real bash (the script sourced, ``COMP_WORDS`` set as bash sets them); fish answers
``complete -C`` itself; zsh (whose completion needs a line editor) is checked for syntax and registration.
A shell that is not installed skips its test.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import types
from pathlib import Path

import pytest

import teardown.cli
from teardown.cli import build_parser, main
from teardown.cli.completion_cmd import SHELLS, Command, command_tree, script

PROGRAM = "sitewise-teardown"


def _tree() -> Command:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return command_tree(PROGRAM, subparsers)


def _generated(shell: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["completion", shell]) == 0
    return capsys.readouterr().out


@pytest.fixture
def bash_script(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The bash script, written where bash can source it."""
    path = tmp_path / "completion.bash"
    path.write_text(_generated("bash", capsys))
    return path


def _bash_complete(script_path: Path, line: str) -> list[str]:
    """What bash offers for ``line`` (the cursor at its end), the way bash calls the completion function."""
    words = line.split(" ")
    program = (
        f"source {script_path}\n"
        f"COMP_WORDS=({' '.join(repr(w) for w in words)})\n"
        f"COMP_CWORD={len(words) - 1}\n"
        "_sitewise_teardown\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    result = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], capture_output=True, text=True,
                            timeout=30, check=True, cwd=script_path.parent)
    return [w for w in result.stdout.splitlines() if w]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_commands_options_choices_and_files(bash_script: Path) -> None:
    """Commands at the top, a command's own options, an option's choices, nested subcommands, the completion
    command's shells, files for a plan argument, and nothing for a value the user types."""
    assert set(_bash_complete(bash_script, f"{PROGRAM} ")) >= {"plan", "show", "apply", "reset", "demo", "emulator",
                                                               "completion"}
    assert _bash_complete(bash_script, f"{PROGRAM} ap") == ["apply"]
    assert set(_bash_complete(bash_script, f"{PROGRAM} apply --")) >= {"--auto-approve", "--expect-digest",
                                                                      "--max-deletes", "--report", "--region"}
    assert "--subtree" not in _bash_complete(bash_script, f"{PROGRAM} apply --")
    assert _bash_complete(bash_script, f"{PROGRAM} show p.json --format m") == ["markdown", "mermaid"]
    assert _bash_complete(bash_script, f"{PROGRAM} emulator ") == ["serve", "seed", "-h", "--help"]
    assert _bash_complete(bash_script, f"{PROGRAM} emulator serve --latency ") == ["instant", "realistic", "production"]
    assert _bash_complete(bash_script, f"{PROGRAM} completion ") == [*SHELLS, "-h", "--help"]
    assert _bash_complete(bash_script, f"{PROGRAM} apply completion.") == ["completion.bash"]
    assert _bash_complete(bash_script, f"{PROGRAM} plan --subtree ") == []


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_completes_commands_options_and_choices(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """fish's own `complete -C` offers the commands, an option's choices and a nested command's options."""
    path = tmp_path / "completion.fish"
    path.write_text(_generated("fish", capsys))

    def offered(line: str) -> list[str]:
        out = subprocess.run(["fish", "--no-config", "-c", f"source {path}; complete -C '{line}'"],
                             capture_output=True, text=True, timeout=30, check=True).stdout
        return [entry.split("\t")[0] for entry in out.splitlines()]

    assert set(offered(f"{PROGRAM} ")) >= {"plan", "show", "apply", "completion"}
    assert offered(f"{PROGRAM} show p.json --format ") == ["digest", "dot", "json", "markdown", "mermaid", "text"]
    assert "--time-scale" in offered(f"{PROGRAM} emulator serve --")
    assert "--expect-digest" in offered(f"{PROGRAM} apply --")


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_script_parses_and_registers_itself(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Sourced after compinit, the zsh script parses and binds its function to the program; every command has
    its function."""
    path = tmp_path / "_sitewise-teardown"
    path.write_text(_generated("zsh", capsys))
    assert subprocess.run(["zsh", "-n", str(path)], capture_output=True, timeout=30, check=False).returncode == 0
    check = (f"autoload -U compinit; compinit -u -d {tmp_path}/zcompdump; source {path}; "
             f"print -r -- $_comps[{PROGRAM}]; whence -w _sitewise_teardown_emulator_serve")
    out = subprocess.run(["zsh", "-f", "-c", check], capture_output=True, text=True, timeout=30, check=True).stdout
    assert out.splitlines() == ["_sitewise_teardown", "_sitewise_teardown_emulator_serve: function"]


def test_every_command_and_option_of_the_table_is_in_every_script() -> None:
    """Generated from the parsers: each script names every command and every long option of every command."""
    tree = _tree()
    for shell in SHELLS:
        text = script(shell, tree)
        for command in tree.walk()[1:]:
            assert command.name in text, (shell, command.path)
            for option in command.options:
                long = next(f for f in option.flags if f.startswith("--"))
                assert (long[2:] if shell == "fish" else long) in text, (shell, command.path, long)


def test_a_command_added_to_the_table_completes_without_editing_a_script(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A new command module in COMMANDS, with a flag and a choice, shows up in all three scripts."""

    def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
                 parents: list[argparse.ArgumentParser]) -> None:
        parser = subparsers.add_parser("audit", parents=parents, help="audit an account")
        parser.add_argument("--depth", choices=("shallow", "deep"), help="how far to look")

    audit = types.SimpleNamespace(register=register)
    monkeypatch.setattr(teardown.cli, "COMMANDS", (*teardown.cli.COMMANDS, audit))
    for shell in SHELLS:
        text = _generated(shell, capsys)
        assert "audit" in text and "depth" in text and "shallow deep" in text, shell
