"""Where the CLI's human output goes, and in which dress: rich on a terminal, today's plain lines elsewhere.

One decision, made once per stream: output is *styled* (rich tables, a live progress display, colour) only
when the stream is a terminal (rich's ``Console.is_terminal``, which also honours ``FORCE_COLOR`` and
``TTY_COMPATIBLE``), ``NO_COLOR`` is unset, ``TERM`` is not ``dumb`` and the logs are not JSON
(``--log-format json`` asks for machine-readable output). Otherwise every line is exactly what the plain
renderers return, so CI logs and files stay greppable.

Commands print human output on stdout; structured logs go to stderr (see ``logging_setup``).
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from rich.console import Console, RenderableType
from rich.text import Text

ERROR_STYLE = "bold red"  # the one colour of errors, failures and refusals
WARNING_STYLE = "yellow"
OK_STYLE = "green"


def is_styled(stream: TextIO, log_format: str | None = None) -> bool:
    """Whether output written to ``stream`` may be rich: a terminal, colour allowed, logs not JSON."""
    if log_format == "json" or os.environ.get("NO_COLOR", "") != "":
        return False
    if os.environ.get("TERM", "").lower() in {"dumb", "unknown"}:
        return False
    return Console(file=stream).is_terminal


def console_for(stream: TextIO) -> Console:
    """A console on ``stream`` that never guesses at markup or highlights numbers in our text."""
    return Console(file=stream, markup=False, highlight=False, emoji=False)


class Screen:
    """The stdout of one command: ``print`` plain text or a rich renderable, styled or not."""

    def __init__(self, stream: TextIO | None = None, *, log_format: str | None = None,
                 styled: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stdout
        self.styled = is_styled(self.stream, log_format) if styled is None else styled
        self.console = console_for(self.stream)

    def line(self, text: str = "", style: str | None = None) -> None:
        """One line of text (no wrapping: a long id stays on one line, greppable)."""
        if self.styled and style:
            self.console.print(Text(text, style=style), soft_wrap=True)
        else:
            self.stream.write(text + "\n")
            self.stream.flush()

    def show(self, plain: str, rich: RenderableType) -> None:
        """``rich`` on a styled screen, else ``plain`` exactly as given."""
        if self.styled:
            self.console.print(rich)
        else:
            self.stream.write(plain if plain.endswith("\n") else plain + "\n")
            self.stream.flush()


def print_error(message: str, details: tuple[str, ...] | list[str] = (), *, log_format: str | None = None) -> None:
    """``error: message`` on stderr, in the error colour on a terminal; ``details`` as ``  - line``."""
    stream = sys.stderr
    if not is_styled(stream, log_format):
        stream.write(f"error: {message}\n" + "".join(f"  - {line}\n" for line in details))
        stream.flush()
        return
    console = console_for(stream)
    console.print(Text.assemble(("error: ", ERROR_STYLE), (message, "red")), soft_wrap=True)
    for line in details:
        console.print(Text(f"  - {line}", style="red"), soft_wrap=True)
