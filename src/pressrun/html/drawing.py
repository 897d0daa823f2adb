"""Pictures pressrun draws itself with Pillow: image placeholders and the generated cover."""

from __future__ import annotations

import io

from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from pressrun.html.lettering import bundled, draw_line, length
from pressrun.html.words import Words, direction
from pressrun.model import Image, Metadata

INK = (34, 30, 28)
PAPER = (246, 242, 234)
RED = (178, 34, 34)
GREY = (120, 116, 110)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont,
          width: float) -> list[str]:
    """Greedy line breaking of ``text`` to ``width`` pixels."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            trial = f"{line} {word}".strip()
            if line and length(trial, font) > width:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return lines


def _fit(draw: ImageDraw.ImageDraw, text: str, name: str, size: int, width: float,
         max_lines: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest font (down to a third of ``size``) that sets ``text`` in ``max_lines``."""
    while True:
        font = bundled(name, size)
        lines = _wrap(draw, text, font, width)
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


def placeholder_png(image: Image, words: Words) -> bytes:
    """A clearly marked box standing in for missing art, with what it will show (the
    description, else the caption) and its file name."""
    width, height = _placeholder_size(image)
    canvas = PILImage.new("RGB", (width, height), (236, 233, 227))
    draw = ImageDraw.Draw(canvas)
    stroke = max(4, width // 200)
    draw.line((0, 0, width, height), fill=(214, 209, 200), width=stroke)
    draw.line((0, height, width, 0), fill=(214, 209, 200), width=stroke)
    for inset in (0, stroke * 3):
        draw.rectangle((inset, inset, width - 1 - inset, height - 1 - inset),
                       outline=GREY, width=stroke)
    margin = width * 0.08
    inner = width - 2 * margin
    label = bundled("NotoSans-Bold.ttf", max(16, width // 22))
    y = height * 0.16
    y = _text_block(draw, [words("picture_to_come")], label, margin, y, RED,
                    centre_width=inner)
    # What the picture will show (the author's description): the caption is printed once,
    # under the box.
    text = image.alt or image.caption or words("no_caption")
    font, lines = _fit(draw, text, "CharisSIL-Italic.ttf", max(18, width // 24), inner, 5)
    box_h = len(lines) * font.size * 1.25
    y = max(y + font.size, (height - box_h) / 2)
    _text_block(draw, lines, font, margin, y, INK, centre_width=inner)
    mono = bundled("NotoSans-Regular.ttf", max(14, width // 34))
    name = image.rel if image.rel != "missing" else image.ref
    name_lines = _wrap(draw, words("expected_file", file=name), mono, inner)
    _text_block(draw, name_lines, mono, margin, height * 0.86 - mono.size * 1.25 *
                (len(name_lines) - 1), GREY, centre_width=inner)
    return _png(canvas)


def _placeholder_size(image: Image) -> tuple[int, int]:
    """1200 px wide, at the aspect the art will have (3:2 unless known)."""
    aspect = image.height / image.width if image.width and image.height else 2 / 3
    aspect = min(max(aspect, 0.3), 2.0)
    return 1200, round(1200 * aspect)


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
    font, lines = _fit(draw, metadata.title, "NotoSans-Bold.ttf", 190, inner, 5)
    y = _text_block(draw, lines, font, margin, height * 0.24, INK, leading=1.12, end_width=end)
    if metadata.subtitle:
        sub, sub_lines = _fit(draw, metadata.subtitle, "CharisSIL-Italic.ttf", 90, inner, 4)
        y = _text_block(draw, sub_lines, sub, margin, y + 40, INK, end_width=end)
    if metadata.creators:
        names, name_lines = _fit(draw, ", ".join(metadata.creators), "CharisSIL-Regular.ttf",
                                 84, inner, 3)
        _text_block(draw, name_lines, names, margin, y + 90, INK, end_width=end)
    foot = [text for text in (metadata.source, metadata.publisher) if text]
    if foot:
        small, foot_lines = _fit(draw, "\n".join(foot), "NotoSans-Regular.ttf", 56, inner, 4)
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
