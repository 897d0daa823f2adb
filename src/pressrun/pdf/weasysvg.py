"""An SVG picture's words shaped and drawn as a whole, not one character at a time.

WeasyPrint draws SVG ``<text>`` character by character, each laid out on its own, so that
per-character ``x``, ``y``, ``dx``, ``dy`` and ``rotate`` can place each glyph
(WeasyPrint issue #2249). Where none is given, which is nearly always, that breaks what
shaping does across characters: Arabic letters lose their joining forms and a
right-to-left line runs backwards (a placeholder's Arabic "picture to come" was printed
and extracted reversed), combining marks come apart from their letters, and kerning and
ligatures are lost. It is also slow: the two placeholders of the bundled pamphlet laid
out 367 one-character lines, more than all the text of the pages around them.

A text with no such per-character placement is handed to WeasyPrint's own drawing as
one piece: a string that, iterated, gives itself whole. WeasyPrint then lays it out
once, with Pango's shaping and bidi, and places and anchors it as it placed a character
(``text-anchor`` and the bounding box come from the whole text's width, as before). The
rest keeps the character-by-character path.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

PLACED = ("x", "y", "dx", "dy")
"""Attributes that place characters one by one when they hold more than one value."""


class _Whole(str):
    """A text iterated as one piece."""

    def __iter__(self) -> Iterator[str]:
        yield str(self)


def whole(node: Any) -> bool:
    """Whether the SVG text ``node`` places no character on its own: then it is drawn whole."""
    attributes = node.attrib
    if node.tag == "textPath" or "textLength" in attributes:
        return False
    if any(len(attributes.get(name, "").replace(",", " ").split()) > 1 for name in PLACED):
        return False
    if attributes.get("rotate", "0").replace(",", " ").split() not in ([], ["0"]):
        return False
    return node.get("letter-spacing") in (None, "", "0", "normal")


@cache
def shaped_svg_text() -> None:
    """Draw SVG texts with no per-character placement as a whole (once)."""
    import weasyprint.svg as svg

    drawn = svg.text

    def text(picture: Any, node: Any, font_size: float) -> Any:
        source = node._etree_node
        if not source.text or not whole(node):
            return drawn(picture, node, font_size)
        plain, source.text = source.text, _Whole(source.text)
        try:
            return drawn(picture, node, font_size)
        finally:
            source.text = plain

    svg.text = text  # ``draw_node`` tells text nodes by this function
    svg.TAGS.update({tag: text for tag, made in svg.TAGS.items() if made is drawn})
