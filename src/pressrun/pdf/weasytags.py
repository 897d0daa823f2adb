"""The tagged PDF's structure tree, built by pressrun in place of WeasyPrint's.

WeasyPrint 70 builds the tree page by page from the laid-out boxes: a paragraph broken
across pages becomes two ``/P``, each page's part of a chapter its own ``/Sect``, the
footnotes of a page sit between the halves of a paragraph, running heads are marked
content that nothing reaches, and a table's header row repeated on the next page is
read twice. This tree follows the document instead: every structure element stands for
one HTML element (or pseudo-element), found again when its boxes go on over the next
page, so a part is one ``/Sect`` and a paragraph one ``/P`` whatever the pages.

- Page furniture (running heads, folios), contents leaders and repeated table headers
  are drawn as artifacts (``weasyboxes.furniture`` lists their boxes).
- A footnote is a ``/Note`` with an ``/ID``, placed after the block that calls it; the
  call is a ``/Link`` to it (``weasyboxes.link_note_calls`` gives the call a link).
- A line ending in a hyphen the layout added has the unbroken text as ``/ActualText``.
- Header cells have a ``/Scope``; link annotations say their text in ``/Contents``.
- A part or aside marked as a sidebar is an ``/Aside`` (role-mapped to ``/Sect``).

Like ``weasy``, this module reads WeasyPrint's internals: an upgrade reviews it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import pydyf
from weasyprint.formatting_structure import boxes
from weasyprint.layout.absolute import AbsolutePlaceholder
from weasyprint.pdf.tags import _get_pdf_tag

ARTIFACTS: dict[int, str] = {}
"""Boxes of the PDF being written to draw as artifacts, by ``id``, with the artifact's
type (``Pagination`` for page furniture, ``Layout`` for leaders)."""

_INLINE = {"em", "strong", "b", "i", "u", "s", "dfn", "cite", "q", "abbr", "code", "sup",
           "sub", "small", "mark", "time", "kbd", "samp", "var", "bdi", "bdo", "ruby"}
_BLOCK_TAGS = {"P", "H1", "H2", "H3", "H4", "H5", "H6", "LI", "LBody", "BlockQuote",
               "Caption", "Div", "TD", "TH", "Figure"}
_ROLE_MAP = {"Aside": "Sect"}


@contextmanager
def marked(stream: Any, box: Any, tag: str) -> Iterator[None]:
    """WeasyPrint's ``Stream.marked``, drawing the boxes of ``ARTIFACTS`` as artifacts."""
    kind = ARTIFACTS.get(id(box))
    if stream._tags is None or kind is None:
        with _MARKED(stream, box, tag):
            yield
        return
    pydyf.Stream.begin_marked_content(stream, "Artifact",
                                      pydyf.Dictionary({"Type": f"/{kind}"}))
    try:
        yield
    finally:
        pydyf.Stream.end_marked_content(stream)


_MARKED: Any = None
"""WeasyPrint's own ``Stream.marked`` (set when ``marked`` is installed)."""


def add_tags(pdf: Any, document: Any, pdf_version: Any, page_streams: list[Any]) -> None:
    """Add the structure tree of ``document`` to ``pdf`` (WeasyPrint's ``add_tags``)."""
    parent_tree = pydyf.Dictionary({"Nums": pydyf.Array()})
    pdf.add_object(parent_tree)
    root = pydyf.Dictionary({"Type": "/StructTreeRoot", "ParentTree": parent_tree.reference,
                             "RoleMap": pydyf.Dictionary({k: f"/{v}" for k, v in
                                                          _ROLE_MAP.items()})})
    pdf.add_object(root)
    top = pydyf.Dictionary({"Type": "/StructElem", "S": "/Document", "K": pydyf.Array(),
                            "P": root.reference})
    pdf.add_object(top)
    root["K"] = pydyf.Array([top.reference])
    pdf.catalog["StructTreeRoot"] = root.reference
    lang = pdf.catalog.get("Lang")
    tree = _Tree(pdf, top, lang.string if hasattr(lang, "string") else "")
    for number, (page, stream) in enumerate(zip(document.pages, page_streams,
                                                               strict=True)):
        tree.page(number, page._page_box, stream._tags)
    tree.finish(root, parent_tree, len(document.pages))
    pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})
    pdf.catalog["MarkInfo"] = pydyf.Dictionary({"Marked": "true"})


class _Tree:
    """The structure elements of one PDF, by the HTML element they stand for."""

    def __init__(self, pdf: Any, top: pydyf.Dictionary, lang: str) -> None:
        self.pdf, self.top, self.lang = pdf, top, lang
        self.elements: dict[tuple[Any, str], pydyf.Dictionary] = {}
        self.nums: list[dict[int, Any]] = []
        self.annotations: list[tuple[Any, Any]] = []
        self.ids: dict[str, Any] = {}
        self.notes_after: dict[int, Any] = {}
        self.number = 0
        self.tags: dict[Any, dict] = {}
        self.parents: dict[Any, Any] = {}
        self.link_texts: dict[int, str] = {}
        self.roots: set[int] = set()

    def page(self, number: int, page_box: Any, tags: dict[Any, dict]) -> None:
        """Add the content of one page."""
        self.number, self.tags = number, tags
        self.nums.append({})
        self.walk(page_box, self.top)

    def new(self, tag: str, parent: pydyf.Dictionary, key: tuple[Any, str] | None = None,
            after: Any = None) -> pydyf.Dictionary:
        """A new structure element under ``parent`` (after ``after``, else last)."""
        element = pydyf.Dictionary({"Type": "/StructElem", "S": f"/{tag}",
                                    "K": pydyf.Array(),
                                    "Pg": self.pdf.page_references[self.number],
                                    "P": parent.reference})
        self.pdf.add_object(element)
        if after is None:
            parent["K"].append(element.reference)
        else:
            parent["K"].insert(parent["K"].index(after.reference) + 1, element.reference)
        if key is not None:
            self.elements[key] = element
        return element

    def content(self, element: pydyf.Dictionary, mcid: int) -> None:
        """Marked content ``mcid`` of the current page, as the next kid of ``element``."""
        page = self.pdf.page_references[self.number]
        if element["Pg"] == page:
            element["K"].append(mcid)
        else:
            element["K"].append(pydyf.Dictionary({"Type": "/MCR", "Pg": page, "MCID": mcid}))
        self.nums[-1][mcid] = element.reference

    def walk(self, box: Any, parent: pydyf.Dictionary) -> None:
        """Add ``box`` and what it holds under ``parent``."""
        if isinstance(box, AbsolutePlaceholder):
            box = box._box
        if isinstance(box, boxes.MarginBox):
            return  # drawn as artifacts (see ``furniture``)
        if isinstance(box, boxes.FootnoteAreaBox):
            for note in box.children:
                self.walk(note, self.note_parent(note))
            return
        if isinstance(box, boxes.TextBox):
            self.text(box, parent)
            return
        if box.element_tag == "html" and id(box.element) not in self.roots:
            self.roots.add(id(box.element))
            self.parents.update((child, each) for each in box.element.iter() for child in each)
        element = self.element(box, parent)
        if isinstance(box, boxes.ReplacedBox):
            kid = self.tags.pop(box, None)
            if kid is not None:
                self.content(element, kid["mcid"])
        annotation = getattr(box, "link_annotation", None)
        if annotation is not None:
            self.link(element, annotation)
        for child in getattr(box, "children", ()):
            self.walk(child, self.child_parent(element, child))

    def element(self, box: Any, parent: pydyf.Dictionary) -> pydyf.Dictionary:
        """The structure element ``box`` belongs to, made when first met."""
        key = _key(box)
        if key is None:
            return parent
        found = self.elements.get(key)
        if found is not None:
            return found
        tag = _tag(box, parent)
        if tag is None:
            return parent
        element = self.new(tag, parent, key)
        _attributes(box, element, tag, self.lang)
        self.identify(element, box.element)
        if tag == "Link":
            self.link_texts[id(element)] = _link_text(box)
        return element

    def child_parent(self, element: pydyf.Dictionary, child: Any) -> pydyf.Dictionary:
        """Where ``child`` of ``element`` goes: a list item's body, unless it is the marker."""
        if element["S"] != "/LI" or (getattr(child, "element_tag", "") or "").endswith(
                "::marker"):
            return element
        key = (id(element), "lbody")
        found = self.elements.get(key)
        return found if found is not None else self.new("LBody", element, key)

    def text(self, box: Any, parent: pydyf.Dictionary) -> None:
        """A text box's marked content, under ``parent`` (or a ``/Span`` giving the
        unbroken text of a line ending in a hyphen the layout added)."""
        kid = self.tags.pop(box, None)
        if kid is None:
            return
        unbroken = _unhyphenated(box)
        if unbroken is not None:
            parent = self.new("Span", parent)
            parent["ActualText"] = pydyf.String(unbroken)
        self.content(parent, kid["mcid"])

    def note_parent(self, note: Any) -> pydyf.Dictionary:
        """The ``/Note`` for a footnote box, after the block that calls it."""
        key = (note.element, "note")
        if key in self.elements:
            return self.elements[key]
        block = self.calling_block(note.element)
        holder = self.top if block is None else _object(self.pdf, block["P"])
        after = self.notes_after.get(id(block), block) if block is not None else None
        element = self.new("Note", holder, key, after=after)
        self.identify(element, note.element)
        if block is not None:
            self.notes_after[id(block)] = element
        return element

    def identify(self, element: pydyf.Dictionary, html: Any) -> None:
        """A note's ``/ID``, its HTML id, listed for the id tree."""
        if element["S"] == "/Note" and html.get("id"):
            element["ID"] = pydyf.String(html.get("id"))
            self.ids[html.get("id")] = element.reference

    def calling_block(self, html: Any) -> pydyf.Dictionary | None:
        """The block-level structure element around the element ``html`` (a note)."""
        ancestor = self.parents.get(html)
        while ancestor is not None:
            found = self.elements.get((ancestor, ""))
            if found is not None and found["S"][1:] in _BLOCK_TAGS:
                return found
            ancestor = self.parents.get(ancestor)
        return None

    def link(self, element: pydyf.Dictionary, annotation: Any) -> None:
        """A link annotation as a kid of its ``/Link`` element, saying the link's text (the
        boxes inside a link carry annotations too)."""
        page = self.pdf.page_references[self.number]
        reference = pydyf.Dictionary({"Type": "/OBJR", "Obj": annotation.reference, "Pg": page})
        self.pdf.add_object(reference)
        element["K"].append(reference.reference)
        self.annotations.append((element.reference, annotation))
        text = self.link_texts.get(id(element))
        if text:
            annotation["Contents"] = pydyf.String(text)

    def finish(self, root: pydyf.Dictionary, parent_tree: pydyf.Dictionary,
               pages: int) -> None:
        """The parent tree (content and annotations to their elements) and the id tree;
        elements left empty are taken out."""
        for number, nums in enumerate(self.nums):
            parent_tree["Nums"].extend([number, pydyf.Array(
                [nums[mcid] for mcid in sorted(nums)])])
        for index, (reference, annotation) in enumerate(self.annotations, start=pages):
            parent_tree["Nums"].extend([index, reference])
            annotation["StructParent"] = index
        if self.ids:
            names = pydyf.Array()
            for name in sorted(self.ids):
                names.extend([pydyf.String(name), self.ids[name]])
            root["IDTree"] = pydyf.Dictionary({"Names": names})
        _prune(self.pdf, self.top)


def _key(box: Any) -> tuple[Any, str] | None:
    """What a box stands for: its element and pseudo-element (the pseudo-elements of a
    link are the link)."""
    element = box.element
    if element is None or not isinstance(element.tag, str):
        return None
    tag = box.element_tag or ""
    pseudo = tag.split("::", 1)[1] if "::" in tag else ""
    if element.tag == "a" and pseudo in ("before", "after"):
        pseudo = ""
    return (element, pseudo)


def _tag(box: Any, parent: pydyf.Dictionary) -> str | None:
    """The structure type of a box's element, or None to add its content to the parent."""
    element_tag = box.element_tag or ""
    html = box.element
    if element_tag in ("html", "body") or isinstance(box, boxes.PageBox):
        return None
    if element_tag.endswith("::footnote-call"):
        return "Link"
    if element_tag.endswith(("::footnote-marker", "::marker")):
        return "Lbl"
    if "::" in element_tag:
        return None
    classes = (html.get("class") or "").split()
    if html.tag == "aside" or "role-sidebar" in classes:
        return "Aside"
    if "footnote-under" in classes:  # a note set under its paragraph
        return "Note"
    if html.tag == "nav":
        return "Sect"
    if html.tag == "figure":
        return "Div"
    if html.tag == "span":
        return "Span" if html.get("lang") else None
    if html.tag in _INLINE:
        return "Span"
    if html.tag in ("dt", "dd"):
        return "LI"
    tag = _get_pdf_tag(html.tag)
    if tag == "NonStruct":
        return "Span" if isinstance(box, boxes.InlineLevelBox) else "Div"
    if tag in ("TD", "TH") and parent["S"] in ("/TD", "/TH"):
        return None
    return tag


def _attributes(box: Any, element: pydyf.Dictionary, tag: str, lang: str) -> None:
    """A new element's attributes: language, alternate text and table cells' scope."""
    html = box.element
    own = html.get("lang")
    if own and own != lang:
        element["Lang"] = pydyf.String(own)
    if tag == "Figure":
        if alt := html.get("alt"):
            element["Alt"] = pydyf.String(alt)
        x, y = box.content_box_x(), box.content_box_y()
        element["A"] = pydyf.Dictionary({"O": "/Layout", "BBox": pydyf.Array(
            (x, y, x + box.width, y + box.height))})
    elif tag in ("TH", "TD"):
        element["A"] = pydyf.Dictionary({"O": "/Table"})
        if tag == "TH":
            scope = "Row" if html.get("scope") == "row" else "Column"
            element["A"]["Scope"] = f"/{scope}"
        if getattr(box, "colspan", 1) != 1:
            element["A"]["ColSpan"] = box.colspan
        if getattr(box, "rowspan", 1) != 1:
            element["A"]["RowSpan"] = box.rowspan


def _link_text(box: Any) -> str:
    """What a link annotation says: a note call's "Note 3", else the link's text."""
    html = box.element
    if (box.element_tag or "").endswith("::footnote-call"):
        return html.get("data-call") or html.get("data-n") or ""
    return " ".join("".join(html.itertext()).split())


def _unhyphenated(box: Any) -> str | None:
    """A text box's text without the hyphen the layout added at its end, or None."""
    hyphen = box.style["hyphenate_character"]
    text = box.text
    if not hyphen or not text.endswith(hyphen) or box.style["hyphens"] == "none":
        return None
    html = box.element
    source = "".join(html.itertext()) if html is not None else ""
    if text.strip() and " ".join(text.split()) in " ".join(source.split()):
        return None
    return text[: -len(hyphen)]


def _prune(pdf: Any, element: pydyf.Dictionary) -> bool:
    """Take empty elements out of the tree under ``element``; whether it is empty."""
    kids = element["K"]
    kept = []
    for kid in kids:
        if isinstance(kid, bytes):
            child = _object(pdf, kid)
            if child.get("Type") == "/StructElem" and _prune(pdf, child):
                continue
        kept.append(kid)
    element["K"] = pydyf.Array(kept)
    return not kept and element["S"] not in ("/Figure", "/Document")


def _object(pdf: Any, reference: bytes) -> Any:
    """The object of ``pdf`` that ``reference`` (``b"12 0 R"``) names."""
    return pdf.objects[int(reference.split()[0])]


@cache
def memoize_page_references() -> None:
    """Make pydyf's ``PDF.page_references`` cheap to read again.

    pydyf 0.13 rebuilds the tuple of every page's reference on each read, and WeasyPrint's
    tagging reads it once per tagged element: quadratic in pages, 12 s of the 46 s it took to
    write Ten Days' 397 pages (cProfile). The memo is the same tuple, rebuilt on a new page.
    """
    built = pydyf.PDF.page_references
    if not isinstance(built, property):
        return
    rebuild: Any = built.fget  # a property made by pydyf: it has one

    def page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
        count = len(pdf.pages["Kids"])
        memo = pdf.__dict__.get("_pressrun_page_references")
        if memo is None or memo[0] != count:
            memo = (count, rebuild(pdf))
            pdf.__dict__["_pressrun_page_references"] = memo
        return memo[1]

    pydyf.PDF.page_references = property(page_references)
