"""Markdown parsing: markdown-it-py and its plugins turn a part's text into model nodes.

The parser knows nothing about files: pictures are resolved by a callback the
loader passes in, and every problem goes to a ``Problems`` collector.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.attrs.parse import ParseError as AttributeParseError
from mdit_py_plugins.attrs.parse import parse as parse_attributes
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from pressrun.manuscript.pictures import printed_width, share_width
from pressrun.manuscript.schema import check_language
from pressrun.manuscript.typography import LINK_SCHEMES, by_language, dashes_and_ellipses
from pressrun.model import CONTAINERS, Footnote, Image, Node, SourceLocation
from pressrun.problems import Problems

_UNDEFINED_NOTE = re.compile(r"\[\^([^\]\s]+)\]")

ImageResolver = Callable[[str, str, str, int], Image]
"""Called as ``resolve(ref, alt, caption, line)`` for every picture."""


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """The parser; the part's language comes with each text (``env["language"]``)."""
    md = MarkdownIt("commonmark", {"typographer": True, "html": True})
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
    md.core.ruler.at("replacements", dashes_and_ellipses)
    md.core.ruler.at("smartquotes", by_language)
    # The blocks as read, before the note plugin takes out the definitions of notes: the
    # nesting check must see those too (a list nested too deeply in an unused note drops
    # the rest of the part with it).
    md.core.ruler.after("block", "keep_blocks",
                        lambda state: state.env.__setitem__("blocks", list(state.tokens)))
    # Every link becomes a link node, whatever its address: the writers decide what may
    # be followed, and the converter warns about the rest (markdown-it would leave
    # [text](javascript:…) in the text as it was typed).
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    md.use(front_matter_plugin)
    # [De l'audace]{lang=fr}: a passage in another language (pandoc's bracketed spans);
    # ![…](stamp.jpg){width=35%}: a picture's printed width.
    md.use(attrs_plugin, after=("image", "span_close"), spans=True)
    md.core.ruler.after("inline", "share_width", share_width)
    md.use(footnote_plugin)
    # One catch-all container rule, so an unknown name is reported instead of
    # silently becoming a paragraph of colons.
    md.use(container_plugin, name="any", validate=lambda params, *_: bool(params.strip()))
    return md


def typeset(text: str, language: str) -> str:
    """A plain text such as a title with the typography the Markdown gets (quotation
    marks of ``language``, dashes, ellipses, French spacing); nothing in it is read as
    Markdown."""

    if not text:
        return text
    state = StateCore("", _parser(), {"language": language})
    inline = Token("inline", "", 0)
    inline.children = [Token("text", "", 0, content=text)]
    state.tokens = [inline]
    dashes_and_ellipses(state)
    by_language(state)
    return inline.children[0].content


@dataclass(frozen=True)
class ParsedPart:
    """The Markdown of one part, before front matter validation."""

    front_matter: str | None
    """The YAML text between the ``---`` lines, if the file starts with one."""
    front_matter_end: int
    """The 1-based line of the closing ``---`` (0 without front matter)."""
    blocks: tuple[Node, ...]
    """Body nodes."""
    footnotes: tuple[Footnote, ...]
    """Notes in number order."""


def parse_inline(text: str, language: str, location: SourceLocation,
                 report: Problems) -> tuple[Node, ...]:
    """Parse a one-line Markdown string (a standfirst, written at ``location``) into inline
    nodes; a picture in it is an error."""
    tokens = _parser().parseInline(text, {"language": language})

    def no_pictures(ref: str, alt: str, caption: str, line: int) -> Image:
        report.error(location, "picture-in-line", f"picture {_excerpt(ref)} in the "
                     "standfirst cannot be shown there: move it into the text, as a paragraph "
                     "of its own")
        return Image(ref, Path(), "", alt, caption, location, missing=True)

    converter = _Converter(report, location, no_pictures)
    nodes = converter.inlines(SyntaxTreeNode(tokens).children[0], location.line)
    return tuple(node for node in nodes if node.kind != "image")


def parse_part(
    text: str, language: str, location: SourceLocation, resolve: ImageResolver, report: Problems
) -> ParsedPart:
    """Parse a part's Markdown; problems go to ``report`` with their lines."""
    env: dict = {"language": language}
    tokens = _parser().parse(text, env)
    front, end = None, 0
    if tokens and tokens[0].type == "front_matter":
        front, end = tokens[0].content, (tokens[0].map or (0, 0))[1]
        tokens = tokens[1:]
    # Too deep, markdown-it drops the rest of the part, note definitions too: then an
    # undefined note is most likely one of those, not worth a line of its own.
    complete = _check_nesting(env.get("blocks", tokens), _parser().options["maxNesting"],
                              location, report)
    root = SyntaxTreeNode(tokens)
    converter = _Converter(report, location, resolve)
    blocks: list[Node] = []
    notes: list[Footnote] = []
    for child in root.children:
        if child.type == "footnote_block":
            notes = converter.footnotes(child)
        else:
            blocks.extend(converter.block(child))
    if complete:
        converter.check_undefined_notes(blocks, notes)
    return ParsedPart(front, end, tuple(blocks), tuple(notes))


# Blocks whose content markdown-it parses as blocks again, one nesting level deeper.
_HOLDS_BLOCKS = ("blockquote_open", "list_item_open", "container_any_open",
                 "footnote_reference_open")


def _check_nesting(tokens: list[Token], limit: int, location: SourceLocation,
                   report: Problems) -> bool:
    """Report blocks nested deeper than markdown-it reads (``limit``), which drops the rest.

    Returns whether the whole part was read.
    """
    for token in tokens:
        if token.nesting == 1 and token.level >= limit - 1 and token.type in _HOLDS_BLOCKS:
            line = token.map[0] + 1 if token.map else None
            report.error(SourceLocation(location.path, line), "nested-too-deeply",
                         f"lists, quotes and containers nested too deeply (more than {limit} "
                         "levels, a list counting as two): the text from here on would be "
                         "lost; nest them less deeply")
            return False
    return True


@dataclass
class _Converter:
    """Turns markdown-it's syntax tree into model nodes."""

    report: Problems
    location: SourceLocation
    resolve: ImageResolver
    _seen_notes: set[str] = field(default_factory=set)

    def _warn(self, line: int | None, code: str, message: str) -> None:
        self.report.warning(SourceLocation(self.location.path, line), code, message)

    def block(self, node: SyntaxTreeNode) -> list[Node]:
        """Convert one block node; may yield several nodes (or none)."""
        line = node.map[0] + 1 if node.map else None
        kind = node.type
        if kind == "paragraph":
            return [self._paragraph(node, line)]
        if kind == "heading":
            level = int(node.tag[1])
            if level == 1:
                self._warn(line, "top-heading", "a '#' heading inside a part is set as '##': "
                                 "the part's title (front matter) is its only top heading")
                level = 2
            return [Node("heading", self.inlines(node.children[0], line),
                         attrs=(("level", str(level)),), line=line)]
        if kind in ("fence", "code_block"):
            lang = (node.info or "").strip().split(" ")[0]
            return [Node("code_block", text=node.content, attrs=(("lang", lang),), line=line)]
        if kind == "html_block":
            self._warn(line, "raw-html", "raw HTML is not rendered; it is printed as text "
                             "(use Markdown instead)")
            return [Node("paragraph", (Node("text", text=node.content.strip()),), line=line)]
        if kind == "hr":
            return [Node("hr", line=line)]
        if kind == "container_any":
            return [self._container(node, line)]
        if kind == "list_item":
            return [Node("list_item", self._list_item_children(node), line=line)]
        if kind in ("th", "td"):
            style = str(node.attrs.get("style", ""))
            align = style.removeprefix("text-align:") if style else ""
            children = self.inlines(node.children[0], line) if node.children else ()
            return [Node(kind, children, attrs=(("align", align),) if align else (), line=line)]
        attrs: tuple[tuple[str, str], ...] = ()
        if kind == "ordered_list" and node.attrs.get("start") not in (None, 1):
            attrs = (("start", str(node.attrs["start"])),)
        known = ("blockquote", "bullet_list", "ordered_list", "table", "thead", "tbody", "tr")
        if kind not in known:  # pragma: no cover - every CommonMark block is handled above
            raise AssertionError(f"unhandled Markdown block {kind}")
        children = tuple(n for child in node.children for n in self.block(child))
        return [Node(kind, children, attrs=attrs, line=line)]

    def _list_item_children(self, node: SyntaxTreeNode) -> tuple[Node, ...]:
        # A tight list hides its paragraphs: keep their text, drop the <p>.
        out: list[Node] = []
        line = node.map[0] + 1 if node.map else None
        for child in node.children:
            if child.type == "paragraph" and child.hidden:
                out.extend(self.inlines(child.children[0], line))
            else:
                out.extend(self.block(child))
        return tuple(out)

    def _paragraph(self, node: SyntaxTreeNode, line: int | None) -> Node:
        inline = node.children[0]
        visible = [c for c in inline.children
                   if not (c.type == "softbreak" or (c.type == "text" and not c.content.strip()))]
        if len(visible) == 1 and visible[0].type == "image":
            image_node = visible[0]
            return Node("figure", image=self._image(image_node, line), line=line)
        return Node("paragraph", self.inlines(inline, line), line=line)

    def _image(self, node: SyntaxTreeNode, line: int | None) -> Image:
        alt = "".join(c.content for c in node.children if c.type in ("text", "code_inline"))
        caption = str(node.attrs.get("title") or "")
        image = self.resolve(str(node.attrs.get("src", "")), alt, caption, line or 0)
        width = self._printed_width(node.attrs, line)
        return replace(image, printed_width=width) if width else image

    def _printed_width(self, attributes: dict, line: int | None) -> str:
        """The printed width a picture's attributes give (``{width=35%}``, ``{width=60mm}``),
        checked; problems are reported at ``line``."""
        at = SourceLocation(self.location.path, line)
        for key in attributes.keys() - {"src", "alt", "title", "width"}:
            self.report.error(at, "bad-attributes", f"{{{key}=…}} means nothing "
                              "on a picture: give its printed width, {width=35%} of the text "
                              "width or {width=60mm}")
        width = str(attributes.get("width", ""))
        if width and not printed_width(width):
            self.report.error(at, "bad-width", f"width={_excerpt(width)} is not a printed "
                              "width: write a share of the text width from 1% to 100% "
                              "({width=35%}) or millimetres ({width=60mm})")
            return ""
        return width

    def _container(self, node: SyntaxTreeNode, line: int | None) -> Node:
        info = (node.info or "").strip()
        children = tuple(n for child in node.children for n in self.block(child))
        if info.startswith("{"):  # ::: {lang=de}: a fenced div of blocks in another language
            return Node("div", children, attrs=self._language(info, line), line=line)
        name = info.split(" ")[0]
        if name not in CONTAINERS:
            self.report.error(
                SourceLocation(self.location.path, line), "unknown-container",
                f"unknown container '::: {name}': use one of "
                + ", ".join(f"'::: {c}'" for c in CONTAINERS)
                + ", or '::: {lang=…}' for a passage in another language",
            )
        return Node("container", children, attrs=(("name", name),), line=line)

    def _language(self, written: str | dict, line: int | None) -> tuple[tuple[str, str], ...]:
        """The ``lang`` and ``dir`` of a span's or div's attributes (``{lang=fr}``), checked;
        problems are reported at ``line``."""
        at = SourceLocation(self.location.path, line)
        if isinstance(written, str):
            try:
                _, attributes = parse_attributes(written)
            except AttributeParseError:
                self.report.error(at, "bad-attributes", f"{_excerpt(written)} is not a list "
                                  "of attributes: write {lang=fr}, or {lang=ar dir=rtl}")
                return ()
        else:
            attributes = written
        found: list[tuple[str, str]] = []
        for key, value in attributes.items():
            value = str(value)
            if key == "lang":
                if problem := check_language(value):
                    self.report.error(at, "bad-language", problem)
                    continue
            elif key == "dir":
                if value not in ("ltr", "rtl", "auto"):
                    self.report.error(at, "bad-direction", f"dir={_excerpt(value)} is not a "
                                      "direction: write dir=rtl, dir=ltr or dir=auto")
                    continue
            else:
                self._warn(line, "unknown-attribute", f"the attribute {_excerpt(key)} is not "
                                 "used: a passage takes lang (and dir)")
                continue
            found.append((key, value))
        return tuple(found)

    def inlines(self, inline: SyntaxTreeNode, line: int | None) -> tuple[Node, ...]:
        """Convert the children of an ``inline`` token."""
        return tuple(self._inline(child, line) for child in inline.children)

    def _inline(self, node: SyntaxTreeNode, line: int | None) -> Node:
        kind = node.type
        if kind == "text":
            return Node("text", text=node.content)
        if kind in ("softbreak", "hardbreak"):
            return Node(kind)
        if kind == "code_inline":
            return Node("code", text=node.content)
        if kind == "html_inline":
            self._warn(line, "raw-html",
                       f"raw HTML {node.content!r} is not rendered; it is printed as text")
            return Node("text", text=node.content)
        if kind == "image":
            return Node("image", image=self._image(node, line), line=line)
        if kind == "footnote_ref":
            label = _label(node.meta)
            first = label not in self._seen_notes
            self._seen_notes.add(label)
            return Node("footnote_ref", attrs=(
                ("label", label), ("number", str(node.meta["id"] + 1)),
                ("first", "1" if first else ""), ("sub", str(node.meta.get("subId", 0)))),
                line=line)
        children = tuple(self._inline(child, line) for child in node.children)
        if kind == "link":
            href = str(node.attrs.get("href", ""))
            scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", href)
            if scheme and scheme[1].lower() not in LINK_SCHEMES:
                self._warn(line, "unsafe-link", f"link to {_excerpt(href)} is printed as its "
                                 "text only: a pamphlet links to web pages (https://…) and "
                                 "mail addresses (mailto:…)")
            attrs: tuple[tuple[str, str], ...] = (("href", href),)
            if node.attrs.get("title"):
                attrs += (("title", str(node.attrs["title"])),)
            return Node("link", children, attrs=attrs, line=line)
        if kind == "span":
            return Node("span", children, attrs=self._language(dict(node.attrs), line),
                        line=line)
        if kind in ("em", "strong", "s"):
            return Node(kind, children, line=line)
        raise AssertionError(f"unhandled Markdown inline {kind}")  # pragma: no cover

    def footnotes(self, block: SyntaxTreeNode) -> list[Footnote]:
        """Convert the footnote block the plugin gathers at the end of the part."""
        notes = []
        for note in block.children:
            blocks = []
            for child in note.children:
                if child.type == "footnote_anchor":
                    continue
                blocks.extend(self.block(child))
            label = _label(note.meta)
            notes.append(Footnote(label, note.meta["id"] + 1, tuple(blocks)))
        return notes

    def check_undefined_notes(self, blocks: list[Node], notes: list[Footnote]) -> None:
        """Report ``[^x]`` left as text: a reference whose note is never defined."""
        for top in blocks + [b for note in notes for b in note.blocks]:
            for node in top.walk():
                line = node.line
                for child in node.children:
                    if child.kind in ("softbreak", "hardbreak") and line:
                        line += 1
                    if child.kind != "text":
                        continue
                    for match in _UNDEFINED_NOTE.finditer(child.text):
                        self.report.error(
                            SourceLocation(self.location.path, line), "undefined-note",
                            f"footnote [^{match[1]}] is never defined: add a line "
                            f"'[^{match[1]}]: …' giving its text",
                        )


def _excerpt(text: str, limit: int = 60) -> str:
    """``text`` quoted, cut short to ``limit`` characters."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _label(meta: dict) -> str:
    """A note's label: as written, or ``^N`` for an inline note (``^[text]``), which has none."""
    return str(meta.get("label") or f"^{meta['id'] + 1}")
