"""``pressrun check``: every problem of a manuscript at once, without rendering anything.

It reports what the build would reject, and the warnings an editor wants before
a print run: missing art, pictures without descriptions or too coarse for print,
footnotes defined but never used, raw HTML, straight quotes or ``--`` the
typographer could not convert, empty parts and duplicate titles.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from pressrun.manuscript.loader import read_project
from pressrun.manuscript.reread import across_runs
from pressrun.model import Node, Pamphlet, Part, SourceLocation
from pressrun.problems import PressrunError, Problem, Problems
from pressrun.profiles import geometry_for
from pressrun.project import CONFIG, Project

MIN_DPI = 300
_DEFINITION = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:", re.M)
_NEEDLE = re.compile(r"(\[\^[^\]\s]+\]|'[^']+')")


def check_project(root: Path) -> list[Problem]:
    """Every problem found in the project at ``root``, in file and line order, each with
    its line and column (1 when unknown)."""
    project = Project(root)
    try:
        with across_runs(project, make_folder=False):
            pamphlet, report = read_project(project)
    except PressrunError as exc:
        return [replace(problem, path=problem.path or CONFIG, line=problem.line or 1,
                        column=1) for problem in exc.problems]
    if not report.errors:
        _warn_about(project, pamphlet, report)
    found = [replace(p, line=p.line or 1, column=p.column or _column(project, p))
             for p in report.found]
    return sorted(found, key=lambda p: (p.path != CONFIG, p.path, p.line, p.column))


def _warn_about(project: Project, pamphlet: Pamphlet, report: Problems) -> None:
    geometry = geometry_for(pamphlet.metadata.page_size)
    titles: dict[str, str] = {}
    for image in pamphlet.missing_art:
        report.warning(image.location, "missing-art",
                       f"picture '{image.rel}' does not exist yet: a "
                       "placeholder is printed in its place")
    for part in pamphlet.parts:
        where = SourceLocation(part.location.path, 2)
        if not part.blocks:
            report.warning(where, "empty-part", f"part '{part.title}' has no text")
        if part.title in titles:
            report.warning(where, "duplicate-title",
                           f"part title '{part.title}' is also the title of "
                           f"{titles[part.title]}: readers cannot tell them apart")
        titles.setdefault(part.title, part.location.path)
        for block in part.blocks:
            _typography(block, part.location.path, report)
        _unused_notes(project, part, report)
    for image in pamphlet.images:
        if image.missing or image.media_type == "image/svg+xml":
            continue
        width_in = min(image.width / 96, geometry.text_width_mm / 25.4,
                       geometry.image_max_height_mm / 25.4 * image.width / image.height)
        dpi = image.width / width_in
        if dpi < MIN_DPI:
            report.warning(image.location, "low-resolution",
                           f"picture '{image.rel}' prints at about {dpi:.0f} "
                           f"dpi, below the {MIN_DPI} dpi print needs: use a "
                           "larger picture if you can")


def _typography(block: Node, path: str, report: Problems) -> None:
    """Straight quotes and double hyphens that survived the typographer."""
    for node in block.walk():
        if node.kind != "paragraph" and node.kind != "heading":
            continue
        text = "".join(c.text for c in node.children if c.kind == "text")
        for mark, name in (('"', 'straight quote (")'), ("--", "double hyphen (--)")):
            if mark in text:
                report.warning(SourceLocation(path, node.line), "typography",
                               f"{name} left as typed: write the typographic character "
                               "(“ ” ‘ ’ – —) or reword")
                break


def _unused_notes(project: Project, part: Part, report: Problems) -> None:
    text = _text(project, part.location.path)
    used = {note.label for note in part.footnotes}
    for match in _DEFINITION.finditer(text):
        if match[1] not in used:
            line = text.count("\n", 0, match.start()) + 1
            report.warning(SourceLocation(part.location.path, line), "unused-note",
                           f"footnote [^{match[1]}] is defined but never referred to: "
                           f"add [^{match[1]}] where it belongs, or delete the note", 1)


def _text(project: Project, rel: str) -> str:
    """The text of a project file, for finding columns ("" when it cannot be read)."""
    try:
        return project.read_bytes(project.path(rel)).decode("utf-8-sig")
    except (PressrunError, UnicodeDecodeError):
        return ""


def _column(project: Project, problem: Problem) -> int:
    """Where the thing the message names stands on its line (1 when unknown)."""
    lines = _text(project, problem.path).splitlines() if problem.path and problem.line else []
    if not problem.line or problem.line > len(lines):
        return 1
    source = lines[problem.line - 1]
    for needle in _NEEDLE.findall(problem.message):
        for candidate in (needle, needle.strip("'")):
            if candidate and candidate in source:
                return source.index(candidate) + 1
    return len(source) - len(source.lstrip()) + 1
