"""Checking a project's stylesheets before rendering: every file they name must be inside it.

The PDF writer's fetcher refuses anything else at render time too; this check
runs first so the error can name the stylesheet and line that asked for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import tinycss2

from pressrun.model import SourceLocation
from pressrun.problems import PressrunError, Problems
from pressrun.project import STYLES, Project


def check_stylesheets(project: Project, report: Problems) -> None:
    """Report every ``url()`` or ``@import`` in ``styles/*.css`` that leaves the project,
    and every stylesheet that cannot be read."""
    for css in project.files(STYLES, ".css"):
        rel = project.rel(css)
        try:
            text = project.read_bytes(css).decode("utf-8")
        except PressrunError as exc:
            report.found.extend(exc.problems)
            continue
        except UnicodeDecodeError as exc:
            report.error(SourceLocation(rel), "not-utf8",
                         f"cannot be read as UTF-8 text ({exc})")
            continue
        for line, reference in _references(text):
            problem = _problem(reference, css.parent, project.root)
            if problem:
                report.error(SourceLocation(rel, line), "outside-project",
                             f"'{reference}' {problem}")


def _references(text: str) -> Iterator[tuple[int, str]]:
    """Each URL a stylesheet names, with its line: ``url()`` values and ``@import`` targets."""
    rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
    yield from _walk(rules)


def _walk(nodes: list) -> Iterator[tuple[int, str]]:
    for node in nodes:
        kind = getattr(node, "type", "")
        if kind == "url":
            yield node.source_line, node.value
        elif kind == "function" and node.lower_name in ("url", "src"):
            strings = [t for t in node.arguments if t.type == "string"]
            if strings:
                yield node.source_line, strings[0].value
        elif kind == "at-rule" and node.lower_at_keyword == "import":
            strings = [t for t in node.prelude if t.type == "string"]
            if strings:
                yield node.source_line, strings[0].value
        for attribute in ("prelude", "content", "arguments"):
            children = getattr(node, attribute, None)
            if isinstance(children, list):
                yield from _walk(children)


def _problem(reference: str, base: Path, root: Path) -> str | None:
    """Why ``reference`` may not be used, or None."""
    if reference.startswith("#") or reference.startswith("data:"):
        return None
    parts = urlsplit(reference)
    if parts.scheme:
        return ("is not a file of the project: pressrun never fetches from the network or "
                "reads files outside the project; copy the file into styles/")
    try:
        target = (base / unquote(parts.path)).resolve()
    except ValueError:  # a NUL character, written %00
        return "is not a possible file name (it holds a NUL character, %00)"
    if not target.is_relative_to(root.resolve()):
        return ("is outside the project: stylesheets may only use files inside it "
                "(copy the file into styles/)")
    return None
