"""Pictures pressrun draws itself: image placeholders (SVG from the theme's template, lines
broken with Pillow's measures), the generated cover (Pillow) and QR codes."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from pressrun.html.lettering import bundled, draw_line, length
from pressrun.html.words import Words, direction
from pressrun.model import Image, Metadata

INK = (34, 30, 28)
PAPER = (246, 242, 234)
RED = (178, 34, 34)
GREY = (120, 116, 110)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float,
          anywhere: bool = False) -> list[str]:
    """Greedy line breaking of ``text`` to ``width`` pixels; with ``anywhere``, a word
    wider than that (a file's path) is broken after its slashes, else between letters."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        words = paragraph.split()
        if anywhere:
            words = [piece for word in words for piece in _pieces(word, font, width)]
        for word in words:
            trial = f"{line} {word}".strip()
            if line and length(trial, font) > width:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return lines


def _pieces(word: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """``word`` in pieces no wider than ``width``, broken after a slash where one fits."""
    pieces = []
    while length(word, font) > width and len(word) > 1:
        cut = next((n for n in range(len(word) - 1, 0, -1)
                    if length(word[:n], font) <= width), 1)
        slash = word.rfind("/", 0, cut)
        cut = slash + 1 if slash > 0 else cut
        pieces.append(word[:cut])
        word = word[cut:]
    return [*pieces, word]


def _fit(text: str, name: str, size: int, width: float,
         max_lines: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest font (down to a third of ``size``) that sets ``text`` in ``max_lines``."""
    while True:
        font = bundled(name, size)
        lines = _wrap(text, font, width)
        if len(lines) <= max_lines or size <= 12:
            return font, lines
        size = int(size * 0.9)


def _text_block(draw: ImageDraw.ImageDraw, lines: list[str], font: ImageFont.FreeTypeFont,
                x: float, y: float, fill: tuple[int, int, int], leading: float = 1.25,
                centre_width: float | None = None, end_width: float | None = None) -> float:
    """Draw ``lines`` from ``(x, y)``, centred in or set flush right in a width if given;
    return the y below the last line."""
    step = font.size * leading
    for line in lines:
        dx = (centre_width - length(line, font)) / 2 if centre_width else \
            end_width - length(line, font) if end_width else 0
        draw_line(draw, (x + dx, y), line, font, fill)
        y += step
    return y


SERIF = '"Charis SIL", "Gentium Plus", "Noto Naskh Arabic", "Noto Serif Hebrew", serif'
SANS = '"Noto Sans", "Gentium Plus", "Noto Naskh Arabic", "Noto Serif Hebrew", sans-serif'
"""The theme's font stacks (``common.css``), which the placeholder's words are set in."""
COLOURS = {"paper": "#ece9e3", "diagonal": "#d6d1c8", "frame": "#78746e", "label": "#b22222",
           "ink": "#221e1c", "file": "#78746e"}
GREYS = {"paper": "#ebebeb", "diagonal": "#d4d4d4", "frame": "#777777", "label": "#3c3c3c",
         "ink": "#222222", "file": "#777777"}
"""The grayscale print profile's: no colour at all."""


def placeholder_svg(image: Image, words: Words, render: Callable[..., str],
                    grey: bool = False) -> bytes:
    """A clearly marked box standing in for missing art, drawn from the theme's
    ``placeholder.svg``: what it will show (the description, else the caption) and the
    file expected, its lines broken here with the bundled fonts' measures. In a box
    printed narrower the words shrink less than the box, which grows taller to hold
    them."""
    width, height = placeholder_size(image)
    unit = BASE_WIDTH * (width / BASE_WIDTH) ** 0.5  # the words' scale
    inner = width * 0.84
    colours = GREYS if grey else COLOURS
    label, heads = _fit(words("picture_to_come"), "NotoSans-Bold.ttf",
                        int(unit / 22), inner, 2)
    text = image.alt or image.caption or words("no_caption")
    font, lines = _fit(text, "CharisSIL-Italic.ttf", int(unit / 24), inner, 8)
    small = bundled("NotoSans-Regular.ttf", int(unit / 34))
    name = image.rel if image.rel != "missing" else image.ref
    names = _wrap(words("expected_file", file=name), small, inner, anywhere=True)
    texts = [(heads, label, SANS, colours["label"], {"bold": True}),
             (lines, font, SERIF, colours["ink"], {"italic": True}),
             (names, small, SANS, colours["file"], {})]
    gap = unit * 0.05
    needed = sum(len(each[0]) * each[1].size * 1.25 for each in texts) + 4 * gap
    height = max(height, round(needed))
    # The label near the top, the file name near the foot, the description between.
    tops = [gap, 0.0, height - gap - len(names) * small.size * 1.25]
    middle = len(lines) * font.size * 1.25
    below_label = gap + len(heads) * label.size * 1.25
    tops[1] = min(max(below_label + gap, (height - middle) / 2), tops[2] - gap - middle)
    blocks = [_block(width, top, *each) for top, each in zip(tops, texts, strict=True)]
    return render("placeholder.svg", width=width, height=height, stroke=int(unit / 200),
                  blocks=blocks, colours=colours, language=words.language,
                  direction=words.direction).encode()


def _block(width: float, top: float, lines: list[str], font: ImageFont.FreeTypeFont,
           family: str, colour: str, style: dict[str, bool]) -> dict[str, object]:
    """Lines of one font centred in ``width`` from ``top``, on a plate of the paper's
    colour that the diagonals stop at (for ``placeholder.svg``)."""
    widest = max((length(line, font) for line in lines), default=0)
    pad = font.size * 0.4
    return {"lines": [{"text": line, "y": round(top + font.size * (0.95 + 1.25 * n), 1)}
                      for n, line in enumerate(lines)],
            "x": round((width - widest) / 2 - pad, 1), "width": round(widest + 2 * pad, 1),
            "top": round(top - pad / 2, 1), "height": round(len(lines) * font.size * 1.25
                                                             + pad, 1),
            "size": font.size, "family": family, "colour": colour, "bold": False,
            "italic": False, **style}


def placeholder_size(image: Image) -> tuple[int, int]:
    """1200 units wide (fewer for a picture printed narrower), at the aspect the art will
    have (3:2 unless known)."""
    aspect = image.height / image.width if image.width and image.height else 2 / 3
    aspect = min(max(aspect, 0.3), 2.0)
    share = 1.0
    if image.printed_width.endswith("%"):
        share = float(image.printed_width[:-1]) / 100
    elif image.printed_width.endswith("mm"):
        share = float(image.printed_width[:-2]) / NOMINAL_TEXT_MM
    width = round(BASE_WIDTH * min(max(share, 0.3), 1.0))
    return width, round(width * aspect)


def svg_size(svg: bytes) -> tuple[int, int]:
    """The width and height a placeholder's SVG declares."""
    found = re.search(rb'<svg[^>]* width="(\d+)" height="(\d+)"', svg)
    assert found, "placeholder.svg must declare its width and height"
    return int(found[1]), int(found[2])


BASE_WIDTH = 1200
"""A placeholder as wide as the text, in its drawing's units."""
NOMINAL_TEXT_MM = 110
"""About the text width of an A5 page: what a width in millimetres is measured against
to draw a placeholder's words at their usual size (its printed width is exact)."""


def cover_png(metadata: Metadata, size: tuple[int, int] = (1600, 2560)) -> bytes:
    """A cover drawn from the metadata, in the look of the print title page."""
    width, height = size
    canvas = PILImage.new("RGB", size, PAPER)
    draw = ImageDraw.Draw(canvas)
    margin = width * 0.1
    inner = width - 2 * margin
    end = inner if direction(metadata.language) == "rtl" else None  # set from the right
    bar = width * 0.18
    draw.rectangle((0, 0, width, height * 0.035), fill=RED)
    draw.rectangle((margin + (inner - bar if end else 0), height * 0.2,
                    margin + (inner if end else bar), height * 0.2 + 24), fill=RED)
    font, lines = _fit(metadata.title, "NotoSans-Bold.ttf", 190, inner, 5)
    y = _text_block(draw, lines, font, margin, height * 0.24, INK, leading=1.12, end_width=end)
    if metadata.subtitle:
        sub, sub_lines = _fit(metadata.subtitle, "CharisSIL-Italic.ttf", 90, inner, 4)
        y = _text_block(draw, sub_lines, sub, margin, y + 40, INK, end_width=end)
    if metadata.creators:
        names, name_lines = _fit(", ".join(metadata.creators), "CharisSIL-Regular.ttf",
                                 84, inner, 3)
        _text_block(draw, name_lines, names, margin, y + 90, INK, end_width=end)
    foot = [text for text in (metadata.source, metadata.publisher) if text]
    if foot:
        small, foot_lines = _fit("\n".join(foot), "NotoSans-Regular.ttf", 56, inner, 4)
        block = len(foot_lines) * small.size * 1.25
        _text_block(draw, foot_lines, small, margin, height * 0.92 - block, GREY,
                    end_width=end)
    return _png(canvas)


def _png(canvas: PILImage.Image) -> bytes:
    out = io.BytesIO()
    canvas.save(out, format="PNG")
    return out.getvalue()


def qr_svg(url: str) -> bytes:
    """A QR code of ``url`` as a vector SVG (crisp at any print size)."""
    import qrcode
    from qrcode.image.svg import SvgPathImage

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2,
                         image_factory=SvgPathImage)
    code.add_data(url)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out)
    return out.getvalue()
