"""Writing a part's body for print: notes float to the foot of the page (or gather at the
part's end), glossary terms and link addresses become notes too, since paper cannot be
clicked."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from markupsafe import Markup

from pressrun.html import ids
from pressrun.html.body import LINK_SCHEMES, BodyWriter
from pressrun.model import Footnote, GlossaryEntry, Node


@dataclass
class PrintWriter(BodyWriter):
    """Writes one part's body for the print edition."""

    endnotes: bool = False
    """Notes are gathered at the end of the part instead of the page foot."""
    set_under: frozenset[str] = frozenset()
    """Ids of notes to set under the block that calls them, because the layout engine
    could not place them at the foot of a page."""
    floated: dict[str, str] = field(default_factory=dict)
    """Every note floated to a page foot so far, by id, with a description for messages."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self._deferred: list[Markup] = []
        self._links = 0

    def top_block(self, index: int, node: Node) -> Markup:
        return super().top_block(index, node) + self._flush()

    def blocks(self, nodes: Iterable[Node]) -> Markup:
        return Markup("\n").join(self.block(node) + self._flush() for node in nodes)

    def questions(self, containers: Iterable[Node]) -> Markup:
        return super().questions(containers) + self._flush()

    def _flush(self) -> Markup:
        """The notes deferred while writing the last block: set under it."""
        notes, self._deferred = self._deferred, []
        return Markup("").join(notes)

    def _float_or_defer(self, note_id: str, marker: str, text: Markup, kind: str,
                        description: str, call: str = "") -> Markup:
        """A note: floated to the page foot, or set under its block when the layout could
        not place it there. ``call`` is what its call says to a screen reader (default:
        "Note 3")."""
        if note_id in self.set_under:
            shown = f"{marker}." if marker.isdigit() else marker  # 3. but * and a
            self._deferred.append(Markup('<p class="footnote-under" id="%s"><span class='
                                         '"footnote-number">%s</span> %s</p>') % (
                note_id, shown, text))
            return Markup("")
        self.floated[note_id] = description
        return Markup('<span class="%s" id="%s" data-n="%s" data-call="%s">%s</span>') % (
            kind, note_id, marker, call or self.words("note_call", mark=marker), text)

    def anchor(self, node: Node, url: str, text: Markup) -> Markup:
        anchor = super().anchor(node, url, text)
        href = node.attr("href")
        shown = href.removeprefix("mailto:")
        if urlsplit(href).scheme not in LINK_SCHEMES or _bare(node.plain_text) == _bare(shown):
            return anchor
        # Paper cannot be clicked: the address goes in a note, marked a, b, c…
        self._links += 1
        note_id = ids.link_note(self.part, self._links)
        return anchor + self._float_or_defer(note_id, letter_mark(self._links), Markup(
            '<span class="url">%s</span>') % shown, "footnote linknote", f"the note {note_id}")

    def glossterm(self, entry: GlossaryEntry, text: Markup) -> Markup:
        """A glossary term's first use in a part: marked, its definition in a note."""
        note = Markup('<b class="glossnote-term">%s</b> %s') % (entry.term, entry.definition)
        note_id = ids.gloss_note(self.part, entry.slug)
        return Markup('<span class="glossterm">%s</span>') % text + self._float_or_defer(
            note_id, "*", note, "footnote glossnote", f"the note {note_id}",
            f"{self.words('glossary')}: {entry.term}")

    def footnote_ref(self, node: Node) -> Markup:
        """A note call: the floating note itself at its first call, else a link to it."""
        number, sub = node.attr("number"), node.attr("sub")
        note = self._notes.get(node.attr("label"))
        note_id, ref_id = ids.note(self.part, number), ids.note_ref(self.part, number, sub)
        if self.endnotes:
            return Markup('<a class="noteref" href="#%s" id="%s">%s</a>') % (
                note_id, ref_id, number)
        if node.attr("first") and note is not None:
            floated = self._float_or_defer(note_id, number, self.footnote_text(note),
                                           "footnote", f"note {note.label} of "
                                           f"{self.part.location.path}")
            if floated:
                # The empty anchor marks where the call is, for the page it lands on.
                return Markup('<a class="call" id="%s"></a>') % ref_id + floated
        return Markup('<a class="footnote-ref" href="#%s" id="%s">%s</a>') % (
            note_id, ref_id, number)

    def footnote_text(self, note: Footnote) -> Markup:
        """A note's text as inline HTML (notes float out of a paragraph)."""
        pieces = []
        for block in note.blocks:
            if block.kind == "paragraph":
                pieces.append(Markup('<span class="footnote-p">%s</span>')
                              % self.inlines(block.children))
            else:
                pieces.append(Markup('<span class="footnote-p">%s</span>') % block.plain_text)
        return Markup("").join(pieces)


def letter_mark(number: int) -> str:
    """``1`` → ``a``, ``26`` → ``z``, ``27`` → ``aa``: marks of the notes giving link
    addresses, kept apart from the numbered notes the EPUB shares."""
    mark = ""
    while number:
        number, rest = divmod(number - 1, 26)
        mark = chr(ord("a") + rest) + mark
    return mark


def _bare(address: str) -> str:
    """An address without scheme, ``www.`` or trailing slash, for comparing with link text."""
    return re.sub(r"^(?:https?://)?(?:www\.)?", "", address.strip().lower()).rstrip("/")
