"""The pictures of an imported article: had from the saved page's folder, the web page's
site or the Word file, checked as a build checks them, and named for ``images/``. A
picture that cannot be had keeps its reference, and the build draws its placeholder."""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from PIL import Image as PILImage

from pressrun.manuscript.pictures import SUFFIXES, probe_bytes
from pressrun.model import slugify
from pressrun.problems import PressrunError

Getter = Callable[[str], bytes]
"""Gets a picture's bytes by its ``src``; raises PressrunError when it cannot."""
_MAGIC = ((b"\xff\xd8\xff", ".jpg"), (b"\x89PNG\r\n\x1a\n", ".png"), (b"GIF8", ".gif"))
NAME_LENGTH = 60
PICTURE_LIMIT = 20 * 2**20
"""The largest picture an import takes, saved or downloaded."""


@dataclass
class Pictures:
    """Collects the pictures of one imported part (called for each, in order)."""

    get: Getter | None
    """None with ``--no-images``: every picture is left to come."""
    taken: set[str]
    """File names already in ``images/``."""
    files: list[tuple[str, bytes]] = field(default_factory=list)
    to_come: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def __call__(self, src: str, alt: str, caption: str) -> str:
        data, suffix = self._fetch(src) if src and self.get else (None, "")
        stem = slugify(caption or alt or Path(unquote(urlsplit(src).path)).stem, "picture",
                       NAME_LENGTH)
        suffix = suffix or _suffix_of(src)
        name = f"{stem}{suffix}"
        number = 1
        while name.lower() in self.taken:
            number += 1
            name = f"{stem}-{number}{suffix}"
        self.taken.add(name.lower())
        if data is None:
            self.to_come.append(name)
        else:
            self.files.append((f"images/{name}", data))
        return f"../images/{name}"

    def _fetch(self, src: str) -> tuple[bytes | None, str]:
        """The picture's bytes, in a format the build takes, and their suffix."""
        assert self.get is not None
        try:
            data = self.get(src)
        except PressrunError as exc:
            self.problems.append(f"{_short(src)}: {exc.message}")
            return None, ""
        suffix = _kind(data)
        if suffix is None:  # another raster format (TIFF, BMP, AVIF…): kept as PNG
            data, suffix = _as_png(data) or b"", ".png"
        try:
            probe_bytes(data, Path("picture" + suffix))
        except ValueError as exc:
            self.problems.append(f"{_short(src)} {exc}")
            return None, ""
        return data, suffix


def _kind(data: bytes) -> str | None:
    for magic, suffix in _MAGIC:
        if data.startswith(magic):
            return suffix
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    head = data[:2048].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return ".svg"
    return None


def _as_png(data: bytes) -> bytes | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(data)) as image:
                out = io.BytesIO()
                image.save(out, format="PNG")
                return out.getvalue()
    except Exception:  # any picture Pillow cannot read is reported by probe_bytes
        return None


def _suffix_of(src: str) -> str:
    suffix = Path(unquote(urlsplit(src).path)).suffix.lower()
    return suffix if suffix in SUFFIXES or suffix == ".svg" else ".jpg"


def _short(src: str) -> str:
    return src if len(src) <= 80 else src[:77] + "…"


def local_getter(folder: Path) -> Getter:
    """Pictures of a page saved in ``folder`` (and its ``_files`` folder): only files
    inside it, never an address on the web or elsewhere on the computer."""
    root = folder.resolve()

    def get(src: str) -> bytes:
        parts = urlsplit(src)
        if parts.scheme or parts.netloc or src.startswith("/"):
            raise PressrunError("is not in the saved page's folder (the page was saved "
                                "without it)")
        path = (root / unquote(parts.path)).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise PressrunError("is not in the saved page's folder")
        if path.stat().st_size > PICTURE_LIMIT:
            raise PressrunError(f"is larger than {PICTURE_LIMIT // 2**20} MB")
        return path.read_bytes()

    return get
