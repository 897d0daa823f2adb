"""Pictures converted for reading on screens: the EPUB's copy of each image.

The print edition keeps every picture at full resolution; e-readers gain nothing from
a 6000-pixel scan but a heavier book. ``screen_image`` turns one picture into a small,
plain file: EXIF orientation applied, at most ``MAX_EDGE`` pixels on the long edge,
RGB, greyscale or with alpha (never palette or CMYK), saved as PNG or JPEG. SVG is
kept as is. The output depends only on the input file, so rebuilds are byte-identical.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from PIL import Image as PILImage
from PIL import ImageOps

from pressrun.manuscript import svg
from pressrun.model import Image, ascii_fold

MAX_EDGE = 1600
"""Longest side, in pixels, of a picture for screens; smaller pictures are not enlarged."""
FLAT_COLOURS = 4096
"""A colour picture with at most this many distinct colours is flat art (kept lossless)."""
JPEG_QUALITY = 85
_GREY = ("1", "L", "LA", "La", "I", "I;16", "I;16L", "I;16B", "I;16N", "F")
_FORMATS = {"PNG": ("image/png", ".png"), "JPEG": ("image/jpeg", ".jpg")}


@dataclass(frozen=True)
class ScreenImage:
    """A picture ready to store in an e-book."""

    href: str
    """Project-relative POSIX path for the file (``images/photo.jpg``), not percent-encoded;
    renamed where that path holds characters an EPUB file name should not (see ``_safe``)."""
    media_type: str
    """``image/png``, ``image/jpeg`` or ``image/svg+xml``."""
    data: bytes
    """The file's contents."""


def screen_image(image: Image, data: bytes) -> ScreenImage:
    """``image``, whose file holds ``data``, converted for screens. Raises OSError (or
    Pillow's UnidentifiedImageError) when the data is not a picture. Animated GIF and
    WebP keep their first frame only.
    """
    if image.media_type == "image/svg+xml":
        return ScreenImage(_safe(image.rel), image.media_type, svg.clean(data))
    with PILImage.open(io.BytesIO(data)) as source:
        source_format = source.format or ""
        scale = MAX_EDGE / max(source.size)
        if source_format == "JPEG" and scale <= 0.5:
            # Let the decoder skip detail (1/2, 1/4, 1/8 scale) that resizing would discard.
            source.draft(None, (round(source.width * scale), round(source.height * scale)))
        picture = _plain(ImageOps.exif_transpose(source))
    scale = MAX_EDGE / max(picture.size)
    keep_alpha = picture.mode in ("RGBA", "LA")
    lossless = keep_alpha or _is_flat(picture)
    if scale < 1:
        size = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
        picture = picture.resize(size, PILImage.Resampling.LANCZOS)
    picture.info.clear()  # no EXIF, ICC profile, comments or timestamps in the output
    out = io.BytesIO()
    if lossless:
        fmt = "PNG"
        picture.save(out, "PNG")  # optimize=True costs seconds per picture for ~5%
    else:
        fmt = "JPEG"
        picture.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=False)
    media_type, suffix = _FORMATS[fmt]
    href = image.rel if fmt == source_format else str(PurePosixPath(image.rel).with_suffix(suffix))
    return ScreenImage(_safe(href), media_type, out.getvalue())


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _safe(href: str) -> str:
    """``href``, or if it holds anything but ASCII letters, digits, ``.``, ``_``, ``-`` and
    ``/`` (``with space.png``, ``100%.png``, ``bild ü.png``), the same made of those, with
    a hash of the original to keep names apart. EPUBCheck refuses such characters in the
    package's links, or warns about them in file names."""
    path = PurePosixPath(href)
    if not any(_UNSAFE.search(part) for part in path.parts):
        return href
    folders = [_ascii(part) or "x" for part in path.parent.parts]
    digest = hashlib.sha256(href.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    name = f"{_ascii(path.stem) or 'picture'}-{digest}{_ascii(path.suffix)}"
    return str(PurePosixPath(*folders, name))


def _ascii(text: str) -> str:
    """``text`` in ASCII letters, digits, ``.``, ``_`` and ``-`` (accents dropped)."""
    return _UNSAFE.sub("-", ascii_fold(text)).strip("-")


def _plain(picture: PILImage.Image) -> PILImage.Image:
    """``picture`` as "RGB" or "L", or "RGBA"/"LA" when some pixel is not fully opaque."""
    if picture.mode.startswith("I") or picture.mode == "F":
        # 16- and 32-bit greyscale: scale 0–65535 down to 0–255 rather than clip.
        picture.info.pop("transparency", None)
        picture = picture.convert("I")
        if _extrema(picture)[1] > 255:
            picture = picture.point(lambda value: value / 257)
    grey, source = picture.mode in _GREY, picture
    if "A" in picture.getbands() or "transparency" in picture.info:
        picture = picture.convert("LA" if grey else "RGBA")
        if _extrema(picture.getchannel("A"))[0] < 255:
            return picture.convert("LA") if not grey and _only_greys(picture, source) \
                else picture
    if not grey:
        picture = picture.convert("RGB")
        # A palette or RGB picture that holds only greys (a scan of a printed page) is
        # stored as greyscale: a third of the data, the same look.
        grey = _only_greys(picture, source)
    return picture.convert("L" if grey else "RGB")


def _extrema(band: PILImage.Image) -> tuple[float, float]:
    """The lowest and highest value of a one-band picture."""
    low, high = band.getextrema()
    return float(low), float(high)  # type: ignore[arg-type]


def _only_greys(picture: PILImage.Image, source: PILImage.Image) -> bool:
    """Whether every colour of an "RGB" or "RGBA" picture, converted from ``source``, is a
    grey (checks up to 256). A palette ``source`` answers from the palette entries its
    pixels use: counting them is a histogram, where counting the converted picture's
    colours hashes every pixel (0.1-0.3 s a scan)."""
    if source.mode == "P" and (used := source.getcolors(256)) is not None:
        palette = source.getpalette("RGB") or []
        entries = [palette[3 * index:3 * index + 3]  # type: ignore[index, operator]
                   for _, index in used]
        if all(len(entry) == 3 for entry in entries):
            return all(red == green == blue for red, green, blue in entries)
    colours = picture.getcolors(256)
    return colours is not None and all(
        c[0] == c[1] == c[2] for _, c in colours)  # type: ignore[index]


def _is_flat(picture: PILImage.Image) -> bool:
    """Whether an opaque "RGB" or "L" picture looks like line art rather than a photo.

    At most ``FLAT_COLOURS`` distinct colours (photos have far more; the count stops
    early), of which the 16 commonest cover 90% of the pixels (ink and paper, plus
    anti-aliasing). A scan reduced to a 256-colour palette fails the second test: its
    paper and ink are many shades, and it compresses far better as JPEG.
    """
    colours = picture.getcolors(FLAT_COLOURS)
    if colours is None:
        return False
    commonest = sorted((count for count, _ in colours), reverse=True)[:16]
    return sum(commonest) >= 0.9 * picture.width * picture.height
