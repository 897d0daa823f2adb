"""The one error family pressrun reports to users, and the warnings channel."""

from __future__ import annotations

import logging

import click

log = logging.getLogger("pressrun")


class PressrunError(click.ClickException):
    """A problem in the user's input: one line naming the file, the line and the fix."""

    exit_code = 1

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        super().__init__(message)

    def format_message(self) -> str:
        where = self.path or ""
        if where and self.line:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}" if where else self.message

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)
