"""Booklet imposition: turn a PDF of equal-sized pages into sheets for saddle stitching.

Each sheet side is a landscape page about twice the source page width carrying two source pages
side by side, meeting at the fold (A5 pages → A4 sheets, half-letter → letter). The pages
keep their order; then come blank pages (or the caller's filler pages, e.g. ruled pages for
notes) up to the outside back cover, the booklet's last page, which is the caller's back
cover or blank: never a page of text. The source pages are merged as vector content with
pypdf transforms, never rasterised.

Pure functions only: bytes in, bytes out; the caller writes the file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PageObject, PdfReader, PdfWriter, Transformation

from pressrun.paper import PAPER

TOLERANCE = 1.0  # points
MM_PER_PT = 25.4 / 72

# Page names whose booklet sheet is a standard size (half-letter pages on letter sheets).
# ISO halving rounds down to whole millimetres, so two A5 pages (2 × 148 mm) are 1 mm
# narrower than A4 (297 mm): the pages meet at the fold and the spare millimetre is split
# between the outer edges.
HALF_SHEETS = {"A6": "A5", "A5": "A4", "A4": "A3", "B5": "B4", "half-letter": "letter",
               "letter": "tabloid"}


@dataclass(frozen=True)
class Imposition:
    """An imposed booklet: the PDF of sheet sides and its page and sheet counts."""

    data: bytes
    pages: int  # pages in the original document
    padded_pages: int  # pages in the booklet, a multiple of 4
    blanks: int  # blank (or filler) pages added inside, before the back cover
    sheets: int  # physical sheets of paper, each printed on both sides
    sheet_size: str  # "A4", "letter", … or "296×210 mm"
    filler: str = "blank page"  # what each padding page is, for the summary
    back_cover: bool = False  # the back cover is the caller's, not blank


def sheet_name(width: float, height: float) -> str:
    """Name a sheet size ("A4", "letter", …) within ±1 pt, else describe it in millimetres."""
    short, long = sorted((width, height))
    for name, size in PAPER.items():
        w, h = size.points
        if abs(short - w) <= TOLERANCE and abs(long - h) <= TOLERANCE:
            return name
    return f"{width * MM_PER_PT:.0f}×{height * MM_PER_PT:.0f} mm"


def sheet_size(width: float, height: float) -> tuple[float, float]:
    """The landscape sheet (width, height) for pages of this size: a standard one, or 2w × h."""
    for page, name in HALF_SHEETS.items():
        w, h = PAPER[page].points
        if abs(width - w) <= TOLERANCE and abs(height - h) <= TOLERANCE:
            short, long = PAPER[name].points
            return long, short
    return 2 * width, height


def padded_order(pages: int) -> list[int | None]:
    """The booklet's pages as 0-based source indexes, in order, then padding (None) up to a
    multiple of 4; the last, the outside back cover, is always padding.

    A 3-page document becomes its pages and a back cover; a 4-page one takes two sheets.
    """
    if pages < 1:
        raise ValueError("cannot impose an empty document")
    return [*range(pages), *[None] * (-pages % 4 or 4)]


def sheet_sides(n: int) -> list[tuple[int, int]]:
    """Saddle-stitch order for ``n`` pages (multiple of 4), as 1-based (left, right) pairs.

    Sides come front1, back1, front2, back2, …; sheet ``s`` (0-based) has front
    ``N-2s | 1+2s`` and back ``2+2s | N-1-2s``. For 8 pages: 8|1, 2|7, 6|3, 4|5.

    The backs are *not* rotated. A landscape sheet printed duplex with "flip on short edge"
    is turned over about its vertical axis (its short edges are left and right), the way a
    book page is turned: a point at x on the front lies behind x' = width - x on the back,
    and up stays up. So page 1 (front, right half) backs onto page 2 (back, left half), both
    upright. Only "flip on long edge" (turning about the horizontal axis) would need the
    back rotated by 180°; the printer's short-edge flip already takes care of it.
    """
    if n < 4 or n % 4:
        raise ValueError(f"page count must be a positive multiple of 4, not {n}")
    sides: list[tuple[int, int]] = []
    for s in range(n // 4):
        sides.append((n - 2 * s, 1 + 2 * s))
        sides.append((2 + 2 * s, n - 1 - 2 * s))
    return sides


def _page_size(page: PageObject) -> tuple[float, float]:
    """The page's size as displayed: its crop box, turned by its /Rotate."""
    box = page.cropbox
    w, h = float(box.width), float(box.height)
    return (h, w) if page.rotation % 180 else (w, h)


def _place(side: PageObject, page: PageObject, x: float, y: float) -> None:
    """Merge ``page`` onto ``side``, upright as displayed, its lower-left corner at (x, y)."""
    box = page.cropbox
    turn = (
        Transformation()
        .translate(-float(box.left), -float(box.bottom))
        .rotate(-(page.rotation % 360))  # /Rotate turns clockwise
    )
    corners = [
        turn.apply_on((cx, cy)) for cx in (box.left, box.right) for cy in (box.bottom, box.top)
    ]
    dx, dy = min(c[0] for c in corners), min(c[1] for c in corners)
    move = turn.translate(x - dx, y - dy)
    page.pop("/Annots", None)  # links would land unmoved and point at pages not in the output
    side.merge_transformed_page(page, move)


def impose(pdf: bytes, filler: bytes | None = None, filler_name: str = "notes page",
           rtl: bool = False, back_cover: bytes | None = None) -> Imposition:
    """Impose a PDF of equal-sized pages as a saddle-stitched booklet of landscape sheets.

    With ``rtl`` the booklet is bound on the right, as a right-to-left book is: every sheet
    side is mirrored, so the front cover (page 1) is on the left of the outer sheet's
    outside, beside the back cover, and each spread reads right to left.

    ``filler`` is a PDF whose first page pads right-hand (odd) slots and whose last page
    pads left-hand (even) ones; without it, padding pages are blank. ``back_cover`` is a
    PDF whose first page is the outside back cover; without it, that is blank.
    """
    reader = PdfReader(io.BytesIO(pdf))
    source = list(reader.pages)
    fill = list(PdfReader(io.BytesIO(filler)).pages) if filler else []
    back = PdfReader(io.BytesIO(back_cover)).pages[0] if back_cover else None
    order = padded_order(len(source))
    width, height = _page_size(source[0])
    for number, page in enumerate(source, start=1):
        w, h = _page_size(page)
        if abs(w - width) > TOLERANCE or abs(h - height) > TOLERANCE:
            raise ValueError(
                f"page {number} is {w:.2f}×{h:.2f} pt, not {width:.2f}×{height:.2f} pt "
                "like page 1: a booklet needs pages of one size"
            )

    sheet_width, sheet_height = sheet_size(width, height)
    fold, y = sheet_width / 2, (sheet_height - height) / 2  # pages meet at the fold, centred
    writer = PdfWriter()
    for left, right in sheet_sides(len(order)):
        if rtl:
            left, right = right, left
        side = writer.add_blank_page(width=sheet_width, height=sheet_height)
        for number, x in ((left, fold - width), (right, fold)):
            index = order[number - 1]
            if index is not None:
                _place(side, source[index], x, y)
            elif number == len(order):
                if back is not None:
                    _place(side, back, x, y)
            elif fill:  # a blank page puts nothing on its half of the sheet
                _place(side, fill[-1] if number % 2 == 0 else fill[0], x, y)
        side.compress_content_streams()
    if reader.metadata:
        writer.add_metadata(reader.metadata)  # /Title, /Author, …

    out = io.BytesIO()
    writer.write(out)
    return Imposition(
        data=out.getvalue(),
        pages=len(source),
        padded_pages=len(order),
        blanks=len(order) - len(source) - 1,
        sheets=len(order) // 4,
        sheet_size=sheet_name(sheet_width, sheet_height),
        filler=filler_name if fill else "blank page",
        back_cover=back is not None,
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summary(imp: Imposition) -> list[str]:
    """The lines to show a user: sheets and printing advice, then the page budget."""
    lines = [
        f"{_plural(imp.padded_pages, 'page')} → {_plural(imp.sheets, 'sheet')} of "
        f"{imp.sheet_size}, print double-sided, flip on short edge"
    ]
    cover = "the back cover" if imp.back_cover else "a blank back cover"
    added = f" + {_plural(imp.blanks, imp.filler)}" if imp.blanks else ""
    lines.append(f"page budget: {_plural(imp.pages, 'page')} of content{added} + {cover}, "
                 "to make a multiple of 4")
    return lines
