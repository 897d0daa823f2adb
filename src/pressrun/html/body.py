"""Serialising a part's nodes to (X)HTML: what print and EPUB write alike.

The output is well-formed XHTML (void elements closed), so the same fragments serve
WeasyPrint's HTML parser and EPUB's XML one. Each format subclasses ``BodyWriter``
where the media differ (``pdf.writer``: notes at the page foot; ``epub.writer``:
linked notes and page-break markers).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from markupsafe import Markup, escape

from pressrun.html import ids
from pressrun.html.words import Words, direction
from pressrun.model import GlossaryEntry, Image, Node, Part
from pressrun.study import is_questions, paragraph_numbers

_SIMPLE_BLOCKS = {"blockquote": "blockquote", "bullet_list": "ul", "list_item": "li",
                  "table": "table", "thead": "thead", "tbody": "tbody", "tr": "tr"}
_SIMPLE_INLINES = {"em": "em", "strong": "strong", "s": "s"}
LINK_SCHEMES = ("http", "https", "mailto")
NO_ATTRIBUTES = Markup("")


@dataclass
class BodyWriter:
    """Writes one part's body; a format's subclass writes notes, glossary terms and links."""

    part: Part
    """The part being written (for footnotes and ids)."""
    image_src: Callable[[Image], str]
    """The URL of a picture (or of its placeholder) in this format."""
    part_hrefs: dict[str, str]
    """Link target of each part, by its Markdown file name, for links between parts."""
    words: Words
    """The fixed words of the manuscript's language."""
    glossary: dict[str, GlossaryEntry] | None = None
    """Glossary entries by slug, when the pamphlet has a glossary."""
    numbered: bool = False
    """Number the part's body paragraphs (``paragraph_numbers: true``)."""
    questions_at_end: bool = False
    """``::: questions`` are left out here: they are gathered at the end of the book."""
    image_size: Callable[[Image], tuple[int, int]] | None = None
    """Width and height of the file ``image_src`` leads to, when the format converts
    pictures (else the picture's own, upright)."""

    def __post_init__(self) -> None:
        self._notes = {note.label: note for note in self.part.footnotes}
        self._numbers = paragraph_numbers(self.part) if self.numbered else {}

    def body(self) -> Markup:
        """The part's text: its top-level blocks, each with the id print and EPUB share."""
        return Markup("\n").join(self.top_block(index, node)
                                 for index, node in enumerate(self.part.blocks))

    def top_block(self, index: int, node: Node) -> Markup:
        """Top-level block ``index``, with its id (and its number, when numbered); nothing
        for questions gathered at the end."""
        if self.questions_at_end and is_questions(node):
            return Markup("")
        head = Markup(' id="%s"') % ids.block(self.part, index)
        if index in self._numbers:
            # The space keeps the number a word of its own, copied or read aloud.
            return Markup('<p%s class="numbered"><span class="pn">%s</span> %s</p>') % (
                head, self._numbers[index], self.inlines(node.children))
        return self.block(node, head)

    def blocks(self, nodes: Iterable[Node]) -> Markup:
        """Block nodes as HTML."""
        return Markup("\n").join(self.block(node) for node in nodes)

    def block(self, node: Node, head: Markup = NO_ATTRIBUTES) -> Markup:
        """One block node as HTML; ``head`` holds attributes for its outer element."""
        kind = node.kind
        if kind == "paragraph":
            return Markup("<p%s>%s</p>") % (head, self.inlines(node.children))
        if kind == "heading":
            level = node.attr("level", "2")
            return Markup(f"<h{level}%s>%s</h{level}>") % (head, self.heading(node.children))
        if kind == "figure":
            return self.figure(node, head)
        if kind == "hr":
            return Markup('<hr%s class="section-break"/>') % head
        if kind == "code_block":
            lang = node.attr("lang")
            attr = Markup(' class="language-%s"') % lang if lang else Markup("")
            return Markup("<pre%s><code%s>%s</code></pre>") % (head, attr, node.text)
        if kind == "ordered_list":
            start = node.attr("start")
            attr = Markup(' start="%s"') % start if start else Markup("")
            return Markup("<ol%s%s>\n%s\n</ol>") % (head, attr, self._children(node))
        if kind in ("th", "td"):
            align = node.attr("align")
            attr = Markup(' class="align-%s"') % align if align else Markup("")
            return Markup(f"<{kind}%s%s>%s</{kind}>") % (head, attr, self._children(node))
        if kind == "container":
            return self.container(node, head)
        if kind == "div":
            return Markup("<div%s%s>%s</div>") % (head, self.language(node.attr("lang"),
                                                                        node.attr("dir")),
                                                  self.blocks(node.children))
        tag = _SIMPLE_BLOCKS[kind]
        return Markup(f"<{tag}%s>%s</{tag}>") % (head, self._children(node))

    def _children(self, node: Node) -> Markup:
        # List items and cells mix inline and block children.
        return Markup("").join(
            self.block(child) if child.kind in BLOCK_KINDS else self.inline(child)
            for child in node.children
        )

    def figure(self, node: Node, head: Markup = NO_ATTRIBUTES) -> Markup:
        """A picture with its caption; a placeholder when the art is missing."""
        image = node.image
        assert image is not None
        caption = image.caption
        classes = "figure placeholder" if image.missing else "figure"
        alt = self.words("picture_to_come_alt", description=image.alt or caption) \
            if image.missing else image.alt
        img = self.img(image, alt)
        figcaption = Markup("<figcaption>%s</figcaption>") % together(caption) \
            if caption else Markup("")
        return Markup('<figure%s class="%s">%s%s</figure>') % (head, classes, img, figcaption)

    def img(self, image: Image, alt: str, attributes: Markup = NO_ATTRIBUTES) -> Markup:
        """An ``<img>`` of ``image``, with its intrinsic size."""
        width, height = self.image_size(image) if self.image_size else (image.width,
                                                                         image.height)
        if image.printed_width:  # checked: "35%" or "60mm"
            attributes += Markup(' style="width: %s"') % image.printed_width
        return Markup('<img%s src="%s" alt="%s" width="%s" height="%s"/>') % (
            attributes, self.image_src(image), alt, width, height)

    def container(self, node: Node, head: Markup = NO_ATTRIBUTES) -> Markup:
        """A fenced ``::: name`` container."""
        name = node.attr("name")
        if name == "pullquote":
            return Markup('<aside%s class="pullquote" aria-hidden="true">%s</aside>') % (
                head, self.blocks(node.children))
        if name == "aside":
            return Markup('<aside%s class="aside">%s</aside>') % (head,
                                                                   self.blocks(node.children))
        if name == "questions" and self.questions_at_end:
            return Markup("")
        title = Markup('<h2 class="container-title">%s</h2>') % self.words.container(name)
        body = self.questions([node]) if name == "questions" else self.blocks(node.children)
        return Markup('<section%s class="%s">%s\n%s</section>') % (head, name, title, body)

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
        return Markup('<ol class="questions-list">\n%s\n</ol>') % lis

    def heading(self, nodes: Sequence[Node]) -> Markup:
        """A heading's inline nodes, its last two words kept on one line when they are
        plain text (see ``together``)."""
        if not nodes or nodes[-1].kind != "text":
            return self.inlines(nodes)
        return self.inlines(nodes[:-1]) + together(nodes[-1].text, self.text, least=2)

    def inlines(self, nodes: Iterable[Node]) -> Markup:
        """Inline nodes as HTML."""
        return Markup("").join(self.inline(node) for node in nodes)

    def inline(self, node: Node) -> Markup:
        """One inline node as HTML."""
        kind = node.kind
        if kind == "text":
            return self.text(node.text)
        if kind == "softbreak":
            return Markup("\n")
        if kind == "hardbreak":
            return Markup("<br/>\n")
        if kind == "code":
            return Markup("<code>%s</code>") % node.text
        if kind == "image":
            assert node.image is not None
            if node.image.missing:  # a placeholder the size of a figure: a line of its own
                return self.img(node.image, self.words(
                    "picture_to_come_alt", description=node.image.alt or node.image.caption),
                    Markup(' class="placeholder"'))
            return self.img(node.image, node.image.alt)
        if kind == "footnote_ref":
            return self.footnote_ref(node)
        if kind == "link":
            return self.link(node)
        if kind == "glossterm":
            entry = (self.glossary or {}).get(node.attr("term"))
            text = self.inlines(node.children)
            return text if entry is None else self.glossterm(entry, text)
        if kind == "span":
            return Markup("<span%s>%s</span>") % (
                self.language(node.attr("lang"), node.attr("dir")), self.inlines(node.children))
        tag = _SIMPLE_INLINES[kind]
        return Markup(f"<{tag}>%s</{tag}>") % self.inlines(node.children)

    def text(self, text: str) -> Markup:
        """``text``, escaped; a "word" too long to be one (a URL pasted without spaces,
        a row of symbols) is marked ``long-word``: the theme breaks it anywhere rather
        than hyphenate it, which WeasyPrint does by trying every break in it, each time
        laying out all of it, too slowly to finish. An em dash set close after a word
        keeps to it (a word joiner, invisible): no line starts with it."""
        if "\u2014" in text:
            text = _DASH_AFTER_WORD.sub("\u2060\u2014", text)
        if _LONG_WORD.search(text) is None:  # nearly every text
            return escape(text)
        found, last = Markup(""), 0
        for match in _LONG_WORD.finditer(text):
            found += escape(text[last:match.start()])
            found += Markup('<span class="long-word">%s</span>') % match[0]
            last = match.end()
        return found + escape(text[last:])

    def language(self, lang: str, written: str = "") -> Markup:
        """The attributes of an element in language ``lang``: ``lang``, and ``dir`` when it
        is written (or its language is written) the other way from the publication's."""
        attributes = Markup(' lang="%s"') % lang if lang else Markup("")
        way = written or (direction(lang) if lang else "")
        if way and way != direction(self.words.language):
            attributes += Markup(' dir="%s"') % way
        return attributes

    def link(self, node: Node) -> Markup:
        """A hyperlink: to the web, or to another part; anything else is kept as text."""
        href = node.attr("href")
        text = self.inlines(node.children)
        target = urlsplit(href)
        if target.scheme in LINK_SCHEMES and _whole_address(target):
            url = href
        elif not target.scheme and target.path in self.part_hrefs:
            url = self.part_hrefs[target.path]
        else:
            return text
        return self.anchor(node, url, text)

    def anchor(self, node: Node, url: str, text: Markup) -> Markup:
        """A link that can be followed, to ``url``."""
        return Markup('<a href="%s">%s</a>') % (url, text)

    def glossterm(self, entry: GlossaryEntry, text: Markup) -> Markup:
        """The first use of a glossary term in a part (each format marks it its own way)."""
        raise NotImplementedError

    def footnote_ref(self, node: Node) -> Markup:
        """A note call (each format writes its own)."""
        raise NotImplementedError


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


_HOST = re.compile(r"[a-z0-9.-]+|[0-9a-f:.]+")
"""A host name (markdown-it writes international ones in punycode) or an IPv6 address."""
def together(text: str, write: Callable[[str], Markup] = escape, least: int = 3) -> Markup:
    """A title or caption (of ``least`` words or more) with its last two words kept on
    one line, so that it never ends on a line holding one word ("How workers won in /
    1917"); each piece is written with ``write``."""
    words = str(text).rsplit(" ", 2)
    if len(words) < least or not all(words[-2:]):
        return write(text)
    rest = words[0] + " " if len(words) == 3 else ""
    return write(rest) + Markup('<span class="together">%s</span>') % write(
        " ".join(words[-2:]))


_DASH_AFTER_WORD = re.compile(r"(?:(?<=[^\s\u2060])|^)\u2014")
"""An unspaced em dash ("palace—and", "*Avrora*—the"): a line may break after it, never
before. (A text starting with one follows an element, or starts its block: the joiner
is harmless there.)"""
_LONG_WORD = re.compile(r"\S{64,}")
"""Longer than any word of a language (German compounds stay under it)."""
BLOCK_KINDS = {"paragraph", "heading", "figure", "hr", "code_block", "ordered_list",
               "bullet_list", "blockquote", "table", "container", "list_item", "thead",
               "tbody", "tr", "th", "td", "div"}
