"""The print edition's pages as the EPUB needs them: where each printed page begins.

The print layout (``pdf.pagestarts``) makes a ``PageMap``; the EPUB (``epub.pagelist``)
marks each page there. Blocks are found by the ids both formats share (``html.ids``),
and a page that begins inside a block by how far into its text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SQUASH = re.compile(r"[\s\u00ad\u200b\u2010\u2011\u2060-]+")


def squash(text: str) -> str:
    """Text as compared across print and EPUB: no whitespace, hyphens or word joiners
    (nor the zero-width space WeasyPrint adds to a lone space), case-folded."""
    return _SQUASH.sub("", text).casefold()


@dataclass(frozen=True)
class PageStart:
    """Where one printed page begins."""

    label: str
    """The page number as printed."""
    block: str
    """Id of the block holding the page's first line (or a part or front-matter id)."""
    offset: int
    """Characters of the block's text (whitespace not counted) before the page begins."""


@dataclass(frozen=True)
class PageMap:
    """The print edition's pages."""

    starts: tuple[PageStart, ...]
    """Where each page begins, in page order."""
    first_page: dict[str, int]
    """The 1-based page on which each id'd element begins."""
    pages: int
    """How many pages the print edition has."""
