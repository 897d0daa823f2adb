"""Laying out and writing with WeasyPrint: a ``PrintHtml`` laid out inside a resource
sandbox, and the PDF written, with the few patches pressrun makes to WeasyPrint and pydyf.

Every use of WeasyPrint's internals is in ``weasy``, ``weasyboxes`` (reading laid-out boxes),
``weasytags`` (the structure tree), ``weasyfonts`` (the fonts), ``weasylines`` (where justified
lines end), ``weasysplit`` (a line set where it was planned to end), ``weasyresume`` (a layout
resumed from a page), ``weasypages`` (page styles shared), ``weasyimages`` (pictures as it loads
them), ``weasysvg`` (an SVG's words drawn whole), ``weasyahead`` (lines planned, none set) and
``weasysheets`` (stylesheets kept parsed): an upgrade is those twelve files' review.
"""

from __future__ import annotations

# Before WeasyPrint: its C libraries loaded by soname, with no compiler run.
import pressrun.pdf.libraries  # noqa: F401

# isort: split
import hashlib
import io
import mimetypes
import sys
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from pressrun.framestack import with_room
from pressrun.manuscript import svg
from pressrun.manuscript.stylesheets import named_families
from pressrun.pdf.hyphens import remembered_patterns
from pressrun.pdf.render import PROJECT_URL, THEME_URL, PrintHtml
from pressrun.pdf.textwidths import Widths
from pressrun.pdf.weasyfonts import describe_once, font_configuration
from pressrun.pdf.weasyimages import as_loaded
from pressrun.pdf.weasylines import Plans, optimal_breaks
from pressrun.pdf.weasypages import share_page_styles
from pressrun.pdf.weasyresume import KEPT, Kept, keeping, resumed
from pressrun.pdf.weasysheets import kept
from pressrun.problems import PressrunError
from pressrun.project import DEFAULT_THEME, OutsideProject, Project

if TYPE_CHECKING:
    from weasyprint.document import Document


class SandboxError(FatalURLFetchingError):
    """A resource outside the project was requested: the build stops."""


class ProjectFetcher(URLFetcher):
    """Serves ``data:`` URLs and regular files inside the project or the default theme,
    through the project's gate, pictures converted once into ``kept`` (``weasyimages``).
    Anything else stops the build."""

    def __init__(self, project: Project, kept: dict | None = None) -> None:
        super().__init__(allowed_protocols=("file", "data"), fail_on_errors=False)
        self.project, self.kept = project, kept
        self.mounts = {PROJECT_URL: project.root, THEME_URL: DEFAULT_THEME}

    def _path(self, url: str) -> Path:
        """The file behind a ``file:`` URL (fixed roots mapped to the project/theme)."""
        for prefix, folder in self.mounts.items():
            if url.startswith(prefix):
                return folder / unquote(urlsplit(url).path.removeprefix(urlsplit(prefix).path))
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
        data = svg.clean(data) if media_type == "image/svg+xml" else as_loaded(data, media_type,
                                                                                self.kept)
        return URLFetcherResponse(url, data, {"Content-Type": media_type})


@dataclass
class Shared:
    """What the layouts of one build (or of one ``pressrun watch`` session) share."""

    font_config: FontConfiguration = field(default_factory=font_configuration)
    """WeasyPrint's fonts (pages keep references to it): the theme's and the project's,
    never the computer's (see ``weasyfonts``)."""
    images: dict = field(default_factory=dict)
    """WeasyPrint's picture cache."""
    styles: dict[str, CSS] = field(default_factory=dict)
    """The stylesheets, each parsed once, by URL or text."""
    widths: Widths = field(default_factory=dict)
    """Texts measured for line breaking in these fonts (see ``weasylines``)."""
    plans: Plans = field(default_factory=dict)
    """Paragraphs planned in these fonts (see ``weasylines``)."""

    @classmethod
    def of(cls, project: Project) -> Shared:
        """What layouts of ``project`` start with: fonts with the installed families its
        stylesheets name."""
        return cls(font_configuration(named_families(project)))


def layout(page: PrintHtml, project: Project, shared: Shared | None = None,
           keep: bool = False) -> Document:
    """Lay out a print document into pages, with its stylesheets parsed once in ``shared``;
    ``keep`` its layout's state for ``layout_again``."""
    shared = shared or Shared.of(project)
    _fast_footnote_lookup()
    share_page_styles()
    describe_once()
    remembered_patterns()
    fetcher, kept = ProjectFetcher(project, shared.images), Kept() if keep else None

    def render() -> Document:
        sheets = [_sheet(shared, url, fetcher, url=url) for url in page.stylesheets]
        sheets.append(_sheet(shared, page.page_css, fetcher, string=page.page_css,
                             base_url=PROJECT_URL))
        return HTML(string=page.html, base_url=PROJECT_URL, url_fetcher=fetcher).render(
            font_config=shared.font_config, cache=shared.images, stylesheets=sheets)

    document = _laying_out(shared, kept, render)
    if kept is not None:
        KEPT[document] = kept
    return document


def layout_again(document: Document, rules: dict[str, str], shared: Shared) -> Document | None:
    """``document`` (laid out with ``keep``) laid out again with the CSS ``rules``
    (declarations by selector) added, from the first page they can change; ``None`` when
    it must be laid out from its first page (see ``weasyresume``)."""
    from weasyprint.document import Page

    kept = KEPT.pop(document, None)
    if kept is None:
        return None
    boxes = _laying_out(shared, kept, lambda: resumed(document, kept, rules))
    if boxes is None:
        return None
    again = document.copy([Page(box) for box in boxes])
    KEPT[again] = kept
    return again


def forget(document: Document) -> None:
    """Let go of the state ``document``'s layout kept for ``layout_again``."""
    KEPT.pop(document, None)


def _laying_out(shared: Shared, kept: Kept | None, work: Callable[[], T]) -> T:
    """``work()``, WeasyPrint's layout: recursing deeper, planning lines, recording
    ``kept``, with a file outside the project an error."""
    try:
        with (optimal_breaks(shared.widths, shared.plans) if kept is None
              else keeping(kept, shared.widths, shared.plans)):
            return deeply(work)
    except SandboxError as exc:
        raise PressrunError(f"refused to read {exc}", code="outside-project") from None


TOO_DEEP = "nested-too-deeply"
RECURSION_LIMIT = 4000
"""WeasyPrint lays out and draws nested boxes by recursion: a list in a quotation in a
note in a list goes deeper than Python's default 1,000 calls."""


def deeply(work: Callable[[], T]) -> T:
    """``work()``, with WeasyPrint let recurse deeper (and given room for it on Python's
    frame stack: ``framestack``), and a text nested deeper still a user error."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, RECURSION_LIMIT))
    try:
        return with_room(work)
    except RecursionError:
        raise PressrunError("text nested too deeply for the page layout (lists, quotations "
                            "and notes inside one another): nest them less deeply",
                            code=TOO_DEEP) from None
    finally:
        sys.setrecursionlimit(old)


def _sheet(shared: Shared, key: str, fetcher: ProjectFetcher, **source: Any) -> CSS:
    """The stylesheet ``source`` describes, parsed once (``shared.styles`` keeps it); one
    of the theme's, parsed once for every build (``weasysheets``), from the bytes read
    for its key."""
    if key in shared.styles:
        return shared.styles[key]
    if not key.startswith(THEME_URL):
        shared.styles[key] = CSS(url_fetcher=fetcher, font_config=shared.font_config, **source)
        return shared.styles[key]
    data = fetcher.fetch(key).read()  # as CSS(url=key) reads it, and parses its bytes
    shared.styles[key] = kept(lambda fonts: CSS(file_obj=io.BytesIO(data), base_url=key,
                                                url_fetcher=fetcher, font_config=fonts),
                              data, key, shared.font_config, fetcher)
    return shared.styles[key]


def placed_anchors(document: Document) -> set[str]:
    """The ids of every element laid out on some page."""
    return {anchor for page in document.pages for anchor in page.anchors}


class _Footnotes(list):
    """WeasyPrint's list of the footnotes still to place, answering ``in`` at once.

    WeasyPrint asks whether each line's footnotes are in it for every line it lays out:
    with the list alone, a part with 3,000 notes costs 3,000 × lines comparisons. Boxes
    compare by identity, so counting ids answers the same.
    """

    def __init__(self, items: Iterable[Any] = ()) -> None:
        super().__init__(items)
        self._count = Counter(map(id, self))

    def __contains__(self, item: object) -> bool:
        return self._count[id(item)] > 0

    def append(self, item: Any) -> None:
        super().append(item)
        self._count[id(item)] += 1

    def remove(self, item: Any) -> None:
        super().remove(item)
        self._count[id(item)] -= 1

    def copy(self) -> _Footnotes:
        return _Footnotes(self)


@cache
def _fast_footnote_lookup() -> None:
    """Give every layout context of WeasyPrint a ``_Footnotes`` list (once)."""
    from weasyprint.layout import LayoutContext

    made = LayoutContext.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        made(self, *args, **kwargs)
        self.footnotes = _Footnotes(self.footnotes)

    LayoutContext.__init__ = init


@cache
def _own_structure_tree() -> None:
    """Build the PDF's structure tree with ``weasytags`` instead of WeasyPrint's tagging,
    and draw the boxes it lists as artifacts (once)."""
    import weasyprint.pdf
    from weasyprint.pdf.stream import Stream

    from pressrun.pdf import weasytags

    weasytags._MARKED = Stream.marked
    Stream.marked = weasytags.marked
    weasyprint.pdf.add_tags = weasytags.add_tags
    weasyprint.pdf.resolve_links = resolve_links


@cache
def _encode_pictures_once() -> None:
    """Keep the PNG data WeasyPrint encodes a picture into for the PDF, with the picture.

    WeasyPrint encodes every picture that is not a JPEG again each time it writes a PDF (1.3 s
    of writing one chapter of Ten Days again, with its maps). Under ``pressrun watch`` the
    pictures are kept between rebuilds (``Shared.images``), and so is their encoding now: in
    WeasyPrint's cache of the picture, by a hash of its pixels, the bytes it would make again.
    """
    from weasyprint.images import RasterImage

    made, encode = RasterImage.get_x_object, RasterImage._get_png_data
    current: list[dict] = []

    def get_x_object(self: Any, *args: Any) -> Any:
        current.append(self._cache)
        try:
            return made(self, *args)
        finally:
            current.pop()

    def png_data(picture: Any) -> bytes:
        if not current:
            return encode(picture)
        digest = hashlib.sha256(picture.tobytes())
        digest.update(repr((picture.mode, picture.size, picture.info.get("transparency")))
                      .encode())
        key = f"{PICTURE_KEY}{digest.hexdigest()}"
        if key not in current[-1]:
            current[-1][key] = encode(picture)
            if _ENCODED is not None:
                _ENCODED[key] = current[-1][key]
        return current[-1][key]

    RasterImage.get_x_object = get_x_object
    RasterImage._get_png_data = staticmethod(png_data)


T = TypeVar("T")
PICTURE_KEY = "pressrun-png-"  # an encoding's name in the picture cache, before its hash
_ENCODED: dict[str, bytes] | None = None
"""The pictures encoded by the ``encoding_kept`` call under way, by their cache keys."""


def encoding_kept(write: Callable[[], T], kept: bool) -> tuple[T, dict[str, bytes]]:
    """What ``write()`` returns, and the pictures it encoded (if ``kept``), by their keys
    in the picture cache: a forked writer sends them back to be kept with the pictures,
    so that the next rebuild's writer, forked again, finds them encoded."""
    global _ENCODED
    _ENCODED = {} if kept else None
    try:
        return write(), _ENCODED or {}
    finally:
        _ENCODED = None


_LINKS_ELSEWHERE: set[str] = set()
"""Ids of the PDF being written that are laid out in another section of the book."""


def resolve_links(pages: list[Any]) -> Iterator[tuple[list, list]]:
    """WeasyPrint's ``resolve_links``, keeping links to ``_LINKS_ELSEWHERE``: each page's
    links, and the anchors first placed on it."""
    seen: set[str] = set()
    placed = []
    for page in pages:
        placed.append([(name, x, y) for name, (x, y, _, _) in page.anchors.items()
                       if name not in seen])
        seen.update(page.anchors)
    for page, anchors in zip(pages, placed, strict=True):
        yield [link for link in page.links if link[0] != "internal" or link[1] in seen
               or link[1] in _LINKS_ELSEWHERE], anchors


_PLACEHOLDER_ID = uuid.UUID(int=0)


def pdf_bytes(document: Document, pdf_variant: str,
              elsewhere: frozenset[str] = frozenset()) -> bytes:
    """The laid-out document as a tagged PDF (fonts embedded and subset).

    A link to one of the ids ``elsewhere`` (laid out in another section of the same
    book) is kept, naming its target for ``assemble`` to resolve; a link to an id found
    nowhere is dropped, as WeasyPrint does.

    For PDF/X, WeasyPrint gives the XMP metadata a random document id, and the file
    identifier (the trailer's /ID) is a hash that includes it: the same manuscript would
    give other bytes on every build. The id is written as zeros, then replaced by one
    made from the file's own hash (at the same length, so nothing moves).
    """
    import weasyprint.pdf.metadata as metadata

    from pressrun.pdf import weasytags
    from pressrun.pdf.weasyboxes import furniture, link_note_calls
    from pressrun.pdf.weasysvg import shaped_svg_text

    weasytags.memoize_page_references()
    _own_structure_tree()
    _encode_pictures_once()
    shaped_svg_text()
    _LINKS_ELSEWHERE.clear()
    _LINKS_ELSEWHERE.update(elsewhere)
    link_note_calls(document.pages)
    weasytags.ARTIFACTS.update(furniture(document.pages))
    random_id, metadata.uuid4 = metadata.uuid4, lambda: _PLACEHOLDER_ID
    try:
        data = deeply(lambda: document.write_pdf(pdf_variant=pdf_variant, pdf_tags=True))
    finally:
        metadata.uuid4 = random_id
        weasytags.ARTIFACTS.clear()
        _LINKS_ELSEWHERE.clear()
    placeholder = f"xmp.did:{_PLACEHOLDER_ID}".encode()
    if placeholder not in data:
        return data
    derived = uuid.UUID(hashlib.sha256(data).hexdigest()[:32])
    return data.replace(placeholder, f"xmp.did:{derived}".encode())
