"""What a command shows while it runs: warnings, and a long build's stages with timings
and pages as they are laid out.

Warnings and notes always go to stderr. On a terminal the stages and a live page count
go there too; in a pipe or a CI log they are shown only when ``--verbose`` asks.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import click

from pressrun.problems import log, printable


def show_log(quiet: bool, verbose: bool) -> None:
    """Show pressrun's log on stderr, a message a line (``warning: …``): warnings and notes,
    only warnings when ``quiet``, details too when ``verbose``. WeasyPrint's and
    fontTools' records below an error are not made: no handler here would show them
    (WeasyPrint's log has only its own ``NullHandler``, and the root logger none)."""
    if not log.handlers:
        log.addHandler(_Shown())
        log.propagate = False
    log.setLevel(logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO)
    for library in ("weasyprint", "fontTools"):
        logging.getLogger(library).setLevel(logging.ERROR)


class _Shown(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"{record.levelname.lower()}: {printable(record.getMessage())}", err=True)


class Progress:
    """Reports build stages; silent when disabled."""

    def __init__(self, enabled: bool, live: bool) -> None:
        self.enabled = enabled
        self.live = live and enabled

    @classmethod
    def for_terminal(cls, quiet: bool, verbose: bool) -> Progress:
        """Stages on a terminal (or with ``verbose``); a live page count only on a terminal."""
        terminal = sys.stderr.isatty()
        return cls(not quiet and (terminal or verbose), terminal and not quiet)

    def note(self, text: str) -> None:
        """Tell the user something about the build under way (when enabled)."""
        if self.enabled:
            click.echo(text, err=True)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time one stage of the build and report it when it ends."""
        start = time.perf_counter()
        handler = _PageCounter() if self.live and name.startswith("layout") else None
        if handler:
            logging.getLogger("weasyprint.progress").addHandler(handler)
            logging.getLogger("weasyprint.progress").setLevel(logging.INFO)
        try:
            yield
        finally:
            if handler:
                logging.getLogger("weasyprint.progress").removeHandler(handler)
                click.echo("\r\033[K", nl=False, err=True)
            if self.enabled:
                click.echo(f"{name}: {time.perf_counter() - start:.2f} s", err=True)


class _PageCounter(logging.Handler):
    """Shows WeasyPrint's "Creating layout - Page N" messages as a live counter."""

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "Page" in message:
            click.echo(f"\rlaying out page {message.rsplit(' ', 1)[-1]}", nl=False, err=True)
