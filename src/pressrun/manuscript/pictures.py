"""Finding and checking the picture files a manuscript refers to."""

from __future__ import annotations

import hashlib
import io
import itertools
import re
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

from markdown_it.rules_core import StateCore
from PIL import Image as PILImage
from PIL import ImageFile

from pressrun.manuscript import svg
from pressrun.model import Image, SourceLocation
from pressrun.problems import PressrunError, Problems
from pressrun.project import BUILD, Project

# EPUB 3 core media types for raster images, by Pillow's format name.
RASTER_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif",
                "WEBP": "image/webp"}
SUFFIXES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WEBP"}
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(px|pt|mm|cm|in)?\s*$")


_WIDTH = re.compile(r"(\d+(?:\.\d+)?)(%|mm)")
"""A picture's printed width: a share of the text width, or millimetres."""
_SHARE = re.compile(r"\{\s*width\s*=\s*(\d+(?:\.\d+)?%)\s*\}")


def share_width(state: StateCore) -> None:
    """``![…](stamp.jpg){width=35%}``: the attributes' grammar (djot's) takes no "%" in a
    bare value, as pandoc's does; a width so written after a picture is its attribute."""
    for token in state.tokens:
        children = token.children or []
        for image, text in itertools.pairwise(children):
            found = _SHARE.match(text.content) if image.type == "image" and \
                text.type == "text" else None
            if found:
                image.attrs["width"] = found[1]
                text.content = text.content[found.end():]


def printed_width(width: str) -> bool:
    """Whether ``width`` is a picture's printed width: 1% to 100% of the text width, or up
    to 1000 millimetres."""
    found = _WIDTH.fullmatch(width)
    return bool(found and 0 < float(found[1]) <= (100 if found[2] == "%" else 1000))


def resolve_image(
    ref: str, alt: str, caption: str, base: Path, project: Project,
    location: SourceLocation, report: Problems,
) -> Image:
    """The picture ``ref`` written in a file in folder ``base``; problems go to ``report``."""
    root = project.root
    fallback = Image(ref, root / "missing", "missing", alt, caption, location, missing=True)
    if not ref:
        report.error(location, "bad-picture",
                     "picture with an empty path: write ![description](../images/NAME)")
        return fallback
    if _SCHEME.match(ref):
        report.error(location, "remote-picture",
                     f"picture '{ref}' is a URL: pressrun never downloads; save the "
                     "file in images/ and refer to it as ../images/NAME")
        return fallback
    try:
        path = (base / unquote(ref)).resolve()
    except ValueError:  # a NUL character, written %00
        report.error(location, "bad-picture",
                     f"picture '{ref}' is not a possible file name (it holds a NUL "
                     "character, %00): refer to it as ../images/NAME")
        return fallback
    if not path.is_relative_to(root) or path.is_relative_to(root / BUILD):
        report.error(location, "outside-project",
                     f"picture '{ref}' is outside the project: keep pictures in "
                     "images/ and refer to them as ../images/NAME")
        return fallback
    rel = project.rel(path)
    try:
        exists = path.exists()
    except OSError:  # a name too long for the file system, say
        exists = False
    if not exists:
        return Image(ref, path, rel, alt, caption, location, missing=True)
    try:
        width, height, media_type, dropped, deep = probe(project, path)
    except ValueError as exc:
        report.error(location, "bad-picture", f"picture '{rel}' {exc}")
        return fallback
    if dropped:
        report.warning(location, "svg-dropped",
                       f"picture '{rel}' holds {_listed(dropped)}, which a picture in a "
                       "book cannot use: left out of the PDF and the EPUB")
    if not alt.strip():
        report.warning(location, "no-description",
                       f"picture '{rel}' has no description for readers who cannot "
                       "see it: write what it shows between the square brackets, "
                       "![…](…)")
    return Image(ref, path, rel, alt, caption, location, False, width, height, media_type,
                 deep)


def _listed(items: tuple[str, ...]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return " and ".join(filter(None, (", ".join(items[:-1]), items[-1])))


Probed = tuple[int, int, str, tuple[str, ...], bool]
"""What ``probe`` finds."""
_PROBED: dict[Path, tuple[bytes, Probed]] = {}
"""What each picture's last probe in this process found, with a hash of the bytes probed:
``pressrun watch`` reads an edited part again, and so its pictures (Ten Days' chapter XI:
four decoded in 0.1 s of a 0.2 s reading)."""


def probe(project: Project, path: Path) -> Probed:
    """Width, height and media type of a picture, what of an SVG is left out (see ``svg``)
    and whether it has more than 8 bits a channel; ValueError saying what is wrong."""
    if not project.is_file(path):
        raise ValueError("is not a file")
    try:
        data = project.read_bytes(path)
    except PressrunError as exc:
        raise ValueError(exc.message) from None
    digest = hashlib.blake2b(data, digest_size=16).digest()
    kept = _PROBED.get(path)
    if kept is None or kept[0] != digest:
        kept = _PROBED[path] = digest, probe_bytes(data, path)
    return kept[1]


_ORIENTATION = 0x0112
"""The EXIF tag saying how a photo was turned when it was taken."""


def probe_bytes(data: bytes, path: Path) -> Probed:
    """``probe`` of the picture ``data``, to be saved as ``path``."""
    if path.suffix.lower() == ".svg":
        return _probe_svg(data)
    # WeasyPrint, once imported, lets Pillow accept truncated files; a check must not.
    lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(data)) as image:
                image.load()
                width, height, kind = image.width, image.height, image.format
                deep = image.mode.startswith("I") or image.mode == "F"
                if image.getexif().get(_ORIENTATION, 1) in (5, 6, 7, 8):
                    width, height = height, width  # a photo taken on its side, shown upright
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise ValueError("is too large to be an image (over "
                         f"{PILImage.MAX_IMAGE_PIXELS:,} pixels): scale it down") from None
    except PILImage.UnidentifiedImageError:
        raise ValueError("is not a readable image (not a picture format Pillow knows, or "
                         "empty): save it again as PNG or JPEG") from None
    except (OSError, SyntaxError) as exc:
        raise ValueError(f"is not a readable image ({_reason(exc)}): save it again as "
                         "PNG or JPEG") from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    media_type = RASTER_TYPES.get(kind or "")
    if media_type is None:
        raise ValueError(f"is a {kind} image, which e-book readers do not show: "
                         "convert it to PNG or JPEG")
    expected = SUFFIXES.get(path.suffix.lower())
    if expected != kind:
        right = {"JPEG": ".jpg"}.get(kind or "", f".{(kind or '').lower()}")
        raise ValueError(f"is a {kind} image with a '{path.suffix}' name: rename it to "
                         f"'{path.stem}{right}' (and the reference to it)")
    return width, height, media_type, (), deep


def _probe_svg(data: bytes) -> Probed:
    try:
        root = ET.fromstring(data)
    except (ET.ParseError, OSError) as exc:
        raise ValueError(f"is not a readable SVG image ({_reason(exc)})") from None
    if root.tag not in ("{http://www.w3.org/2000/svg}svg", "svg"):
        raise ValueError("is not an SVG image (its root element is not <svg>)")
    findings = svg.inspect(root)
    if findings.reference is not None:
        raise ValueError(f"refers to another file ({findings.reference!r}): an SVG picture "
                         "must be self-contained (embed the file, or use PNG)")
    box = (root.get("viewBox") or "").replace(",", " ").split()
    try:
        numbers = [float(number) for number in box]
    except ValueError:
        numbers = []
    if box and len(numbers) != 4:  # the layout engine fails on it
        raise ValueError(f"has a viewBox that is not four numbers ({root.get('viewBox')!r}): "
                         "write it as viewBox=\"0 0 WIDTH HEIGHT\", or remove it")
    width, height = _length(root.get("width")), _length(root.get("height"))
    if (width is None or height is None) and numbers:
        width, height = numbers[2], numbers[3]
    if not width or not height:
        width, height = 1500.0, 1000.0
    return round(width), round(height), "image/svg+xml", findings.dropped, False


def _length(value: str | None) -> float | None:
    match = _LENGTH.match(value or "")
    return float(match[1]) if match else None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:120]
