"""The print edition's HTML: the model rendered through the theme's print templates.

One ``PrintJob`` (a pamphlet, its theme and pictures, a profile and an edition) renders
the whole edition, one section of it, a handout or ruled notes pages, as a ``PrintHtml``:
the document and the stylesheets to lay it out with. Nothing here touches WeasyPrint.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from pressrun.html import ids
from pressrun.html.drawing import qr_svg
from pressrun.html.pictures import Pictures
from pressrun.html.theme import Theme, base_context
from pressrun.model import Image, Pamphlet, Part
from pressrun.pdf.writer import PrintWriter
from pressrun.profiles import EDITIONS, PROFILES, Edition, Profile
from pressrun.project import DEFAULT_THEME
from pressrun.study import gathered_questions

PRINT_STYLES = ("fonts.css", "common.css", "print.css")
"""The theme's stylesheets of every print edition, in cascade order."""

# The print HTML names files by these fixed roots, not by where the project happens
# to be, so the PDF is the same in any checkout and carries no local paths; the
# layout's fetcher maps them back (see pdf.weasy).
PROJECT_URL = "file:///pressrun/project/"
THEME_URL = "file:///pressrun/theme/"


def virtual_url(path: Path, root: Path) -> str:
    """The fixed-root URL of a file of the project or of the default theme."""
    path = path.resolve()
    if path.is_relative_to(DEFAULT_THEME):
        return THEME_URL + quote(path.relative_to(DEFAULT_THEME).as_posix())
    return PROJECT_URL + quote(path.relative_to(root.resolve()).as_posix())


@dataclass(frozen=True)
class PrintHtml:
    """A print document, ready to lay out."""

    html: str
    """The document."""
    stylesheets: tuple[str, ...]
    """The URLs of its stylesheets, in cascade order."""
    page_css: str
    """The page geometry for its page size, cascading after the stylesheets."""
    floated: dict[str, str]
    """The notes it floats to the foot of a page, by id, each with a description."""


@dataclass(frozen=True)
class PrintJob:
    """What a print edition is made of."""

    pamphlet: Pamphlet
    """The document model."""
    theme: Theme
    """Templates and stylesheets."""
    pictures: Pictures
    """The build's pictures."""
    profile: Profile = PROFILES["home"]
    """How the PDF is prepared for a kind of printer."""
    edition: Edition = EDITIONS["standard"]
    """The page size and type of the edition."""

    @cached_property
    def part_hrefs(self) -> dict[str, str]:
        """Where a link to each part leads, by its file name (made once: every section's
        writers share it)."""
        return {ids.markdown_name(part): f"#{ids.part(part)}" for part in self.pamphlet.parts}

    @cached_property
    def section_parts(self) -> dict[str, tuple[Part, ...]]:
        """The parts laid out in each section of parts, by its name (made once: a book
        of 1,000 parts has 1,000 sections, and each looks for its own)."""
        sections = part_sections(self.pamphlet)
        found: dict[str, list[Part]] = {}
        for part in self.pamphlet.parts:
            found.setdefault(sections[part.slug], []).append(part)
        return {name: tuple(parts) for name, parts in found.items()}


@dataclass(frozen=True)
class Adjustments:
    """What a first layout found that the HTML must change (see ``sections.layout_checked``)."""

    set_under: frozenset[str] = frozenset()
    """Notes to set under their paragraph: they did not fit at the foot of their page."""
    fit_tables: bool = False
    """Set tables smaller, with their words broken anywhere: one was too wide for the page."""
    restyled: tuple[tuple[str, str], ...] = ()
    """CSS declarations by selector that mend what a designer would send back: a paragraph
    re-set with other hyphenation, a page broken earlier (see ``pdf.quality``)."""

    @property
    def css(self) -> str:
        """The ``restyled`` rules, cascading after the theme."""
        return "".join(f"\n{selector} {{ {rule} }}" for selector, rule in self.restyled)


UNADJUSTED = Adjustments()


def print_sections(pamphlet: Pamphlet) -> list[str]:
    """The print edition's sections in order, each starting a new page: the front matter,
    each part (a sidebar goes on in the section of the part before it), then the back
    matter when there is any."""
    meta = pamphlet.metadata
    back = bool(gathered_questions(pamphlet) or pamphlet.glossary or meta.notes_pages)
    return [ids.FRONT, *dict.fromkeys(part_sections(pamphlet).values())] + [ids.BACK] * back


def part_sections(pamphlet: Pamphlet) -> dict[str, str]:
    """The section each part is laid out in, by slug: its own, or for a sidebar the one
    of the part before it, which it follows on the same page when it fits."""
    found: dict[str, str] = {}
    current = None
    for part in pamphlet.parts:
        if part.role != "sidebar" or current is None:
            current = ids.part(part)
        found[part.slug] = current
    return found


def print_html(job: PrintJob, adjust: Adjustments = UNADJUSTED, preview: bool = False,
               notes_only: int = 0, handout: Part | None = None, section: str | None = None,
               back_cover: bool = False,
               start: int = 1, page_numbers: dict[str, int] | None = None) -> PrintHtml:
    """The whole publication as one HTML document for WeasyPrint.

    ``adjust`` says what to change after a first layout (notes set under their paragraph,
    tables made to fit).
    With ``preview``, files are named by their real paths, for opening in a browser.
    With ``notes_only``, the document is that many ruled notes pages and nothing else;
    with ``back_cover``, it is a booklet's outside back cover;
    with ``handout``, it is that part alone, for reading in one meeting.
    With ``section`` (see ``print_sections``), it is that section alone, paged from
    ``start``; the contents then print ``page_numbers`` (by element id) as they are.
    """
    pamphlet, theme, profile = job.pamphlet, job.theme, job.profile
    meta = pamphlet.metadata

    def locate(path: Path) -> str:
        return path.resolve().as_uri() if preview else virtual_url(path, pamphlet.root)

    whole = section is None and not notes_only and not back_cover  # the edition, or a handout
    front = (whole and handout is None) or section == ids.FRONT
    body = whole or (section or "").startswith("part-")
    back = whole or section == ids.BACK  # a handout has its questions, not the rest
    shown = (handout,) if handout is not None else (
        pamphlet.parts if section in (None, ids.BACK) else job.section_parts.get(section, ()))
    writers = _writers(job, lambda image: _src(job, image, locate), shown, adjust.set_under)
    parts = [(part, writers[part.slug]) for part in shown if body]
    gathered = [(part, writers[part.slug], found)
                for part, found in gathered_questions(pamphlet) if part.slug in writers and back]
    names = PRINT_STYLES + tuple(name for name in (profile.stylesheet, job.edition.stylesheet)
                                 if name)
    stylesheets = tuple(locate(theme.find(name)) for name in names)
    geometry = job.edition.geometry_for(meta.page_size)
    page_css = Markup(theme.render("_page.css", g=geometry, profile=profile, start=start,
                                   rtl=theme.words.direction == "rtl",
                                   part_start=meta.part_start if body or back else "next"))
    qr = _data_url(qr_svg(meta.url), "image/svg+xml") if meta.url and (front or back_cover) \
        else None
    context = base_context(pamphlet)
    edition_back = back and handout is None
    if not edition_back:
        context["glossary"] = ()
    html = theme.render("print.html", parts=parts, gathered=gathered, qr=qr,
                        stylesheets=stylesheets if preview else (),
                        page_css=page_css if preview else "", profile=profile, front=front,
                        contents_parts=pamphlet.parts if len(pamphlet.parts) >= 3 else (),
                        contents_back=ids.back_matter(pamphlet), page_numbers=page_numbers,
                        notes_pages=notes_only or meta.notes_pages * edition_back,
                        handout=handout, g=geometry, fit_tables=adjust.fit_tables,
                        back_cover=back_cover, **context)
    floated = {note: about for writer in writers.values() for note, about in
               writer.floated.items()}
    return PrintHtml(html, stylesheets, str(page_css) + adjust.css, floated)


def _writers(job: PrintJob, src, parts: tuple[Part, ...],
             set_under: frozenset[str]) -> dict[str, PrintWriter]:
    """A print writer for each of ``parts``, by slug."""
    meta = job.pamphlet.metadata
    return {part.slug: PrintWriter(part, src, job.part_hrefs, job.theme.words,
                                   glossary=job.pamphlet.glossary_by_slug,
                                   numbered=meta.paragraph_numbers,
                                   questions_at_end=meta.questions == "end",
                                   endnotes=meta.notes == "endnotes", set_under=set_under)
            for part in parts}


def _src(job: PrintJob, image: Image, locate) -> str:
    """Where the print HTML finds a picture: a file, or the data of one drawn or made grey."""
    if image.missing:
        return _data_url(job.pictures.placeholder(image, job.profile.grayscale),
                         "image/svg+xml")
    if job.profile.grayscale and image.media_type != "image/svg+xml":
        return _data_url(job.pictures.converted("grey", image,
                                                lambda each: grey_png(job.pictures, each)))
    if job.profile.output_intent and image.media_type != "image/svg+xml":
        flat = job.pictures.converted("flat", image, lambda each: flat_png(job.pictures, each))
        if flat is not None:
            return _data_url(flat)
    if image.deep:
        return _data_url(job.pictures.converted("8-bit", image,
                                                lambda each: eight_bit_png(job.pictures, each)))
    return locate(image.path)


def _data_url(data: bytes, media_type: str = "image/png") -> str:
    return f"data:{media_type};base64," + base64.b64encode(data).decode()


def eight_bit_png(pictures: Pictures, image: Image) -> bytes:
    """A picture of 16 or 32 bits a channel as an 8-bit greyscale PNG (WeasyPrint prints
    16-bit greyscale as black): 0–65535 scaled to 0–255, not clipped."""
    from PIL import Image as PILImage
    from PIL import ImageOps

    with PILImage.open(io.BytesIO(pictures.read(image))) as opened:
        picture = ImageOps.exif_transpose(opened).convert("I")
        high = picture.getextrema()[1]
        if int(high) > 255:  # type: ignore[arg-type]
            picture = picture.point(lambda value: value / 257)
        out = io.BytesIO()
        picture.convert("L").save(out, format="PNG")
    return out.getvalue()


def grey_png(pictures: Pictures, image: Image) -> bytes:
    """A picture converted to grey, for the grayscale profile."""
    from PIL import Image as PILImage
    from PIL import ImageOps

    with PILImage.open(io.BytesIO(_drawn(pictures, image))) as opened:
        picture = ImageOps.exif_transpose(opened)
        grey = picture.convert("LA" if _transparent(picture) else "L")
        out = io.BytesIO()
        grey.save(out, format="PNG")
    return out.getvalue()


def flat_png(pictures: Pictures, image: Image) -> bytes | None:
    """A picture with transparency laid on white paper, as the press
    prints it, so the press file needs no soft mask; None when it has no transparency."""
    from PIL import Image as PILImage
    from PIL import ImageOps

    with PILImage.open(io.BytesIO(_drawn(pictures, image))) as opened:
        if not _transparent(opened):
            return None
        picture = ImageOps.exif_transpose(opened).convert("RGBA")
        paper = PILImage.new("RGBA", picture.size, "white")
        out = io.BytesIO()
        PILImage.alpha_composite(paper, picture).convert("RGB").save(out, format="PNG")
    return out.getvalue()


def _drawn(pictures: Pictures, image: Image) -> bytes:
    """The picture the print edition starts from: its 8-bit version when deep, else its
    file (a placeholder is vector art: see ``_src``)."""
    return eight_bit_png(pictures, image) if image.deep else pictures.read(image)


def _transparent(picture: Any) -> bool:
    """Whether a Pillow picture has transparency (an alpha channel or a clear colour)."""
    return picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
