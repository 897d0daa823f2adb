"""Collecting problems found while loading, so they can be reported together."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pressrun.errors import PressrunError, log
from pressrun.model import SourceLocation

_LINE_BREAK = re.compile(r"[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


@dataclass(frozen=True)
class Diagnostic:
    """One problem, with where it is."""

    location: SourceLocation
    """The file and line."""
    message: str
    """What is wrong and how to fix it."""
    severity: str
    """``error`` or ``warning``."""
    column: int | None = None
    """1-based column, when known."""

    def __str__(self) -> str:
        # One line per problem, even one quoting text with a line break (a YAML key "a\nb").
        message = _LINE_BREAK.sub(lambda m: repr(m[0])[1:-1], self.message)
        return f"{self.location}: {message}"


@dataclass
class Report:
    """Problems found so far; errors stop the build, warnings are logged."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, location: SourceLocation, message: str) -> None:
        """Record a problem the build cannot go on with."""
        self.diagnostics.append(Diagnostic(location, message, "error"))

    def warning(self, location: SourceLocation, message: str, column: int | None = None) -> None:
        """Record a problem worth telling the author about."""
        self.diagnostics.append(Diagnostic(location, message, "warning", column))

    @property
    def errors(self) -> list[Diagnostic]:
        """The problems that stop the build."""
        return [d for d in self.diagnostics if d.severity == "error"]

    def raise_errors(self) -> None:
        """Log the warnings; raise one error carrying every error line, if there are any."""
        for diagnostic in self.diagnostics:
            if diagnostic.severity == "warning":
                log.warning("%s", diagnostic)
        if self.errors:
            raise ManuscriptError(self.errors)


class ManuscriptError(PressrunError):
    """Several problems in the manuscript, reported together, one per line."""

    def __init__(self, errors: list[Diagnostic]) -> None:
        self.errors = errors
        first = errors[0]
        super().__init__(first.message, first.location.path, first.location.line)

    def format_message(self) -> str:
        return "\n".join(f"error: {d}" for d in self.errors).removeprefix("error: ")
