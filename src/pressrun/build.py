"""Build orchestration: load once, render, write each requested output atomically."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pressrun.diagnostics import Report
from pressrun.errors import log
from pressrun.geometry import EDITIONS, PROFILES, Edition, Profile
from pressrun.loader import load_pamphlet
from pressrun.model import Pamphlet
from pressrun.output import check_target, write_atomic
from pressrun.theme import Theme

if TYPE_CHECKING:
    from weasyprint.document import Document

    from pressrun.sections import Layouts

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
    notes: tuple[str, ...] = ()
    """Lines to tell the user about this output (e.g. how to print a booklet)."""


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
    from pressrun.render import forget_pictures

    forget_pictures()
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


def target_path(project: Project, kind: str, output: Path | None, folder: bool = False,
                variant: str = "") -> Path:
    """Where an output goes: ``-o`` as given (a folder for ``build``), else ``build/<slug>``.

    ``variant`` (a print profile other than home) is added to the default name.
    """
    name = project.pamphlet.slug + (f"-{variant}" if variant else "") + SUFFIXES[kind]
    if output is None:
        target = project.pamphlet.root / "build" / name
    else:
        target = output / name if folder else output
    check_target(project.pamphlet.root, target)
    return target


def write_html(project: Project, target: Path) -> Written:
    """Write the print HTML (for previewing and debugging)."""
    from pressrun.render import print_html

    data = print_html(project.pamphlet, project.theme, preview=True).encode()
    write_atomic(target, data)
    return Written(target, "html", len(data))


def layout(project: Project, profile: Profile = PROFILES["home"],
           edition: Edition = EDITIONS["standard"], layouts: Layouts | None = None) -> Document:
    """Lay out the print edition: once per build, for the PDF and the EPUB's page list.

    ``layouts`` (kept by ``pressrun watch``) holds the sections laid out by the last
    build; those that did not change are reused.
    """
    from pressrun.sections import layout_sections

    return layout_sections(project.pamphlet, project.theme, profile, edition, layouts)


def write_handouts(project: Project, folder: Path, profile: Profile = PROFILES["home"],
                   edition: Edition = EDITIONS["standard"]) -> list[Written]:
    """Write one PDF per part into ``folder``, each paged from 1, for one part a meeting."""
    from pressrun.pdf import layout_print, pdf_bytes

    written = []
    for part in project.pamphlet.parts:
        target = folder / f"{part.slug}.pdf"
        check_target(project.pamphlet.root, target)
        document = layout_print(project.pamphlet, project.theme, profile, edition, part)
        data = pdf_bytes(document, profile)
        write_atomic(target, data)
        written.append(Written(target, "handout", len(data), len(document.pages)))
    return written


def write_pdf(project: Project, document: Document, target: Path,
              profile: Profile = PROFILES["home"], booklet: bool = False) -> list[Written]:
    """Write the laid-out PDF (and, with ``booklet``, its imposed booklet beside it)."""
    from pressrun.pdf import image_resolutions, pdf_bytes

    if profile.min_dpi:
        _check_resolution(project, image_resolutions(document), profile.min_dpi)
    data = pdf_bytes(document, profile)
    write_atomic(target, data)
    written = [Written(target, "pdf", len(data), len(document.pages))]
    if booklet:
        from pressrun.impose import impose, summary
        from pressrun.pdf import notes_pages_pdf

        filler = notes_pages_pdf(project.pamphlet, project.theme, profile) \
            if len(document.pages) % 4 else None
        imposed = impose(data, filler)
        sheets = target.with_name(f"{target.stem}-booklet.pdf")
        check_target(project.pamphlet.root, sheets)
        write_atomic(sheets, imposed.data)
        written.append(Written(sheets, "booklet", len(imposed.data), imposed.padded_pages // 2,
                               tuple(summary(imposed))))
    return written


def _check_resolution(project: Project, found: dict[str, float], minimum: int) -> None:
    for rel, dpi in sorted(found.items()):
        if dpi < minimum:
            log.warning("%s: printed at %d dpi, below the %d dpi a press needs: supply a "
                        "larger picture or print it smaller", rel, dpi, minimum)


def write_epub(project: Project, document: Document, target: Path) -> Written:
    """Package and write the EPUB, with the page numbers of the laid-out print edition."""
    from pressrun.epub import epub_bytes
    from pressrun.pagelist import block_texts
    from pressrun.pagemap import page_map
    from pressrun.screencache import folder_for

    pages = page_map(document, block_texts(project.pamphlet))
    data = epub_bytes(project.pamphlet, project.theme, pages,
                      folder_for(project.pamphlet.root, target))
    write_atomic(target, data)
    return Written(target, "epub", len(data))
