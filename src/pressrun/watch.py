"""``pressrun watch``: rebuild whenever the manuscript, pictures or styles change."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from pressrun.problems import PressrunError
from pressrun.project import SOURCES


def watched_paths(root: Path) -> list[Path]:
    """The folders whose changes trigger a rebuild (build/ never does)."""
    return [root / name for name in SOURCES if (root / name).is_dir()]


def rebuild_loop(build: Callable[[], list[str]], changes: Iterable[object],
                 echo: Callable[[str], None]) -> int:
    """Build once, then once per batch of ``changes``; return how many builds ran.

    ``build`` returns the lines describing what it wrote. A problem in the
    manuscript is shown and the loop goes on: the last good outputs stay in place,
    because every output is written atomically.
    """
    builds = 0
    for _ in _first_then(changes):
        start = time.perf_counter()
        try:
            lines = build()
        except PressrunError as exc:
            echo(f"error: {exc.format_message()}")
            echo(f"not rebuilt ({time.perf_counter() - start:.1f} s): fix the problem above; "
                 "the last good output is still in build/")
        else:
            for line in lines:
                echo(line)
            echo(f"built in {time.perf_counter() - start:.1f} s; watching for changes "
                 "(Ctrl-C to stop)")
        builds += 1
    return builds


def _first_then(changes: Iterable[object]) -> Iterable[object]:
    yield None
    yield from changes
