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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pressrun.geometry import EDITIONS, PROFILES, Edition, Profile
from pressrun.model import Pamphlet
from pressrun.render import back_matter, print_html, print_sections
from pressrun.theme import Theme

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
    font_config: object = None
    """WeasyPrint's fonts, shared by every layout (pages keep references to it)."""
    images: dict = field(default_factory=dict)
    """WeasyPrint's picture cache, shared by every layout."""
    styles: dict = field(default_factory=dict)
    """The stylesheets, parsed once for every layout (see ``pdf.layout``)."""
    laid_out: int = 0
    """Sections laid out by the last build (the rest were reused)."""

    def refresh(self, pamphlet: Pamphlet, kept: bool = True) -> None:
        """Forget every layout if a picture, stylesheet or pressrun itself changed.

        Layouts not ``kept`` for a next build (a one-off build) skip hashing those files.
        """
        from weasyprint.text.fonts import FontConfiguration

        from pressrun.cache import fingerprint

        key = ""
        if kept:
            key, self.stats = fingerprint(pamphlet.root, {"layouts": 1}, self.stats,
                                          inputs=("images", "styles"))
        if key != self.resources or self.font_config is None:
            self.documents, self.images, self.styles = {}, {}, {}
            self.font_config, self.resources = FontConfiguration(), key
        self.laid_out = 0


def contents_ids(pamphlet: Pamphlet) -> list[str]:
    """The elements whose pages the contents page lists."""
    return [f"part-{part.slug}" for part in pamphlet.parts] + \
        [name for name, _ in back_matter(pamphlet)]


def layout_sections(pamphlet: Pamphlet, theme: Theme, profile: Profile = PROFILES["home"],
                    edition: Edition = EDITIONS["standard"],
                    layouts: Layouts | None = None) -> Document:
    """Lay out the print edition section by section (reusing ``layouts``) as one document."""
    from pressrun.pdf import layout_checked

    kept = layouts is not None
    layouts = layouts if layouts is not None else Layouts()
    layouts.refresh(pamphlet, kept)
    used: dict[str, Document] = {}
    rendered: dict[tuple, str] = {}

    def section(name: str, start: int, numbers: dict[str, int] | None) -> Document:
        spec = (name, start, None if numbers is None else tuple(sorted(numbers.items())))

        def html_for(set_under: frozenset[str]) -> str:
            if set_under or spec not in rendered:
                html = print_html(pamphlet, theme, profile, set_under, edition=edition,
                                  section=name, start=start, page_numbers=numbers)
                if set_under:
                    return html
                rendered[spec] = html
            return rendered[spec]

        key = hashlib.sha256(html_for(frozenset()).encode()).hexdigest()
        if key not in layouts.documents:
            layouts.documents[key] = layout_checked(pamphlet, html_for, layouts.font_config,
                                                    layouts.images, layouts.styles)
            layouts.laid_out += 1
        used[key] = layouts.documents[key]
        return used[key]

    numbers = dict(layouts.numbers)
    wanted = contents_ids(pamphlet)
    for _ in range(4):
        documents = [section(name, 1, numbers) for name in print_sections(pamphlet)[:1]]
        pages: list[Page] = list(documents[0].pages)
        for name in print_sections(pamphlet)[1:]:
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
