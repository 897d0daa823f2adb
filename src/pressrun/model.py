"""The pure document model: what a pamphlet is, independent of files and formats.

Loading produces these values; the print and EPUB renderers only read them.
Nothing here touches the disk or knows about HTML.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pressrun.paper import PAPER, PageSize


@dataclass(frozen=True)
class SourceLocation:
    """Where something was written, for error messages."""

    path: str
    """Project-relative POSIX path, e.g. ``manuscript/02-soviets.md``."""
    line: int | None = None
    """1-based line number, when known."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class Image:
    """A picture the manuscript refers to; its file may not exist yet."""

    ref: str
    """The path as written in the Markdown."""
    path: Path
    """Absolute path inside the project (resolved, may not exist)."""
    rel: str
    """Project-relative POSIX path, e.g. ``images/stamp.jpg``."""
    alt: str
    """Description for readers who cannot see it."""
    caption: str
    """The printed caption (the Markdown image title); may be empty."""
    location: SourceLocation
    """Where the image is referenced."""
    missing: bool
    """True when the file does not exist: the build draws a placeholder."""
    width: int = 1500
    """Intrinsic width in pixels (3:2 for placeholders)."""
    height: int = 1000
    """Intrinsic height in pixels."""
    media_type: str = "image/png"
    """MIME type of the file (a placeholder is drawn as SVG)."""
    deep: bool = False
    """More than 8 bits per channel (a 16-bit greyscale PNG, say), which print needs
    converted."""
    printed_width: str = ""
    """The width it is shown at, from ``{width=…}``: a share of the text width (``35%``)
    or millimetres (``60mm``); empty: its own size, up to the text width."""


@dataclass(frozen=True)
class Node:
    """One element of a part's text: a block (paragraph, list…) or an inline (emphasis, link…).

    Kinds: blocks ``paragraph heading blockquote bullet_list ordered_list list_item
    code_block hr table thead tbody tr th td figure container div`` (``div``: blocks in
    another language); inlines ``text softbreak hardbreak em strong code link image
    footnote_ref glossterm span`` (``span``: a passage in another language).
    """

    kind: str
    """What this node is (see the class docstring)."""
    children: tuple[Node, ...] = ()
    """Nested nodes, in reading order."""
    text: str = ""
    """Literal text for ``text``, ``code`` and ``code_block``."""
    attrs: tuple[tuple[str, str], ...] = ()
    """Kind-specific attributes: ``level``, ``href``, ``title``, ``start``, ``align``,
    ``name`` (container), ``label``/``number``/``first`` (footnote_ref), ``lang`` and
    ``dir`` (span, div; ``lang`` of a code block is its programming language), ``term``
    (glossterm: the entry's slug)."""
    image: Image | None = None
    """The picture of a ``figure`` or inline ``image``."""
    line: int | None = None
    """1-based source line where the node starts, when known."""

    def attr(self, name: str, default: str = "") -> str:
        """The value of attribute ``name``."""
        return dict(self.attrs).get(name, default)

    def walk(self):
        """This node and every node below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()

    @property
    def plain_text(self) -> str:
        """The text a reader sees, without markup."""
        if self.kind in ("text", "code", "code_block"):
            return self.text
        if self.kind == "figure" and self.image:
            return self.image.caption
        if self.kind in ("softbreak", "hardbreak"):
            return " "
        if self.kind == "footnote_ref":
            return ""
        return "".join(child.plain_text for child in self.children)


@dataclass(frozen=True)
class Footnote:
    """A note attached to a part, numbered in order of first reference."""

    label: str
    """The label written in the Markdown (``3`` in ``[^3]``)."""
    number: int
    """Its number within the part, from 1."""
    blocks: tuple[Node, ...]
    """The note's text."""


ROLES = ("chapter", "preface", "introduction", "sidebar", "appendix", "afterword", "notes")
"""What a part can be (front matter ``role:``)."""
CONTAINERS = ("aside", "pullquote", "questions", "further-reading")
"""The ``::: name`` boxes a part can hold. Each but ``aside`` and ``pullquote`` is headed
by its words in the theme's word tables (``containers:``) and styled by its class."""


@dataclass(frozen=True)
class Part:
    """One Markdown file of the manuscript: an article, chapter or sidebar."""

    location: SourceLocation
    """The Markdown file."""
    slug: str
    """File-safe name derived from the file name (``01-how-workers-won``)."""
    title: str
    """The part's top heading."""
    role: str = "chapter"
    """One of ``ROLES``; drives print styling and EPUB semantics."""
    subtitle: str | None = None
    """A line under the title (``Chapter I``)."""
    standfirst: tuple[Node, ...] = ()
    """Inline nodes of the introductory paragraph set apart, if any."""
    creators: tuple[str, ...] = ()
    """The part's own authors, for readers compiled from several articles."""
    source: str | None = None
    """Where this part first appeared."""
    date: str | None = None
    """When this part first appeared (ISO date)."""
    blocks: tuple[Node, ...] = ()
    """The body text."""
    footnotes: tuple[Footnote, ...] = ()
    """Notes referenced from the body, in number order."""
    language: str | None = None
    """The part's language, when it is not the publication's (BCP 47)."""

    @property
    def images(self) -> tuple[Image, ...]:
        """Every picture in the part, figures and inline images, in order."""
        return tuple(
            node.image
            for block in self.blocks + tuple(b for f in self.footnotes for b in f.blocks)
            for node in block.walk()
            if node.image is not None
        )


@dataclass(frozen=True)
class Metadata:
    """What pamphlet.yaml says about the publication."""

    title: str
    """The publication's title."""
    language: str
    """BCP 47 language tag."""
    subtitle: str | None = None
    """Shown on the title page and in metadata."""
    creators: tuple[str, ...] = ()
    """Authors and translators."""
    publisher: str | None = None
    """Imprint line."""
    source: str | None = None
    """Where the text first appeared."""
    date: str | None = None
    """ISO date of this edition or of first publication."""
    rights: str | None = None
    """Licence or credit line."""
    identifier: str | None = None
    """As given; see ``Pamphlet.identifier`` for the effective one."""
    cover: Image | None = None
    """Cover art, when given."""
    page_size: PageSize = field(default_factory=lambda: PAPER["A5"])
    """Trimmed page size of the print edition."""
    epub_fonts: bool = True
    """Embed the theme's fonts (subset) in the EPUB."""
    notes: str = "footnotes"
    """Print notes at the foot of the page (``footnotes``) or the end of each part
    (``endnotes``)."""
    url: str | None = None
    """Where the text lives online (printed as a QR code on the colophon)."""
    questions: str = "inline"
    """Discussion questions where written (``inline``) or gathered at the end (``end``)."""
    paragraph_numbers: bool = False
    """Number the body paragraphs of every part, identically in print and EPUB."""
    notes_pages: int = 0
    """Ruled pages for readers' notes at the end of the print edition."""
    back_cover: str | None = None
    """Text for the outside back cover of a booklet (a blurb), above the title."""
    part_start: str = "next"
    """Where a printed part starts: on the ``next`` page, left or right (no paper wasted
    in a pamphlet), or on the next ``right``-hand page, as in a book."""


@dataclass(frozen=True)
class GlossaryEntry:
    """A term a newcomer may not know, with its short definition."""

    term: str
    """The term as the glossary lists it."""
    definition: str
    """One or two sentences, plain text."""
    aliases: tuple[str, ...] = ()
    """Other forms that mark the same term in the text (plurals, spellings)."""
    line: int | None = None
    """Where the term is written in glossary.yaml."""
    slug: str = ""
    """The id fragment of the term, e.g. ``provisional-government``: unique in the
    glossary (``soviet-2`` when two terms make the same slug)."""


@dataclass(frozen=True)
class Pamphlet:
    """A whole publication: metadata and parts in reading order."""

    root: Path
    """The project folder."""
    metadata: Metadata
    """From pamphlet.yaml."""
    parts: tuple[Part, ...]
    """In the order of ``contents``."""
    glossary: tuple[GlossaryEntry, ...] = ()
    """From glossary.yaml, in alphabetical order."""

    @cached_property
    def glossary_by_slug(self) -> dict[str, GlossaryEntry]:
        """The glossary's entries by slug (made once: every part's writer, in both
        formats, shares it)."""
        return {entry.slug: entry for entry in self.glossary}

    @property
    def slug(self) -> str:
        """Output file stem derived from the title."""
        return slugify(self.metadata.title)

    @property
    def images(self) -> tuple[Image, ...]:
        """Every picture referenced, in reading order (cover first)."""
        cover = (self.metadata.cover,) if self.metadata.cover else ()
        return cover + tuple(image for part in self.parts for image in part.images)

    @property
    def missing_art(self) -> tuple[Image, ...]:
        """Pictures whose files do not exist yet."""
        return tuple(image for image in self.images if image.missing)


def ascii_fold(text: str) -> str:
    """``text`` in ASCII, accents dropped and other letters left out: ``Bild ü`` → ``Bild u``."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


MAX_SLUG = 80
"""The longest a slug gets: a file name must fit every file system (255 bytes at most)."""


def slugify(text: str, empty: str = "pamphlet", length: int = 0) -> str:
    """ASCII, lowercase, hyphens, from any script (python-slugify transliterates):
    ``How workers won in 1917`` → ``how-workers-won-in-1917``, ``Вся власть Советам`` →
    ``vsia-vlast-sovetam``; cut at a word to at most ``length`` (default ``MAX_SLUG``)
    characters; ``empty`` when nothing is left."""
    from slugify import slugify as transliterated

    slug = transliterated(text, max_length=length or MAX_SLUG, word_boundary=True)
    return re.sub(r"[^a-z0-9-]+", "", slug).strip("-") or empty
