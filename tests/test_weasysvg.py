"""An SVG picture's words drawn whole (``pdf/weasysvg.py``, #19): a line the SVG does not
place character by character is shaped and drawn as one; one it places so is drawn as it
places each character. (A placeholder's words in every language: ``test_languages``.)"""

from __future__ import annotations

import re

from pressrun.pdf.weasysvg import shaped_svg_text

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="100">'
       '<text x="200" y="40" font-size="20">Whole</text>'
       '<text x="20 120 220" y="80" font-size="20">abc</text></svg>')


def _placed() -> list[tuple[int, int]]:
    """Where each piece of the SVG's text is drawn (its text matrix's x and y)."""
    from weasyprint import HTML

    shaped_svg_text()
    data = HTML(string=f"<body style='margin:0'>{SVG}</body>").write_pdf(uncompressed_pdf=True)
    found = re.findall(rb"1 0 0 -1 ([\d.]+) ([\d.]+) Tm", data)
    return [(round(float(x)), round(float(y))) for x, y in found]


def test_a_line_is_drawn_whole_and_placed_characters_one_by_one() -> None:
    placed = _placed()
    assert [place for place in placed if place[1] == 40] == [(200, 40)]  # one run: "Whole"
    assert [place for place in placed if place[1] == 80] == [(20, 80), (120, 80), (220, 80)]
