"""The one gate to a project's files: its folders, and the only code that reads, lists or
writes them.

Every other module asks ``Project`` for a file. Its rules are written here once:

- a file read must be, after following every symbolic link, a regular file inside the
  project (or, for theme files, inside pressrun's own theme); anything else is refused
  with an error naming the file;
- a theme file is looked up in the project's ``styles/`` first, then in the default theme;
- an output is written to a temporary file beside its target and renamed into place, never
  into ``manuscript/``, ``images/`` or ``styles/``, never over anything but a regular
  file, and, inside the project, never through a link that leads out of it;
- ``pressrun import`` alone adds to the sources: new files only, and ``pamphlet.yaml``
  replaced whole (see ``add_sources``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from pressrun.problems import PressrunError

MANUSCRIPT, IMAGES, STYLES, BUILD = "manuscript", "images", "styles", "build"
SOURCES = (MANUSCRIPT, IMAGES, STYLES)
"""The folders an author writes and pressrun only reads."""
CONFIG = f"{MANUSCRIPT}/pamphlet.yaml"
GLOSSARY = f"{MANUSCRIPT}/glossary.yaml"
CACHE = f"{BUILD}/.cache"
LOCALES = "locales"
"""The folder of word tables, in the theme and in ``styles/``."""
DEFAULT_THEME = Path(__file__).resolve().parent / "theme"
"""pressrun's own templates, stylesheets, fonts and word tables."""


SETTLED_NS = 3_000_000_000
"""How long before it is looked at a file must have been modified for its modification
time to show any later change. A filesystem keeps times to its own tick (FAT: 2 s; ext4:
the kernel's, about 4 ms), so a file saved again within the tick of its last save, at the
same size, keeps its status: what was read or hashed from a file modified more recently
is not taken from its status next time (git calls such a file "racily clean")."""


def settled(info: os.stat_result) -> bool:
    """Whether the file of ``info`` was last modified ``SETTLED_NS`` ago or more, so that
    writing to it from now on changes its modification time (a time ahead of the clock,
    as on a network share whose clock runs fast, is not settled)."""
    return time.time_ns() - info.st_mtime_ns >= SETTLED_NS


class OutsideProject(PressrunError):
    """A file that is, or whose links lead, outside the project."""


class Project:
    """A project folder (the one holding ``manuscript/``) and the rules for its files."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        """The project folder, every link resolved."""
        self._given = Path(os.path.abspath(root))

    def path(self, rel: str) -> Path:
        """The path of a project-relative name (not checked)."""
        return self.root / rel

    def rel(self, path: Path) -> str:
        """The project-relative POSIX name of ``path`` as written (``styles/epub.css``, even
        when it is a link to elsewhere), or ``path`` itself for a file elsewhere."""
        written = Path(os.path.abspath(path))
        for base in (self._given, self.root):
            if written.is_relative_to(base):
                return written.relative_to(base).as_posix()
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except (ValueError, OSError, RuntimeError):
            return str(path)

    def real(self, path: Path, what: str = "") -> Path:
        """``path`` with every link resolved, which must lead inside the project or the
        default theme; else an error naming ``what`` (default: the path)."""
        try:
            real = path.resolve()
        except (OSError, RuntimeError, ValueError):  # a link loop; a NUL in the name
            raise PressrunError(f"'{what or path}' is not a usable file name or link") from None
        if not (real.is_relative_to(self.root) or real.is_relative_to(DEFAULT_THEME)):
            name = what or self.rel(path)
            raise OutsideProject("is a link to a file outside the project: copy the file "
                                 "into the project instead" if path.is_symlink() else
                                 "is outside the project: keep every file the publication "
                                 "uses inside the project folder", name, code="outside-project")
        return real

    def regular(self, path: Path) -> os.stat_result | None:
        """The status of ``path`` when it is, following links, a regular file inside the
        project or the default theme; else None."""
        try:
            info = self.real(path).stat()
        except (PressrunError, OSError):
            return None
        return info if stat.S_ISREG(info.st_mode) else None

    def is_file(self, path: Path) -> bool:
        """Whether ``path`` is a regular file inside the project (following links)."""
        try:
            return self.real(path).is_file()
        except (PressrunError, OSError):
            return False

    def read_bytes(self, path: Path) -> bytes:
        """The content of the regular file ``path`` inside the project or the theme."""
        name = self.rel(path)
        real = self.real(path, name)
        try:  # not blocking: a named pipe must be refused, not waited on
            with open(os.open(real, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    raise PressrunError("is not a regular file: pressrun reads only files",
                                        name)
                return handle.read()
        except FileNotFoundError:
            raise PressrunError("was not found", name) from None
        except OSError as exc:
            raise PressrunError(f"cannot be read: {exc.strerror}", name) from None

    def files(self, folder: str, suffix: str = "") -> list[Path]:
        """The regular files below the project's ``folder`` ending in ``suffix``, sorted; a
        link leading out of the project is listed too, for reading to refuse."""
        base = self.root / folder
        if not base.is_dir():
            return []
        found = []
        for top, dirs, names in os.walk(base):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            found += [Path(top) / name for name in sorted(names)
                      if name.endswith(suffix) and not name.endswith(".pyc")]
        return found

    def theme_file(self, name: str) -> Path:
        """The theme file ``name`` (``print.css``, ``locales/en.yaml``): the project's
        ``styles/`` copy when it has one, else the default theme's."""
        own = self.root / STYLES / name
        if own.is_symlink() or own.exists():
            self.real(own)  # a link out of the project is an error, not a fallback
            return own
        default = DEFAULT_THEME / name
        if not default.is_file():
            raise PressrunError(f"theme file '{name}' not found in styles/ or the default "
                                "theme")
        return default

    def theme_files(self, name: str) -> list[Path]:
        """Every copy of the theme file ``name``: the default theme's, then the project's
        (for files that are merged rather than replaced, such as word tables)."""
        own = self.root / STYLES / name
        found = [DEFAULT_THEME / name] if (DEFAULT_THEME / name).is_file() else []
        return found + ([own] if own.is_symlink() or own.exists() else [])

    def check_target(self, target: Path) -> None:
        """Refuse an output path that the rules of this module forbid (see above)."""
        shown = self.shown(target)
        resolved = _resolved(target, shown)
        for name in SOURCES:
            if resolved.is_relative_to((self.root / name).resolve()):
                raise PressrunError(f"refusing to write {shown} into {name}/, which holds "
                                    "the manuscript's sources: choose a path in build/",
                                    code="write-into-sources")
        written = Path(os.path.abspath(target))
        if any(written.is_relative_to(base) for base in (self._given, self.root)) and \
                not _resolved(target.parent, shown).is_relative_to(self.root):
            raise PressrunError(f"refusing to write {shown}: a folder on its way is a link "
                                "that leads out of the project; remove the link, or name "
                                "the output with -o", code="write-through-link")
        try:
            mode = target.lstat().st_mode
        except (FileNotFoundError, NotADirectoryError):
            return
        except OSError as exc:
            raise PressrunError(f"cannot write {shown}: {exc.strerror}", code="write") from None
        if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
            kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            raise PressrunError(f"cannot write {shown}: it is {kind}, and pressrun replaces "
                                "only files; name a file to write", code="write")

    def check_folder(self, folder: Path) -> None:
        """Refuse to write anything into the project's ``folder`` when it, or a folder on
        its way, is a link that leads out of the project, or is not a folder."""
        shown = self.shown(folder)
        if not _resolved(folder, shown + "/").is_relative_to(self.root):
            raise PressrunError(f"refusing to write into {shown}/: it is a link that leads "
                                "out of the project; remove the link, or name the output "
                                "with -o", code="write-through-link")
        if folder.exists() and not folder.is_dir():
            raise PressrunError(f"cannot write into {shown}/: it is a file; move it away, or "
                                "name the output with -o", code="write")

    def shown(self, path: Path) -> str:
        """``path`` as messages show it: project-relative inside the project."""
        name = self.rel(path)
        return name if not Path(name).is_absolute() else str(path)

    def output(self, name: str) -> Path:
        """Where an output called ``name`` goes by default: in the project's ``build/``."""
        return self.root / BUILD / name

    def write(self, target: Path, data: bytes) -> None:
        """Write ``data`` to ``target`` so that readers see the old file or the new one,
        never half (see the module's rules)."""
        self.write_all([(target, data)])

    def write_all(self, files: list[tuple[Path, bytes]]) -> None:
        """Write every file, or none: each to a temporary file beside it first, then all
        renamed into place together, with Ctrl-C and SIGTERM held back until the last rename.

        Raises ``PressrunError`` (saying what was replaced, if anything) when a file cannot
        be written, and ``Interrupted`` when a signal came while writing.
        """
        for target, _ in files:
            self.check_target(target)
        staged: list[tuple[Path, Path]] = []
        try:
            for target, data in files:
                staged.append((stage(target, data), target))
        except BaseException as exc:
            for temp, _ in staged:
                _remove(temp)
            if isinstance(exc, OSError):
                raise self._error(target, exc, "nothing was written") from None
            if isinstance(exc, KeyboardInterrupt):
                raise Interrupted(()) from None
            raise
        done: list[Path] = []
        try:
            with _signals_held():
                for temp, target in staged:
                    try:
                        os.replace(temp, target)
                    except OSError as exc:
                        for rest, _ in staged[len(done):]:
                            _remove(rest)
                        replaced = ", ".join(self.shown(p) for p in done) or "nothing"
                        raise self._error(target, exc, f"replaced {replaced}, and none "
                                                       "after it") from None
                    done.append(target)
        except KeyboardInterrupt:
            raise Interrupted(tuple(self.shown(p) for p in done)) from None

    def add_sources(self, files: list[tuple[str, bytes]], config: bytes | None = None) -> None:
        """Add new files to the sources (``pressrun import``, the one command that writes
        there): each a new file, never one that exists or a link out of the project; then
        ``config`` replaces ``pamphlet.yaml``. All or nothing."""
        added: list[Path] = []
        try:
            for rel, data in files:
                target = self.root / rel
                self.check_folder(target.parent)
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    with target.open("xb") as handle:  # x: never over an existing file
                        added.append(target)
                        handle.write(data)
                except FileExistsError:
                    raise PressrunError(f"{rel} already exists: pressrun import never "
                                        "replaces a file; choose another name with --as",
                                        code="exists") from None
                except OSError as exc:
                    raise self._error(target, exc, "nothing was added") from None
            if config is not None:
                path = self.path(CONFIG)
                try:
                    with _signals_held():
                        os.replace(stage(path, config), path)
                except OSError as exc:
                    raise self._error(path, exc, "nothing was added") from None
        except BaseException:
            for path in added:
                _remove(path)
            raise

    def _error(self, target: Path, exc: OSError, outcome: str) -> PressrunError:
        """A failed write as a one-line error, with what to do."""
        shown = self.shown(target)
        advice = {
            errno.ENOSPC: "the disk is full: free some space and build again",
            errno.EDQUOT: "the disk quota is used up: free some space and build again",
            errno.EACCES: f"permission denied: {shown}'s folder is not writable; make it "
                          "writable, or choose another place with -o",
            errno.EPERM: f"permission denied: {shown}'s folder is not writable; make it "
                         "writable, or choose another place with -o",
            errno.EROFS: "the file system is read-only: choose another place with -o",
            errno.ENOTDIR: f"a folder on the way to {shown} is a file: move the file away, "
                           "or choose another place with -o",
            errno.EEXIST: f"a folder on the way to {shown} is a file: move the file away, "
                          "or choose another place with -o",
            errno.ENAMETOOLONG: "the name is too long for this file system: name the "
                                "file with -o",
        }.get(exc.errno or 0, exc.strerror or str(exc))
        return PressrunError(f"cannot write {shown}: {advice} ({outcome})", code="write")


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM while writing outputs: ``replaced`` names the files that were
    replaced, whole, before it (all or none of one write)."""

    def __init__(self, replaced: tuple[str, ...]) -> None:
        super().__init__()
        self.replaced = replaced


TEMPORARY = ".pressrun-{pid}.tmp"
"""How a file being written is named beside its target (``.NAME.RANDOM.pressrun-PID.tmp``),
so that a later build can tell which ones a killed process left behind."""


def _resolved(path: Path, shown: str) -> Path:
    """``path`` with every link resolved; an error naming it when that fails (a loop of
    links raises RuntimeError before Python 3.13)."""
    try:
        return path.resolve()
    except RuntimeError:
        raise PressrunError(f"cannot write {shown}: its links lead round in a loop; remove "
                            "them", code="write") from None
    except OSError as exc:
        raise PressrunError(f"cannot write {shown}: {exc.strerror}", code="write") from None


def stage(target: Path, data: bytes) -> Path:
    """``data`` in a new temporary file beside ``target``, for renaming into place; files
    that killed builds left in that folder are removed first."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_abandoned(target.parent)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                suffix=TEMPORARY.format(pid=os.getpid()))
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
    except BaseException:
        _remove(Path(temp))
        raise
    return Path(temp)


def remove_abandoned(folder: Path, pattern: str = "*" + TEMPORARY.format(pid="*")) -> None:
    """Remove the files or folders matching ``pattern`` (with a process id in place of
    ``*`` before ``.tmp``) that processes no longer running left in ``folder``."""
    for path in folder.glob(pattern):
        pid = path.name.rsplit("-", 1)[-1].removesuffix(".tmp")
        if pid.isdigit() and not _running(int(pid)):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                _remove(path)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold Ctrl-C, SIGTERM and SIGHUP back until the block ends (then they arrive)."""
    held = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
