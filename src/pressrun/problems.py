"""Problems: one type for what the loader finds, what ``pressrun check`` lists and what
the command line prints, and the one exception that stops a build.

A problem has a place (file, line, column), a severity, a code naming its kind
(``unknown-key``, ``missing-art``…: ``--strict`` and ``check --format json`` name it)
and a message that says what is wrong and how to fix it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from pressrun.model import SourceLocation

log = logging.getLogger("pressrun")
"""Warnings and progress notes; the command line shows them, a library caller may too."""

ERROR, WARNING = "error", "warning"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
"""Line breaks, escape sequences and other control characters: never printed raw."""


def printable(text: str) -> str:
    """``text`` on one line, its control characters written as escapes (``\\x1b``), so that a
    manuscript cannot break a message's line or drive the terminal."""
    return _CONTROL.sub(lambda m: repr(m[0])[1:-1], text)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a project."""

    path: str
    """Project-relative POSIX path of the file (``manuscript/02-soviets.md``); empty when
    the problem is not in a file."""
    line: int | None
    """1-based line, when known."""
    message: str
    """What is wrong and how to fix it."""
    severity: str = ERROR
    """``ERROR`` (the build stops) or ``WARNING``."""
    code: str = "error"
    """The kind of problem, in a word or two: ``unknown-key``, ``missing-art``…"""
    column: int | None = None
    """1-based column, when known."""

    @classmethod
    def at(cls, location: SourceLocation, code: str, message: str, severity: str = ERROR,
           column: int | None = None) -> Problem:
        """A problem at ``location``."""
        return cls(location.path, location.line, message, severity, code, column)

    @property
    def location(self) -> SourceLocation:
        """The file and line."""
        from pressrun.model import SourceLocation  # not at the start: see ``paper``

        return SourceLocation(self.path, self.line)

    @property
    def one_line(self) -> str:
        """The message on one line, even one quoting text with a line break (a YAML key
        "a\\nb") or an escape sequence."""
        return printable(self.message)

    def __str__(self) -> str:
        return f"{printable(str(self.location))}: {self.one_line}" if self.path else \
            self.one_line

    def listed(self) -> str:
        """The problem as ``pressrun check`` lists it: ``path:line:column: severity: …``."""
        return f"{printable(self.path)}:{self.line}:{self.column}: {self.severity}: " \
            f"{self.one_line}"


@dataclass
class Problems:
    """The problems found so far; errors stop the build, warnings are shown."""

    found: list[Problem] = field(default_factory=list)

    def error(self, location: SourceLocation, code: str, message: str) -> None:
        """Record a problem the build cannot go on with."""
        self.found.append(Problem.at(location, code, message))

    def warning(self, location: SourceLocation, code: str, message: str,
                column: int | None = None) -> None:
        """Record a problem worth telling the author about."""
        self.found.append(Problem.at(location, code, message, WARNING, column))

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop the build."""
        return [p for p in self.found if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        """The problems that do not."""
        return [p for p in self.found if p.severity == WARNING]

    def raise_errors(self) -> None:
        """Log the warnings; raise one error carrying every error, if there are any."""
        for problem in self.warnings:
            log.warning("%s", problem)
        if self.errors:
            raise PressrunError.of(self.errors)


class PressrunError(click.ClickException):
    """A problem in the user's input or surroundings: one line per problem, naming the file,
    the line and the fix; exit status 1."""

    exit_code = 1

    def __init__(self, message: str, path: str | None = None, line: int | None = None,
                 code: str = "error") -> None:
        super().__init__(message)
        self.problems: tuple[Problem, ...] = (Problem(path or "", line, message, ERROR, code),)

    @classmethod
    def of(cls, problems: list[Problem]) -> PressrunError:
        """One error reporting each of ``problems`` (at least one)."""
        first = problems[0]
        error = cls(first.message, first.path, first.line, first.code)
        error.problems = tuple(problems)
        return error

    @property
    def path(self) -> str | None:
        """The file of the first problem."""
        return self.problems[0].path or None

    @property
    def line(self) -> int | None:
        """The line of the first problem."""
        return self.problems[0].line

    def format_message(self) -> str:
        return "\n".join(f"error: {p}" for p in self.problems).removeprefix("error: ")

    def show(self, file: object = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)
