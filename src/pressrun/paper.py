"""Paper: the named sizes pages are trimmed to and sheets are printed on.

Its own module, apart from the model, because the command line lists the print
profiles and editions, which name paper sizes, at every start (``--help`` included), and
the model's dataclasses take a tenth of that start to make. A size is a named tuple for
the same reason: Python makes a dataclass by compiling each of its methods.
"""

from __future__ import annotations

from typing import NamedTuple


class PageSize(NamedTuple):
    """A trimmed page size."""

    name: str
    """As written in pamphlet.yaml (``A5``, ``letter``, ``120mm 180mm``)."""
    width_mm: float
    """Page width in millimetres."""
    height_mm: float
    """Page height in millimetres."""

    @property
    def css(self) -> str:
        """The value for CSS ``@page { size: … }``."""
        return f"{self.width_mm:g}mm {self.height_mm:g}mm"

    @property
    def points(self) -> tuple[float, float]:
        """Width and height in PostScript points, to the hundredth."""
        return round(self.width_mm * 72 / 25.4, 2), round(self.height_mm * 72 / 25.4, 2)


PAPER = {size.name: size for size in (
    PageSize("A3", 297, 420), PageSize("A4", 210, 297), PageSize("A5", 148, 210),
    PageSize("A6", 105, 148), PageSize("B4", 250, 353), PageSize("B5", 176, 250),
    PageSize("letter", 215.9, 279.4), PageSize("half-letter", 139.7, 215.9),
    PageSize("legal", 215.9, 355.6), PageSize("tabloid", 279.4, 431.8))}
"""Every named paper size, portrait, in millimetres: pages and the sheets they are printed on."""
PAGE_SIZES = ("A5", "A4", "A6", "letter", "half-letter")
"""The names ``page_size`` in pamphlet.yaml accepts (any case), besides ``WIDTHmm HEIGHTmm``."""
