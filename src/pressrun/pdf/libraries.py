"""WeasyPrint imported without compiling anything: its C libraries found by their sonames.

WeasyPrint asks cffi for each library under a list of names for every platform
(``libgobject-2.0-0``, ``gobject-2.0``, … ``libgobject-2.0.so.0``). A name that fails
makes cffi call ``ctypes.util.find_library``, which on Linux runs ``ldconfig``, then
``gcc`` and ``ld`` to probe for it: about 200 processes and most of a second before any
work. On Linux, pressrun answers those lookups with the soname the dynamic linker loads,
so the first name WeasyPrint tries loads the very library its own search would have
found. Elsewhere, and for any other name, the lookup is left as it is.

Importing this module imports WeasyPrint so: ``weasy`` and ``weasyfonts`` import it first.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from functools import cache

SONAMES = ("libgobject-2.0.so.0", "libpango-1.0.so.0", "libpangoft2-1.0.so.0",
           "libharfbuzz-subset.so.0", "libharfbuzz-vector.so.0", "libharfbuzz.so.0",
           "libfontconfig.so.1")
"""The libraries WeasyPrint loads, by the names they have on Linux; the longer of two
names one contains (``harfbuzz-subset``, ``harfbuzz``) first."""


def import_weasyprint() -> None:
    """Import WeasyPrint (once), its libraries found by soname on Linux."""
    if "weasyprint" in sys.modules:
        return
    with _by_soname() if sys.platform.startswith("linux") else nullcontext():
        import weasyprint  # noqa: F401


def soname(name: str) -> str | None:
    """The soname of the library WeasyPrint calls ``name``, if it is one of ``SONAMES``."""
    for candidate in SONAMES:
        if candidate.removeprefix("lib").partition(".so")[0] in name:
            return candidate
    return None


@cache
def _loads(candidate: str) -> bool:
    try:
        ctypes.CDLL(candidate)
    except OSError:
        return False
    return True


def _finder(original: Callable[[str], str | None]) -> Callable[[str], str | None]:
    def find_library(name: str) -> str | None:
        candidate = soname(name)
        if candidate is None:
            return original(name)
        return candidate if _loads(candidate) else None

    return find_library


@contextmanager
def _by_soname() -> Iterator[None]:
    original = ctypes.util.find_library
    ctypes.util.find_library = _finder(original)  # type: ignore[assignment]
    try:
        yield
    finally:
        ctypes.util.find_library = original


import_weasyprint()
