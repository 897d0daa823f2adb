"""Font descriptions made once for each set of font properties (``weasyfonts``, #19): every
line gets the description WeasyPrint would have made for its style."""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.text import line_break
from weasyprint.text.ffi import ffi, pango

from pressrun.pdf import weasyfonts

HTML_TEXT = """<p style="font: 12px serif">plain <i>italic</i> <b>bold</b>
<span style="font-stretch: condensed">condensed</span> <small>small</small>
<span style="font-family: sans-serif">sans</span>
<span style="font-variant-caps: small-caps">caps</span>
<span style="font-variation-settings: 'wght' 300">light</span> plain again</p>
<svg width="200" height="40"><text x="0" y="20" font-family="serif">drawn words</text></svg>"""


def _described(description: Any) -> str:
    return ffi.string(pango.pango_font_description_to_string(description)).decode()


def test_each_line_gets_the_description_weasyprint_makes_for_its_style():
    weasyfonts.describe_once()
    document = HTML(string=HTML_TEXT).render()
    boxes = [box for box in document.pages[0]._page_box.descendants() if hasattr(box, "text")]
    made = {id(box.style): line_break.get_font_description(box.style) for box in boxes}
    # Every property the description is made from tells two styles apart.
    assert [_described(made[id(box.style)]) for box in boxes] == \
        [_described(weasyfonts.DESCRIBE(box.style)) for box in boxes]
    assert len({_described(description) for description in made.values()}) >= 8
    # Made once: a style asking again, or another with the same font, gets the same one.
    plain = [made[id(box.style)] for box in boxes if box.text.strip().startswith("plain")]
    assert len(plain) == 2 and plain[0] is plain[1]


def test_the_text_of_a_drawing_is_drawn():
    # An SVG's text gives its family as a list, which cannot be a key: made afresh.
    weasyfonts.describe_once()
    pdf = HTML(string=HTML_TEXT).write_pdf()
    assert "drawn words" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
