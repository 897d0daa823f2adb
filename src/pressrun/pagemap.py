"""Where each printed page begins: read from the print layout, for the EPUB's page list.

Every top-level block of a part carries the same id in the print HTML and in
the EPUB. For each laid-out page this module finds the block that holds the
page's first line and how far into that block's text the line starts, so the
EPUB can put its page-break marker at the same word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from weasyprint.document import Document

_SQUASH = re.compile(r"[\s\u00ad\u2010\u2011-]+")


@dataclass(frozen=True)
class PageStart:
    """Where one printed page begins."""

    label: str
    """The page number as printed."""
    block: str
    """Id of the block holding the page's first line (or a part or front-matter id)."""
    offset: int
    """Characters of the block's text (whitespace not counted) before the page begins."""


def squash(text: str) -> str:
    """Text as compared across print and EPUB: no whitespace or hyphens, case-folded."""
    return _SQUASH.sub("", text).casefold()


@dataclass(frozen=True)
class PageMap:
    """The print edition's pages, as the EPUB needs them."""

    starts: tuple[PageStart, ...]
    """Where each page begins, in page order."""
    first_page: dict[str, int]
    """The 1-based page on which each id'd element begins."""
    pages: int
    """How many pages the print edition has."""


def page_map(document: Document, texts: dict[str, str]) -> PageMap:
    """Where each page of ``document`` begins.

    ``texts`` gives the plain text of every id'd block (top-level blocks, part
    sections and front matter), as the model has it; their ids are the only
    ones this looks for.
    """
    first_page: dict[str, int] = {}
    for number, page in enumerate(document.pages, 1):
        for anchor in page.anchors:
            first_page.setdefault(anchor, number)
    seen: set[str] = set()
    consumed: dict[str, int] = {}
    starts = []
    for number, page in enumerate(document.pages, 1):
        block, line = _first_line(page._page_box, texts)
        if block is None:
            continue
        offset = 0
        if block in seen and line:
            text = squash(texts[block])
            found = text.find(squash(line)[:24], consumed.get(block, 0))
            offset = max(found, 0)
        consumed[block] = offset
        seen.update(page.anchors)
        starts.append(PageStart(str(number), block, offset))
    return PageMap(tuple(starts), first_page, len(document.pages))


def _first_line(page_box: object, ids: dict[str, str]) -> tuple[str | None, str]:
    """The innermost known id around the page's first line or picture, and the line's text."""
    root = page_box.children[0]  # type: ignore[attr-defined]
    for box, block in _walk(root, None, ids):
        name = type(box).__name__
        if name == "LineBox":
            text = "".join(_line_text(box))
            if text.strip():
                return block, text
        elif "Replaced" in name:
            return block, ""
    return None, ""


def _walk(box: object, block: str | None,
          ids: dict[str, str]) -> Iterator[tuple[object, str | None]]:
    element = getattr(box, "element", None)
    element_id = element.get("id") if element is not None and hasattr(element, "get") else None
    if element_id in ids and not getattr(box, "element_tag", "").count("::"):
        block = element_id
    yield box, block
    if type(box).__name__ == "LineBox":
        return
    for child in getattr(box, "children", ()):
        yield from _walk(child, block, ids)


def _line_text(box: object) -> Iterator[str]:
    """The words of a line, without footnote calls, list markers or floated notes."""
    tag = getattr(box, "element_tag", "") or ""
    if "::" in tag:
        return
    style = getattr(box, "style", None)
    if style is not None and style["float"] == "footnote":
        return
    if type(box).__name__ == "TextBox":
        yield box.text  # type: ignore[attr-defined]
    for child in getattr(box, "children", ()):
        yield from _line_text(child)
