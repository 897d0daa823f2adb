"""How a command ends: at once, once its outputs are written; as Ctrl-C ends it, when
it is told to stop.

Imported at every start, so it imports nothing it does not need: what a build started
(the forked processes, WeasyPrint's fonts' folder) is looked up among the modules loaded.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import NoReturn


def interrupt(signum: int, frame: object) -> NoReturn:
    """Stop the command as Ctrl-C does (a signal handler, for SIGTERM): its temporary files
    are removed and its earlier outputs kept."""
    raise KeyboardInterrupt


def leave() -> NoReturn:
    """End this process at once, its command done and its outputs written, without
    Python's own ending, which frees every object one by one (a layout's boxes: 0.17 s of
    the pamphlet's 1.8 s build, 0.2 s of the Manifesto's 3.6 s, 0.9 s of Ten Days' 29 s;
    modules alone: 0.02 s of ``pressrun --help``). What freeing them would have removed,
    the children no one will read and the fonts' folder, is removed here."""
    forked = sys.modules.get("pressrun.forked")
    if forked is not None:
        forked.reap()
    fonts = sys.modules.get("pressrun.pdf.weasyfonts")
    if fonts is not None:
        fonts.remove_folder()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to tell
            stream.flush()
    os._exit(0)
