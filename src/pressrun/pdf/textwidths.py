"""How wide texts are in a WeasyPrint style, measured as WeasyPrint measures them and
each measured once, for planning lines (see ``weasylines``)."""

from __future__ import annotations

# Before WeasyPrint: its C libraries loaded by soname, with no compiler run.
import pressrun.pdf.libraries  # noqa: F401

# isort: split
from collections.abc import Callable
from typing import Any

from weasyprint.text.ffi import TO_UNITS, ffi, pango, unicode_to_char_p
from weasyprint.text.line_break import _font_style_cache_key, create_layout, line_size

from pressrun.pdf.weasyboxes import space_width, text_width

SPACE = "\0"
"""Where a style's space width is kept among its measured texts (no text is a NUL)."""
_UNATTRIBUTED = frozenset(" \u00a0\t\n")
"""Characters that make WeasyPrint give a text's layout attributes of its own (word
spacing on spaces) or cut or tab it."""

_PARAGRAPHS = frozenset("\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
"""Characters besides a newline where Pango ends a line: a word holding one is measured
alone, not among others one to a line."""

Widths = dict[tuple[tuple[Any, ...], str], float]
"""Texts measured, by what decides their width (see ``Measures.key``) and text."""


class Measures:
    """The texts measured by one layout, in a store of widths that layouts with the same
    fonts share."""

    def __init__(self, widths: Widths) -> None:
        self.widths = widths
        """Texts measured, by style key and text (a space's width under ``SPACE``)."""
        self.keys: dict[int, tuple[Any, ...]] = {}
        """What decides a text's width in each style, by the style's id."""
        self.styles: list[Any] = []
        """The styles measured, alive while their ids are keys."""
        self.layouts: dict[tuple[Any, ...], Any] = {}
        """A Pango layout for setting words in, by style key (see ``_word``)."""

    def of(self, context: Any, style: Any) -> Callable[[str], float]:
        """How wide a text (a space for ``SPACE``, its ``word-spacing`` included) is, set in
        ``style`` (the style's key looked up once: a paragraph asks for thousands)."""
        key, widths = self.key(style), self.widths

        def width(text: str) -> float:
            found = widths.get((key, text))
            if found is None:
                found = widths[key, text] = space_width(style, context) if text == SPACE \
                    else self._word(key, style, context, text)
            return found

        return width

    def prepare(self, context: Any, style: Any, texts: list[str]) -> None:
        """Measure the words of ``texts`` not measured yet in ``style``, all at once: set
        one to a line of one Pango layout, each line its own paragraph, shaped as it is
        alone (Ten Days: 35,088 words, each the same width to the bit as set alone, in a
        quarter of the time)."""
        key, widths = self.key(style), self.widths
        words = [text for text in dict.fromkeys(texts) if text and (key, text) not in widths
                 and _UNATTRIBUTED.isdisjoint(text) and _PARAGRAPHS.isdisjoint(text)]
        for start in range(0, len(words), BATCH):
            batch = words[start:start + BATCH]
            layout = self._layout(key, style, context)
            text, data = unicode_to_char_p("\n".join(batch))
            pango.pango_layout_set_text(layout.layout, text, -1)
            _letter_spacing(layout, style, len(data))
            for line, word in enumerate(batch):
                line_box = pango.pango_layout_get_line_readonly(layout.layout, line)
                widths[key, word] = line_size(line_box, style)[0]

    def key(self, style: Any) -> tuple[Any, ...]:
        """What decides how wide a text is in ``style``: WeasyPrint's key for its fonts,
        with the size, kerning and spacing."""
        key = self.keys.get(id(style))
        if key is None:
            key = self.keys[id(style)] = (
                _font_style_cache_key(style, include_size=True), style["font_kerning"],
                style["letter_spacing"], style["word_spacing"])
            self.styles.append(style)
        return key

    def _word(self, key: tuple[Any, ...], style: Any, context: Any, text: str) -> float:
        """How wide ``text`` is in ``style``: a word (no spaces, tabs or line breaks) is
        set in one Pango layout kept for its style's key (making a layout costs twice
        what setting a word in it does; the only attributes WeasyPrint gives a word, its
        letter-spacing and whether Pango may hyphenate it to wrap, cover the whole of it
        alike in every word of the style), any other text in a layout of its own, as
        WeasyPrint sets it (its spaces get attributes a next text would inherit)."""
        if _UNATTRIBUTED.isdisjoint(text):
            layout = self._layout(key, style, context)
            layout.set_text(text)
            return line_size(layout.get_first_line()[0], style)[0]
        return text_width(text, style, context)

    def _layout(self, key: tuple[Any, ...], style: Any, context: Any) -> Any:
        """The Pango layout words are set in for the style ``key``."""
        layout = self.layouts.get(key)
        if layout is None:
            layout = self.layouts[key] = create_layout("", style, context, None, 0)
        return layout


BATCH = 256
"""The most words set in one layout at once (finding a line walks the lines before it)."""


def _letter_spacing(layout: Any, style: Any, length: int) -> None:
    """Give the first ``length`` bytes of ``layout``'s text ``style``'s letter-spacing, as
    WeasyPrint's ``Layout.set_text`` gives a word's (which keeps only a text's first line,
    so cannot set these)."""
    spacing = style["letter_spacing"]
    if spacing in ("normal", 0):
        return
    attributes = pango.pango_layout_get_attributes(layout.layout)
    if attributes == ffi.NULL:
        attributes = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    attribute = pango.pango_attr_letter_spacing_new(int(spacing * TO_UNITS))
    attribute.start_index, attribute.end_index = 0, length
    pango.pango_attr_list_change(attributes, attribute)
    pango.pango_layout_set_attributes(layout.layout, attributes)
