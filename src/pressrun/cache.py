"""The build cache: a build whose inputs have not changed is not run again.

A build's key is a hash of everything that decides its outputs: every file of the
project's ``manuscript/``, ``images/`` and ``styles/``, every file of pressrun itself
(code, theme, fonts), the WeasyPrint version, the command's options and
``SOURCE_DATE_EPOCH``. A file is hashed by content, so touching it without changing it
is still a hit; its size and modification time only spare hashing it again when they
are unchanged, and it had settled when last hashed (``project.settled``). The key and
the outputs' hashes are kept in ``build/.cache/``: when the key matches and every output
is still the file that build wrote, the build is skipped and its report repeated (and
the stats kept, when files were touched or have settled since). The stats and hashes
of pressrun's own files are also kept in the user's cache (``usercache``), for a
fingerprint with none of its own.

This module reads no manuscript and imports nothing heavy: a cache hit must cost no
more than starting Python.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pressrun import __version__, usercache
from pressrun.problems import PressrunError, log
from pressrun.project import CACHE, SOURCES, Project, settled

if TYPE_CHECKING:
    from pressrun.build import Result

PACKAGE = Path(__file__).resolve().parent
OWN_PREFIX = str(PACKAGE) + os.sep
OWN = usercache.name("own-files", str(PACKAGE), __version__)
"""The user's cache entry of pressrun's own files' stats (see ``_own_stats``)."""

Stats = dict[str, list]
"""By path: [size, mtime_ns, sha256], so unchanged files are not hashed again."""
UNSETTLED = -1
"""The mtime kept for a file changed too recently to be known by its stats
(``project.settled``): it matches none, so the file is hashed again next time."""


@dataclass
class Stamp:
    """What a successful build recorded about itself."""

    key: str
    """The hash of its inputs."""
    outputs: Stats
    """The files it wrote, by absolute path."""
    result: dict
    """What it reported (a ``build.Result``, as JSON)."""
    stats: Stats
    """The inputs as last hashed."""


def _hash(project: Project, path: Path) -> str:
    return hashlib.sha256(project.read_bytes(path)).hexdigest()


def _file_hash(project: Project, path: Path, known: Stats, seen: Stats) -> str:
    """The content hash of ``path``, reusing ``known`` when size and mtime match (kept
    only for a file that had settled, ``project.settled``).

    Only regular files inside the project are read: a link is known by where it points
    (and that file's content when it is inside), a device or pipe by its kind, so a link
    to /dev/urandom or outside the project is never read.
    """
    link = f"link to {os.readlink(path)}:" if path.is_symlink() else ""
    info = project.regular(path)
    if info is None:
        return link + "not a regular file inside the project"
    name = str(path)
    old = known.get(name)
    if old and old[0] == info.st_size and old[1] == info.st_mtime_ns:
        digest = old[2]
    else:
        digest = _hash(project, path)
    seen[name] = [info.st_size, info.st_mtime_ns if settled(info) else UNSETTLED, digest]
    return link + digest


def _weasyprint_version() -> str:
    """WeasyPrint's installed version, from its dist-info folder's name (importing
    ``importlib.metadata`` or WeasyPrint itself would cost more than the whole check)."""
    from importlib.util import find_spec

    spec = find_spec("weasyprint")
    if spec is None or spec.origin is None:
        return "none"
    site = Path(spec.origin).parent.parent
    return ",".join(sorted(p.name for p in site.glob("weasyprint-*.*-info")))


def fingerprint(project: Project, request: dict[str, object], known: Stats,
                inputs: tuple[str, ...] = SOURCES) -> tuple[str, Stats]:
    """The key of a build of ``project`` with the options in ``request``, and the file
    stats seen on the way. ``inputs`` are the project's folders it covers. pressrun's own
    files not in ``known`` are taken as last hashed by any build (``_own_stats``)."""
    seen: Stats = {}
    digest = hashlib.sha256()
    header = {"pressrun": __version__, "weasyprint": _weasyprint_version(),
              "request": request, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH")}
    digest.update(json.dumps(header, sort_keys=True, default=str).encode())
    own, kept = Project(PACKAGE), _own_stats()
    for base, folders, was in ((project, inputs, known), (own, (".",), {**kept, **known})):
        for folder in folders:
            for path in base.files(folder):
                rel = path.relative_to(base.root).as_posix()
                file_hash = _file_hash(base, path, was, seen)
                digest.update(f"{base is project}:{rel}:{file_hash}\n".encode())
    _keep_own_stats(seen, kept)
    return digest.hexdigest(), seen


def _stamp_path(project: Project, request: dict[str, object]) -> Path:
    name = hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode())
    return project.path(CACHE) / f"{name.hexdigest()[:16]}.json"


def lookup(project: Project, request: dict[str, object]) -> tuple[Result | None, Stamp]:
    """The result of an identical earlier build whose outputs are intact, if any; and the
    stamp for ``record`` to complete."""
    from pressrun.build import Result, Written

    try:
        stamp: Stamp | None = Stamp(**json.loads(project.read_bytes(
            _stamp_path(project, request))))
    except (PressrunError, ValueError, TypeError):
        stamp = None
    key, stats = fingerprint(project, request, stamp.stats if stamp else {})
    if stamp is None or stamp.key != key or not _intact(project, stamp.outputs):
        return None, Stamp(key, {}, {}, stats)
    if stats != stamp.stats:  # files touched, or settled, since: spare hashing them again
        stamp.stats = stats
        _save(project, request, stamp)
    data = stamp.result
    written = tuple(Written(Path(w["path"]), w["kind"], w["size"], w["pages"],
                            tuple(w["notes"])) for w in data["written"])
    missing = tuple((rel, where) for rel, where in data["missing_art"])
    return Result(written, missing, tuple(data["warnings"]), cached=True), stamp


def _own_stats() -> Stats:
    """pressrun's own files as last hashed by any build (kept in the user's cache): a
    project's first build, or a watch's first layout, need not hash the bundled fonts
    again (0.02 s of 0.03)."""
    try:
        kept = json.loads(usercache.read(OWN) or b"{}")
    except ValueError:
        return {}
    return kept if isinstance(kept, dict) else {}


def _keep_own_stats(stats: Stats, kept: Stats) -> None:
    """Keep the stats of pressrun's own files among ``stats``, if they are not ``kept``."""
    own = {name: value for name, value in stats.items() if name.startswith(OWN_PREFIX)}
    if own != kept:
        usercache.write(OWN, json.dumps(own, sort_keys=True).encode())


def _intact(project: Project, outputs: Stats) -> bool:
    """Whether every output is still the file the build wrote."""
    for name, (size, mtime, digest) in outputs.items():
        path = Path(name)
        info = project.regular(path)
        if info is None:
            return False
        if (info.st_size, info.st_mtime_ns) != (size, mtime) and \
                _hash(project, path) != digest:
            return False
    return True


def record(project: Project, request: dict[str, object], stamp: Stamp, result: Result) -> None:
    """Remember a successful build, so that the same build next time is skipped."""
    written: Stats = {}
    for item in result.written:
        info = item.path.stat()
        written[str(item.path.resolve())] = [info.st_size, info.st_mtime_ns,
                                             _hash(project, item.path)]
    stamp.outputs = written
    stamp.result = json.loads(json.dumps(asdict(result), default=str))
    _save(project, request, stamp)


def _save(project: Project, request: dict[str, object], stamp: Stamp) -> None:
    try:
        project.write(_stamp_path(project, request),
                      json.dumps(asdict(stamp), indent=1, sort_keys=True).encode())
    except PressrunError as exc:  # the outputs are written; only the next build's shortcut is lost
        log.debug("build cache not recorded: %s", exc.message)
