"""Writing outputs safely: a temporary file beside the target, then an atomic rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from pressrun.errors import PressrunError

PROTECTED = ("manuscript", "images", "styles")


def check_target(root: Path, target: Path) -> None:
    """Refuse to write into the project's sources."""
    resolved = target.resolve()
    for name in PROTECTED:
        if resolved.is_relative_to((root / name).resolve()):
            raise PressrunError(f"refusing to write {target} into {name}/, which holds the "
                                "manuscript's sources: choose a path in build/")


def write_atomic(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` so that readers see the old file or the new one, never half."""
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
