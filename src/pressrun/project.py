"""The one gate to a project's files: its folders, and the only code that reads, lists or
writes them.

Every other module asks ``Project`` for a file. Its rules are written here once:

- a file read must be, after following every symbolic link, a regular file inside the
  project (or, for theme files, inside pressrun's own theme); anything else is refused
  with an error naming the file;
- a theme file is looked up in the project's ``styles/`` first, then in the default theme;
- an output is written to a temporary file beside its target and renamed into place, never
  into ``manuscript/``, ``images/`` or ``styles/``, never over anything but a regular
  file, and, inside the project, never through a link that leads out of it.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
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


class OutsideProject(PressrunError):
    """A file that is, or whose links lead, outside the project."""


class Project:
    """A project folder (the one holding ``manuscript/``) and the rules for its files."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        """The project folder, every link resolved."""

    def path(self, rel: str) -> Path:
        """The path of a project-relative name (not checked)."""
        return self.root / rel

    def rel(self, path: Path) -> str:
        """The project-relative POSIX name of ``path`` (inside the project), or ``path``
        itself for a file elsewhere (the default theme)."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
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
        try:
            with real.open("rb") as handle:
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
        resolved = target.resolve()
        for name in SOURCES:
            if resolved.is_relative_to((self.root / name).resolve()):
                raise PressrunError(f"refusing to write {target} into {name}/, which holds "
                                    "the manuscript's sources: choose a path in build/")
        in_project = Path(os.path.abspath(target)).is_relative_to(self.root)
        if in_project and not target.parent.resolve().is_relative_to(self.root):
            raise PressrunError(f"refusing to write {target}: a folder on its way is a link "
                                "that leads out of the project; remove the link, or name "
                                "the output with -o")
        try:
            mode = target.lstat().st_mode
        except FileNotFoundError:
            return
        except OSError as exc:
            raise PressrunError(f"cannot write {target}: {exc.strerror}") from None
        if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
            kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            raise PressrunError(f"cannot write {target}: it is {kind}, and pressrun replaces "
                                "only files; name a file to write")

    def output(self, name: str) -> Path:
        """Where an output called ``name`` goes by default: in the project's ``build/``."""
        return self.root / BUILD / name

    def write(self, target: Path, data: bytes) -> None:
        """Write ``data`` to ``target`` so that readers see the old file or the new one,
        never half (see the module's rules)."""
        self.check_target(target)
        write_atomic(target, data)


def write_atomic(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` through a temporary file beside it and a rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
