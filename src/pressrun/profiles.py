"""Print profiles, editions and page geometry: the one registry of each.

A profile prepares the PDF for a kind of printer; an edition is a version of the print
edition for a kind of reader; the geometry is the type size and margins the print theme
is laid out with. It adapts to the page: a small page gets a smaller type size and
narrower margins, a large one larger type and wider margins, rather than the same
design scaled. The command line lists the entries at every start, so this module
imports nothing heavy and its types are named tuples (a dataclass takes about 1 ms to make).
"""

from __future__ import annotations

from typing import NamedTuple

from pressrun.paper import PAPER, PageSize


class Geometry(NamedTuple):
    """Type size and margins for one page size."""

    font_pt: float
    """Body type size in points."""
    leading: float
    """Line height as a multiple of the type size."""
    top_mm: float
    """Head margin."""
    bottom_mm: float
    """Foot margin (holds the folio)."""
    inner_mm: float
    """Binding-side margin (the gutter)."""
    outer_mm: float
    """Fore-edge margin."""
    page: PageSize
    """The trimmed page."""

    @property
    def text_width_mm(self) -> float:
        """Width of the text block."""
        return self.page.width_mm - self.inner_mm - self.outer_mm

    @property
    def text_height_mm(self) -> float:
        """Height of the text block."""
        return self.page.height_mm - self.top_mm - self.bottom_mm

    @property
    def image_max_height_mm(self) -> float:
        """Tallest a figure's picture may be, leaving room for its caption."""
        return round(self.text_height_mm * 0.62, 1)


def geometry_for(page: PageSize) -> Geometry:
    """The geometry for ``page``, interpolated between A6, A5 and A4 designs."""
    width = page.width_mm
    if width <= 110:  # A6 and smaller
        return Geometry(8.6, 1.36, 11, 14, 13, 9, page)
    if width <= 165:  # A5, half-letter
        scale = min(page.height_mm / 210, 1.1)
        return Geometry(10, 1.42, round(15 * scale), round(18 * scale), 19, 14, page)
    # A4, letter and larger: bigger type, wider margins to keep lines readable.
    return Geometry(11.5, 1.45, 22, 26, 30, 26, page)


class Profile(NamedTuple):
    """How the PDF is prepared for a kind of printer."""

    name: str
    """``home``, ``grayscale`` or ``press``."""
    description: str
    """One line for ``--help``."""
    grayscale: bool = False
    """Convert pictures and colours to grey."""
    bleed_mm: float = 0
    """Bleed around the trimmed page, with crop marks when non-zero."""
    pdf_variant: str = "pdf/ua-1"
    """WeasyPrint's PDF variant."""
    min_dpi: int = 0
    """Warn about pictures printed below this resolution (0: no check)."""
    stylesheet: str | None = None
    """A theme stylesheet added after print.css."""
    output_intent: bool = False
    """Finish the PDF as PDF/X-4 for the printing condition of ``output-intent.icc``
    (see ``pdf.press``); pictures are flattened against white paper."""

    @property
    def booklet(self) -> bool:
        """Whether pressrun may impose it as a booklet (a press imposes pages itself)."""
        return not self.bleed_mm


PROFILES = {profile.name: profile for profile in (
    Profile("home", "colour allowed, no bleed: office and home printers"),
    Profile("grayscale", "everything in grey: predictable on a laser printer", grayscale=True,
            stylesheet="grayscale.css"),
    Profile("press", "3 mm bleed, crop marks, PDF/X-4, pictures checked for 300 dpi",
            bleed_mm=3, pdf_variant="pdf/x-4", min_dpi=300, output_intent=True),
)}
DEFAULT_PROFILE = "home"


class Edition(NamedTuple):
    """A version of the print edition for a kind of reader."""

    name: str
    """``standard`` or ``large-print``."""
    description: str
    """One line for ``--help``."""
    page: PageSize | None = None
    """The page size, when the edition fixes it (else the manuscript's)."""
    geometry: Geometry | None = None
    """Type size and margins, when the edition fixes them."""
    stylesheet: str | None = None
    """A theme stylesheet added after print.css."""

    def geometry_for(self, page: PageSize) -> Geometry:
        """The geometry of this edition of a publication whose page size is ``page``."""
        return self.geometry or geometry_for(self.page or page)


EDITIONS = {edition.name: edition for edition in (
    Edition("standard", "the manuscript's page size and type"),
    # Clear-print guidance (RNIB, the UK Association for Accessible Formats): 16 pt or
    # more for every piece of text, generous leading, ragged right, no hyphenation, A4.
    Edition("large-print", "A4, 18 pt type (nothing under 16 pt), ragged right, no "
            "hyphenation", page=PAPER["A4"],
            geometry=Geometry(18, 1.5, 20, 26, 25, 20, PAPER["A4"]),
            stylesheet="large-print.css"),
)}
DEFAULT_EDITION = "standard"


def variant(profile: Profile, edition: Edition) -> str:
    """What names an output of this profile and edition apart from the default one
    (``large-print``, ``press``, ``large-print-grayscale``), or ``""``."""
    return "-".join(name for name, default in ((edition.name, DEFAULT_EDITION),
                                               (profile.name, DEFAULT_PROFILE))
                    if name != default)
