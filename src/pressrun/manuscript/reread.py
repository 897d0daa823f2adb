"""Parts read once and kept while no file they were read from changes.

``pressrun watch`` reads the whole manuscript again for every rebuild (Ten Days: 0.6 s
of a 3.7 s rebuild after one part was edited). A part depends on its file, on the
publication's language and on the pictures it names (whether each exists, and what it
holds); so each part read is kept with the status of those files, taken before they were
read, and is read again only when one of them changed (its size, times, or the file
itself: an editor that saves by renaming), or had been modified too recently for a
second save to show (``project.settled``). Only the last read's parts are kept.

They are kept between runs too, in ``build/.cache/parts`` (see ``across_runs``): a
``pressrun check`` after a build, or after editing one part, reads only what changed
(Ten Days: 0.3 s instead of 0.8 s). The file is a pickle, which could run code when
read, so it is signed with a key only its user can read (kept in the user's cache): a
file that a project ships, or that another user or another pressrun wrote, is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import pickle
import secrets
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from pressrun import __version__, usercache
from pressrun.problems import PressrunError, log
from pressrun.project import BUILD, CACHE, Project, settled

Status = tuple[int, int, int, int, int] | None
"""A file's device, inode, size and modification and change times; None: no such file."""
Files = tuple[tuple[str, Status], ...]
"""Files read, each with its status before it was read."""

Read = tuple[Any, Files]
"""What reading a part gave, and the files it was read from."""

_KEPT: dict[tuple[str, str], Read] = {}
"""The last read's parts, by file and language."""


UNSETTLED: Status = (-1, -1, -1, -1, -1)
"""The status of a file changed too recently to be known by its status
(``project.settled``): what was read from it is not kept (``keep``)."""


def status(path: Path) -> Status:
    """The status of the file at ``path`` (following links), or None; ``UNSETTLED`` for a
    file that changed too recently for a later change to show in its status."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    if not settled(info):
        return UNSETTLED
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns


def kept(path: Path, language: str) -> Read | None:
    """The last read of the part at ``path`` in ``language``, if none of the files it was
    read from has changed since; else None."""
    found = _KEPT.get((str(path), language))
    if found is None or any(status(Path(name)) != was for name, was in found[1]):
        return None
    return found


def keep(read: dict[tuple[str, str], Read]) -> None:
    """Keep this read's parts (by file and language), and no other; not those read from a
    file that had not settled (``UNSETTLED``), which a later save might not show."""
    _KEPT.clear()
    _KEPT.update((name, found) for name, found in read.items()
                 if all(was != UNSETTLED for _, was in found[1]))


KEPT_FILE = "parts"
"""The parts' file in ``build/.cache/``: a signature, what made the parts, their pickle."""
LARGEST = 256 << 20
"""The largest parts file read (Ten Days': 1.1 MiB)."""
LIBRARIES = ("markdown_it_py", "mdit_py_plugins", "pillow", "pyyaml", "python_slugify",
             "text_unidecode", "unidecode", "anyascii")
"""The distributions whose versions decide a part read (python-slugify transliterates with
the first of the last three installed)."""
_SIGNATURE = hashlib.sha256().digest_size


@contextlib.contextmanager
def across_runs(project: Project, make_folder: bool = True) -> Iterator[None]:
    """Parts kept in ``project``'s ``build/.cache/`` by an earlier run taken as if this
    process had read them, and the parts read meanwhile kept there after; without
    ``make_folder``, only when ``build/`` exists (``pressrun check`` makes no folder).
    Nothing is kept when the folder cannot be written or leads out of the project, or
    when the user's cache cannot keep the key."""
    target = project.path(CACHE) / KEPT_FILE
    try:
        usable = (make_folder or project.path(BUILD).is_dir()) and _key() is not None
        if usable:
            project.check_folder(project.path(BUILD))
            project.check_folder(project.path(CACHE))
    except PressrunError:
        usable = False
    if not usable:
        yield
        return
    info, found = project.regular(target), {}
    if info is not None and info.st_size <= LARGEST:
        with contextlib.suppress(PressrunError):
            found = _unsigned(project.read_bytes(target))
    _KEPT.update(found)
    yield
    if _statuses(_KEPT) != _statuses(found):
        try:
            project.write(target, _signed(_KEPT))
        except (PressrunError, pickle.PicklingError) as exc:
            log.debug("parts not kept: %s", exc)


def _statuses(read: dict[tuple[str, str], Read]) -> dict[tuple[str, str], Files]:
    return {name: files for name, (_, files) in read.items()}


def _signed(read: dict[tuple[str, str], Read]) -> bytes:
    """``read`` as kept on disk: signed, after what made it."""
    data = _code().encode() + pickle.dumps(read, protocol=pickle.HIGHEST_PROTOCOL)
    return hmac.digest(_key() or b"", data, "sha256") + data


def _unsigned(data: bytes) -> dict[tuple[str, str], Read]:
    """The parts in ``data`` when this user's pressrun, the same code, kept them; else
    none. Nothing is unpickled before the signature and the code are checked."""
    signature, signed = data[:_SIGNATURE], data[_SIGNATURE:]
    code = _code().encode()
    if not hmac.compare_digest(signature, hmac.digest(_key() or b"", signed, "sha256")) \
            or not signed.startswith(code):
        return {}
    return pickle.loads(signed[len(code):])


@cache
def _key() -> bytes | None:
    """This user's signing key, kept in the user's cache; None when it cannot be kept."""
    def checked(data: bytes) -> bytes:
        if len(data) != 32:
            raise ValueError("not a key")
        return data

    if usercache.folder() is None:
        return None
    return usercache.kept(("parts-signing-key",), lambda: secrets.token_bytes(32),
                          bytes, checked)


@cache
def _code() -> str:
    """What made a part: pressrun's code (its files' sizes and times), Python, and the
    installed versions of ``LIBRARIES``."""
    from pressrun.cache import PACKAGE

    own = [(str(path), (info := path.stat()).st_size, info.st_mtime_ns)
           for path in Project(PACKAGE).files(".", ".py")]
    installed = sorted(name for folder in sys.path if os.path.isdir(folder)
                       for name in os.listdir(folder) if name.endswith(".dist-info")
                       and name.lower().startswith(tuple(f"{d}-" for d in LIBRARIES)))
    return usercache.name(__version__, sys.version, installed, own)
