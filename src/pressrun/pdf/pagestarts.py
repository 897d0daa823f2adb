"""Where each printed page begins, read from the print layout, for the EPUB's page list.

Every top-level block of a part carries the same id in the print HTML and in the EPUB
(``html.ids``). For each laid-out page this finds the block that holds the page's first
line and how far into that block's text the line starts, counting the characters of the
block's lines on the pages before, so the EPUB can put its page-break marker at the same
word. Each section starts a page of its own and holds its own blocks, so its pages
are read once, by themselves, and the map of each kept section serves the next build.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from pressrun.html.pagemap import PageMap, PageStart, squash
from pressrun.pdf.weasyboxes import furniture, page_lines

if TYPE_CHECKING:
    from weasyprint.document import Document


def joined(sections: Iterable[PageMap]) -> PageMap:
    """The page map of the sections' pages one after another (each section's map counts
    its pages from 1)."""
    starts: list[PageStart] = []
    first_page: dict[str, int] = {}
    pages = 0
    for section in sections:
        starts += (replace(start, label=str(int(start.label) + pages))
                   for start in section.starts)
        for anchor, number in section.first_page.items():
            first_page.setdefault(anchor, number + pages)
        pages += section.pages
    return PageMap(tuple(starts), first_page, pages)


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
    before: dict[str, int] = {}  # characters of each block laid out on earlier pages
    squashed: dict[str, str] = {}  # a block's text, squashed once however many pages it spans
    starts = []
    skip = furniture(document.pages)
    for number, page in enumerate(document.pages, 1):
        lines = list(page_lines(page, texts, skip))
        block, line = lines[0] if lines else (None, "")
        if block is not None:
            offset = 0
            if block in seen and line:
                if block not in squashed:
                    squashed[block] = squash(texts[block])
                offset = _nearest(squashed[block], squash(line)[:24], before.get(block, 0))
            seen.update(page.anchors)
            starts.append(PageStart(str(number), block, offset))
        for each, text in lines:
            if each is not None:
                before[each] = before.get(each, 0) + len(squash(text))
    return PageMap(tuple(starts), first_page, len(document.pages))


def _nearest(text: str, phrase: str, position: int) -> int:
    """Where ``phrase`` occurs in ``text`` nearest to ``position`` (where the page's lines
    were counted to begin: text only the print shows, such as a box's title, can put
    that a little late), else ``position``."""
    found, start = [], text.find(phrase)
    while start != -1:
        found.append(start)
        start = text.find(phrase, start + 1)
    return min(found, key=lambda at: abs(at - position), default=min(position, len(text)))
