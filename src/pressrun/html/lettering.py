"""Lines of any script drawn with Pillow: each run of text in the first bundled face that
has its characters, the runs ordered by the line's direction.

Pillow draws a string in one font; a title in Arabic with an English name in it, or a
Greek caption, needs several. libraqm (bundled with Pillow) shapes each run and orders
the characters inside it; the runs themselves are set right to left when the line
starts with a right-to-left letter."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import uharfbuzz as hb
from PIL import ImageDraw, ImageFont

from pressrun.project import DEFAULT_THEME

FONTS = DEFAULT_THEME / "fonts"
"""pressrun's own fonts, which its drawings are set in."""
SCRIPTS = {
    "Regular": ("GentiumPlus-Regular.ttf", "NotoNaskhArabic-Regular.ttf",
                "NotoSerifHebrew-Regular.ttf"),
    "Bold": ("NotoNaskhArabic-Bold.ttf", "NotoSerifHebrew-Bold.ttf"),
    "Italic": ("GentiumPlus-Italic.ttf", "NotoNaskhArabic-Regular.ttf",
               "NotoSerifHebrew-Regular.ttf"),
}
"""The faces that set what a text face lacks (Greek, Arabic, Hebrew), by its style."""
RIGHT_TO_LEFT = {"R", "AL"}
STRONG = RIGHT_TO_LEFT | {"L"}


@lru_cache(maxsize=16)
def _cmap(name: str) -> frozenset[int]:
    return frozenset(hb.Face(hb.Blob.from_file_path(str(FONTS / name))).unicodes)


@lru_cache(maxsize=64)
def bundled(name: str, size: int) -> ImageFont.FreeTypeFont:
    """The bundled face ``name`` at ``size`` pixels."""
    return ImageFont.truetype(str(FONTS / name), size)


@dataclass(frozen=True)
class Run:
    """Characters set in one face, in one direction."""

    text: str
    face: ImageFont.FreeTypeFont
    direction: str

    def length(self) -> float:
        return self.face.getlength(self.text, direction=self.direction)


def _stack(face: ImageFont.FreeTypeFont) -> tuple[str, ...]:
    name = str(face.path).rsplit("/", 1)[-1]
    style = name.removesuffix(".ttf").rsplit("-", 1)[-1]
    return (name, *SCRIPTS.get(style, SCRIPTS["Regular"]))


def runs(text: str, face: ImageFont.FreeTypeFont) -> list[Run]:
    """``text`` cut where the face that has its letters changes."""
    stack = _stack(face)
    pieces: list[tuple[str, str]] = []
    for char in text:
        covering = [name for name in stack if ord(char) in _cmap(name)] or [stack[0]]
        neutral = unicodedata.bidirectional(char) not in STRONG  # a space, a comma
        if pieces and pieces[-1][1] in (covering if neutral else covering[:1]):
            pieces[-1] = (pieces[-1][0] + char, pieces[-1][1])
        else:
            pieces.append((char, covering[0]))
    rtl_line = _right_to_left(text)
    found = []
    for piece, name in pieces:
        direction = "rtl" if _right_to_left(piece) else "ltr"
        if len(pieces) > 1 and (direction == "rtl") != rtl_line:
            stripped = piece.rstrip()  # its space goes between it and the next run
            piece = piece[len(stripped):] + stripped
        found.append(Run(piece, bundled(name, face.size), direction))
    return found


def _right_to_left(text: str) -> bool:
    """Whether the first letter with a direction in ``text`` is written right to left."""
    kinds = (unicodedata.bidirectional(char) for char in text)
    return next((kind for kind in kinds if kind in STRONG), "L") in RIGHT_TO_LEFT


def length(text: str, face: ImageFont.FreeTypeFont) -> float:
    """The width of ``text`` set from ``face`` and the faces that fill its gaps."""
    found = runs(text, face)
    return face.getlength(text) if len(found) == 1 and found[0].face is face \
        else sum(run.length() for run in found)


def draw_line(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str,
              face: ImageFont.FreeTypeFont, fill: tuple[int, int, int]) -> None:
    """Draw ``text`` with its top-left corner at ``xy``."""
    found = runs(text, face)
    if len(found) == 1 and found[0].face is face:
        draw.text(xy, text, font=face, fill=fill)
        return
    x, baseline = xy[0], xy[1] + face.getmetrics()[0]
    order = reversed(found) if _right_to_left(text) else found
    for run in order:
        draw.text((x, baseline), run.text, font=run.face, fill=fill, anchor="ls",
                  direction=run.direction)
        x += run.length()
