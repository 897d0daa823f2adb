"""``pressrun check``: every problem of a manuscript at once, without rendering anything.

It reports what the build would reject, and the warnings an editor wants before
a print run: missing art, pictures without descriptions or too coarse for print,
footnotes defined but never used, raw HTML, straight quotes or ``--`` the
typographer could not convert, empty parts and duplicate titles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pressrun.diagnostics import Diagnostic, Report
from pressrun.errors import PressrunError
from pressrun.geometry import geometry_for
from pressrun.loader import CONFIG, read_project
from pressrun.model import Node, Pamphlet, SourceLocation

MIN_DPI = 300
_DEFINITION = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:", re.M)
_NEEDLE = re.compile(r"(\[\^[^\]\s]+\]|'[^']+')")


@dataclass(frozen=True)
class Finding:
    """One line of the check's report."""

    path: str
    line: int
    column: int
    severity: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message}"


def check_project(root: Path) -> list[Finding]:
    """Every problem found in the project at ``root``, in file and line order."""
    try:
        pamphlet, report = read_project(root)
    except PressrunError as exc:
        return [Finding(exc.path or CONFIG, exc.line or 1, 1, "error", exc.message)]
    if not report.errors:
        _warn_about(pamphlet, report)
    return sorted((_finding(d, pamphlet.root) for d in report.diagnostics),
                  key=lambda f: (f.path != CONFIG, f.path, f.line, f.column))


def _warn_about(pamphlet: Pamphlet, report: Report) -> None:
    geometry = geometry_for(pamphlet.metadata.page_size)
    titles: dict[str, str] = {}
    for image in pamphlet.missing_art:
        report.warning(image.location, f"picture '{image.rel}' does not exist yet: a "
                                       "placeholder is printed in its place")
    for part in pamphlet.parts:
        where = SourceLocation(part.location.path, 2)
        if not part.blocks:
            report.warning(where, f"part '{part.title}' has no text")
        if part.title in titles:
            report.warning(where, f"part title '{part.title}' is also the title of "
                                  f"{titles[part.title]}: readers cannot tell them apart")
        titles.setdefault(part.title, part.location.path)
        for block in part.blocks:
            _typography(block, part.location.path, report)
        _unused_notes(pamphlet.root / part.location.path, part, report)
    for image in pamphlet.images:
        if image.missing or image.media_type == "image/svg+xml":
            continue
        width_in = min(image.width / 96, geometry.text_width_mm / 25.4,
                       geometry.image_max_height_mm / 25.4 * image.width / image.height)
        dpi = image.width / width_in
        if dpi < MIN_DPI:
            report.warning(image.location, f"picture '{image.rel}' prints at about {dpi:.0f} "
                                           f"dpi, below the {MIN_DPI} dpi print needs: use a "
                                           "larger picture if you can")


def _typography(block: Node, path: str, report: Report) -> None:
    """Straight quotes and double hyphens that survived the typographer."""
    for node in block.walk():
        if node.kind != "paragraph" and node.kind != "heading":
            continue
        text = "".join(c.text for c in node.children if c.kind == "text")
        for mark, name in (('"', 'straight quote (")'), ("--", "double hyphen (--)")):
            if mark in text:
                report.warning(SourceLocation(path, node.line),
                               f"{name} left as typed: write the typographic character "
                               "(“ ” ‘ ’ – —) or reword")
                break


def _unused_notes(file: Path, part, report: Report) -> None:
    text = file.read_text(encoding="utf-8-sig")
    used = {note.label for note in part.footnotes}
    for match in _DEFINITION.finditer(text):
        if match[1] not in used:
            line = text.count("\n", 0, match.start()) + 1
            report.warning(SourceLocation(part.location.path, line),
                           f"footnote [^{match[1]}] is defined but never referred to: "
                           f"add [^{match[1]}] where it belongs, or delete the note", 1)


def _finding(diagnostic: Diagnostic, root: Path) -> Finding:
    location = diagnostic.location
    column = diagnostic.column or _column(root / location.path, location.line,
                                          diagnostic.message)
    return Finding(location.path, location.line or 1, column, diagnostic.severity,
                   diagnostic.message)


def _column(file: Path, line: int | None, message: str) -> int:
    """Where the thing the message names stands on its line (1 when unknown)."""
    if not line or not file.is_file():
        return 1
    try:
        source = file.read_text(encoding="utf-8-sig").splitlines()[line - 1]
    except (UnicodeDecodeError, IndexError, OSError):
        return 1
    for needle in _NEEDLE.findall(message):
        for candidate in (needle, needle.strip("'")):
            if candidate and candidate in source:
                return source.index(candidate) + 1
    return len(source) - len(source.lstrip()) + 1
