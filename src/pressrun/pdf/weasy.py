"""Every use of WeasyPrint and pydyf, in one module so that an upgrade is one file's review.

Laying out a ``PrintHtml`` inside a resource sandbox, writing the PDF, and the few places
pressrun reads WeasyPrint's boxes: paragraph numbers set in the outer margin, the
resolution pictures print at, and the first line of each page.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from pressrun.pdf.render import PROJECT_URL, THEME_URL, PrintHtml
from pressrun.problems import PressrunError
from pressrun.project import DEFAULT_THEME, OutsideProject, Project

if TYPE_CHECKING:
    from pathlib import Path

    from weasyprint.document import Document, Page


class SandboxError(FatalURLFetchingError):
    """A resource outside the project was requested: the build stops."""


class ProjectFetcher(URLFetcher):
    """Serves ``data:`` URLs and regular files inside the project or the default theme,
    through the project's gate. Anything else stops the build."""

    def __init__(self, project: Project) -> None:
        super().__init__(allowed_protocols=("file", "data"), fail_on_errors=False)
        self.project = project
        self.mounts = {PROJECT_URL: project.root, THEME_URL: DEFAULT_THEME}

    def _path(self, url: str) -> Path:
        """The file behind a ``file:`` URL (fixed roots mapped to the project/theme)."""
        from pathlib import Path

        for prefix, folder in self.mounts.items():
            if url.startswith(prefix):
                return folder / unquote(urlsplit(url).path.removeprefix(
                    urlsplit(prefix).path))
        return Path(unquote(urlsplit(url).path))

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise SandboxError(f"'{url}': pressrun never fetches from the network; "
                               "save the file in the project and refer to it by a relative path")
        path = self._path(url)
        try:
            data = self.project.read_bytes(self.project.real(path, url))
        except OutsideProject:
            raise SandboxError(f"'{url}' is outside the project: keep every file the "
                               "publication uses inside the project folder") from None
        except PressrunError:
            raise SandboxError(f"'{url}' is not a regular file") from None
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, data, {"Content-Type": media_type})


@dataclass
class Shared:
    """What the layouts of one build (or of one ``pressrun watch`` session) share."""

    font_config: FontConfiguration = field(default_factory=FontConfiguration)
    """WeasyPrint's fonts (pages keep references to it)."""
    images: dict = field(default_factory=dict)
    """WeasyPrint's picture cache."""
    styles: dict[str, CSS] = field(default_factory=dict)
    """The stylesheets, each parsed once, by URL or text."""


def layout(page: PrintHtml, project: Project, shared: Shared | None = None) -> Document:
    """Lay out a print document into pages, with its stylesheets parsed once in ``shared``."""
    shared = shared or Shared()
    fetcher = ProjectFetcher(project)
    try:
        sheets = [_sheet(shared, url, fetcher, url=url) for url in page.stylesheets]
        sheets.append(_sheet(shared, page.page_css, fetcher, string=page.page_css,
                             base_url=PROJECT_URL))
        return HTML(string=page.html, base_url=PROJECT_URL, url_fetcher=fetcher).render(
            font_config=shared.font_config, cache=shared.images, stylesheets=sheets)
    except SandboxError as exc:
        raise PressrunError(f"refused to read {exc}", code="outside-project") from None


def _sheet(shared: Shared, key: str, fetcher: URLFetcher, **source: Any) -> CSS:
    """The stylesheet ``source`` describes, parsed once (``shared.styles`` keeps it)."""
    if key not in shared.styles:
        shared.styles[key] = CSS(url_fetcher=fetcher, font_config=shared.font_config,
                                 **source)
    return shared.styles[key]


def placed_anchors(document: Document) -> set[str]:
    """The ids of every element laid out on some page."""
    return {anchor for page in document.pages for anchor in page.anchors}


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
            text, number = _first_line_box(paragraph), _first_line_box(box)
            dy = (text.position_y + text.baseline) - (number.position_y + number.baseline) \
                if text is not None and number is not None else 0
            box.translate(dx=x - box.position_x, dy=dy)


def _first_line_box(box: Any) -> Any:
    """The first line box inside ``box``, if any."""
    return next((b for b in box.descendants() if type(b).__name__ == "LineBox"), None)


def _numbers(box: Any, paragraph: Any) -> Iterator[tuple[Any, Any]]:
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
    rebuild = built.fget
    assert rebuild is not None

    def page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
        count = len(pdf.pages["Kids"])
        memo = pdf.__dict__.get("_pressrun_page_references")
        if memo is None or memo[0] != count:
            memo = (count, rebuild(pdf))
            pdf.__dict__["_pressrun_page_references"] = memo
        return memo[1]

    page_references.memoized = True  # type: ignore[attr-defined]
    pydyf.PDF.page_references = property(page_references)


def pdf_bytes(document: Document, pdf_variant: str) -> bytes:
    """The laid-out document as a tagged PDF (fonts embedded and subset)."""
    _memoize_page_references()
    return document.write_pdf(pdf_variant=pdf_variant, pdf_tags=True)


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


def first_line(page: Page, ids: dict[str, str]) -> tuple[str | None, str]:
    """The innermost element of ``ids`` around the page's first line or picture, and the
    line's text."""
    root = page._page_box.children[0]
    for box, block in _walk(root, None, ids):
        name = type(box).__name__
        if name == "LineBox":
            text = "".join(_line_text(box))
            if text.strip():
                return block, text
        elif "Replaced" in name:
            return block, ""
    return None, ""


def _walk(box: Any, block: str | None, ids: dict[str, str]) -> Iterator[tuple[Any, str | None]]:
    element = getattr(box, "element", None)
    element_id = element.get("id") if element is not None and hasattr(element, "get") else None
    if element_id in ids and not getattr(box, "element_tag", "").count("::"):
        block = element_id
    yield box, block
    if type(box).__name__ == "LineBox":
        return
    for child in getattr(box, "children", ()):
        yield from _walk(child, block, ids)


def _line_text(box: Any) -> Iterator[str]:
    """The words of a line, without footnote calls, list markers or floated notes."""
    tag = getattr(box, "element_tag", "") or ""
    if "::" in tag:
        return
    style = getattr(box, "style", None)
    if style is not None and style["float"] == "footnote":
        return
    if type(box).__name__ == "TextBox":
        yield box.text
    for child in getattr(box, "children", ()):
        yield from _line_text(child)
