"""Pictures handed to WeasyPrint already converted as it would convert them, quickly.

WeasyPrint holds a PNG as its file's bytes, unless the picture has a palette, one bit or
32-bit integers a pixel, or a transparent colour: it converts those to RGB (or RGBA, for
the transparency) when it loads them, and stores the conversion as a PNG at zlib's
default compression, in the layout, where it waits for nothing else (Ten Days' eight
palette illustrations: 2.7 s of its layout). When it writes the PDF it decodes the
picture and compresses its pixels again, so the stored copy's compression never reaches
the PDF: the fetcher hands WeasyPrint the same conversion, stored with zlib's fastest
compression (0.8 s for the eight), and the PDF has the same bytes.
"""

from __future__ import annotations

import hashlib
import io

CONVERTED = ("1", "P", "I")
"""The modes WeasyPrint converts to RGB when it loads a picture (``RasterImage``)."""


LOADED = "pressrun-loaded-"
"""How a conversion is named in WeasyPrint's picture cache, before the file's sha256."""


def as_loaded(data: bytes, media_type: str, kept: dict | None = None) -> bytes:
    """``data`` (a picture of ``media_type``) as WeasyPrint would hold it once loaded: a PNG
    it would convert, converted; anything else as it is. A picture it would turn first
    (EXIF orientation) is left to it. A conversion is kept in ``kept`` (WeasyPrint's
    picture cache) by the file's hash, where a process planning the sections ahead puts
    the conversions it made (``weasyahead``)."""
    if media_type != "image/png":
        return data
    if kept is None:
        return _converted(data)
    key = LOADED + hashlib.sha256(data).hexdigest()
    if key not in kept:
        converted = _converted(data)
        if converted is data:
            return data
        kept[key] = converted
    return kept[key]


def _converted(data: bytes) -> bytes:
    """The PNG ``data`` converted as WeasyPrint would on loading it, or ``data``."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as picture:
            transparent = "transparency" in picture.info
            if picture.format != "PNG" or "exif" in picture.info or not (
                    transparent or picture.mode in CONVERTED):
                return data
            converted = picture.convert("RGBA" if transparent else "RGB")
    except (OSError, UnidentifiedImageError, ValueError):  # WeasyPrint's to report
        return data
    out = io.BytesIO()
    converted.save(out, format="PNG", compress_level=1)
    return out.getvalue()
