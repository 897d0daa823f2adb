"""A page's footnotes and endnotes, found by their links: a call (``<a href="#n1">1</a>``)
leads to a note that links back to it (``<a href="#f1">↩</a>``). This is how marxists.org,
Wikipedia, WordPress and Word (through mammoth) all mark them."""

from __future__ import annotations

import copy
import re

from lxml import html as lxml_html
from lxml.etree import _Element

NOTE = "data-pressrun-note"
"""The attribute of the ``<sup>`` that stands for a call, holding the note's number."""
_BLOCKS = {"p", "li", "div", "dd", "aside", "section", "td"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_NOTES_TITLE = re.compile(r"^\W*((foot|end)?notes?|references|anmerkungen|notas|"
                          r"примечания|notes de bas de page)\W*$", re.I)


def take_notes(root: _Element) -> list[_Element]:
    """Replace each note call in ``root`` by a ``<sup data-pressrun-note="N">``, take the
    notes out of the page (with a "Notes" heading above them), and return their bodies in
    number order, without their back links."""
    named: dict[str, _Element] = {}
    for element in root.iter():
        for key in ("id", "name"):
            if element.get(key):
                named.setdefault(element.get(key), element)
    found: list[tuple[_Element, _Element]] = []  # (note in the page, its body)
    for call in list(root.iter("a")):
        href = call.get("href") or ""
        target = named.get(href[1:]) if href.startswith("#") else None
        block = _block(target) if target is not None else None
        if block is None or len(call.text_content().strip()) > 8 or \
                any(ancestor is block for ancestor in call.iterancestors()):
            continue
        names = _names(call)
        backs = [a for a in block.iter("a") if (a.get("href") or "")[1:] in names]
        if not backs:
            continue
        number = next((n for n, (note, _) in enumerate(found, 1) if note is block), 0)
        if not number:
            found.append((block, _body(block, {a.get("href") for a in backs})))
            number = len(found)
        _replace_call(call, number)
    for note, _ in found:
        _remove(note, root)
    return [body for _, body in found]


def _block(element: _Element) -> _Element | None:
    """The paragraph, list item or division a note's anchor is in (not a heading)."""
    for candidate in (element, *element.iterancestors()):
        if candidate.tag in _HEADINGS:
            return None
        if candidate.tag in _BLOCKS:
            return candidate
    return None


def _names(call: _Element) -> set[str]:
    """The ids a back link may name: the call's own and those of its close wrappers
    (``<sup id="fnref1"><a href="#fn1">``)."""
    found: set[str] = set()
    for element in (call, *list(call.iterancestors())[:2]):
        if element is not call and element.tag not in ("sup", "span", "small"):
            break
        found.update(name for name in (element.get("id"), element.get("name")) if name)
    return found


def _body(block: _Element, hrefs: set[str | None]) -> _Element:
    """A copy of the note ``block`` without its back links (nor a ``<sup>`` around one)."""
    body = copy.deepcopy(block)
    body.tag = "div"  # a list item's text, not a list
    for back in [a for a in body.iter("a") if a.get("href") in hrefs]:
        parent = back.getparent()
        wrapped = parent is not None and parent is not body and \
            parent.tag in ("sup", "span") and len(parent) == 1 and \
            not (parent.text or "").strip()
        (parent if wrapped else back).drop_tree()
    return body


def _replace_call(call: _Element, number: int) -> None:
    """Put the note marker where the call (or the ``<sup>`` holding only it) was."""
    parent = call.getparent()
    old = parent if parent is not None and parent.tag == "sup" and len(parent) == 1 and \
        not (parent.text or "").strip() else call
    marker = lxml_html.Element("sup", {NOTE: str(number)})
    marker.tail = old.tail
    old.getparent().replace(old, marker)


def _remove(note: _Element, root: _Element) -> None:
    """Take a note out of the page, with a list or division it leaves empty and a "Notes"
    heading just before it."""
    gone = note
    parent = gone.getparent()
    while parent is not None and parent is not root and \
            parent.tag in _BLOCKS | {"ol", "ul"} and len(parent) == 1 and \
            not (parent.text or "").strip():
        gone, parent = parent, parent.getparent()
    if parent is None:
        return
    before = gone.getprevious()
    gone.drop_tree()
    if before is not None and before.tag in _HEADINGS and \
            _NOTES_TITLE.match(before.text_content().strip()):
        before.drop_tree()
