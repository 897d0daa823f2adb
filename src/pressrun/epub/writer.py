"""Writing a part's body for the EPUB: notes are linked asides, glossary terms link to the
Glossary, and the print edition's page breaks are marked where they fall in the text."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from markupsafe import Markup

from pressrun.epub.pagelist import Placement, insert_breaks
from pressrun.html import ids
from pressrun.html.body import NO_ATTRIBUTES, BodyWriter
from pressrun.model import Footnote, GlossaryEntry, Node
from pressrun.study import is_questions

_NO_TEXT_INSIDE = ("figure", "code_block", "hr")
"""Blocks whose HTML has no place for a page marker (a code block is written verbatim)."""
QUESTIONS_HREF = "questions.xhtml"
GLOSSARY_HREF = "glossary.xhtml"


def markers(labels: Iterable[str]) -> Markup:
    """Page-break markers for the given printed pages."""
    return Markup("").join(
        Markup('<span epub:type="pagebreak" role="doc-pagebreak" id="%s" '
               'aria-label="%s"></span>') % (ids.page(label), label) for label in labels)


@dataclass
class EpubWriter(BodyWriter):
    """Writes one part's body for the EPUB."""

    placement: Placement = field(default_factory=Placement)
    """Where the print edition's page-break markers go."""
    notes_href: str = ""
    """The document holding this part's notes, when writing elsewhere (the gathered
    questions)."""
    questions_href: str = ""
    """The document of the gathered questions, for notes called there."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self._called_elsewhere: set[str] = set()
        if self.questions_at_end:
            self._called_elsewhere = {
                ref.attr("number") for block in self.part.blocks for node in block.walk()
                if is_questions(node) for ref in node.walk()
                if ref.kind == "footnote_ref" and ref.attr("first")}

    def top_block(self, index: int, node: Node) -> Markup:
        breaks = self.placement.inside.get(ids.block(self.part, index), [])
        whole = node.kind in _NO_TEXT_INSIDE  # a page inside it is marked before it
        before = [label for offset, label in breaks if offset == 0 or whole]
        inside = [(o, label) for o, label in breaks if o > 0 and not whole]
        if self.questions_at_end and is_questions(node):
            return markers(before + [label for _, label in inside])
        if inside:
            node = insert_breaks(node, inside)
        return markers(before) + super().top_block(index, node)

    def section_markers(self) -> Markup:
        """Markers of the pages that begin with this part."""
        return markers(self.placement.part_start.get(self.part.slug, []))

    def end_markers(self) -> Markup:
        """Markers of pages that begin in print-only matter at the end of this part."""
        return markers(self.placement.part_end.get(self.part.slug, []))

    def block(self, node: Node, head: Markup = NO_ATTRIBUTES) -> Markup:
        if node.kind == "pagebreak":  # between blocks: in a container holding code blocks
            return self.inline(node)
        return super().block(node, head)

    def inline(self, node: Node) -> Markup:
        if node.kind == "pagebreak":
            return markers([node.attr("label")])
        return super().inline(node)

    def language(self, lang: str, written: str = "") -> Markup:
        attributes = super().language(lang, written)
        return attributes + Markup(' xml:lang="%s"') % lang if lang else attributes

    def glossterm(self, entry: GlossaryEntry, text: Markup) -> Markup:
        """A glossary term's first use in a part: a link to its entry in the Glossary."""
        return Markup('<a class="glossterm" href="%s#%s" epub:type="glossref" '
                      'role="doc-glossref">%s</a>') % (GLOSSARY_HREF, ids.gloss_entry(entry.slug),
                                                       text)

    def footnote_ref(self, node: Node) -> Markup:
        """A note call: a link to the note."""
        number, sub = node.attr("number"), node.attr("sub")
        return Markup('<a class="noteref" href="%s#%s" id="%s" epub:type="noteref" '
                      'role="doc-noteref">%s</a>') % (
            self.notes_href, ids.note(self.part, number), ids.note_ref(self.part, number, sub),
            number)

    def footnote(self, note: Footnote) -> Markup:
        """A note as a footnote aside, linked back to its first call."""
        where = self.questions_href if str(note.number) in self._called_elsewhere else ""
        back = Markup('<a class="backlink" href="%s#%s" role="doc-backlink">%s.</a> ') % (
            where, ids.note_ref(self.part, note.number), note.number)
        first, *rest = note.blocks or (Node("paragraph"),)
        if first.kind == "paragraph":
            body = Markup("<p>%s%s</p>") % (back, self.inlines(first.children))
            body += Markup("\n") + self.blocks(rest) if rest else Markup("")
        else:
            body = Markup("<p>%s</p>") % back + self.blocks(note.blocks)
        return Markup('<aside class="footnote" id="%s" epub:type="footnote" '
                      'role="doc-footnote">%s</aside>') % (ids.note(self.part, note.number), body)
