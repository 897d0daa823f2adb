"""Placing the print edition's page numbers in the EPUB: pure functions over the model."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from pressrun.html import ids
from pressrun.html.pagemap import PageMap, squash
from pressrun.model import Node, Pamphlet, Part
from pressrun.study import gathered_questions


@dataclass
class Placement:
    """Where each page-break marker goes in the EPUB."""

    inside: dict[str, list[tuple[int, str]]] = field(default_factory=lambda: defaultdict(list))
    """By block id: (characters into the block, page label); 0 is before the block."""
    part_start: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    """By part slug: pages that begin with the part."""
    part_end: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    """By part slug: pages that begin in print-only matter at the end of a part."""
    front_start: list[str] = field(default_factory=list)
    """Pages at the start of the title page document."""
    front_end: list[str] = field(default_factory=list)
    """Pages of the colophon: before the title page's imprint, which says what it says."""
    contents: list[str] = field(default_factory=list)
    """Pages of the contents: before the nav's table of contents."""
    back: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    """By back-matter section (``ids.BACK_MATTER``): pages that begin in it."""
    back_end: list[str] = field(default_factory=list)
    """Pages of print-only back matter (notes pages): the end of the last document."""
    labels: list[str] = field(default_factory=list)
    """Every page label that has a marker, in order."""


def place(pages: PageMap, pamphlet: Pamphlet) -> Placement:
    """Decide where the marker for each printed page goes."""
    placement = Placement()
    notes_pages = {ids.notes_page(n) for n in range(1, pamphlet.metadata.notes_pages + 1)}
    parts = {ids.part(part): part for part in pamphlet.parts}
    for start in pages.starts:
        placement.labels.append(start.label)
        if start.block in ids.FRONT_START:
            placement.front_start.append(start.label)
        elif start.block == ids.CONTENTS:
            placement.contents.append(start.label)
        elif start.block in ids.FRONT_END:
            placement.front_end.append(start.label)
        elif start.block in ids.BACK_MATTER:
            placement.back[start.block].append(start.label)
        elif start.block in notes_pages:
            placement.back_end.append(start.label)
        elif start.block in parts:
            part = parts[start.block]
            if pages.first_page.get(start.block) == int(start.label):
                placement.part_start[part.slug].append(start.label)
            else:
                _before_next_block(placement, pages, part, start.label)
        else:
            placement.inside[start.block].append((start.offset, start.label))
    if placement.back_end and pamphlet.parts and not (
            pamphlet.glossary or gathered_questions(pamphlet)):
        # No back-matter documents: the last part's document ends the EPUB.
        placement.part_end[pamphlet.parts[-1].slug] += placement.back_end
        placement.back_end = []
    return placement


def _before_next_block(placement: Placement, pages: PageMap, part: Part, label: str) -> None:
    """A page that begins in print-only matter: mark it before the next block of the part."""
    for index in range(len(part.blocks)):
        bid = ids.block(part, index)
        if pages.first_page.get(bid, 0) >= int(label):
            placement.inside[bid].append((0, label))
            return
    placement.part_end[part.slug].append(label)


def insert_breaks(node: Node, breaks: list[tuple[int, str]]) -> Node:
    """``node`` with ``pagebreak`` inline nodes at the given character offsets.

    Offsets count the characters that survive ``pagemap.squash`` (no whitespace
    or hyphens); a break at the end of a word (or after a dash) goes before the next
    word, and one inside a word (hyphenated across two pages) before that word, which is
    not split.
    """
    pending = sorted(breaks)
    counted = 0

    def split(text: str) -> tuple[Node, ...]:
        nonlocal counted
        pieces: list[Node] = []
        start = word = 0  # where the text not yet split off, and the current word, begin
        for position, char in enumerate(text):
            if char.isspace():
                word = position + 1
            while pending and pending[0][0] <= counted and not char.isspace():
                at = word if word >= start else position  # a word is not split
                if at > start:
                    pieces.append(Node("text", text=text[start:at]))
                    start = at
                pieces.append(_marker(pending.pop(0)[1]))
            if not (char.isspace() or char in "\u00ad\u2010\u2011-"):
                counted += len(char.casefold())
            if char in "\u2014\u2013":  # a line may end after a dash: a word starts next
                word = position + 1
        pieces.append(Node("text", text=text[start:]))
        return tuple(pieces)

    def walk(current: Node) -> tuple[Node, ...]:
        nonlocal counted
        if current.kind == "text":
            return split(current.text) if pending else (current,)
        if current.kind == "code":  # counted, but not split: a break inside goes before it
            counted += len(squash(current.text))
            due = []
            while pending and pending[0][0] < counted:
                due.append(_marker(pending.pop(0)[1]))
            return (*due, current)
        if current.children:
            children = tuple(n for child in current.children for n in walk(child))
            return (replace(current, children=children),)
        return (current,)

    (result,) = walk(node)
    if pending:  # past the end of the text: put them at the end
        result = _append(result, tuple(_marker(label) for _, label in pending))
    return result


_INLINE_HOLDERS = ("paragraph", "heading", "list_item", "th", "td")


def _append(node: Node, markers: tuple[Node, ...]) -> Node:
    """``node`` with ``markers`` at the end of its last block that may hold inline content
    (a list or a table may not: a marker goes in its last item or cell)."""
    if node.kind not in _INLINE_HOLDERS:
        children = list(node.children)
        for index in reversed(range(len(children))):
            if any(n.kind in _INLINE_HOLDERS for n in children[index].walk()):
                children[index] = _append(children[index], markers)
                return replace(node, children=tuple(children))
    return replace(node, children=node.children + markers)


def _marker(label: str) -> Node:
    return Node("pagebreak", attrs=(("label", label),))
