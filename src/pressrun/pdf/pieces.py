"""The print edition's PDF made from its sections' PDFs.

Each section laid out (see ``sections``) is written as a PDF of its own and kept with its
layout: ``pressrun watch`` writes again only the sections laid out again, not the whole
book. While the sections are laid out one after another, those already laid out are
written in a forked process (see ``forked``): ``Pipeline``. When the layout is done, this
process writes what no writer has, then takes the sections the busy writer has not
reached from the back of its batch (``Ends``); what is left is shared between this
process and a forked one, and the book is assembled from them all (``assemble``). A
section's PDF depends on its layout, the PDF variant and which of its links reach other
sections, and on nothing else, so the book has the same bytes however its sections were
written.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from pressrun.forked import Child, Ends, beside, meanwhile, split
from pressrun.pdf.libraries import before_writers
from pressrun.pdf.weasy import encoding_kept, pdf_bytes, placed_anchors

if TYPE_CHECKING:
    from weasyprint.document import Document

    from pressrun.pdf.sections import Layouts

ASSEMBLER = "pressrun.pdf.assemble"
"""What joins the sections' PDFs: it imports pikepdf (0.06-0.09 s), done while this
process waits for a forked writer, if it does."""
Piece = tuple[str, str, frozenset[str]]
"""A section's PDF: the key of its layout, the PDF variant, the ids its links reach in
other sections."""
Written = tuple[list[bytes], dict[str, bytes]]
"""What a forked writer sends back: its PDFs, and the pictures it encoded by their keys
in the picture cache."""


GROWTH = 2
"""A forked writer is given the sections waiting once they have at least 1/GROWTH of the
pages given before, or of the pages still to come, whichever is fewer. A fork costs the
layout in proportion to the memory it holds (each page of it the layout then changes is
copied), so a book of 1,000 one-page parts forked 117 writers and took 52.6 s, against
47.5 s in one process; growing batches fork about log(pages) / log(1 + 1/GROWTH) of them.
But sections still waiting when the layout ends are written after it, while this process
waits: near the end of the book, batches shrink with what is left (Ten Days waited 2.9 s
after its layout for 164 pages, 122 of them given to a writer just before the end), but
not below ``FEWEST`` pages, which the end writes in two processes for less than a fork
costs."""
FEWEST = 8
"""The fewest pages a batch shrinks to near the end of the book (see ``GROWTH``)."""


class Pipeline:
    """Sections written in a forked process while the next ones are laid out.

    ``laid`` is ``layout_sections``' hook: each section laid out waits for the forked
    writer to be free, then goes with the others waiting. A section is written as if
    every link it makes to another section will find its target; ``book_pdf`` uses the
    PDF if that is so (a link to an id found nowhere is dropped, and such a section is
    written again).
    """

    def __init__(self, variant: str, keep: bool) -> None:
        self.variant = variant
        self.keep = keep
        """Whether the pictures the writer encodes are sent back (see ``_writer``)."""
        self.waiting: list[tuple[Piece, Document]] = []
        self.writing: list[tuple[Piece, Document]] = []
        self.child: Child[Written] | None = None
        self.ends = Ends(0)
        """The forked writer's sections, shared with this process (see ``steal``)."""
        self.written: dict[Piece, bytes] = {}
        self.encoded: dict[str, bytes] = {}
        """The pictures the writer encoded, by their keys in the picture cache."""
        self.sent = 0
        """Pages given to forked writers so far."""

    def laid(self, key: str, document: Document, left: float = 0.0) -> None:
        """Write the section ``key`` laid out as ``document`` when the writer is free and
        enough pages wait (``GROWTH``); ``left`` is the share of the book's text still to
        be laid out, from which the pages still to come are estimated."""
        self.waiting.append((_piece(key, self.variant, document), document))
        if self.child is not None and self.child.ready():
            self.collect()
        pages = sum(len(waiting.pages) for _, waiting in self.waiting)
        laid = self.sent + pages  # every section laid out is given or waiting
        coming = laid * left / (1 - left) if left < 1 else float("inf")
        if self.child is None and (pages * GROWTH >= self.sent
                                   or (pages * GROWTH >= coming and pages >= FEWEST)):
            self._send()

    def flush(self) -> None:
        """Give the sections waiting to the forked writer if it is free, however few: the
        layout is done, and this process has other work (the EPUB). Written here instead,
        the pamphlet's last 7 pages kept its memory together at 1.13x WeasyPrint's alone,
        not 1.49x (the writer's pages copied on write), but made its build 1.05x pandoc's,
        not 0.95x (one benchmark each, in one hour)."""
        if self.child is not None and self.child.ready():
            self.collect()
        if self.child is None and self.waiting:
            self._send()

    def _send(self) -> None:
        """Fork a writer for the sections waiting."""
        batch, self.waiting = self.waiting, []
        self.sent += sum(len(waiting.pages) for _, waiting in batch)
        self.writing, self.ends = batch, Ends(len(batch))
        self.child = _writer(batch, self.keep, self.ends)

    def steal(self) -> tuple[Piece, Document] | None:
        """The last section the forked writer has not reached, taken from it to be written
        here, while this process would otherwise wait for it; None when it is done."""
        if self.child is None or self.child.ready():
            return None
        index = self.ends.back()
        return None if index is None else self.writing[index]

    def collect(self) -> dict[Piece, bytes]:
        """Wait for the forked writer; every section written, by piece."""
        if self.child is not None:
            made, encoded = self.child.result() or ([], {})
            self.written.update(zip((piece for piece, _ in self.writing), made, strict=False))
            self.encoded.update(encoded)
            self.child, self.writing = None, []
        return self.written


def book_pdf(layouts: Layouts, variant: str, pipeline: Pipeline | None = None) -> bytes:
    """The PDF of the sections of ``layouts``' last layout, written (or reused, or taken
    from ``pipeline``) and assembled; ``layouts.written`` counts the sections written."""
    documents = [layouts.documents[key] for key in layouts.order]
    every = set().union(*map(placed_anchors, documents))
    pieces = [_piece(key, variant, document, every)
              for key, document in zip(layouts.order, documents, strict=True)]
    missing = {piece: document for piece, document in zip(pieces, documents, strict=True)
               if piece not in layouts.pdfs}
    made: dict[Piece, bytes] = {}
    encoded: dict[str, bytes] = {}  # by forked writers, kept with the pictures
    withdraw = meanwhile(lambda: importlib.import_module(ASSEMBLER))  # while writers write
    if pipeline is not None:  # what the forked writer is not writing: here while it writes
        busy = {piece for piece, _ in pipeline.writing} | set(pipeline.written)
        left = [item for item in missing.items() if item[0] not in busy]
        while left and pipeline.child is not None and not pipeline.child.ready():
            made.update(_write(left[:1], layouts.kept, encoded, fork=False))
            del left[0]
        while (stolen := pipeline.steal()) is not None:  # then the back of what it writes
            if stolen[0] in missing and stolen[0] not in made:
                made.update(_write([stolen], layouts.kept, encoded, fork=False))
        early = pipeline.collect()  # the rest shared with a forked process once it is done
        made.update(_write(left, layouts.kept, encoded))
        made.update((piece, early[piece]) for piece in missing if piece in early)
        encoded.update(pipeline.encoded)
    made.update(_write([item for item in missing.items() if item[0] not in made],
                       layouts.kept, encoded))
    if layouts.shared is not None:
        layouts.shared.images.update(encoded)
    layouts.pdfs = {piece: layouts.pdfs.get(piece) or made[piece] for piece in pieces}
    layouts.written = len(made)
    withdraw()  # if no wait came: imported here
    from pressrun.pdf.assemble import assemble

    return assemble([layouts.pdfs[piece] for piece in pieces])


def _piece(key: str, variant: str, document: Document,
           every: set[str] | None = None) -> Piece:
    """The piece of the section ``key`` laid out as ``document``: the ids its links reach
    in other sections, among ``every`` id of the book (None: as if all were there)."""
    own = placed_anchors(document)
    targets = {link[1] for page in document.pages for link in page.links
               if link[0] == "internal"} - own
    return key, variant, frozenset(targets if every is None else targets & every)


def _writer(pieces: list[tuple[Piece, Document]], keep: bool, ends: Ends) -> Child[Written]:
    """A forked process writing ``pieces`` from the front until it meets those this
    process took from the back (``ends``); it sends back the pictures it encoded if they
    are to be ``keep``-t (by a ``Layouts`` kept for a next build), so that the next
    rebuild's writer, forked again, finds them encoded."""
    before_writers()
    return Child(lambda: encoding_kept(lambda: [
        pdf_bytes(document, variant, elsewhere)
        for (_, variant, elsewhere), document in map(pieces.__getitem__, ends.front())],
        keep), beside())


def _write(pieces: list[tuple[Piece, Document]], keep: bool, encoded: dict[str, bytes],
           fork: bool = True) -> dict[Piece, bytes]:
    """The PDFs of ``pieces``: shared by pages with a forked process when there is a core
    for it and ``fork`` (``forked.split``; the pictures encoded go into ``encoded`` if
    ``keep``)."""

    def one(index: int) -> tuple[bytes, dict[str, bytes]]:
        (_, variant, elsewhere), document = pieces[index]
        return encoding_kept(lambda: pdf_bytes(document, variant, elsewhere), keep)

    def write(indices: list[int]) -> list[tuple[bytes, dict[str, bytes]]]:
        return [one(index) for index in indices]

    weights = [float(len(document.pages)) for _, document in pieces]
    before_writers()
    made = split(write, weights) if fork else write(list(range(len(pieces))))
    for _, sent in made:
        encoded.update(sent)
    return {piece: data for (piece, _), (data, _) in zip(pieces, made, strict=True)}
