"""Build orchestration: load once, render, write each requested output atomically."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pressrun.diagnostics import Report
from pressrun.loader import load_pamphlet
from pressrun.model import Pamphlet
from pressrun.output import check_target, write_atomic
from pressrun.theme import Theme

SUFFIXES = {"pdf": ".pdf", "epub": ".epub", "html": ".html"}


@dataclass(frozen=True)
class Written:
    """One output file the build wrote."""

    path: Path
    """Where it was written."""
    kind: str
    """``pdf``, ``epub`` or ``html``."""
    size: int
    """Size in bytes."""
    pages: int | None = None
    """Printed pages (PDF only)."""


@dataclass(frozen=True)
class Project:
    """A loaded project, ready to render."""

    pamphlet: Pamphlet
    """The document model."""
    theme: Theme
    """Templates and stylesheets."""
    report: Report
    """Warnings found while loading."""


def load(root: Path, strict: bool = False) -> Project:
    """Load the project at ``root``; with ``strict``, warnings and missing art are errors."""
    pamphlet, report = load_pamphlet(root)
    if strict:
        for image in pamphlet.missing_art:
            report.error(image.location, f"picture '{image.rel}' does not exist (--strict "
                                         "makes missing art an error): add the file, or "
                                         "build without --strict to get a placeholder")
        for diagnostic in list(report.diagnostics):
            if diagnostic.severity == "warning":
                report.error(diagnostic.location, diagnostic.message + " (--strict)")
        report.diagnostics = [d for d in report.diagnostics if d.severity == "error"]
        report.raise_errors()
    return Project(pamphlet, Theme(pamphlet.root), report)


def target_path(project: Project, kind: str, output: Path | None, folder: bool = False) -> Path:
    """Where an output goes: ``-o`` as given (a folder for ``build``), else ``build/<slug>``."""
    name = project.pamphlet.slug + SUFFIXES[kind]
    if output is None:
        target = project.pamphlet.root / "build" / name
    else:
        target = output / name if folder else output
    check_target(project.pamphlet.root, target)
    return target


def write_html(project: Project, target: Path) -> Written:
    """Write the print HTML (for previewing and debugging)."""
    from pressrun.render import print_html

    data = print_html(project.pamphlet, project.theme).encode()
    write_atomic(target, data)
    return Written(target, "html", len(data))


def write_pdf(project: Project, target: Path) -> Written:
    """Lay out and write the PDF."""
    from pressrun.pdf import layout_print, pdf_bytes

    document = layout_print(project.pamphlet, project.theme)
    data = pdf_bytes(document)
    write_atomic(target, data)
    return Written(target, "pdf", len(data), len(document.pages))


def write_epub(project: Project, target: Path) -> Written:
    """Package and write the EPUB."""
    from pressrun.epub import epub_bytes

    data = epub_bytes(project.pamphlet, project.theme)
    write_atomic(target, data)
    return Written(target, "epub", len(data))
