"""Serialising a part's nodes to (X)HTML, for print or for EPUB.

The output is well-formed XHTML in both cases (void elements closed), so the
same fragments serve WeasyPrint's HTML parser and EPUB's XML one. The two
targets differ only where the media differ: footnotes float to the foot of
the page in print, and are linked notes in the EPUB.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from markupsafe import Markup, escape

from pressrun.model import Footnote, GlossaryEntry, Image, Node, Part
from pressrun.pagelist import Placement, block_id, insert_breaks
from pressrun.study import is_questions, paragraph_numbers

PRINT, EPUB = "print", "epub"
CONTAINER_TITLES = {"questions": "For discussion", "further-reading": "Further reading"}
_SIMPLE_BLOCKS = {"blockquote": "blockquote", "bullet_list": "ul", "list_item": "li",
                  "table": "table", "thead": "thead", "tbody": "tbody", "tr": "tr"}
_SIMPLE_INLINES = {"em": "em", "strong": "strong", "s": "s"}
_LINK_SCHEMES = ("http", "https", "mailto")


@dataclass
class BodyWriter:
    """Writes one part's body for one target."""

    target: str
    """``PRINT`` or ``EPUB``."""
    part: Part
    """The part being written (for footnotes and ids)."""
    image_src: Callable[[Image], str]
    """The URL of a picture (or of its placeholder) in this target."""
    part_hrefs: dict[str, str]
    """Link target of each part, by its Markdown file name, for links between parts."""
    endnotes: bool = False
    """Print only: notes are gathered at the end of the part instead of the page foot."""
    set_under: frozenset[str] = frozenset()
    """Print only: ids of notes to set under the block that calls them, because the
    layout engine could not place them at the foot of a page."""
    placement: Placement | None = None
    """EPUB only: where the print edition's page-break markers go."""
    glossary: dict[str, GlossaryEntry] | None = None
    """Glossary entries by slug, when the pamphlet has a glossary."""
    numbered: bool = False
    """Number the part's body paragraphs (``paragraph_numbers: true``)."""
    questions_at_end: bool = False
    """``::: questions`` are left out here: they are gathered at the end of the book."""
    notes_href: str = ""
    """EPUB only: the document holding this part's notes, when writing elsewhere (the
    gathered questions)."""
    questions_href: str = ""
    """EPUB only: the document of the gathered questions, for notes called there."""

    def __post_init__(self) -> None:
        self._notes = {note.label: note for note in self.part.footnotes}
        self._numbers = paragraph_numbers(self.part) if self.numbered else {}
        self._deferred: list[Markup] = []
        self._links = 0
        self._called_elsewhere: set[str] = set()
        if self.questions_at_end:
            self._called_elsewhere = {
                ref.attr("number") for block in self.part.blocks for node in block.walk()
                if is_questions(node) for ref in node.walk()
                if ref.kind == "footnote_ref" and ref.attr("first")}

    def note_id(self, number: int | str) -> str:
        """The id of footnote ``number`` of this part."""
        return f"{self.part.slug}-fn-{number}"

    def ref_id(self, number: int | str, sub: int | str = 0) -> str:
        """The id of a reference to footnote ``number`` (``sub`` counts repeats)."""
        return f"{self.part.slug}-fnref-{number}" + (f"-{sub}" if str(sub) != "0" else "")

    def body(self) -> Markup:
        """The part's text: its top-level blocks, each with the id print and EPUB share."""
        out = []
        for index, node in enumerate(self.part.blocks):
            bid = block_id(self.part, index)
            breaks = self.placement.inside.get(bid, []) if self.placement else []
            whole = node.kind in _NO_TEXT_INSIDE  # a page inside it is marked before it
            before = [label for offset, label in breaks if offset == 0 or whole]
            inside = [(o, label) for o, label in breaks if o > 0 and not whole]
            if self.questions_at_end and is_questions(node):
                out.append(self.markers(before + [label for _, label in inside]))
                continue
            if inside:
                node = insert_breaks(node, inside)
            html = str(self.block(node))
            if index in self._numbers:
                html = html.replace("<p>", f'<p class="numbered"><span class="pn">'
                                    f'{self._numbers[index]}</span>', 1)
            html = re.sub(r"^<(\w+)", rf'<\1 id="{bid}"', html, count=1)
            out.append(self.markers(before) + Markup(html) + self._flush())
        return Markup("\n").join(out)

    def markers(self, labels: Iterable[str]) -> Markup:
        """EPUB page-break markers for the given printed pages."""
        return Markup("").join(
            Markup('<span epub:type="pagebreak" role="doc-pagebreak" id="page-%s" '
                   'aria-label="%s"></span>') % (label, label) for label in labels)

    def section_markers(self) -> Markup:
        """Markers of the pages that begin with this part."""
        return self.markers(self.placement.part_start.get(self.part.slug, [])
                            if self.placement else [])

    def end_markers(self) -> Markup:
        """Markers of pages that begin in print-only matter at the end of this part."""
        return self.markers(self.placement.part_end.get(self.part.slug, [])
                            if self.placement else [])

    def blocks(self, nodes: Iterable[Node]) -> Markup:
        """Block nodes as HTML."""
        return Markup("\n").join(self.block(node) + self._flush() for node in nodes)

    def _flush(self) -> Markup:
        """The print notes deferred while writing the last block: set under it."""
        notes, self._deferred = self._deferred, []
        return Markup("").join(notes)

    def _float_or_defer(self, note_id: str, marker: str, text: Markup, kind: str) -> Markup:
        """A print note: floated to the page foot, or set under its block when the
        layout could not place it there."""
        if note_id in self.set_under:
            shown = f"{marker}." if marker.isdigit() else marker  # 3. but * and a
            self._deferred.append(Markup('<p class="footnote-under" id="%s"><span class='
                                         '"footnote-number">%s</span> %s</p>') % (
                note_id, shown, text))
            return Markup("")
        return Markup('<span class="%s" id="%s" data-n="%s">%s</span>') % (
            kind, note_id, marker, text)

    def inlines(self, nodes: Iterable[Node]) -> Markup:
        """Inline nodes as HTML."""
        return Markup("").join(self.inline(node) for node in nodes)

    def block(self, node: Node) -> Markup:
        """One block node as HTML."""
        kind = node.kind
        if kind == "pagebreak":  # between blocks: in a container holding code blocks only
            return self.inline(node)
        if kind == "paragraph":
            return Markup("<p>%s</p>") % self.inlines(node.children)
        if kind == "heading":
            level = node.attr("level", "2")
            return Markup(f"<h{level}>%s</h{level}>") % self.inlines(node.children)
        if kind == "figure":
            return self.figure(node)
        if kind == "hr":
            return Markup('<hr class="section-break"/>')
        if kind == "code_block":
            lang = node.attr("lang")
            attr = Markup(' class="language-%s"') % lang if lang else Markup("")
            return Markup("<pre><code%s>%s</code></pre>") % (attr, node.text)
        if kind == "ordered_list":
            start = node.attr("start")
            attr = Markup(' start="%s"') % start if start else Markup("")
            return Markup("<ol%s>\n%s\n</ol>") % (attr, self._children(node))
        if kind in ("th", "td"):
            align = node.attr("align")
            attr = Markup(' class="align-%s"') % align if align else Markup("")
            return Markup(f"<{kind}%s>%s</{kind}>") % (attr, self._children(node))
        if kind == "container":
            return self.container(node)
        tag = _SIMPLE_BLOCKS[kind]
        return Markup(f"<{tag}>%s</{tag}>") % self._children(node)

    def _children(self, node: Node) -> Markup:
        # List items and cells mix inline and block children.
        return Markup("").join(
            self.block(child) if child.kind in _BLOCK_KINDS else self.inline(child)
            for child in node.children
        )

    def figure(self, node: Node) -> Markup:
        """A picture with its caption; a placeholder when the art is missing."""
        image = node.image
        assert image is not None
        caption = image.caption
        classes = "figure placeholder" if image.missing else "figure"
        alt = (caption or image.alt) if image.missing else image.alt
        img = self._img(image, alt)
        figcaption = Markup("<figcaption>%s</figcaption>") % caption if caption else Markup("")
        return Markup('<figure class="%s">%s%s</figure>') % (classes, img, figcaption)

    def _img(self, image: Image, alt: str) -> Markup:
        return Markup('<img src="%s" alt="%s" width="%s" height="%s"/>') % (
            self.image_src(image), alt, image.width, image.height)

    def container(self, node: Node) -> Markup:
        """A fenced ``::: name`` container."""
        name = node.attr("name")
        if name == "pullquote":
            return Markup('<aside class="pullquote" aria-hidden="true">%s</aside>') % \
                self.blocks(node.children)
        if name == "aside":
            return Markup('<aside class="aside">%s</aside>') % self.blocks(node.children)
        if name == "questions" and self.questions_at_end:
            return Markup("")
        title = Markup('<h2 class="container-title">%s</h2>') % CONTAINER_TITLES.get(name, name)
        body = self.questions([node]) if name == "questions" else self.blocks(node.children)
        return Markup('<section class="%s">%s\n%s</section>') % (name, title, body)

    def questions(self, containers: Iterable[Node]) -> Markup:
        """The questions of ``::: questions`` containers as one numbered list, whether
        written as a list or as paragraphs."""
        items: list[Markup] = []
        for child in (child for node in containers for child in node.children):
            if child.kind in ("ordered_list", "bullet_list"):
                items.extend(self._children(item) for item in child.children)
            elif child.kind == "paragraph":
                items.append(self.inlines(child.children))
            else:
                items.append(self.block(child))
        lis = Markup("\n").join(Markup("<li>%s</li>") % item for item in items)
        return Markup('<ol class="questions-list">\n%s\n</ol>') % lis + self._flush()

    def inline(self, node: Node) -> Markup:
        """One inline node as HTML."""
        kind = node.kind
        if kind == "text":
            return escape(node.text)
        if kind == "softbreak":
            return Markup("\n")
        if kind == "hardbreak":
            return Markup("<br/>\n")
        if kind == "code":
            return Markup("<code>%s</code>") % node.text
        if kind == "image":
            assert node.image is not None
            return self._img(node.image, node.image.alt)
        if kind == "footnote_ref":
            return self.footnote_ref(node)
        if kind == "pagebreak":
            return self.markers([node.attr("label")])
        if kind == "link":
            return self.link(node)
        if kind == "glossterm":
            return self.glossterm(node)
        tag = _SIMPLE_INLINES[kind]
        return Markup(f"<{tag}>%s</{tag}>") % self.inlines(node.children)

    def link(self, node: Node) -> Markup:
        """A hyperlink: to the web, or to another part; anything else is kept as text."""
        href = node.attr("href")
        text = self.inlines(node.children)
        target = urlsplit(href)
        if target.scheme in _LINK_SCHEMES and _whole_address(target):
            url = href
        elif not target.scheme and target.path in self.part_hrefs:
            url = self.part_hrefs[target.path]
        else:
            return text
        anchor = Markup('<a href="%s">%s</a>') % (url, text)
        shown = href.removeprefix("mailto:")
        if self.target != PRINT or target.scheme not in _LINK_SCHEMES or \
                _bare(node.plain_text) == _bare(shown):
            return anchor
        # Paper cannot be clicked: the address goes in a note, marked a, b, c…
        self._links += 1
        return anchor + self._float_or_defer(self.link_note_id(self._links),
                                             letter_mark(self._links), Markup(
                                                 '<span class="url">%s</span>') % shown,
                                             "footnote linknote")

    def link_note_id(self, number: int) -> str:
        """The id of the print note giving the address of this part's ``number``th link."""
        return f"{self.part.slug}-url-{number}"

    def glossterm(self, node: Node) -> Markup:
        """The first use of a glossary term in a part: a note in print, a link in EPUB."""
        text = self.inlines(node.children)
        entry = (self.glossary or {}).get(node.attr("term"))
        if entry is None:
            return text
        if self.target == EPUB:
            return Markup('<a class="glossterm" href="glossary.xhtml#gloss-%s" '
                          'epub:type="glossref" role="doc-glossref">%s</a>') % (entry.slug, text)
        note = Markup('<b class="glossnote-term">%s</b> %s') % (entry.term, entry.definition)
        return Markup('<span class="glossterm">%s</span>') % text + self._float_or_defer(
            self.gloss_note_id(entry.slug), "*", note, "footnote glossnote")

    def gloss_note_id(self, slug: str) -> str:
        """The id of the print note defining glossary term ``slug`` in this part."""
        return f"{self.part.slug}-gloss-{slug}"

    def footnote_ref(self, node: Node) -> Markup:
        """A note call: the floating note itself in print, a link to it in EPUB."""
        number, sub = node.attr("number"), node.attr("sub")
        note = self._notes.get(node.attr("label"))
        if self.target == PRINT:
            if self.endnotes:
                return Markup('<a class="noteref" href="#%s" id="%s">%s</a>') % (
                    self.note_id(number), self.ref_id(number, sub), number)
            if node.attr("first") and note is not None:
                floated = self._float_or_defer(self.note_id(number), number,
                                               self.footnote_text(note), "footnote")
                if floated:
                    # The empty anchor marks where the call is, for the page it lands on.
                    return Markup('<a class="call" id="%s"></a>') % self.ref_id(number,
                                                                                 sub) + floated
            return Markup('<a class="footnote-ref" href="#%s" id="%s">%s</a>') % (
                self.note_id(number), self.ref_id(number, sub), number)
        return Markup('<a class="noteref" href="%s#%s" id="%s" epub:type="noteref" '
                      'role="doc-noteref">%s</a>') % (
            self.notes_href, self.note_id(number), self.ref_id(number, sub), number)

    def footnote_text(self, note: Footnote) -> Markup:
        """A note's text as inline HTML (print notes float out of a paragraph)."""
        pieces = []
        for block in note.blocks:
            if block.kind == "paragraph":
                pieces.append(Markup('<span class="footnote-p">%s</span>')
                              % self.inlines(block.children))
            else:
                pieces.append(Markup('<span class="footnote-p">%s</span>') % block.plain_text)
        return Markup("").join(pieces)

    def footnote(self, note: Footnote) -> Markup:
        """A note as an EPUB footnote aside, linked back to its first call."""
        where = self.questions_href if str(note.number) in self._called_elsewhere else ""
        back = Markup('<a class="backlink" href="%s#%s" role="doc-backlink">%s.</a> ') % (
            where, self.ref_id(note.number), note.number)
        body = self.blocks(note.blocks)
        if body.startswith("<p>"):
            body = Markup("<p>") + back + body[3:]
        else:
            body = Markup("<p>%s</p>") % back + body
        return Markup('<aside class="footnote" id="%s" epub:type="footnote" '
                      'role="doc-footnote">%s</aside>') % (self.note_id(note.number), body)


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


_HOST = re.compile(r"[a-z0-9.-]+|[0-9a-f:.]+")
"""A host name (markdown-it writes international ones in punycode) or an IPv6 address."""


def _whole_address(target: SplitResult) -> bool:
    """Whether a web or mail address can be followed: not ``https://`` or ``mailto:``
    alone, nor a host or port that is no such thing (EPUBCheck refuses those)."""
    if target.scheme == "mailto":
        return bool(target.path)
    try:
        target.port  # noqa: B018 - raises ValueError unless a number in 0-65535
    except ValueError:
        return False
    return bool(target.hostname and _HOST.fullmatch(target.hostname))


_NO_TEXT_INSIDE = ("figure", "code_block", "hr")
"""Blocks whose HTML has no place for a page marker (a code block is written verbatim)."""
_BLOCK_KINDS = {"paragraph", "heading", "figure", "hr", "code_block", "ordered_list",
                "bullet_list", "blockquote", "table", "container", "list_item", "thead",
                "tbody", "tr", "th", "td"}
