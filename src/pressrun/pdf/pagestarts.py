"""Where each printed page begins, read from the print layout, for the EPUB's page list.

Every top-level block of a part carries the same id in the print HTML and in the EPUB
(``html.ids``). For each laid-out page this finds the block that holds the page's first
line and how far into that block's text the line starts, so the EPUB can put its
page-break marker at the same word.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pressrun.html.pagemap import PageMap, PageStart, squash
from pressrun.pdf.weasyboxes import first_line

if TYPE_CHECKING:
    from weasyprint.document import Document


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
    squashed: dict[str, str] = {}  # a block's text, squashed once however many pages it spans
    starts = []
    for number, page in enumerate(document.pages, 1):
        block, line = first_line(page, texts)
        if block is None:
            continue
        offset = 0
        if block in seen and line:
            if block not in squashed:
                squashed[block] = squash(texts[block])
            found = squashed[block].find(squash(line)[:24], consumed.get(block, 0))
            offset = max(found, 0)
        consumed[block] = offset
        seen.update(page.anchors)
        starts.append(PageStart(str(number), block, offset))
    return PageMap(tuple(starts), first_page, len(document.pages))
