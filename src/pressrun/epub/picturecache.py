"""The screen-image cache: the EPUB's converted pictures, kept on disk between builds.

Converting pictures for screens is most of the time an EPUB takes to write, and a
rebuild after editing only the text would convert them all again. Each converted
picture is kept in one file of ``build/.cache/screen/``, named by a hash of the source
file's bytes and of everything else that decides the result: the conversion's
settings and code, Pillow and its codecs, and the picture's path in the project (the
EPUB's file name derives from it). A missing, cut-short or damaged entry is converted
again and rewritten; a cache file never makes a build fail, nor changes its bytes.

SVG is copied as it is and never cached. An EPUB written outside ``build/`` (``-o``)
uses no disk cache, so such a build leaves the project untouched.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import PIL
from PIL import features

from pressrun.epub import pictures
from pressrun.epub.pictures import ScreenImage, screen_image
from pressrun.model import Image
from pressrun.problems import PressrunError, log
from pressrun.project import BUILD, CACHE, Project

FORMAT = 1
"""The version of the entries' layout and key; bump it to drop every old entry."""
FOLDER = f"{CACHE}/screen"
"""Where the entries live, relative to the project."""
SUFFIX = ".entry"
_MAGIC = b"pressrun screen image\n"


def folder_for(project: Project, target: Path) -> Path | None:
    """The cache folder of the project when ``target`` (the EPUB) goes into its
    ``build/``; None for an output elsewhere, which must leave the project as it is."""
    build = project.path(BUILD).resolve()
    return project.path(FOLDER) if target.resolve().is_relative_to(build) else None


def convert(image: Image, data: bytes, project: Project, folder: Path | None) -> ScreenImage:
    """``screen_image(image, data)``, taken from the cache in ``folder`` when an earlier
    build converted the same file; a new conversion is stored there. Without a folder,
    or for SVG, the picture is simply converted."""
    if folder is None or image.media_type == "image/svg+xml":
        return screen_image(image, data)
    name = key(image, data)
    entry = folder / f"{name}{SUFFIX}"
    found = read_entry(project, entry, name)
    if found is None:
        found = screen_image(image, data)
        write_entry(project, entry, name, found)
    return found


def key(image: Image, data: bytes) -> str:
    """The name of the entry for ``image`` whose file holds ``data``."""
    decides = {"format": FORMAT, "max_edge": pictures.MAX_EDGE,
               "flat_colours": pictures.FLAT_COLOURS,
               "jpeg_quality": pictures.JPEG_QUALITY, "pillow": PIL.__version__,
               "codecs": _codecs(), "code": _code(), "rel": image.rel,
               "media_type": image.media_type}
    digest = hashlib.sha256(json.dumps(decides, sort_keys=True).encode() + b"\0")
    digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _codecs() -> dict[str, str | None]:
    # Pillow built against the system's libraries encodes with whatever version is there.
    return {codec: features.version(codec) for codec in ("jpg", "zlib")}


@lru_cache(maxsize=1)
def _code() -> str:
    # A change to the conversion must not serve pictures converted the old way.
    return hashlib.sha256(Path(pictures.__file__).read_bytes()).hexdigest()


def read_entry(project: Project, entry: Path, name: str) -> ScreenImage | None:
    """The picture stored in ``entry`` under the key ``name``, or None when the file is
    missing, unreadable or not a complete, intact entry for that key."""
    try:
        raw = project.read_bytes(entry)
    except PressrunError:
        return None
    header, _, data = raw.removeprefix(_MAGIC).partition(b"\n")
    try:
        fields = json.loads(header)
        found = ScreenImage(fields["href"], fields["media_type"], data)
        intact = (raw.startswith(_MAGIC) and fields["key"] == name
                  and fields["sha256"] == hashlib.sha256(data).hexdigest()
                  and isinstance(found.href, str) and isinstance(found.media_type, str))
    except (ValueError, TypeError, KeyError):
        intact = False
    if not intact:
        log.debug("%s: damaged screen-image cache entry, converting again", entry)
        return None
    return found


def write_entry(project: Project, entry: Path, name: str, picture: ScreenImage) -> None:
    """Store ``picture`` in ``entry`` atomically; a failure (a full disk, a read-only
    folder, a link out of the project) only costs the next build the conversion."""
    fields = {"key": name, "href": picture.href, "media_type": picture.media_type,
              "sha256": hashlib.sha256(picture.data).hexdigest()}
    header = json.dumps(fields, sort_keys=True).encode()
    try:
        project.write(entry, _MAGIC + header + b"\n" + picture.data)
    except (OSError, PressrunError) as exc:
        log.debug("%s: not cached: %s", entry, exc)
