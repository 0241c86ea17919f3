"""`sitewise-teardown completion bash|zsh|fish`: a shell completion script, generated from the command table.

The scripts are derived at run time from the parsers the command table registered (commands, nested
subcommands, options, their choices, which values are files), so a new command or flag completes without
anyone editing a script. Each shell gets its own idiom: a ``complete -F`` function for bash, an
``_arguments`` function per command for zsh (autoloadable from ``fpath`` or sourced), ``complete`` lines
for fish.
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from teardown.errors import EXIT_OK

SHELLS = ("bash", "zsh", "fish")
_INSTALL = {
    "bash": 'eval "$(sitewise-teardown completion bash)"   # in ~/.bashrc',
    "zsh": "sitewise-teardown completion zsh > \"${fpath[1]}/_sitewise-teardown\"   # or: source <(...)",
    "fish": "sitewise-teardown completion fish > ~/.config/fish/completions/sitewise-teardown.fish",
}


@dataclass(frozen=True)
class Option:
    flags: tuple[str, ...]
    help: str
    takes_value: bool
    choices: tuple[str, ...] = ()
    files: bool = False
    repeatable: bool = False
    metavar: str = "value"


@dataclass(frozen=True)
class Command:
    """A command as completion sees it: ``path`` starts with the program (the root's path is just that)."""

    path: tuple[str, ...]
    help: str
    options: tuple[Option, ...]
    subcommands: tuple[Command, ...] = ()
    # The positional argument, if any: its choices, or whether it is a file.
    positional_choices: tuple[str, ...] = ()
    positional_files: bool = False

    @property
    def name(self) -> str:
        return self.path[-1] if self.path else ""

    def walk(self) -> list[Command]:
        """This command and every command under it, parents first."""
        return [self, *(c for sub in self.subcommands for c in sub.walk())]


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], parents: list[argparse.ArgumentParser]
) -> None:
    parser = subparsers.add_parser(
        "completion", help="print a shell completion script (bash, zsh, fish)",
        description="Print a completion script for SHELL, generated from the commands' own options. Install: "
        + "; ".join(f"{shell}: {how}" for shell, how in _INSTALL.items()),
    )
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    parser.set_defaults(func=functools.partial(run, subparsers=subparsers))


def run(args: argparse.Namespace, *, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> int:
    program = next(iter(subparsers.choices.values())).prog.split()[0]
    sys.stdout.write(script(args.shell, command_tree(program, subparsers)))
    return EXIT_OK


def script(shell: str, root: Command) -> str:
    """The completion script of ``root`` for ``shell`` (one of ``SHELLS``)."""
    return {"bash": bash_script, "zsh": zsh_script, "fish": fish_script}[shell](root)


# -- the model, from argparse ----------------------------------------------------------------------------


def command_tree(program: str, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> Command:
    """The program and its commands, as the registered parsers define them."""
    help_option = Option(("-h", "--help"), "show help and exit", takes_value=False)
    return Command((program,), "", (help_option,), _subcommands((program,), subparsers))


def _subcommands(path: tuple[str, ...], action: argparse._SubParsersAction[Any]) -> tuple[Command, ...]:
    helps = {a.dest: a.help or "" for a in action._choices_actions}
    return tuple(_command((*path, name), parser, helps.get(name, "")) for name, parser in action.choices.items())


def _command(path: tuple[str, ...], parser: argparse.ArgumentParser, help_text: str) -> Command:
    options: list[Option] = []
    subcommands: tuple[Command, ...] = ()
    choices: tuple[str, ...] = ()
    files = False
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            subcommands = _subcommands(path, action)
        elif action.help == argparse.SUPPRESS:
            continue
        elif action.option_strings:
            options.append(Option(
                flags=tuple(action.option_strings), help=_short(action.help or ""),
                takes_value=action.nargs != 0, choices=tuple(str(c) for c in action.choices or ()),
                files=action.type is Path, repeatable=isinstance(action, argparse._AppendAction),
                metavar=str(action.metavar or action.dest.upper()) if action.nargs != 0 else "",
            ))
        else:
            choices = tuple(str(c) for c in action.choices or ())
            files = action.type is Path
    return Command(path, _short(help_text), tuple(options), subcommands, choices, files)


def _short(text: str) -> str:
    """The help's first clause: descriptions in a completion menu are one short line."""
    text = re.sub(r"\s*\([^()]*\)", "", text.replace("%%", "%"))
    for cut in ("; ", ": ", ", e.g."):
        text = text.split(cut)[0]
    return text.strip()


# -- bash ------------------------------------------------------------------------------------------------


def bash_script(root: Command) -> str:
    program = root.path[0]
    func = "_" + program.replace("-", "_")
    commands = root.walk()
    steps = [f'            "{" ".join(c.path[1:-1])}/{c.name}") cmd="{" ".join(c.path[1:])}" ;;'
             for c in commands[1:]]
    cases = []
    for command in commands:
        key = " ".join(command.path[1:])
        values = []
        free = [f for o in command.options if o.takes_value and not o.choices and not o.files for f in o.flags]
        paths = [f for o in command.options if o.takes_value and o.files for f in o.flags]
        for option in command.options:
            if option.takes_value and option.choices:
                values.append(f'                {"|".join(option.flags)}) COMPREPLY=($(compgen -W '
                              f'"{" ".join(option.choices)}" -- "$cur")); return ;;')
        if paths:
            values.append(f"                {'|'.join(paths)}) compopt -o filenames 2>/dev/null; "
                          'COMPREPLY=($(compgen -f -- "$cur")); return ;;')
        if free:  # a value the user types (an id, a number): nothing to offer
            values.append(f"                {'|'.join(free)}) return ;;")
        flags = " ".join(f for o in command.options for f in o.flags)
        words = " ".join(c.name for c in command.subcommands) or " ".join(command.positional_choices)
        positional = ('            [[ "$cur" != -* ]] && { compopt -o filenames 2>/dev/null; '
                      'COMPREPLY=($(compgen -f -- "$cur")); return; }' if command.positional_files else "")
        cases.append("\n".join(line for line in (
            f'        "{key}")',
            *(["            case \"$prev\" in", *values, "            esac"] if values else []),
            positional,
            f'            COMPREPLY=($(compgen -W "{" ".join(filter(None, (words, flags)))}" -- "$cur"))',
            "            ;;",
        ) if line))
    return "\n".join([
        f"# bash completion for {program} (generated by `{program} completion bash`)",
        f'#   eval "$({program} completion bash)"',
        f"{func}() {{",
        '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" cmd="" i',
        "    COMPREPLY=()",
        "    for ((i = 1; i < COMP_CWORD; i++)); do",
        '        case "$cmd/${COMP_WORDS[i]}" in',
        *steps,
        "        esac",
        "    done",
        '    case "$cmd" in',
        *cases,
        "    esac",
        "}",
        f"complete -F {func} {program}",
        "",
    ])


# -- zsh -------------------------------------------------------------------------------------------------


def _zsh_quote(text: str) -> str:
    """Text inside a single-quoted _arguments spec: brackets and colons escaped, quotes closed and reopened."""
    for char in ("\\", "[", "]", ":"):
        text = text.replace(char, "\\" + char)
    return text.replace("'", "'\\''")


def _zsh_function(command: Command, program: str) -> str:
    return "_" + "_".join(p.replace("-", "_") for p in (program, *command.path[1:]))


def _zsh_specs(command: Command) -> list[str]:
    specs = []
    for option in command.options:
        exclusive = f"({' '.join(option.flags)})" if len(option.flags) > 1 and not option.repeatable else ""
        for flag in option.flags:
            head = ("*" if option.repeatable else exclusive) + flag
            if option.takes_value:
                head += "=" if flag.startswith("--") else "+"
                action = (f"({' '.join(option.choices)})" if option.choices else "_files" if option.files else " ")
                specs.append(f"'{head}[{_zsh_quote(option.help)}]:{_zsh_quote(option.metavar)}:{action}'")
            else:
                specs.append(f"'{head}[{_zsh_quote(option.help)}]'")
    if command.positional_choices:
        specs.append(f"'1:{command.name} argument:({' '.join(command.positional_choices)})'")
    elif command.positional_files:
        specs.append("'1:file:_files'")
    return specs


def zsh_script(root: Command) -> str:
    program = root.path[0]
    out = [f"#compdef {program}", f"# zsh completion for {program} (generated by `{program} completion zsh`)", ""]
    for command in root.walk():
        name = _zsh_function(command, program)
        specs = _zsh_specs(command)
        if command.subcommands:
            described = " ".join(f"'{_zsh_quote(c.name)}:{_zsh_quote(c.help)}'" for c in command.subcommands)
            dispatch = "\n".join(f"        {c.name}) {_zsh_function(c, program)} ;;" for c in command.subcommands)
            out += [
                f"{name}() {{",
                "  local curcontext=\"$curcontext\" state line",
                "  typeset -A opt_args",
                "  _arguments -C \\",
                *(f"    {spec} \\" for spec in specs),
                "    '1: :->command' \\",
                "    '*:: :->args'",
                "  case $state in",
                "    command)",
                f"      local -a commands=({described})",
                "      _describe -t commands command commands ;;",
                "    args)",
                "      case $line[1] in",
                dispatch,
                "      esac ;;",
                "  esac",
                "}",
                "",
            ]
        else:
            out += [f"{name}() {{", "  _arguments -s \\", *(f"    {spec} \\" for spec in specs),
                    "    '*: :'", "}", ""]
    func = _zsh_function(root, program)
    out += [
        'if [[ "${zsh_eval_context[-1]}" == loadautofunc ]]; then',
        f'  {func} "$@"',
        "else",
        f"  compdef {func} {program}",
        "fi",
        "",
    ]
    return "\n".join(out)


# -- fish ------------------------------------------------------------------------------------------------


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish_condition(command: Command) -> str:
    """True while completing right under ``command``: its path seen, none of its subcommands yet."""
    parts = [f"__fish_seen_subcommand_from {name}" for name in command.path[1:]]
    if command.subcommands:
        names = " ".join(c.name for c in command.subcommands)
        parts.append(f"not __fish_seen_subcommand_from {names}")
    return "; and ".join(parts) if parts else "__fish_use_subcommand"


def fish_script(root: Command) -> str:
    program = root.path[0]
    out = [f"# fish completion for {program} (generated by `{program} completion fish`)",
           f"complete -c {program} -f"]
    for command in root.walk():
        condition = _fish_quote(_fish_condition(command))
        for sub in command.subcommands:
            out.append(f"complete -c {program} -n {condition} -a {sub.name} -d {_fish_quote(sub.help)}")
        for option in command.options:
            flags = " ".join(f"-l {f[2:]}" if f.startswith("--") else f"-s {f[1:]}" for f in option.flags)
            value = ""
            if option.takes_value:
                value = (f" -x -a {_fish_quote(' '.join(option.choices))}" if option.choices
                         else " -r -F" if option.files else " -x")
            out.append(f"complete -c {program} -n {condition} {flags}{value} -d {_fish_quote(option.help)}")
        if command.positional_choices:
            out.append(f"complete -c {program} -n {condition} -a {_fish_quote(' '.join(command.positional_choices))}")
        elif command.positional_files:
            out.append(f"complete -c {program} -n {condition} -F")
    out.append("")
    return "\n".join(out)
