"""Characters no font can show: reported with their file and line, never left to chance.

pressrun lays out with the fonts of the theme's ``fonts.css`` (or the project's copy) and
of the project's own ``@font-face`` rules, and with no font of the computer's (see
``pdf.weasyfonts``). A character none of them has would print as an empty box, or as
nothing: ``uncovered`` finds such characters in the text, so that ``check`` and the build
warn about them with the file, the line and the characters.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import tinycss2
import uharfbuzz as hb

from pressrun.model import Node, Pamphlet, SourceLocation
from pressrun.problems import PressrunError, Problems
from pressrun.project import CONFIG, GLOSSARY, STYLES, Project

_SILENT = {"Cc", "Cf", "Zs", "Zl", "Zp", "Mn"}
"""Categories that print as no glyph of their own (spaces, joiners, combining marks are
shaped with their letter): not asked of a font."""


def coverage(project: Project) -> set[int]:
    """Every character some ``@font-face`` font of the theme's ``fonts.css`` or the project's
    stylesheets has (the faces' ``unicode-range`` aside: a font outside it is no help)."""
    sheets = [project.theme_file("fonts.css")] + [
        path for path in project.files(STYLES, ".css") if path.name != "fonts.css"]
    found: set[int] = set()
    for sheet in sheets:
        for font in _fonts(project, sheet):
            try:
                found.update(hb.Face(hb.Blob(project.read_bytes(font))).unicodes)
            except PressrunError:
                continue  # a font that cannot be read is reported where it is used
    return found


def _fonts(project: Project, sheet: Path) -> Iterator[Path]:
    """The font files the ``@font-face`` rules of the stylesheet ``sheet`` name."""
    try:
        rules = tinycss2.parse_stylesheet(project.read_bytes(sheet).decode("utf-8"))
    except (PressrunError, UnicodeDecodeError):
        return
    for rule in rules:
        if rule.type != "at-rule" or rule.lower_at_keyword != "font-face" or not rule.content:
            continue
        for token in rule.content:
            url = token.value if token.type == "url" else (
                token.arguments[0].value if token.type == "function" and token.lower_name ==
                "url" and token.arguments and token.arguments[0].type == "string" else None)
            if url and not urlsplit(url).scheme:
                yield sheet.parent / unquote(urlsplit(url).path)


def uncovered(project: Project, pamphlet: Pamphlet, report: Problems) -> None:
    """Warn about every piece of text (a block, a title, a glossary entry) that holds
    characters no font has."""
    pieces = list(_pieces(pamphlet))
    used = {char for _, text in pieces for char in text}
    has = coverage(project) if used else set()
    missing = {char for char in used if ord(char) not in has and
               unicodedata.category(char) not in _SILENT}
    if not missing:
        return
    for where, text in pieces:
        lacking = sorted(set(text) & missing)
        if lacking:
            shown = ", ".join(f"{char} (U+{ord(char):04X})" for char in lacking[:8])
            report.warning(where, "missing-glyphs",
                           f"no font of the theme or the project has {shown}"
                           f"{' and more' if len(lacking) > 8 else ''}: they would print "
                           "as empty boxes; add a font that has them (see docs/theming.md, "
                           "Fonts)")


def _pieces(pamphlet: Pamphlet) -> Iterator[tuple[SourceLocation, str]]:
    """Every piece of text the publication prints, with where it was written."""
    meta = pamphlet.metadata
    yield SourceLocation(CONFIG), " ".join(filter(None, (
        meta.title, meta.subtitle, *meta.creators, meta.publisher, meta.source, meta.rights)))
    for part in pamphlet.parts:
        yield SourceLocation(part.location.path, 2), " ".join(filter(None, (
            part.title, part.subtitle, *part.creators, part.source,
            *(node.plain_text for node in part.standfirst))))
        line = None
        for block in _blocks(part.blocks + tuple(b for n in part.footnotes for b in n.blocks)):
            line = block.line or line
            yield SourceLocation(part.location.path, line), _text(block)
    for entry in pamphlet.glossary:
        yield SourceLocation(GLOSSARY, entry.line), f"{entry.term} {entry.definition}"


def _blocks(blocks: tuple[Node, ...]) -> Iterator[Node]:
    """The blocks whose own text is checked: every node holding text directly."""
    for block in blocks:
        for node in block.walk():
            if any(child.kind in ("text", "code") for child in node.children) or \
                    node.kind == "code_block" or (node.kind == "figure" and node.image):
                yield node


def _text(node: Node) -> str:
    if node.kind == "code_block":
        return node.text
    if node.kind == "figure" and node.image is not None:
        return node.image.caption
    return "".join(child.text for child in node.children if child.kind in ("text", "code"))
