"""A planned line set as WeasyPrint sets it, without WeasyPrint's search for its end.

WeasyPrint's ``split_first_line`` finds where a line ends: it lays out the start of the
text with Pango, tries to fit the next word whole, then each hyphenation of that word
in a Pango layout of its own. A line whose end ``weasylines`` planned is offered its own
width and no more (``weasylines.SLACK``), so every one of those trials fails: they were
a sixth of the Manifesto's layout. Told where the line was planned to end
(``ending_at``), ``split_first_line`` returns what WeasyPrint returns after its trials,
the same layout, length, resume index and metrics: for a line ending at a space, from a
layout made as WeasyPrint makes its first one, given the line's text at once, without
measuring the line first (``weasylines`` plans a line to end only at a space where Pango
may break), if the line fits; for a hyphenated line, from the layout of its hyphenated
text that a successful trial makes, if Pango keeps it on one line and it fits. Anything
else (a soft hyphen at the end, a line that does not fit) is left to WeasyPrint's search.

WeasyPrint's first layout holds the start of the paragraph (about a line's worth) before
the line's text replaces it: only the spacing attributes that text leaves outlast it,
those on the line's bytes replaced by the line's own and the others past its end, where
they touch no glyph; and the layout is made again before it is drawn. Setting that
text was a third of the time spent setting lines this way (1.2 s of Ten Days' layout).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from math import inf
from typing import Any

from weasyprint.layout import inline
from weasyprint.text import line_break

_END: tuple[int, bool] | None = None
"""Where the next line split ends, in bytes of its text, and whether it is hyphenated."""
SOFT_HYPHEN = "\xad".encode()


@contextmanager
def ending_at(end: int, hyphenated: bool) -> Iterator[None]:
    """Inside, the next ``split_first_line`` ends its line ``end`` bytes into its text,
    ``hyphenated`` there, if WeasyPrint would."""
    global _END
    _patch()
    _END = (end, hyphenated)
    try:
        yield
    finally:
        _END = None


@cache
def _patch() -> None:
    """Give WeasyPrint's line filling the planned end (once; it acts inside ``ending_at``)."""
    split = inline.split_first_line

    def split_first_line(text: str, style: Any, context: Any, max_width: float | None,
                         justification_spacing: float, is_line_start: bool = True,
                         minimum: bool = False) -> Any:
        global _END
        planned, _END = _END, None
        if planned is not None and max_width not in (None, inf) and style["font_size"] \
                and style["white_space"] == "normal":
            laid = _set(text, style, context, max_width, justification_spacing, *planned)
            if laid is not None:
                return laid
        return split(text, style, context, max_width, justification_spacing, is_line_start,
                     minimum)

    inline.split_first_line = split_first_line


def _set(text: str, style: Any, context: Any, width: float, spacing: float, end: int,
         hyphenated: bool) -> Any:
    """WeasyPrint's split of ``text`` at ``end``, or None when it would split elsewhere."""
    encoded = text.encode()
    if hyphenated:
        hyphen = style["hyphenate_character"]
        layout = line_break.create_layout(encoded[:end].decode() + hyphen, style, context,
                                          width, spacing)
        line, resume = layout.get_first_line()
        if resume is None and line_break.line_size(line, style)[0] <= width:
            return line_break.first_line_metrics(line, text, layout, end, True, style, True,
                                                 hyphen)
        layout.deactivate()
        return None
    # Pango may break at the spaces after ``end`` (``weasylines`` plans no other breaks):
    # its first line would end after them, and WeasyPrint sets the line again without.
    resume = len(encoded) - len(encoded[end:].lstrip(b" "))
    if resume == len(encoded) or encoded[:end].endswith(SOFT_HYPHEN):
        return None
    laid = line_break.first_line_metrics(_Line(resume), text,
                                         line_break.Layout(style, spacing, width), resume,
                                         True, style)
    return laid if laid[3] <= width else None


class _Line:
    """What WeasyPrint reads of Pango's first line before it sets the line again: its
    length, in bytes."""

    def __init__(self, length: int) -> None:
        self.length = length

