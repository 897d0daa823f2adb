"""How wide texts are in a WeasyPrint style, measured as WeasyPrint measures them and
each measured once, for planning lines (see ``weasylines``)."""

from __future__ import annotations

# Before WeasyPrint: its C libraries loaded by soname, with no compiler run.
import pressrun.pdf.libraries  # noqa: F401

# isort: split
from collections.abc import Callable
from typing import Any

from weasyprint.text.line_break import _font_style_cache_key, create_layout, line_size

from pressrun.pdf.weasyboxes import space_width, text_width

SPACE = "\0"
"""Where a style's space width is kept among its measured texts (no text is a NUL)."""
_UNATTRIBUTED = frozenset(" \u00a0\t\n")
"""Characters that make WeasyPrint give a text's layout attributes of its own (word
spacing on spaces) or cut or tab it."""

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
            layout = self.layouts.get(key)
            if layout is None:
                layout = self.layouts[key] = create_layout("", style, context, None, 0)
            layout.set_text(text)
            return line_size(layout.get_first_line()[0], style)[0]
        return text_width(text, style, context)
