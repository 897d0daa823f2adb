"""pressrun's cache in the user's cache folder: work derived from installed files alone
(templates compiled by Jinja2, hyphenation patterns parsed by pyphen, a language's
direction and plural rules read by babel, WeasyPrint's C declarations parsed by cffi,
its default stylesheets and the theme's parsed by WeasyPrint, the hashes of pressrun's
own files), kept between builds of any project so that the
first build of a new project does not redo it; and the key that signs the parts kept in
a project's ``build/.cache/`` (``manuscript.reread``).

The folder is ``$XDG_CACHE_HOME/pressrun/<python>/`` (``~/.cache/pressrun/…`` when the
variable is unset or not absolute), readable by its owner alone. Nothing of a project is
kept here, and nothing here changes an output: each entry is named by a hash of what it
was made from and checked before use. A folder that cannot be made, or is not the
user's own, and an entry that cannot be read or written, only mean no cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

VARIABLE = "XDG_CACHE_HOME"
T = TypeVar("T")


@cache
def folder() -> Path | None:
    """The cache folder for this Python, made if missing; ``None`` when it cannot be made
    or is open to other users."""
    base = os.environ.get(VARIABLE, "")
    try:
        root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
        path = root / "pressrun" / sys.implementation.cache_tag
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = path.stat()
    except (OSError, RuntimeError):  # RuntimeError: no home folder
        return None
    private = status.st_uid == os.getuid() and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    return path if private else None


def kept(parts: tuple[object, ...], make: Callable[[], T], dump: Callable[[T], bytes],
         load: Callable[[bytes], T]) -> T:
    """What ``make()`` makes from what ``parts`` names: read back by ``load`` when kept
    (``load`` raises ValueError, TypeError or EOFError for an entry it cannot use), else
    made and kept as ``dump`` gives it (``dump`` raises ValueError for what cannot be
    kept)."""
    entry = name(*parts)
    if (data := read(entry)) is not None:
        with contextlib.suppress(ValueError, TypeError, EOFError):
            return load(data)
    made = make()
    with contextlib.suppress(ValueError):
        write(entry, dump(made))
    return made


def name(*parts: object) -> str:
    """An entry's file name: a hash of what the entry was made from."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def read(entry: str) -> bytes | None:
    """The content of ``entry``, or ``None``."""
    where = folder()
    if where is None:
        return None
    try:
        return (where / entry).read_bytes()
    except OSError:
        return None


def write(entry: str, data: bytes) -> None:
    """Keep ``data`` as ``entry``: written to a temporary file and renamed into place, so
    that another build never reads half of it; not kept when that fails."""
    where = folder()
    if where is None:
        return
    with contextlib.suppress(OSError):
        handle, temporary = tempfile.mkstemp(dir=where, prefix=f".{entry}.")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, where / entry)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
