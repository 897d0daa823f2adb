"""One PDF from the PDFs of the print edition's sections, in their order.

Each section of the book (see ``sections``) is written as a PDF of its own, so that a
rebuild writes only the sections whose layout changed, and sections can be written in
two processes at once. ``assemble`` joins them with pikepdf into the PDF a reader gets:
the first section's catalog (metadata, language, viewer preferences) with every
section's pages, one structure tree (each section's elements under one ``/Document``,
the parent tree renumbered), one list of named destinations (a link from one section to
another, such as a contents entry, names its target and is resolved here), one ID tree
of the notes, and the bookmarks in order. The result depends only on the sections'
bytes, so an assembled rebuild and a cold build give the same file.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable

import pikepdf


def assemble(pieces: list[bytes]) -> bytes:
    """The PDF of ``pieces`` (the sections' PDFs, written by ``weasy.pdf_bytes``) joined."""
    if len(pieces) == 1:
        return pieces[0]
    book = pikepdf.open(io.BytesIO(pieces[0]))
    tree = book.Root.StructTreeRoot
    document = tree.K[0]
    nums = [(int(key), value) for key, value in _pairs(tree.ParentTree.Nums)]
    ids = {str(k): v for k, v in _pairs(tree.IDTree.Names)} if "/IDTree" in tree else {}
    names = book.Root.get("/Names", pikepdf.Dictionary())
    dests = {str(k): v for k, v in _pairs(names.Dests.Names)} if "/Dests" in names else {}
    next_key = 1 + max((key for key, _ in nums), default=-1)
    for data in pieces[1:]:
        piece = pikepdf.open(io.BytesIO(data))
        _renumber(piece, next_key)
        with warnings.catch_warnings():  # the destinations are joined below
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            book.pages.extend(piece.pages)
        copy = book.copy_foreign
        source = piece.Root.StructTreeRoot
        for kid in source.K[0].K:
            element = copy(kid)
            element.P = document
            document.K.append(element)
        added = [(int(key), value)
                 for key, value in _pairs(_whole(piece, source.ParentTree, book).Nums)]
        nums += added
        next_key = max(next_key, 1 + max((key for key, _ in added), default=-1))
        if "/IDTree" in source:
            for key, value in _pairs(_whole(piece, source.IDTree, book).Names):
                ids.setdefault(str(key), value)
        if "/Names" in piece.Root and "/Dests" in piece.Root.Names:
            for key, value in _pairs(_whole(piece, piece.Root.Names.Dests, book).Names):
                dests.setdefault(str(key), value)
        if "/Outlines" in piece.Root:
            _append_outlines(book, copy(piece.Root.Outlines))
    tree.ParentTree = book.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(
        [item for key, value in nums for item in (key, value)])))
    tree.ParentTreeNextKey = next_key
    if ids:
        tree.IDTree = book.make_indirect(pikepdf.Dictionary(Names=_flat(ids)))
    if dests:
        names.Dests = book.make_indirect(pikepdf.Dictionary(Names=_flat(dests)))
        book.Root.Names = names
    out = io.BytesIO()
    book.save(out, deterministic_id=True, compress_streams=True,
              object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _pairs(array: pikepdf.Object) -> Iterable[tuple[pikepdf.Object, pikepdf.Object]]:
    """The (key, value) pairs of a flat number or name tree array."""
    items = list(array)
    return zip(items[::2], items[1::2], strict=True)


def _flat(tree: dict[str, pikepdf.Object]) -> pikepdf.Array:
    """A name tree's ``/Names`` array: keys in byte order, as the format requires."""
    return pikepdf.Array([item for key in sorted(tree, key=lambda k: k.encode())
                          for item in (pikepdf.String(key), tree[key])])


def _renumber(piece: pikepdf.Pdf, offset: int) -> None:
    """Move ``piece``'s parent tree keys (its pages' and annotations') past ``offset``."""
    for page in piece.pages:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + offset
        for annotation in page.obj.get("/Annots", ()):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + offset
    tree = piece.Root.StructTreeRoot
    tree.ParentTree.Nums = pikepdf.Array(
        [item for key, value in _pairs(tree.ParentTree.Nums)
         for item in (int(key) + offset, value)])


def _whole(piece: pikepdf.Pdf, value: pikepdf.Object, book: pikepdf.Pdf) -> pikepdf.Object:
    """``value`` of ``piece`` copied into ``book`` with every object it reaches (pages,
    elements: each copied once) in one call, not one per object: a third of the time."""
    return book.copy_foreign(piece.make_indirect(value))


def _append_outlines(book: pikepdf.Pdf, outlines: pikepdf.Object) -> None:
    """Put the bookmarks of ``outlines`` (copied from another section) after the book's."""
    if "/First" not in outlines:
        return
    if "/Outlines" not in book.Root or "/First" not in book.Root.Outlines:
        outlines.Type = pikepdf.Name.Outlines
        book.Root.Outlines = outlines
        return
    root = book.Root.Outlines
    item = outlines.First
    while True:
        item.Parent = root
        if "/Next" not in item:
            break
        item = item.Next
    root.Last.Next, outlines.First.Prev = outlines.First, root.Last
    root.Last = outlines.Last
    root.Count = int(root.get("/Count", 0)) + int(outlines.get("/Count", 0))
