"""The build cache: a build whose inputs have not changed is not run again.

A build's key is a hash of everything that decides its outputs: every file of the
project's ``manuscript/``, ``images/`` and ``styles/``, every file of pressrun itself
(code, theme, fonts), the WeasyPrint version, the command's options and
``SOURCE_DATE_EPOCH``. A file is hashed by content, so touching it without changing it
is still a hit; its size and modification time only spare hashing it again when they
are unchanged. The key and the outputs' hashes are kept in ``build/.cache/``: when the
key matches and every output is still the file that build wrote, the build is skipped
and its report repeated.

This module reads no manuscript and imports nothing heavy: a cache hit must cost no
more than starting Python.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from pressrun import __version__

CACHE = Path("build") / ".cache"
INPUTS = ("manuscript", "images", "styles")
PACKAGE = Path(__file__).resolve().parent

Stats = dict[str, list]
"""By path: [size, mtime_ns, sha256], so unchanged files are not hashed again."""


@dataclass
class Stamp:
    """What a successful build recorded about itself."""

    key: str
    """The hash of its inputs."""
    outputs: Stats
    """The files it wrote, by absolute path."""
    lines: list[str]
    """What it reported on stdout."""
    warnings: list[str]
    """The warnings it gave."""
    stats: Stats
    """The inputs as last hashed."""


def _hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _file_hash(path: Path, base: Path, known: Stats, seen: Stats) -> str:
    """The content hash of ``path``, reusing ``known`` when size and mtime match.

    Only regular files inside ``base`` are read: a link is known by where it points
    (and that file's content when it is inside), a device or pipe by its kind, so a
    link to /dev/urandom or outside the project is never read.
    """
    link = f"link to {os.readlink(path)}:" if path.is_symlink() else ""
    try:
        info = path.stat()
        inside = path.resolve().is_relative_to(base)
    except (OSError, RuntimeError):  # a dangling or looping link
        return link or "unreadable"
    if not stat.S_ISREG(info.st_mode) or not inside:
        return link + ("outside" if stat.S_ISREG(info.st_mode) else "not a regular file")
    name = str(path)
    old = known.get(name)
    if old and old[0] == info.st_size and old[1] == info.st_mtime_ns:
        digest = old[2]
    else:
        digest = _hash(path)
    seen[name] = [info.st_size, info.st_mtime_ns, digest]
    return link + digest


def _files(folder: Path) -> list[Path]:
    found = []
    for top, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        found += [Path(top) / name for name in sorted(names) if not name.endswith(".pyc")]
    return found


def _weasyprint_version() -> str:
    """WeasyPrint's installed version, from its dist-info folder's name (importing
    ``importlib.metadata`` or WeasyPrint itself would cost more than the whole check)."""
    from importlib.util import find_spec

    spec = find_spec("weasyprint")
    if spec is None or spec.origin is None:
        return "none"
    site = Path(spec.origin).parent.parent
    return ",".join(sorted(p.name for p in site.glob("weasyprint-*.*-info")))


def fingerprint(root: Path, request: dict[str, object], known: Stats,
                inputs: tuple[str, ...] = INPUTS) -> tuple[str, Stats]:
    """The key of a build of ``root`` with the options in ``request``, and the file stats
    seen on the way. ``inputs`` are the project's folders it covers."""
    seen: Stats = {}
    digest = hashlib.sha256()
    header = {"pressrun": __version__, "weasyprint": _weasyprint_version(),
              "request": request, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH")}
    digest.update(json.dumps(header, sort_keys=True, default=str).encode())
    for base, folders in ((root, inputs), (PACKAGE, (".",))):
        for folder in folders:
            for path in _files(base / folder):
                rel = path.relative_to(base).as_posix()
                file_hash = _file_hash(path, base.resolve(), known, seen)
                digest.update(f"{base == root}:{rel}:{file_hash}\n".encode())
    return digest.hexdigest(), seen


def _stamp_path(root: Path, request: dict[str, object]) -> Path:
    name = hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode())
    return root / CACHE / f"{name.hexdigest()[:16]}.json"


def lookup(root: Path, request: dict[str, object]) -> tuple[Stamp | None, str, Stats]:
    """The stamp of an identical earlier build whose outputs are intact, if any; and the
    current key and stats (for ``record``)."""
    path = _stamp_path(root, request)
    try:
        stamp = Stamp(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        stamp = None
    key, stats = fingerprint(root, request, stamp.stats if stamp else {})
    if stamp is None or stamp.key != key or not _intact(stamp.outputs):
        return None, key, stats
    return stamp, key, stats


def _intact(outputs: Stats) -> bool:
    for name, (size, mtime, digest) in outputs.items():
        path = Path(name)
        try:
            info = path.stat()
        except OSError:
            return False
        if (info.st_size, info.st_mtime_ns) != (size, mtime) and _hash(path) != digest:
            return False
    return True


def record(root: Path, request: dict[str, object], key: str, stats: Stats,
           outputs: list[Path], lines: list[str], warnings: list[str]) -> None:
    """Remember a successful build, so that the same build next time is skipped."""
    from pressrun.output import write_atomic

    written: Stats = {}
    for path in outputs:
        info = path.stat()
        written[str(path.resolve())] = [info.st_size, info.st_mtime_ns, _hash(path)]
    stamp = Stamp(key, written, lines, warnings, stats)
    write_atomic(_stamp_path(root, request),
                 json.dumps(stamp.__dict__, indent=1, sort_keys=True).encode())
