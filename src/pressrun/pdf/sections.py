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
since each section's HTML holds the page it starts on. Each section's PDF is kept with
its layout (see ``pieces``). Pictures and stylesheets are not in the HTML, so any
change to ``images/`` or ``styles/`` forgets every layout. In a book's first layout, the
paragraphs of the sections after the first are planned in a forked process, each plan
taken here as soon as it is sent (see ``weasyahead``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from pressrun.html import ids
from pressrun.html.ids import source
from pressrun.pdf.quality import remedies
from pressrun.pdf.render import (
    UNADJUSTED,
    Adjustments,
    PrintHtml,
    PrintJob,
    part_sections,
    print_html,
    print_sections,
)
from pressrun.pdf.weasy import TOO_DEEP, Shared, forget, layout, layout_again, placed_anchors
from pressrun.pdf.weasyboxes import Overflow, outer_paragraph_numbers, overflows
from pressrun.problems import WARNING, PressrunError, Problem, log
from pressrun.project import IMAGES, STYLES
from pressrun.study import reading_nodes

if TYPE_CHECKING:
    from weasyprint.document import Document, Page

    from pressrun.html.pagemap import PageMap
    from pressrun.pdf.weasyahead import Ahead


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
    order: list[str] = field(default_factory=list)
    """The keys of the sections of the last build's layout, in order."""
    pdfs: dict[tuple[str, str, frozenset[str]], bytes] = field(default_factory=dict)
    """Each section's PDF, by its key, the PDF variant and the ids its links reach in
    other sections (see ``pieces``)."""
    starts: dict[str, PageMap] = field(default_factory=dict)
    """Where each section's pages begin, by its key, counted from its first page."""
    written: int = 0
    """Sections' PDFs written by the last build (the rest were reused)."""
    kept: bool = True
    """Kept for a next build (``pressrun watch``); a one-off build's are not."""

    def refresh(self, job: PrintJob) -> Shared:
        """Forget every layout if a picture, stylesheet or pressrun itself changed; return
        what the layouts share.

        Layouts not ``kept`` for a next build (a one-off build) skip hashing those files.
        """
        from pressrun.cache import fingerprint

        key = ""
        if self.kept:
            key, self.stats = fingerprint(job.theme.project, {"layouts": 1}, self.stats,
                                          inputs=(IMAGES, STYLES))
        if key != self.resources or self.shared is None:
            self.documents, self.pdfs, self.starts, self.resources = {}, {}, {}, key
            self.shared = Shared.of(job.theme.project)
        self.laid_out = 0
        return self.shared


ROUNDS = 8
"""The most layouts of one section: notes set under their paragraph, tables fitted and
paragraphs re-set each take one."""


def layout_checked(job: PrintJob, html_for: Callable[[Adjustments], PrintHtml],
                   shared: Shared | None = None, first_page: int = 1) -> Document:
    """Lay out ``html_for(adjustments)``, making sure no text is lost.

    WeasyPrint sometimes drops a footnote whose call sits on the last lines of a page:
    every floated note's id must appear among the laid-out pages' anchors; a note that
    does not is set under the paragraph that calls it, and the pages are laid out again.
    A table too wide for the page is set again to fit. What a designer would send back
    and another setting mends (a note away from its call, a ladder of hyphens, a line
    alone on a page: see ``quality.remedies``) is re-set, from the first page the new
    rules can change when they only move breaks (``weasy.layout_again``). Text that still
    runs past the edge of its page is an error naming its file and line. Paragraph
    numbers are then moved into the outer margin.
    """
    adjust, wide, off, again = UNADJUSTED, [], [], None
    shared = shared or Shared.of(job.theme.project)
    for _ in range(ROUNDS):
        document, again = again and layout_again(*again, shared), None
        if document is None:
            page = html_for(adjust)
            document = layout(page, job.theme.project, shared, keep=True)
        lost = page.floated.keys() - placed_anchors(document)
        for note_id in sorted(lost):
            log.info("%s is set under its paragraph: it did not fit at the foot of its page",
                     page.floated[note_id])
        off = [] if lost else overflows(document)
        if lost:
            adjust = replace(adjust, set_under=adjust.set_under | lost)
        elif not adjust.fit_tables and any(o.in_table for o in off):
            wide = [o for o in off if o.in_table]
            adjust = replace(adjust, fit_tables=True)
        elif off or (restyled := remedies(document, adjust.restyled)) == adjust.restyled:
            break
        else:
            again = _added(document, adjust.restyled, restyled)
            adjust = replace(adjust, restyled=restyled)
    forget(document)
    if off:
        raise PressrunError.of([Problem.at(
            source(job.pamphlet, o.element), "off-page",
            f"a table here is too wide for page {o.page + first_page - 1} even in small type: "
            "its text would be cut off; split it into tables of fewer columns" if o.in_table
            else f"text runs past the edge of page {o.page + first_page - 1} ({o.text!r}…) "
            "and would be cut off: make it fit") for o in _first_each(off)])
    for where in sorted({source(job.pamphlet, o.element) for o in wide}, key=str):
        log.warning("%s", Problem.at(where, "wide-table", "a table here is too wide for the "
                                     "page: it is set in smaller type, its words broken to "
                                     "fit; give it fewer columns if you can", WARNING))
    if job.pamphlet.metadata.paragraph_numbers:
        outer_paragraph_numbers(document)
    return document


def _added(document: Document, before: tuple[tuple[str, str], ...],
           after: tuple[tuple[str, str], ...]) -> tuple[Document, dict[str, str]] | None:
    """``document`` and the rules ``after`` adds to ``before``, to lay it out again from
    the first page they change; ``None`` when a rule replaces one of ``before``."""
    added = dict(set(after) - set(before))
    return None if added.keys() & dict(before).keys() else (document, added)


def _first_each(found: list[Overflow]) -> list[Overflow]:
    """The first overflow of each element, five at most."""
    return list({o.element: o for o in reversed(found)}.values())[::-1][:5]


def layout_whole(job: PrintJob, **options: object) -> Document:
    """Lay out one document of the print edition (a handout with ``handout=part``, ruled
    pages with ``notes_only=N``: see ``print_html``) in one piece."""
    return layout_checked(job, lambda adjust: print_html(job, adjust, **options))  # type: ignore[arg-type]


def layout_sections(job: PrintJob, layouts: Layouts | None = None,
                    laid: Callable[[str, Document, float], None] | None = None) -> Document:
    """Lay out the print edition section by section (reusing ``layouts``) as one document;
    ``laid(key, document, left)`` is told of each section as soon as it is laid out, with
    the share of the book's text in the sections after it."""
    layouts = layouts if layouts is not None else Layouts(kept=False)
    shared = layouts.refresh(job)
    rendered: dict[tuple, PrintHtml] = {}

    def section(name: str, start: int, numbers: dict[str, int] | None) -> str:
        spec = (name, start, None if numbers is None else tuple(sorted(numbers.items())))

        def html_for(adjust: Adjustments) -> PrintHtml:
            if adjust != UNADJUSTED or spec not in rendered:
                page = print_html(job, adjust, section=name, start=start,
                                  page_numbers=numbers)
                if adjust != UNADJUSTED:
                    return page
                rendered[spec] = page
            return rendered[spec]

        key = hashlib.sha256(_key(html_for(UNADJUSTED))).hexdigest()
        if key not in layouts.documents:
            if ahead is not None:
                ahead.laying_out(name)
            try:
                layouts.documents[key] = layout_checked(job, html_for, shared, start)
            except PressrunError as exc:
                if exc.problems[0].code != TOO_DEEP or exc.path:
                    raise
                raise PressrunError(exc.message, _too_deep(job, name, shared),
                                    code=TOO_DEEP) from None
            layouts.laid_out += 1
            if laid is not None:
                laid(key, layouts.documents[key], after[name])
        return key

    numbers, wanted = dict(layouts.numbers), ids.contents_ids(job.pamphlet)
    names = print_sections(job.pamphlet)
    after = _text_after(job, names)
    ahead = None
    try:
        for _ in range(4):
            order = [section(names[0], 1, numbers)]
            ahead = ahead or _ahead(job, shared, names[1:], layouts)
            pages: list[Page] = list(layouts.documents[order[0]].pages)
            for name in names[1:]:
                order.append(section(name, len(pages) + 1, None))
                pages += layouts.documents[order[-1]].pages
            placed = _placed(pages, wanted)
            if placed == numbers:
                break
            numbers = placed
    finally:
        if ahead is not None:
            ahead.stop()
    layouts.numbers, layouts.order = numbers, order
    layouts.documents = {key: layouts.documents[key] for key in order}
    layouts.starts = {key: layouts.starts[key] for key in order if key in layouts.starts}
    return layouts.documents[order[0]].copy(pages)


def _placed(pages: list[Page], wanted: list[str]) -> dict[str, int]:
    """The page (numbered from 1) on which each id of ``wanted`` is first placed."""
    found: dict[str, int] = {}
    for number, page in enumerate(pages, 1):
        for anchor in page.anchors:
            found.setdefault(anchor, number)
    return {name: found[name] for name in wanted if name in found}


def _ahead(job: PrintJob, shared: Shared, names: list[str], layouts: Layouts) -> Ahead | None:
    """The sections ``names`` planned ahead in a forked process (``weasyahead``), when
    there are any and a core for it, in the book's first layout (a rebuild of ``pressrun
    watch`` lays out one or two sections). It is forked once the first section is laid
    out: its stylesheets are then parsed, their fonts added, here."""
    from pressrun.forked import can_fork

    if not names or layouts.order or not can_fork():
        return None
    from pressrun.pdf.weasyahead import Ahead

    return Ahead(job, shared, names)


def _text_after(job: PrintJob, names: list[str]) -> dict[str, float]:
    """The share of the parts' text (characters) in the sections after each of ``names``."""
    sizes, sections = dict.fromkeys(names, 0), part_sections(job.pamphlet)
    for part in job.pamphlet.parts:
        sizes[sections[part.slug]] += sum(len(node.plain_text) for node in reading_nodes(part))
    left, total, after = sum(sizes.values()), max(1, sum(sizes.values())), {}
    for name in names:
        left -= sizes[name]
        after[name] = left / total
    return after


def _too_deep(job: PrintJob, section: str, shared: Shared) -> str:
    """The file of the part of ``section`` nested too deeply for the layout: the section's
    own, unless it also holds a sidebar, whose parts are then laid out one by one."""
    for part in job.section_parts.get(section, ())[1:]:
        try:
            layout(print_html(job, handout=part), job.theme.project, shared)
        except PressrunError as exc:
            if exc.problems[0].code == TOO_DEEP:
                return part.location.path
    return source(job.pamphlet, section).path


def _key(page: PrintHtml) -> bytes:
    """What decides a section's layout, besides the files of ``images/`` and ``styles/``."""
    return "\0".join((page.html, *page.stylesheets, page.page_css)).encode()
