"""Parts read once and kept while no file they were read from changes.

``pressrun watch`` reads the whole manuscript again for every rebuild (Ten Days: 0.6 s
of a 3.7 s rebuild after one part was edited). A part depends on its file, on the
publication's language and on the pictures it names (whether each exists, and what it
holds); so each part read is kept with the status of those files, taken before they were
read, and is read again only when one of them changed (its size, times, or the file
itself: an editor that saves by renaming). Only the last read's parts are kept.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

Status = tuple[int, int, int, int, int] | None
"""A file's device, inode, size and modification and change times; None: no such file."""
Files = tuple[tuple[str, Status], ...]
"""Files read, each with its status before it was read."""

Read = tuple[Any, Files]
"""What reading a part gave, and the files it was read from."""

_KEPT: dict[tuple[str, str], Read] = {}
"""The last read's parts, by file and language."""


def status(path: Path) -> Status:
    """The status of the file at ``path`` (following links), or None."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns


def kept(path: Path, language: str) -> Read | None:
    """The last read of the part at ``path`` in ``language``, if none of the files it was
    read from has changed since; else None."""
    found = _KEPT.get((str(path), language))
    if found is None or any(status(Path(name)) != was for name, was in found[1]):
        return None
    return found


def keep(read: dict[tuple[str, str], Read]) -> None:
    """Keep this read's parts (by file and language), and no other."""
    _KEPT.clear()
    _KEPT.update(read)
