"""Reading WeasyPrint's laid-out boxes: paragraph numbers set in the outer margin, the
resolution pictures print at, text past the edge of its page, each page's lines,
the boxes that are page furniture, links for note calls, and how wide a text is.

With ``weasy``, ``weasytags``, ``weasyfonts``, ``weasylines`` and ``quality``, the only
modules that touch WeasyPrint's internals.
"""

from __future__ import annotations

from collections.abc import Container, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from pressrun.pdf.render import PROJECT_URL

if TYPE_CHECKING:
    from weasyprint.document import Document, Page


NUMBER_GAP_PX = 2.5 / 25.4 * 96
"""Between a paragraph number and the text (2.5 mm, in CSS pixels)."""


def outer_paragraph_numbers(document: Document) -> None:
    """Set each paragraph number in the outer margin, level with its paragraph's first line
    (outside the tinted box around the paragraph, if any, as a sidebar's).

    The theme takes the numbers out of the flow; only the laid-out pages know which
    side of the spread each paragraph is on.
    """
    for page in document.pages:
        right = page._page_box.page_type.side == "right"
        for box, paragraph, frame in _numbers(page._page_box):
            left, width = (paragraph.content_box_x(), paragraph.width) if frame is None \
                else (frame.border_box_x(), frame.border_width())
            x = left + width + NUMBER_GAP_PX if right else \
                left - NUMBER_GAP_PX - box.margin_width()
            text, number = _first_line_box(paragraph), _first_line_box(box)
            dy = (text.position_y + text.baseline) - (number.position_y + number.baseline) \
                if text is not None and number is not None else 0
            box.translate(dx=x - box.position_x, dy=dy)


def _first_line_box(box: Any) -> Any:
    """The first line box inside ``box``, if any."""
    return next((b for b in box.descendants() if type(b).__name__ == "LineBox"), None)


def _numbers(box: Any, paragraph: Any = None,
             frame: Any = None) -> Iterator[tuple[Any, Any, Any]]:
    """The paragraph-number boxes below ``box``, each with its paragraph's box and the
    innermost tinted block around the paragraph (None if there is none)."""
    from weasyprint.layout.absolute import AbsolutePlaceholder

    element = getattr(box, "element", None)
    if isinstance(box, AbsolutePlaceholder) and element is not None and \
            element.get("class") == "pn" and paragraph is not None:
        yield box, paragraph, frame
        return
    if type(box).__name__ == "BlockBox":
        if box.style["background_color"].alpha > 0:
            frame = box
        if element is not None and "numbered" in (element.get("class") or ""):
            paragraph = box
    for child in getattr(box, "children", ()):
        yield from _numbers(child, paragraph, frame)


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


@dataclass(frozen=True)
class Overflow:
    """Text laid out past the edge of its page's text block."""

    page: int
    """The page, from 1."""
    element: str | None
    """The id of the innermost element with an id around the text (see ``html.ids``)."""
    in_table: bool
    """Whether the text is in a table."""
    text: str
    """The start of the text."""


TOLERANCE_PX = 1.0
"""How far past the sides of the text block text may reach (rounding, italic overhang);
at the foot, a line counts as off the page when its middle is below the text block."""


def overflows(document: Document) -> list[Overflow]:
    """Every piece of text that reaches past its page's text block, and would be cut off."""
    found = []
    for number, page in enumerate(document.pages, 1):
        box = page._page_box
        left, top = box.content_box_x(), box.content_box_y()
        right, bottom = left + box.width, top + box.height
        for text, element, in_table in _texts(box, None, False):
            if not text.text.replace("\u200b", "").strip():
                # A space left at the end of a line: no text is cut off. (WeasyPrint sets
                # a lone space as " \u200b" when ``word-spacing`` is not normal.)
                continue
            if text.position_x < left - TOLERANCE_PX or \
                    text.position_x + text.width > right + TOLERANCE_PX or \
                    text.position_y + text.height / 2 > bottom:
                found.append(Overflow(number, element, in_table, text.text[:40]))
    return found


def _texts(box: Any, element: str | None,
           in_table: bool) -> Iterator[tuple[Any, str | None, bool]]:
    """The text boxes below ``box`` (running heads, folios and paragraph numbers, which sit
    in the margins by design, left out), each with its element and whether in a table."""
    name = type(box).__name__
    if name == "MarginBox" or (getattr(box, "element_tag", None) or "").endswith("::marker") or \
            getattr(getattr(box, "element", None), "get", lambda _: None)("class") == "pn":
        return
    tag = getattr(box, "element", None)
    if tag is not None and hasattr(tag, "get") and tag.get("id"):
        element = tag.get("id")
    in_table = in_table or name.startswith("Table")
    if name == "TextBox":
        yield box, element, in_table
    for child in getattr(box, "children", ()):
        yield from _texts(child, element, in_table)


def page_lines(page: Page, ids: dict[str, str],
               skip: Container[int] = frozenset()) -> Iterator[tuple[str | None, str]]:
    """The page's lines and pictures in order, each with the innermost element of ``ids``
    around it and its text ("" for a picture); boxes whose ``id()`` is in ``skip`` (page
    furniture: a table's header row repeated on the page, a pull quote) are passed over."""
    root = page._page_box.children[0]
    for box, block in _walk(root, None, ids, skip):
        name = type(box).__name__
        if name == "LineBox":
            text = line_text(box)
            if text.strip():
                yield block, text
        elif "Replaced" in name:
            yield block, ""


def _walk(box: Any, block: str | None, ids: dict[str, str],
          skip: Container[int]) -> Iterator[tuple[Any, str | None]]:
    if id(box) in skip:
        return
    element = getattr(box, "element", None)
    element_id = element.get("id") if element is not None and hasattr(element, "get") else None
    if element_id in ids and not getattr(box, "element_tag", "").count("::"):
        block = element_id
    yield box, block
    if type(box).__name__ == "LineBox":
        return
    for child in getattr(box, "children", ()):
        yield from _walk(child, block, ids, skip)


def line_text(box: Any) -> str:
    """The words of a line, without footnote calls, list markers, floated notes or
    paragraph numbers."""
    return "".join(_line_words(box))


def _line_words(box: Any) -> Iterator[str]:
    tag = getattr(box, "element_tag", "") or ""
    if "::" in tag or getattr(getattr(box, "element", None), "get", lambda _: None)(
            "class") == "pn":
        return  # a paragraph's number is not its text
    style = getattr(box, "style", None)
    if style is not None and style["float"] == "footnote":
        return
    if type(box).__name__ == "TextBox":
        yield box.text
    for child in getattr(box, "children", ()):
        yield from _line_words(child)


def text_width(text: str, style: Any, context: Any = None) -> float:
    """How wide ``text`` is on one line, set in ``style`` (as WeasyPrint measures it)."""
    from weasyprint.text.line_break import create_layout, line_size

    layout = create_layout(text, style, context, None, 0)  # alive while its line is read
    return line_size(layout.get_first_line()[0], style)[0]


def space_width(style: Any, context: Any = None) -> float:
    """How wide a space is in ``style``, its ``word-spacing`` included."""
    return text_width("n n", style, context) - text_width("nn", style, context)


def tracking(style: Any) -> float:
    """``style``'s letter-spacing, in CSS pixels."""
    return 0 if style["letter_spacing"] == "normal" else style["letter_spacing"]


def edge(box: Any, side: str) -> float:
    """The width of an inline box's margin, border and padding on ``side``."""
    margin = getattr(box, f"margin_{side}")
    return ((0 if margin == "auto" else margin) + getattr(box, f"border_{side}_width")
            + getattr(box, f"padding_{side}"))


def descendants(box: Any) -> Iterator[Any]:
    """``box`` and every box inside it, in order."""
    yield box
    for child in getattr(box, "children", ()):
        yield from descendants(child)


def furniture(pages: list[Any]) -> dict[int, str]:
    """The boxes of ``pages`` that are not the text: margin boxes' contents, leaders,
    what the HTML hides from screen readers, and the header rows a table repeats on the
    pages it goes on to."""
    from weasyprint.formatting_structure import boxes

    found: dict[int, str] = {}
    tables: set[Any] = set()
    for page in pages:
        for box in descendants(page._page_box):
            if isinstance(box, boxes.MarginBox):
                found.update((id(each), "Pagination") for each in descendants(box))
            elif box.element is not None and box.element_tag and "::" not in \
                    box.element_tag and box.element.get("aria-hidden") == "true":
                # A pull quote repeats the text: shown, not read.
                found.update((id(each), "Layout") for each in descendants(box))
            elif getattr(box, "is_leader", False):
                found.update((id(each), "Layout") for each in descendants(box))
            elif isinstance(box, boxes.TableBox):
                if box.element in tables:
                    for group in box.children:
                        if getattr(group, "is_header", False):
                            found.update((id(each), "Pagination")
                                         for each in descendants(group))
                tables.add(box.element)
    return found


def link_note_calls(pages: list[Any]) -> None:
    """Give every footnote call a link to its note (WeasyPrint's calls link nowhere)."""
    from weasyprint.formatting_structure import boxes

    for page in pages:
        for box in descendants(page._page_box):
            if not isinstance(box, boxes.InlineBox) or \
                    not (box.element_tag or "").endswith("::footnote-call") or \
                    getattr(box, "pressrun_linked", False) or not box.element.get("id"):
                continue
            x, y, width, height = box.hit_area()
            page.links.append(("internal", box.element.get("id"),
                               (x, y, x + width, y + height), box))
            box.pressrun_linked = True
