"""The print edition's PDF made from its sections' PDFs.

Each section laid out (see ``sections``) is written as a PDF of its own and kept with its
layout: ``pressrun watch`` writes again only the sections laid out again, not the whole
book. The sections to write are shared between this process and a forked one (see
``forked``), and the book is assembled from them (``assemble``). A section's PDF depends
on its layout, the PDF variant and which of its links reach other sections, and on
nothing else, so the book has the same bytes however its sections were written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pressrun.forked import Child, can_fork
from pressrun.pdf.assemble import assemble
from pressrun.pdf.weasy import pdf_bytes, placed_anchors

if TYPE_CHECKING:
    from weasyprint.document import Document

    from pressrun.pdf.sections import Layouts

Piece = tuple[str, str, frozenset[str]]
"""A section's PDF: the key of its layout, the PDF variant, the ids its links reach in
other sections."""


def book_pdf(layouts: Layouts, variant: str) -> bytes:
    """The PDF of the sections of ``layouts``' last layout, written (or reused) and
    assembled; ``layouts.written`` counts the sections written."""
    documents = [layouts.documents[key] for key in layouts.order]
    own = [placed_anchors(document) for document in documents]
    every = set().union(*own)
    pieces: list[Piece] = [
        (key, variant, frozenset(_targets(document) & every - mine))
        for key, document, mine in zip(layouts.order, documents, own, strict=True)]
    missing = {piece: document for piece, document in zip(pieces, documents, strict=True)
               if piece not in layouts.pdfs}
    made = dict(zip(missing, _write(list(missing.items())), strict=True))
    layouts.pdfs = {piece: layouts.pdfs.get(piece) or made[piece] for piece in pieces}
    layouts.written = len(made)
    return assemble([layouts.pdfs[piece] for piece in pieces])


def _targets(document: Document) -> set[str]:
    """The ids the internal links of ``document`` point to."""
    return {link[1] for page in document.pages for link in page.links
            if link[0] == "internal"}


def _write(pieces: list[tuple[Piece, Document]]) -> list[bytes]:
    """The PDFs of ``pieces``, in order: half of the pages written in a forked process
    when there is a core for it (written here again if that process fails)."""

    def write(indices: list[int]) -> list[bytes]:
        return [pdf_bytes(pieces[i][1], pieces[i][0][1], pieces[i][0][2]) for i in indices]

    if len(pieces) < 2 or not can_fork():
        return write(list(range(len(pieces))))
    mine: list[int] = []
    theirs: list[int] = []
    weight = [0, 0]
    for index in sorted(range(len(pieces)), key=lambda i: -len(pieces[i][1].pages)):
        side = 0 if weight[0] <= weight[1] else 1
        (mine, theirs)[side].append(index)
        weight[side] += len(pieces[index][1].pages)
    child = Child(lambda: write(theirs))
    try:
        done = dict(zip(mine, write(mine), strict=True))
    finally:
        forked = child.result()
    done.update(zip(theirs, forked if forked is not None else write(theirs), strict=True))
    return [done[i] for i in range(len(pieces))]
