"""Laying out the print edition section by section, and keeping the layouts for the next build.

Every section (the front matter, each part, the back matter: see
``render.print_sections``) starts a new page, so each is laid out as a document of its
own, paged on from where the one before ended, and the pages are joined into one
document for the PDF and the EPUB's page list. The contents page cannot point across
documents, so it is given the page numbers as text: laid out first with the last
known numbers, then again if they changed.

``Layouts`` remembers each section's pages by its HTML. ``pressrun watch`` keeps one
between rebuilds: a section whose HTML is unchanged is not laid out again, and the
sections after an edited part are laid out again only when its page count changed,
since each section's HTML holds the page it starts on. Pictures and stylesheets are
not in the HTML, so any change to ``images/`` or ``styles/`` forgets every layout.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pressrun.html import ids
from pressrun.pdf.render import PrintHtml, PrintJob, print_html, print_sections
from pressrun.pdf.weasy import Shared, layout, outer_paragraph_numbers, placed_anchors
from pressrun.problems import log
from pressrun.project import IMAGES, STYLES

if TYPE_CHECKING:
    from weasyprint.document import Document, Page


@dataclass
class Layouts:
    """Laid-out sections by the hash of their HTML, and what their layout shared."""

    documents: dict[str, Document] = field(default_factory=dict)
    """Each section laid out, by the sha256 of its HTML."""
    numbers: dict[str, int] = field(default_factory=dict)
    """The page of each contents entry in the last build."""
    resources: str = ""
    """The key of the project's ``images/`` and ``styles/`` the pages were laid out with."""
    stats: dict[str, list] = field(default_factory=dict)
    """File stats for computing ``resources`` quickly (see ``cache.fingerprint``)."""
    shared: Shared | None = None
    """Fonts, pictures and parsed stylesheets, shared by every layout."""
    laid_out: int = 0
    """Sections laid out by the last build (the rest were reused)."""

    def refresh(self, job: PrintJob, kept: bool = True) -> Shared:
        """Forget every layout if a picture, stylesheet or pressrun itself changed; return
        what the layouts share.

        Layouts not ``kept`` for a next build (a one-off build) skip hashing those files.
        """
        from pressrun.cache import fingerprint

        key = ""
        if kept:
            key, self.stats = fingerprint(job.theme.project, {"layouts": 1}, self.stats,
                                          inputs=(IMAGES, STYLES))
        if key != self.resources or self.shared is None:
            self.documents, self.shared, self.resources = {}, Shared(), key
        self.laid_out = 0
        return self.shared


def layout_checked(job: PrintJob, html_for: Callable[[frozenset[str]], PrintHtml],
                   shared: Shared | None = None) -> Document:
    """Lay out ``html_for(set_under)``, making sure no footnote is lost.

    WeasyPrint sometimes drops a footnote whose call sits on the last lines of a
    page. Every floated note's id must appear among the laid-out pages' anchors; a note
    that does not is set under the paragraph that calls it, and the pages are laid out
    again. Paragraph numbers are then moved into the outer margin.
    """
    set_under: frozenset[str] = frozenset()
    for _ in range(4):
        page = html_for(set_under)
        document = layout(page, job.theme.project, shared)
        lost = page.floated.keys() - placed_anchors(document)
        if not lost:
            break
        for note_id in sorted(lost):
            log.info("%s is set under its paragraph: it did not fit at the foot of its page",
                     page.floated[note_id])
        set_under |= lost
    if job.pamphlet.metadata.paragraph_numbers:
        outer_paragraph_numbers(document)
    return document


def layout_whole(job: PrintJob, **options: object) -> Document:
    """Lay out one document of the print edition (a handout with ``handout=part``, ruled
    pages with ``notes_only=N``: see ``print_html``) in one piece."""
    return layout_checked(job, lambda set_under: print_html(job, set_under, **options))  # type: ignore[arg-type]


def layout_sections(job: PrintJob, layouts: Layouts | None = None) -> Document:
    """Lay out the print edition section by section (reusing ``layouts``) as one document."""
    kept = layouts is not None
    layouts = layouts if layouts is not None else Layouts()
    shared = layouts.refresh(job, kept)
    used: dict[str, Document] = {}
    rendered: dict[tuple, PrintHtml] = {}

    def section(name: str, start: int, numbers: dict[str, int] | None) -> Document:
        spec = (name, start, None if numbers is None else tuple(sorted(numbers.items())))

        def html_for(set_under: frozenset[str]) -> PrintHtml:
            if set_under or spec not in rendered:
                page = print_html(job, set_under, section=name, start=start,
                                  page_numbers=numbers)
                if set_under:
                    return page
                rendered[spec] = page
            return rendered[spec]

        key = hashlib.sha256(_key(html_for(frozenset()))).hexdigest()
        if key not in layouts.documents:
            layouts.documents[key] = layout_checked(job, html_for, shared)
            layouts.laid_out += 1
        used[key] = layouts.documents[key]
        return used[key]

    numbers = dict(layouts.numbers)
    wanted = ids.contents_ids(job.pamphlet)
    names = print_sections(job.pamphlet)
    for _ in range(4):
        documents = [section(names[0], 1, numbers)]
        pages: list[Page] = list(documents[0].pages)
        for name in names[1:]:
            documents.append(section(name, len(pages) + 1, None))
            pages += documents[-1].pages
        found: dict[str, int] = {}
        for number, page in enumerate(pages, 1):
            for anchor in page.anchors:
                found.setdefault(anchor, number)
        placed = {name: found[name] for name in wanted if name in found}
        if placed == numbers:
            break
        numbers = placed
    layouts.numbers, layouts.documents = numbers, used
    return documents[0].copy(pages)


def _key(page: PrintHtml) -> bytes:
    """What decides a section's layout, besides the files of ``images/`` and ``styles/``."""
    return "\0".join((page.html, *page.stylesheets, page.page_css)).encode()
