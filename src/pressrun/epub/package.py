"""Packaging the rendered documents into an EPUB 3 container with ebooklib.

Metadata → manifest → spine → navigation, then a zip with fixed timestamps,
so the same manuscript gives the same bytes.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from urllib.parse import unquote
from xml.etree import ElementTree

from ebooklib import epub

from pressrun.dates import build_date
from pressrun.epub.documents import EpubFile, EpubJob, epub_documents, epub_stylesheets
from pressrun.epub.fonts import epub_fonts
from pressrun.epub.pagelist import place
from pressrun.html.pagemap import PageMap
from pressrun.html.words import Words
from pressrun.model import Metadata, Pamphlet


def identifier(metadata: Metadata) -> str:
    """The given identifier, or one derived from title and creators (stable across builds)."""
    if metadata.identifier:
        return metadata.identifier
    seed = "pressrun:" + "|".join((metadata.title, *metadata.creators))
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, seed)}"


def epub_bytes(job: EpubJob, pages: PageMap | None = None) -> bytes:
    """The complete EPUB file; with ``pages``, it carries the print edition's page numbers.

    Metadata → manifest → spine → navigation, then a zip with fixed timestamps.
    """
    pamphlet, theme = job.pamphlet, job.theme
    meta = pamphlet.metadata
    book = epub.EpubBook()
    book.set_identifier(identifier(meta))
    book.set_title(meta.title)
    book.set_language(meta.language)
    if theme.words.direction == "rtl":
        book.direction = "rtl"  # the spine's page-progression-direction
    for number, name in enumerate(meta.creators, 1):
        book.add_author(name, uid=f"creator-{number}")
    for field in ("publisher", "source", "rights", "date"):
        if getattr(meta, field):
            book.add_metadata("DC", field, getattr(meta, field))
    if meta.subtitle:
        book.add_metadata("DC", "description", meta.subtitle)

    cover = _cover(job)
    cover_item = _item(cover, "cover-image")
    cover_item.properties = ["cover-image"]
    book.add_item(cover_item)
    for asset in _assets(job) + epub_stylesheets(theme):
        book.add_item(_item(asset))

    placement = place(pages, pamphlet) if pages else None
    if pages:
        edition = theme.words("print_edition", title=meta.title, size=meta.page_size.name,
                              pages=pages.pages)
        book.add_metadata("DC", "source", edition, {"id": "print-edition"})
        book.add_metadata(None, "meta", edition, {"property": "pageBreakSource"})
    _accessibility(book, pamphlet, theme.words, bool(placement and placement.labels))

    documents = epub_documents(job, cover.href, placement, meta.epub_fonts)
    if meta.epub_fonts:
        text = "".join(_shown_text(doc.content) for doc in documents)
        for font in epub_fonts(theme.project, theme.find("fonts.css"), text):
            book.add_item(_item(EpubFile(font.href, font.media_type, font.data)))
    items = {doc.href: _item(doc) for doc in documents}
    for item in items.values():
        book.add_item(item)
    items["nav.xhtml"].properties = ["nav"]
    book.add_item(epub.EpubNcx())
    book.toc = [epub.Link(doc.href, doc.title, _uid(doc.href)) for doc in documents[1:-1]]
    # Cover, title page, contents, then the parts.
    spine = [items[doc.href] for doc in documents[:-1]]
    book.spine = [*spine[:2], items["nav.xhtml"], *spine[2:]]

    out = io.BytesIO()
    writer = _StableWriter(out, book, {"mtime": build_date(meta), "epub3_pages": False})
    writer.process()
    writer.write()
    return out.getvalue()


def _accessibility(book: epub.EpubBook, pamphlet: Pamphlet, words: Words,
                   page_numbers: bool) -> None:
    """schema.org accessibility metadata, written from what the book contains."""
    pictures = [i for i in pamphlet.images if i is not pamphlet.metadata.cover]
    tables = any(n.kind == "table" for part in pamphlet.parts for b in part.blocks
                 for n in b.walk())
    notes = sum(len(part.footnotes) for part in pamphlet.parts)
    modes = ["textual"] + (["visual"] if pictures else [])
    features = ["structuralNavigation", "tableOfContents", "readingOrder"]
    features += ["alternativeText"] if pictures else []
    features += ["printPageNumbers", "pageNavigation"] if page_numbers else []
    summary = [words("summary_parts", count=len(pamphlet.parts))]
    if pictures:
        missing = sum(1 for i in pictures if i.missing)
        summary.append(words("summary_pictures_to_come" if missing else "summary_pictures",
                             count=len(pictures), missing=missing))
    if notes:
        summary.append(words("summary_notes", count=notes))
    if tables:
        summary.append(words("summary_tables"))
    if page_numbers:
        summary.append(words("summary_page_numbers"))
    summary.append(words("summary_hazards"))
    for mode in modes:
        book.add_metadata(None, "meta", mode, {"property": "schema:accessMode"})
    book.add_metadata(None, "meta", "textual", {"property": "schema:accessModeSufficient"})
    for feature in features:
        book.add_metadata(None, "meta", feature, {"property": "schema:accessibilityFeature"})
    book.add_metadata(None, "meta", "none", {"property": "schema:accessibilityHazard"})
    book.add_metadata(None, "meta", " ".join(summary),
                      {"property": "schema:accessibilitySummary"})
    book.add_metadata(None, "meta", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA",
                      {"property": "dcterms:conformsTo"})


def _cover(job: EpubJob) -> EpubFile:
    cover = job.cover_picture()
    if cover is None:
        return EpubFile("cover.png", "image/png", job.drawn_cover())
    return EpubFile(f"cover{cover.path.suffix.lower()}", cover.media_type,
                    job.pictures.read(cover))


def _shown_text(document: bytes) -> str:
    """The text a document shows (its elements' text, no markup), for subsetting fonts."""
    return "".join(ElementTree.fromstring(document).itertext())


def _assets(job: EpubJob) -> list[EpubFile]:
    """Every picture once, by its place in the EPUB."""
    pamphlet = job.pamphlet
    files: dict[str, EpubFile] = {}
    for image in pamphlet.images:
        if image is pamphlet.metadata.cover:
            continue
        href = unquote(job.href(image))
        if href in files:
            continue
        if image.missing:
            files[href] = EpubFile(href, "image/svg+xml", job.pictures.placeholder(image))
        else:
            converted = job.screen(image)
            files[href] = EpubFile(href, converted.media_type, converted.data)
    return list(files.values())


def _uid(href: str) -> str:
    return "x-" + "".join(c if c.isalnum() else "-" for c in href)


def _item(file: EpubFile, uid: str | None = None) -> epub.EpubItem:
    return epub.EpubItem(uid=uid or _uid(file.href), file_name=file.href,
                         media_type=file.media_type, content=file.content)


STORED = (".png", ".jpg", ".jpeg", ".gif", ".webp")
"""Pictures compressed already, stored as they are, as ``zip -n`` stores them: deflating
Ten Days' PNGs again saved 0.4% of their 6.95 MB for 0.15 s of every build."""


class _StableZip(zipfile.ZipFile):
    """A zip whose entries all carry one fixed timestamp, compressed pictures stored."""

    def writestr(self, name, data, compress_type=None, compresslevel=None):
        if isinstance(name, str):
            stored = name.lower().endswith(STORED)
            name = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            name.compress_type = zipfile.ZIP_STORED if stored else \
                compress_type or zipfile.ZIP_DEFLATED
            name.external_attr = 0o644 << 16
        super().writestr(name, data, compress_type, compresslevel)


class _StableWriter(epub.EpubWriter):
    """ebooklib's writer, with fixed zip timestamps and the package's language."""

    def _write_opf_metadata(self, root) -> None:
        root.set("{http://www.w3.org/XML/1998/namespace}lang", self.book.language)
        super()._write_opf_metadata(root)

    def write(self) -> None:
        self.out = _StableZip(self.file_name, "w", zipfile.ZIP_DEFLATED)
        self.out.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        self._write_container()
        self._write_opf()
        self._write_items()
        self.out.close()
