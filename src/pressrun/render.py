"""Rendering the model through the theme: the print HTML and the EPUB's XHTML documents.

Both targets read the same ``Pamphlet`` and the same templates; this module
returns strings and bytes and writes nothing.
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from pressrun import __version__
from pressrun.dates import build_date
from pressrun.drawing import placeholder_png, qr_svg
from pressrun.geometry import EDITIONS, PROFILES, Edition, Profile
from pressrun.htmlwriter import EPUB, PRINT, BodyWriter
from pressrun.model import Image, Pamphlet, Part, slugify
from pressrun.pagelist import Placement, block_id
from pressrun.screencache import convert
from pressrun.screenimages import ScreenImage
from pressrun.study import gathered_questions, reading_minutes
from pressrun.theme import DEFAULT_THEME, Theme

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
PRINT_STYLES = ("fonts.css", "common.css", "print.css")
EPUB_STYLES = ("common.css", "epub.css")


@lru_cache(maxsize=256)
def placeholder(image: Image) -> bytes:
    """The PNG drawn for missing art (the same bytes for PDF and EPUB)."""
    return placeholder_png(image, image.caption)


def _context(pamphlet: Pamphlet, theme: Theme) -> dict[str, object]:
    theme.env.globals["semantics"] = SEMANTICS
    theme.env.globals["reading_minutes"] = reading_minutes
    when = build_date(pamphlet.metadata).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"meta": pamphlet.metadata, "version": __version__, "build_date": when,
            "glossary": pamphlet.glossary}


def _writers(pamphlet: Pamphlet, target: str, src, hrefs: dict[str, str],
             parts: tuple[Part, ...] | None = None, **options) -> dict[str, BodyWriter]:
    """A body writer for each part (or each of ``parts``), by slug, with the pamphlet's
    study options."""
    meta = pamphlet.metadata
    glossary = {entry.slug: entry for entry in pamphlet.glossary}
    return {part.slug: BodyWriter(target, part, src, hrefs, glossary=glossary,
                                  numbered=meta.paragraph_numbers,
                                  questions_at_end=meta.questions == "end", **options)
            for part in (pamphlet.parts if parts is None else parts)}


_FLOATED = re.compile(r'<span class="footnote[^"]*" id="([^"]+)"')


def floated_notes(html: str, pamphlet: Pamphlet) -> dict[str, str]:
    """The id of every note the print HTML floats to a page foot, with a description."""
    described = {f"{part.slug}-fn-{note.number}": f"note {note.label} of {part.location.path}"
                 for part in pamphlet.parts for note in part.footnotes}
    return {note_id: described.get(note_id, f"the note {note_id}")
            for note_id in _FLOATED.findall(html)}


# The print HTML names files by these fixed roots, not by where the project happens
# to be, so the PDF is the same in any checkout and carries no local paths; the PDF
# writer's fetcher maps them back (see pdf.ProjectFetcher).
PROJECT_URL = "file:///pressrun/project/"
THEME_URL = "file:///pressrun/theme/"


def virtual_url(path: Path, root: Path) -> str:
    """The fixed-root URL of a file of the project or of the default theme."""
    path = path.resolve()
    if path.is_relative_to(DEFAULT_THEME.resolve()):
        return THEME_URL + quote(path.relative_to(DEFAULT_THEME.resolve()).as_posix())
    return PROJECT_URL + quote(path.relative_to(root.resolve()).as_posix())


FRONT, BACK = "front", "back"
"""The print sections before and after the parts (a part's section is ``part-<slug>``)."""


def print_sections(pamphlet: Pamphlet) -> list[str]:
    """The print edition's sections in order, each starting a new page: the front matter,
    each part, then the back matter when there is any."""
    meta = pamphlet.metadata
    back = bool(gathered_questions(pamphlet) or pamphlet.glossary or meta.notes_pages)
    return [FRONT, *(f"part-{part.slug}" for part in pamphlet.parts)] + [BACK] * back


def print_html(pamphlet: Pamphlet, theme: Theme, profile: Profile = PROFILES["home"],
               set_under: frozenset[str] = frozenset(), preview: bool = False,
               notes_only: int = 0, edition: Edition = EDITIONS["standard"],
               handout: Part | None = None, section: str | None = None, start: int = 1,
               page_numbers: dict[str, int] | None = None) -> str:
    """The whole publication as one HTML document for WeasyPrint.

    ``set_under`` names notes to set under their paragraph rather than at the page foot.
    With ``preview``, files are named by their real paths, for opening in a browser.
    With ``notes_only``, the document is that many ruled notes pages and nothing else;
    with ``handout``, it is that part alone, for reading in one meeting.
    With ``section`` (see ``print_sections``), it is that section alone, paged from
    ``start``; the contents then print ``page_numbers`` (by element id) as they are.
    """

    def locate(path: Path) -> str:
        return path.resolve().as_uri() if preview else virtual_url(path, pamphlet.root)

    def src(image: Image) -> str:
        if profile.grayscale and (image.missing or image.media_type != "image/svg+xml"):
            return _data_url(grey_png(image))
        if image.missing:
            return _data_url(placeholder(image))
        return locate(image.path)

    meta = pamphlet.metadata
    hrefs = {_md_name(part): f"#part-{part.slug}" for part in pamphlet.parts}
    whole = section is None and not notes_only  # the edition, or a handout
    front = (whole and handout is None) or section == FRONT
    body = whole or (section or "").startswith("part-")
    back = whole or section == BACK  # a handout has its questions, not the rest
    shown = (handout,) if handout is not None else tuple(
        part for part in pamphlet.parts if section in (None, BACK, f"part-{part.slug}"))
    writers = _writers(pamphlet, PRINT, src, hrefs, shown,
                       endnotes=meta.notes == "endnotes", set_under=set_under)
    parts = [(part, writers[part.slug]) for part in shown if body]
    gathered = [(part, writers[part.slug], found)
                for part, found in gathered_questions(pamphlet) if part.slug in writers and back]
    names = PRINT_STYLES + (("grayscale.css",) if profile.grayscale else ()) + \
        ((edition.stylesheet,) if edition.stylesheet else ())
    stylesheets = [locate(theme.find(name)) for name in names]
    qr = _data_url(qr_svg(meta.url), "image/svg+xml") if meta.url and front else None
    context = _context(pamphlet, theme)
    edition_back = back and handout is None
    if not edition_back:
        context["glossary"] = ()
    return theme.render("print.html", parts=parts, gathered=gathered, qr=qr,
                        stylesheets=stylesheets, profile=profile, front=front,
                        contents_parts=pamphlet.parts if len(pamphlet.parts) >= 3 else (),
                        contents_back=[name for name, _ in back_matter(pamphlet)],
                        start=start, page_numbers=page_numbers,
                        notes_pages=notes_only or meta.notes_pages * edition_back,
                        handout=handout, g=edition.geometry_for(meta.page_size), **context)


def _data_url(data: bytes, media_type: str = "image/png") -> str:
    return f"data:{media_type};base64," + base64.b64encode(data).decode()


@lru_cache(maxsize=256)
def grey_png(image: Image) -> bytes:
    """A picture (or its placeholder) converted to grey, for the grayscale profile."""
    from PIL import Image as PILImage
    from PIL import ImageOps

    source = io.BytesIO(placeholder(image)) if image.missing else image.path
    with PILImage.open(source) as picture:
        picture = ImageOps.exif_transpose(picture)
        if picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info:
            grey = picture.convert("LA")
        else:
            grey = picture.convert("L")
        out = io.BytesIO()
        grey.save(out, format="PNG")
    return out.getvalue()


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


@lru_cache(maxsize=256)
def screen(image: Image) -> ScreenImage:
    """A picture converted for screens (once per build, shared by documents and manifest;
    from one build to the next through the screen-image cache, see ``screencache``)."""
    return convert(image)


def forget_pictures() -> None:
    """Forget the pictures converted by earlier builds in this process (``pressrun
    watch``): a file may have changed since, under the same name."""
    screen.cache_clear()
    grey_png.cache_clear()


def epub_href(image: Image) -> str:
    """Where a picture (or its placeholder) lives inside the EPUB."""
    if image.missing:
        return f"placeholders/{slugify(image.rel) or 'art'}.png"
    return quote(screen(image).href)


QUESTIONS_HREF = "questions.xhtml"
GLOSSARY_HREF = "glossary.xhtml"


def back_matter(pamphlet: Pamphlet) -> list[tuple[str, str]]:
    """The EPUB's documents after the parts, as (id of the print section, href)."""
    return [(name, href) for name, href, present in (
        ("questions", QUESTIONS_HREF, gathered_questions(pamphlet)),
        ("glossary", GLOSSARY_HREF, pamphlet.glossary)) if present]


FIXED_DOCUMENTS = ("cover", "titlepage", "nav", "questions", "glossary")
"""The EPUB's own documents (``cover.xhtml``…), whose names a part must not take."""


def part_href(part: Part) -> str:
    """The XHTML file of a part inside the EPUB: ``cover.md`` is ``cover_.xhtml`` (a slug
    has no ``_``), so that it does not replace the cover."""
    return f"{part.slug}{'_' if part.slug in FIXED_DOCUMENTS else ''}.xhtml"


def epub_documents(pamphlet: Pamphlet, theme: Theme, cover_href: str,
                   placement: Placement | None = None, fonts: bool = False) -> list[EpubFile]:
    """The EPUB's XHTML documents in reading order: cover, title page, parts, then the nav.

    With ``placement``, the print edition's page numbers are marked in the text and
    listed in the nav's page list.
    """
    hrefs = {_md_name(part): part_href(part) for part in pamphlet.parts}
    context = _context(pamphlet, theme)
    names = (("fonts.css",) if fonts else ()) + EPUB_STYLES
    stylesheets = [f"styles/{name}" for name in names]
    xhtml = "application/xhtml+xml"
    placement = placement or Placement()
    front = BodyWriter(EPUB, Part(pamphlet.parts[0].location, "front", ""), epub_href, hrefs,
                       placement=placement) if pamphlet.parts else None
    docs = [
        EpubFile("cover.xhtml", xhtml, theme.render(
            "cover.xhtml", cover_href=cover_href, stylesheets=stylesheets,
            **context).encode(), "Cover"),
        EpubFile("titlepage.xhtml", xhtml, theme.render(
            "titlepage.xhtml", stylesheets=stylesheets,
            front_start=front.markers(placement.front_start) if front else "",
            front_end=front.markers(placement.front_end) if front else "",
            **context).encode(), "Title page"),
    ]
    gathered = gathered_questions(pamphlet)
    writers = _writers(pamphlet, EPUB, epub_href, hrefs, placement=placement,
                       questions_href=QUESTIONS_HREF if gathered else "")
    for part in pamphlet.parts:
        content = theme.render("part.xhtml", part=part, w=writers[part.slug],
                               stylesheets=stylesheets, **context)
        docs.append(EpubFile(part_href(part), xhtml, content.encode(), part.title))
    back = back_matter(pamphlet)
    for name, _ in back:
        last = name == back[-1][0]
        markers = front.markers(placement.back.get(name, [])) if front else ""
        end = front.markers(placement.back_end) if front and last else ""
        if name == "questions":
            groups = [(part, _writers(pamphlet, EPUB, epub_href, hrefs, (part,),
                                      notes_href=part_href(part))[part.slug], found)
                      for part, found in gathered]
            content = theme.render("questions.xhtml", gathered=groups, markers=markers,
                                   end_markers=end, stylesheets=stylesheets, **context)
            docs.append(EpubFile(QUESTIONS_HREF, xhtml, content.encode(),
                                 "Questions for discussion"))
        else:
            content = theme.render("glossary.xhtml", markers=markers, end_markers=end,
                                   stylesheets=stylesheets, **context)
            docs.append(EpubFile(GLOSSARY_HREF, xhtml, content.encode(), "Glossary"))
    minutes = {part_href(part): reading_minutes(part) for part in pamphlet.parts}
    toc = [{"href": doc.href, "title": doc.title, "minutes": minutes.get(doc.href)}
           for doc in docs[1:]]
    first = part_href(pamphlet.parts[0]) if pamphlet.parts else "titlepage.xhtml"
    landmarks = [
        {"type": "cover", "href": "cover.xhtml", "title": "Cover"},
        {"type": "titlepage", "href": "titlepage.xhtml", "title": "Title page"},
        {"type": "toc", "href": "nav.xhtml#toc", "title": "Contents"},
        {"type": "bodymatter", "href": first, "title": "Start of content"},
    ]
    if pamphlet.glossary:
        landmarks.append({"type": "glossary", "href": GLOSSARY_HREF, "title": "Glossary"})
    nav = theme.render("nav.xhtml", toc=toc, landmarks=landmarks, stylesheets=stylesheets,
                       page_list=_page_list(pamphlet, placement), **context)
    docs.append(EpubFile("nav.xhtml", xhtml, nav.encode(), "Contents"))
    return docs


def _page_list(pamphlet: Pamphlet, placement: Placement) -> list[dict[str, str]]:
    """Each printed page with the EPUB location of its marker, in page order."""
    where = {label: "titlepage.xhtml" for label in placement.front_start + placement.front_end}
    last = "titlepage.xhtml"
    for part in pamphlet.parts:
        labels = placement.part_start.get(part.slug, []) + placement.part_end.get(part.slug, [])
        labels += [label for index in range(len(part.blocks))
                   for _, label in placement.inside.get(block_id(part, index), [])]
        where.update({label: part_href(part) for label in labels})
        last = part_href(part)
    for name, href in back_matter(pamphlet):
        where.update({label: href for label in placement.back.get(name, [])})
        last = href
    where.update({label: last for label in placement.back_end})
    return [{"label": label, "href": f"{where[label]}#page-{label}"}
            for label in placement.labels if label in where]


def epub_stylesheets(theme: Theme) -> list[EpubFile]:
    """The theme's stylesheets for the EPUB."""
    return [EpubFile(f"styles/{name}", "text/css", theme.find(name).read_bytes())
            for name in EPUB_STYLES]


def _md_name(part: Part) -> str:
    return part.location.path.removeprefix("manuscript/")
