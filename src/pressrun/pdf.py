"""Laying out the print HTML and writing the PDF with WeasyPrint, inside a resource sandbox."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from pressrun.errors import PressrunError, log
from pressrun.geometry import EDITIONS, PROFILES, Edition, Profile
from pressrun.model import Pamphlet, Part
from pressrun.render import PROJECT_URL, THEME_URL, floated_notes, print_html
from pressrun.theme import DEFAULT_THEME, Theme

if TYPE_CHECKING:
    from weasyprint.document import Document
    from weasyprint.text.fonts import FontConfiguration


class SandboxError(FatalURLFetchingError):
    """A resource outside the project was requested: the build stops."""


class ProjectFetcher(URLFetcher):
    """Serves ``data:`` URLs and regular files inside the project or the default theme.

    Anything else stops the build.
    """

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=("file", "data"), fail_on_errors=False)
        self.roots = (root.resolve(), DEFAULT_THEME.resolve())
        self.mounts = {PROJECT_URL: root.resolve(), THEME_URL: DEFAULT_THEME.resolve()}

    def _path(self, url: str) -> Path:
        """The real file behind a ``file:`` URL (fixed roots mapped to the project/theme)."""
        for prefix, folder in self.mounts.items():
            if url.startswith(prefix):
                return (folder / unquote(urlsplit(url).path.removeprefix(
                    urlsplit(prefix).path))).resolve()
        return Path(unquote(urlsplit(url).path)).resolve()

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise SandboxError(f"'{url}': pressrun never fetches from the network; "
                               "save the file in the project and refer to it by a relative path")
        path = self._path(url)
        if not any(path.is_relative_to(root) for root in self.roots):
            raise SandboxError(f"'{url}' is outside the project: keep every file the "
                               "publication uses inside the project folder")
        if not path.is_file():
            raise SandboxError(f"'{url}' is not a regular file")
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": media_type})


def layout(html: str, root: Path, font_config: FontConfiguration | None = None,
           images: dict | None = None, styles: dict | None = None) -> Document:
    """Lay out the print HTML into pages.

    Layouts of one build may share ``font_config``, the ``images`` cache and the
    parsed stylesheets in ``styles``, so that each file is read and parsed once.
    """
    fetcher = ProjectFetcher(root)
    try:
        sheets: list[CSS] = []
        if styles is not None:
            html, sheets = _parsed_styles(html, fetcher, font_config, styles)
        return HTML(string=html, base_url=PROJECT_URL, url_fetcher=fetcher).render(
            font_config=font_config, cache=images, stylesheets=sheets)
    except SandboxError as exc:
        raise PressrunError(f"refused to read {exc}") from None


_STYLES = re.compile(r'<link rel="stylesheet" href="([^"]*)"/>|<style>(.*?)</style>', re.S)


def _parsed_styles(html: str, fetcher: URLFetcher, font_config: FontConfiguration | None,
                   parsed: dict[str, CSS]) -> tuple[str, list[CSS]]:
    """``html`` without the stylesheets of its head, and those stylesheets parsed (once:
    ``parsed`` keeps them by address or text).

    Given to WeasyPrint in the same order, and the only style sheets of the document,
    they cascade as the ``<link>`` and ``<style>`` elements would have.
    """
    head, end, body = html.partition("</head>")
    sheets = []
    for match in _STYLES.finditer(head):
        href, text = match.groups()
        key = unescape(href) if href is not None else text
        if key not in parsed:
            parsed[key] = CSS(url=key, url_fetcher=fetcher, font_config=font_config) \
                if href is not None else \
                CSS(string=text, base_url=PROJECT_URL, url_fetcher=fetcher,
                    font_config=font_config)
        sheets.append(parsed[key])
    return _STYLES.sub("", head) + end + body, sheets


def layout_checked(pamphlet: Pamphlet, html_for: Callable[[frozenset[str]], str],
                   font_config: FontConfiguration | None = None,
                   images: dict | None = None, styles: dict | None = None) -> Document:
    """Lay out ``html_for(set_under)``, making sure no footnote is lost.

    WeasyPrint sometimes drops a footnote whose call sits on the last lines of a
    page. Every note's id must appear among the laid-out pages' anchors; a note
    that does not is set under the paragraph that calls it, and the pages are
    laid out again. Paragraph numbers are then moved into the outer margin.
    """
    set_under: frozenset[str] = frozenset()
    for _ in range(4):
        html = html_for(set_under)
        expected = floated_notes(html, pamphlet)
        document = layout(html, pamphlet.root, font_config, images, styles)
        placed = {anchor for page in document.pages for anchor in page.anchors}
        lost = expected.keys() - placed
        if not lost:
            break
        for note_id in sorted(lost):
            log.info("%s is set under its paragraph: it did not fit at the foot of its page",
                     expected[note_id])
        set_under |= lost
    if pamphlet.metadata.paragraph_numbers:
        outer_paragraph_numbers(document)
    return document


def layout_print(pamphlet: Pamphlet, theme: Theme, profile: Profile = PROFILES["home"],
                 edition: Edition = EDITIONS["standard"],
                 handout: Part | None = None) -> Document:
    """Lay out the print edition (or, with ``handout``, that part alone) as one document."""
    return layout_checked(pamphlet, lambda set_under: print_html(
        pamphlet, theme, profile, set_under, edition=edition, handout=handout))


NUMBER_GAP_PX = 2.5 / 25.4 * 96
"""Between a paragraph number and the text (2.5 mm, in CSS pixels)."""


def outer_paragraph_numbers(document: Document) -> None:
    """Set each paragraph number in the outer margin, level with its paragraph's first line.

    The theme takes the numbers out of the flow; only the laid-out pages know which
    side of the spread each paragraph is on.
    """
    for page in document.pages:
        right = page._page_box.page_type.side == "right"
        for box, paragraph in _numbers(page._page_box, None):
            left = paragraph.content_box_x()
            x = left + paragraph.width + NUMBER_GAP_PX if right else \
                left - NUMBER_GAP_PX - box.margin_width()
            text, number = _first_line(paragraph), _first_line(box)
            dy = (text.position_y + text.baseline) - (number.position_y + number.baseline) \
                if text is not None and number is not None else 0
            box.translate(dx=x - box.position_x, dy=dy)


def _first_line(box):
    """The first line box inside ``box``, if any."""
    return next((b for b in box.descendants() if type(b).__name__ == "LineBox"), None)


def _numbers(box, paragraph):
    """The paragraph-number boxes below ``box``, each with its paragraph's box."""
    from weasyprint.layout.absolute import AbsolutePlaceholder

    element = getattr(box, "element", None)
    if isinstance(box, AbsolutePlaceholder) and element is not None and \
            element.get("class") == "pn" and paragraph is not None:
        yield box, paragraph
        return
    if element is not None and "numbered" in (element.get("class") or "") and \
            type(box).__name__ == "BlockBox":
        paragraph = box
    for child in getattr(box, "children", ()):
        yield from _numbers(child, paragraph)


def notes_pages_pdf(pamphlet: Pamphlet, theme: Theme,
                    profile: Profile = PROFILES["home"]) -> bytes:
    """Two ruled notes pages, a right-hand then a left-hand one, to pad a booklet with."""
    html = print_html(pamphlet, theme, profile, notes_only=2)
    return pdf_bytes(layout(html, pamphlet.root), profile)


def _memoize_page_references() -> None:
    """Make pydyf's ``PDF.page_references`` cheap to read again.

    pydyf 0.13 rebuilds the tuple of every page's reference on each read, and
    WeasyPrint's tagging reads it once per tagged element: quadratic in pages, 12 s of
    the 46 s it took to write Ten Days' 397 pages (cProfile). The memo gives the same
    tuple, rebuilt whenever a page has been added since.
    """
    import pydyf

    built = pydyf.PDF.page_references
    if not isinstance(built, property) or getattr(built.fget, "memoized", False):
        return

    def page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
        count = len(pdf.pages["Kids"])
        memo = pdf.__dict__.get("_pressrun_page_references")
        if memo is None or memo[0] != count:
            memo = (count, built.fget(pdf))
            pdf.__dict__["_pressrun_page_references"] = memo
        return memo[1]

    page_references.memoized = True  # type: ignore[attr-defined]
    pydyf.PDF.page_references = property(page_references)


def pdf_bytes(document: Document, profile: Profile = PROFILES["home"]) -> bytes:
    """The laid-out document as a tagged PDF (fonts embedded and subset)."""
    _memoize_page_references()
    return document.write_pdf(pdf_variant=profile.pdf_variant, pdf_tags=True)


def image_resolutions(document: Document) -> dict[str, float]:
    """The lowest effective resolution (dpi) at which each picture file is printed."""
    from weasyprint.formatting_structure.boxes import ReplacedBox
    from weasyprint.images import RasterImage

    found: dict[str, float] = {}
    for page in document.pages:
        for box in page._page_box.descendants():
            if not isinstance(box, ReplacedBox) or box.element is None:
                continue
            src = box.element.get("src", "")
            raster = box.replacement
            if not src.startswith("file:") or not isinstance(raster, RasterImage) \
                    or not box.width:
                continue
            dpi = raster.width / (box.width / 96)  # CSS px are 1/96 inch
            path = unquote(urlsplit(src).path).removeprefix(urlsplit(PROJECT_URL).path)
            found[path] = min(dpi, found.get(path, dpi))
    return found
