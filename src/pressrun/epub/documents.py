"""The EPUB's XHTML documents: the model rendered through the theme's EPUB templates.

Cover, title page, one document per part, the gathered questions and the Glossary, then
the navigation document; with the print edition's page map, every printed page is
marked in the text and listed in the page list. Returns bytes; writes nothing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import quote

from pressrun.epub import picturecache
from pressrun.epub.pagelist import Placement
from pressrun.epub.pictures import ScreenImage
from pressrun.epub.writer import GLOSSARY_HREF, QUESTIONS_HREF, EpubWriter, markers
from pressrun.html import ids
from pressrun.html.drawing import cover_png, svg_size
from pressrun.html.pictures import Pictures
from pressrun.html.theme import Theme, base_context
from pressrun.model import Image, Pamphlet, Part, slugify
from pressrun.study import gathered_questions, reading_minutes

# Part role → (EPUB structural semantic, ARIA role).
SEMANTICS = {
    "chapter": ("chapter", "doc-chapter"),
    "preface": ("preface", "doc-preface"),
    "introduction": ("introduction", "doc-introduction"),
    "sidebar": ("", ""),  # set as an <aside>: the element says it all
    "appendix": ("appendix", "doc-appendix"),
    "afterword": ("afterword", "doc-afterword"),
    "notes": ("endnotes", "doc-endnotes"),
}
EPUB_STYLES = ("common.css", "epub.css")
"""The theme's stylesheets of the EPUB, after ``fonts.css`` when fonts are embedded."""
XHTML = "application/xhtml+xml"
FIXED_DOCUMENTS = ("cover", "titlepage", "nav", "questions", "glossary")
"""The EPUB's own documents (``cover.xhtml``…), whose names a part must not take."""


@dataclass(frozen=True)
class EpubFile:
    """One file of the EPUB container, relative to the package folder."""

    href: str
    """Path inside the package, e.g. ``01-how-workers-won.xhtml``."""
    media_type: str
    """MIME type."""
    content: bytes
    """The file's bytes."""
    title: str = ""
    """For documents: the title shown in the contents."""


SCREEN = "screen"
"""The kind of conversion of pictures for screens, in the build's ``Pictures``."""
DRAWN_COVER = "drawn cover"
"""The cover drawn from the metadata, in the build's ``Pictures``."""


@dataclass(frozen=True)
class EpubJob:
    """What an EPUB is made of."""

    pamphlet: Pamphlet
    """The document model."""
    theme: Theme
    """Templates and stylesheets."""
    pictures: Pictures
    """The build's pictures."""
    screen_cache: Path | None = None
    """Where pictures converted for screens are kept between builds (None: nowhere)."""

    @cached_property
    def part_hrefs(self) -> dict[str, str]:
        """Where a link to each part leads, by its file name (made once: every part's
        writer shares it)."""
        return {ids.markdown_name(part): part_href(part) for part in self.pamphlet.parts}

    def screen(self, image: Image) -> ScreenImage:
        """A picture converted for screens (once per build)."""
        return self.pictures.converted(SCREEN, image, lambda each: picturecache.convert(
            each, self.pictures.read(each), self.theme.project, self.screen_cache))

    def cover_picture(self) -> Image | None:
        """The project's cover picture; None when the cover is drawn from the metadata."""
        cover = self.pamphlet.metadata.cover
        return None if cover is None or cover.missing else cover

    def drawn_cover(self) -> bytes:
        """The cover drawn from the metadata, once per build."""
        return self.pictures.drawn(DRAWN_COVER, lambda: cover_png(self.pamphlet.metadata))

    def size(self, image: Image) -> tuple[int, int]:
        """Width and height of the file ``href`` leads to (a placeholder's, a picture's
        as converted for screens)."""
        from PIL import Image as PILImage

        if image.missing:
            return svg_size(self.pictures.placeholder(image))
        if image.media_type == "image/svg+xml":
            return image.width, image.height
        with PILImage.open(io.BytesIO(self.screen(image).data)) as picture:
            return picture.size

    def href(self, image: Image) -> str:
        """Where a picture (or its placeholder) lives inside the EPUB."""
        if image.missing:
            return f"placeholders/{slugify(image.rel, 'art')}.svg"
        return quote(self.screen(image).href)


def part_href(part: Part) -> str:
    """The XHTML file of a part inside the EPUB: ``cover.md`` is ``cover_.xhtml`` (a slug
    has no ``_``), so that it does not replace the cover."""
    return f"{part.slug}{'_' if part.slug in FIXED_DOCUMENTS else ''}.xhtml"


def back_matter(pamphlet: Pamphlet) -> list[tuple[str, str]]:
    """The EPUB's documents after the parts, as (id of the print section, href)."""
    hrefs = {ids.QUESTIONS: QUESTIONS_HREF, ids.GLOSSARY: GLOSSARY_HREF}
    return [(name, hrefs[name]) for name in ids.back_matter(pamphlet)]


def epub_documents(job: EpubJob, cover_href: str, placement: Placement | None = None,
                   fonts: bool = False) -> list[EpubFile]:
    """The EPUB's XHTML documents in reading order: cover, title page, parts, the gathered
    questions and the Glossary, then the nav.

    With ``placement``, the print edition's page numbers are marked in the text and
    listed in the nav's page list.
    """
    pamphlet, theme, words = job.pamphlet, job.theme, job.theme.words
    placement = placement or Placement()
    names = (("fonts.css",) if fonts else ()) + EPUB_STYLES
    context = {**base_context(pamphlet), "stylesheets": [f"styles/{name}" for name in names],
               "semantics": SEMANTICS}
    docs = [
        EpubFile("cover.xhtml", XHTML, theme.render(
            "cover.xhtml", cover_href=cover_href, **context).encode(), words("cover")),
        EpubFile("titlepage.xhtml", XHTML, theme.render(
            "titlepage.xhtml", front_start=markers(placement.front_start),
            front_end=markers(placement.front_end), **context).encode(),
            words("title_page")),
    ]
    gathered = gathered_questions(pamphlet)
    writers = {part.slug: _writer(job, part, placement=placement,
                                  questions_href=QUESTIONS_HREF if gathered else "")
               for part in pamphlet.parts}
    for part in pamphlet.parts:
        content = theme.render("part.xhtml", part=part, w=writers[part.slug], **context)
        docs.append(EpubFile(part_href(part), XHTML, content.encode(), part.title))
    back = back_matter(pamphlet)
    for name, href in back:
        marked = markers(placement.back.get(name, []))
        end = markers(placement.back_end) if name == back[-1][0] else ""
        if name == ids.QUESTIONS:
            groups = [(part, _writer(job, part, notes_href=part_href(part)), found)
                      for part, found in gathered]
            content = theme.render("questions.xhtml", gathered=groups, markers=marked,
                                   end_markers=end, **context)
            title = words("questions_for_discussion")
        else:
            content = theme.render("glossary.xhtml", markers=marked, end_markers=end,
                                   **context)
            title = words("glossary")
        docs.append(EpubFile(href, XHTML, content.encode(), title))
    nav = theme.render("nav.xhtml", toc=_toc(pamphlet, docs), landmarks=_landmarks(job),
                       page_list=_page_list(pamphlet, placement),
                       contents_markers=markers(placement.contents), **context)
    docs.append(EpubFile("nav.xhtml", XHTML, nav.encode(), words("contents")))
    return docs


def _writer(job: EpubJob, part: Part, **options: object) -> EpubWriter:
    meta = job.pamphlet.metadata
    return EpubWriter(part, job.href, job.part_hrefs, job.theme.words,
                      glossary=job.pamphlet.glossary_by_slug, image_size=job.size,
                      numbered=meta.paragraph_numbers, questions_at_end=meta.questions == "end",
                      **options)  # type: ignore[arg-type]


def _toc(pamphlet: Pamphlet, docs: list[EpubFile]) -> list[dict[str, object]]:
    """The contents: every document after the cover, with the parts' reading times."""
    minutes = {part_href(part): reading_minutes(part) for part in pamphlet.parts}
    return [{"href": doc.href, "title": doc.title, "minutes": minutes.get(doc.href)}
            for doc in docs[1:]]


def _landmarks(job: EpubJob) -> list[dict[str, str]]:
    pamphlet, words = job.pamphlet, job.theme.words
    first = part_href(pamphlet.parts[0]) if pamphlet.parts else "titlepage.xhtml"
    landmarks = [
        {"type": "cover", "href": "cover.xhtml", "title": words("cover")},
        {"type": "titlepage", "href": "titlepage.xhtml", "title": words("title_page")},
        {"type": "toc", "href": "nav.xhtml#toc", "title": words("contents")},
        {"type": "bodymatter", "href": first, "title": words("start_of_content")},
    ]
    if pamphlet.glossary:
        landmarks.append({"type": "glossary", "href": GLOSSARY_HREF,
                          "title": words("glossary")})
    return landmarks


def _page_list(pamphlet: Pamphlet, placement: Placement) -> list[dict[str, str]]:
    """Each printed page with the EPUB location of its marker, in page order."""
    where = {label: "titlepage.xhtml" for label in placement.front_start + placement.front_end}
    where.update({label: "nav.xhtml" for label in placement.contents})
    last = "titlepage.xhtml"
    for part in pamphlet.parts:
        labels = placement.part_start.get(part.slug, []) + placement.part_end.get(part.slug, [])
        labels += [label for index in range(len(part.blocks))
                   for _, label in placement.inside.get(ids.block(part, index), [])]
        where.update({label: part_href(part) for label in labels})
        last = part_href(part)
    for name, href in back_matter(pamphlet):
        where.update({label: href for label in placement.back.get(name, [])})
        last = href
    where.update({label: last for label in placement.back_end})
    return [{"label": label, "href": f"{where[label]}#{ids.page(label)}"}
            for label in placement.labels if label in where]


def epub_stylesheets(theme: Theme) -> list[EpubFile]:
    """The theme's stylesheets for the EPUB."""
    return [EpubFile(f"styles/{name}", "text/css", theme.read(name)) for name in EPUB_STYLES]
