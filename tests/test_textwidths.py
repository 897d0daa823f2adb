"""Texts measured for planning lines are exactly as wide as WeasyPrint measures them
(#19: words are set in one Pango layout kept per style, not in a new one each; a width
off by any amount moves where lines end)."""

from __future__ import annotations

from typing import Any

import pytest
from weasyprint import HTML

from pressrun.pdf.textwidths import SPACE, Measures
from pressrun.pdf.weasyboxes import descendants, space_width, text_width

STYLES = {
    "plain": "",
    "justified": "text-align: justify; word-spacing: -0.07em; hyphens: auto",
    "tracked": "letter-spacing: 0.02em; word-spacing: 0.1em",
    "broken anywhere": "overflow-wrap: anywhere; word-spacing: 0.05em",
    "small caps, unkerned": "font-variant: small-caps; font-kerning: none",
}
WORDS = ["extraordinary", "a", "Petrograd’s", "office", "AVOWAL", "—", "Зимний", "1917–18",
         "", "workers’", "anti-war", "x"]
"""Long and short words, ligatures, kerning pairs, dashes, another script."""
SPACED = ["two words", "no\u00a0break", " leading", "trailing "]
"""Texts WeasyPrint gives attributes of their own (word spacing on the spaces)."""


def _style(css: str) -> Any:
    page = HTML(string=f'<p lang="en" style="{css}">Text</p>').render().pages[0]
    return next(box for box in descendants(page._page_box)
                if type(box).__name__ == "TextBox").style


@pytest.mark.parametrize("css", STYLES.values(), ids=list(STYLES))
def test_a_text_measured_for_planning_is_as_wide_as_weasyprint_measures_it(css: str) -> None:
    style = _style(css)
    width = Measures({}).of(None, style)
    # Words before and after texts with spaces and longer words, in one kept layout: any
    # attribute a text left behind would change the width of a word after it.
    texts = WORDS + SPACED + [word + "s" for word in WORDS] + [word[::-1] for word in WORDS]
    measured = {text: width(text) for text in texts}
    assert measured == {text: text_width(text, style) for text in texts}
    assert width(SPACE) == space_width(style)


@pytest.mark.parametrize("css", STYLES.values(), ids=list(STYLES))
def test_words_measured_together_are_each_as_wide_as_set_alone(css: str) -> None:
    """A paragraph's words are set one to a line of one layout (four times faster than
    one by one); each is still exactly as wide as WeasyPrint measures it alone, and a
    text Pango would break into lines of its own is measured alone."""
    style = _style(css)
    measures = Measures({})
    texts = WORDS + [word + "s" for word in WORDS] + ["line\u2028separator", "carriage\rreturn"]
    measures.prepare(None, style, texts * 2)
    key = measures.key(style)
    batched = {text for _, text in measures.widths}
    assert batched == {text for text in texts if text and text.isprintable()}
    width = measures.of(None, style)
    assert {text: width(text) for text in texts} == \
        {text: text_width(text, style) for text in texts}
    assert all(key == found for found, _ in measures.widths)
