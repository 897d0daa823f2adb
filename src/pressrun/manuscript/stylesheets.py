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


URL_FUNCTIONS = ("url", "src", "image", "image-set", "-webkit-image-set", "cross-fade",
                 "-webkit-cross-fade")
"""CSS functions whose strings are addresses to fetch (``url()`` may be a token of its own)."""


def _references(text: str) -> Iterator[tuple[int, str]]:
    """Each URL a stylesheet names, with its line: ``url()`` and ``image-set()`` values and
    the like (``URL_FUNCTIONS``), and ``@import`` targets."""
    rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
    yield from _walk(rules)


def _walk(nodes: list) -> Iterator[tuple[int, str]]:
    for node in nodes:
        kind = getattr(node, "type", "")
        if kind == "url":
            yield node.source_line, node.value
        elif kind == "function" and node.lower_name in URL_FUNCTIONS:
            for token in node.arguments:
                if token.type == "string":
                    yield token.source_line, token.value
        elif kind == "at-rule" and node.lower_at_keyword == "import":
            strings = [t for t in node.prelude if t.type == "string"]
            if strings:
                yield node.source_line, strings[0].value
        for attribute in ("prelude", "content", "arguments"):
            children = getattr(node, attribute, None)
            if isinstance(children, list):
                yield from _walk(children)


GENERIC = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "inherit",
           "initial", "unset", "math", "emoji", "fangsong"}


def named_families(project: Project) -> set[str]:
    """The font families the project's stylesheets name in ``font-family`` that no
    ``@font-face`` rule (of the theme's or the project's) declares: fonts to take from the
    computer. Stylesheets that cannot be read name none (their error is reported)."""
    named: set[str] = set()
    declared: set[str] = set()
    sheets = [project.theme_file("fonts.css"), *project.files(STYLES, ".css")]
    for sheet in dict.fromkeys(sheets):
        try:
            rules = tinycss2.parse_stylesheet(project.read_bytes(sheet).decode("utf-8"),
                                              skip_comments=True, skip_whitespace=True)
        except (PressrunError, UnicodeDecodeError):
            continue
        for rule in rules:
            face = rule.type == "at-rule" and rule.lower_at_keyword == "font-face"
            content = getattr(rule, "content", None) or []
            for decl in tinycss2.parse_blocks_contents(content):
                if decl.type == "declaration" and decl.lower_name == "font-family":
                    (declared if face else named).update(_families(decl.value))
    return {name for name in named if name.casefold() not in
            {d.casefold() for d in declared} | GENERIC}


def _families(tokens: list) -> list[str]:
    """The family names of a ``font-family`` value (quoted, or idents run together)."""
    families: list[str] = []
    words: list[str] = []
    for token in [*tokens, None]:
        if token is None or (token.type == "literal" and token.value == ","):
            if words:
                families.append(" ".join(words))
            words = []
        elif token.type == "string" or token.type == "ident":
            words.append(token.value)
    return families


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
