"""WeasyPrint imported without compiling anything (its C libraries found by their sonames)
and without fontTools' subsetter and variable-font instancer until they are used.

WeasyPrint asks cffi for each library under a list of names for every platform
(``libgobject-2.0-0``, ``gobject-2.0``, … ``libgobject-2.0.so.0``). A name that fails
makes cffi call ``ctypes.util.find_library``, which on Linux runs ``ldconfig``, then
``gcc`` and ``ld`` to probe for it: about 200 processes and most of a second before any
work. On Linux, pressrun answers those lookups with the soname the dynamic linker loads,
so the first name WeasyPrint tries loads the very library its own search would have
found. Elsewhere, and for any other name, the lookup is left as it is.

cffi makes the C type of each new string WeasyPrint asks for (``ffi.new("T[N]")``) by
parsing it with pycparser, after declaring every one of WeasyPrint's hundreds of C type
names (3-4 ms each time), and WeasyPrint asks for ``hb_codepoint_t[N]`` with a new ``N``
for each font of each PDF it writes (the pamphlet's sections: 31 parses, 0.1 s, most of
them in forked writers). An array type is made from its item's type instead
(``_quick_arrays``): the very object cffi would have made.

WeasyPrint's PDF writer imports fontTools' ``subset`` and ``varLib.instancer`` when it
is imported (0.13 s, a third of importing WeasyPrint), but uses them only when HarfBuzz
cannot subset a font and for variable fonts; the theme's fonts are neither. They are
imported when first used instead (``_deferred``), by fontTools' own import: the same
code runs, later or never. (WeasyPrint 66 imported ``fontTools.varLib.mutator``, which
imports a module inside ``subset``: pressrun asks for WeasyPrint 67 or later.)

cffi also parses WeasyPrint's C declarations (a few hundred functions and types) with
pycparser on every start: importing pycparser and parsing take 0.08 s, a fifth of
importing WeasyPrint. After the first start, the declarations cffi parsed are kept in the
user's cache (``usercache``) as cffi itself writes them out for a module made ahead of
time (``recompiler.make_py_source``: tables of types and names, literals only), under a hash
of WeasyPrint's declarations and cffi's version; later starts give WeasyPrint an ``FFI``
made from those tables (``_declared``), cffi's own kind for such modules, whose types are
made by cffi's C code. An entry that cannot be used is made again.

Importing this module imports WeasyPrint so: ``weasy`` and ``weasyfonts`` import it first.
"""

from __future__ import annotations

import ast
import ctypes
import ctypes.util
import hashlib
import importlib
import importlib.util
import marshal
import re
import sys
import tempfile
import types
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import _cffi_backend
import cffi

from pressrun import usercache
from pressrun.pdf.weasysheets import defaults_kept

SONAMES = ("libgobject-2.0.so.0", "libpango-1.0.so.0", "libpangoft2-1.0.so.0",
           "libharfbuzz-subset.so.0", "libharfbuzz-vector.so.0", "libharfbuzz.so.0",
           "libfontconfig.so.1")
"""The libraries WeasyPrint loads, by the names they have on Linux; the longer of two
names one contains (``harfbuzz-subset``, ``harfbuzz``) first."""
SUBSET = "fontTools.subset"
"""A module WeasyPrint imports whole and uses only when HarfBuzz cannot subset a font."""
INSTANCER = "fontTools.varLib.instancer"
"""A module WeasyPrint imports a function from, needed for variable fonts only."""
ARRAY = re.compile(r"(\w[\w ]*?) *\[(0|[1-9][0-9]*)\]", re.ASCII)
"""A C array type of a fixed length, as WeasyPrint names one: ``hb_codepoint_t[93]``."""
WRITERS = ("unsigned int *", "hb_codepoint_t[1]", "hb_tag_t[1]", "char[1]")
"""C types WeasyPrint's PDF writer uses (arrays: their items; see ``before_writers``)."""


def import_weasyprint() -> None:
    """Import WeasyPrint (once): its libraries found by soname on Linux, fontTools' rarely
    used modules deferred, its default stylesheets kept (``weasysheets``), its C array
    types made without parsing. Nothing is changed if
    WeasyPrint was imported before."""
    if "weasyprint" in sys.modules:
        return
    with ExitStack() as stack:
        if sys.platform.startswith("linux"):
            stack.enter_context(_by_soname())
        stack.enter_context(_deferred())
        stack.enter_context(defaults_kept())
        unkept = stack.enter_context(_declared())
        from weasyprint.text.ffi import ffi
    if unkept is not None:
        _keep_declarations(ffi, unkept)
    _quick_arrays(ffi)


class Declared(_cffi_backend.FFI):
    """WeasyPrint's ``FFI``, made from the declarations kept in the user's cache: declaring
    them again is a no-op."""

    def cdef(self, source: str, *args: object, **options: object) -> None:
        """Declared already."""


DECLARING = "weasyprint.text.ffi"
"""The module whose ``cffi.FFI()`` is given the declarations kept."""


@contextmanager
def _declared() -> Iterator[str | None]:
    """Inside, the ``FFI`` WeasyPrint makes is ``Declared`` from the entry kept for its
    declarations, if there is one. Yields the name of the entry to keep them in, when
    there was none to use (``None``: used, or WeasyPrint's declarations not found)."""
    source = _declarations()
    if source is None:
        yield None
        return
    entry = usercache.name("cffi-declarations", _cffi_backend.__version__,
                           hashlib.sha256(source).hexdigest())
    made = _made(usercache.read(entry))
    if made is None:
        yield entry
        return
    original = cffi.FFI

    def declared(*args: Any, **options: Any) -> Any:
        if sys._getframe(1).f_globals.get("__name__") == DECLARING:
            return made
        return original(*args, **options)

    cffi.FFI = declared
    try:
        yield None
    finally:
        cffi.FFI = original


def _declarations() -> bytes | None:
    """The source of WeasyPrint's module that declares its C functions (found without
    importing WeasyPrint)."""
    spec = importlib.util.find_spec("weasyprint")
    if spec is None or spec.origin is None:
        return None
    try:
        return (Path(spec.origin).parent / "text" / "ffi.py").read_bytes()
    except OSError:
        return None


def _made(data: bytes | None) -> Declared | None:
    """A ``Declared`` from a kept entry; ``None`` when there is none or it cannot be used."""
    try:
        name, tables = marshal.loads(data) if data is not None else (None, None)
        return Declared(name, **tables) if isinstance(tables, dict) else None
    except (EOFError, ValueError, TypeError, ImportError):
        return None


def _keep_declarations(ffi: Any, entry: str) -> None:
    """Keep the declarations ``ffi`` parsed as cffi writes them out for a module made
    ahead of time: the arguments of the ``FFI`` it makes, literals all."""
    with tempfile.TemporaryDirectory() as folder:
        written = Path(folder, "declarations.py")
        try:
            from cffi.recompiler import make_py_source

            make_py_source(ffi, "_pressrun_weasyprint", str(written))
            tree = ast.parse(written.read_text(encoding="utf-8"))
        except (ImportError, AttributeError, ValueError, TypeError, OSError, SyntaxError):
            return
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "_cffi_backend.FFI":
            try:
                name = ast.literal_eval(node.args[0])
                tables = {item.arg: ast.literal_eval(item.value) for item in node.keywords}
            except (IndexError, ValueError, TypeError):
                return
            usercache.write(entry, marshal.dumps((name, tables)))
            return


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


def _quick_arrays(ffi: Any) -> None:
    """Have ``ffi`` make a C array type of a fixed length from its item type, parsed once,
    instead of parsing each length anew (see the module's docstring)."""
    from cffi import model

    needed = ("_typeof_locked", "_parsed_types", "_parser", "_get_cached_btype",
              "_cdef_version")
    if not all(hasattr(ffi, name) for name in needed) or not hasattr(model, "ArrayType"):
        return  # ``Declared`` (types made in C) or another cffi: its own parsing
    parse, items = ffi._typeof_locked, {}

    def typeof_locked(cdecl: object) -> tuple[Any, bool]:
        found = ARRAY.fullmatch(cdecl) if isinstance(cdecl, str) else None
        if found is None or cdecl in ffi._parsed_types:
            return parse(cdecl)
        item = (found[1], ffi._cdef_version)  # a type redefined since is parsed again
        if item not in items:
            items[item] = ffi._parser.parse_type(found[1])
        made = ffi._get_cached_btype(model.ArrayType(items[item], int(found[2]))), False
        ffi._parsed_types[cdecl] = made
        return made

    ffi._typeof_locked = typeof_locked


@cache
def before_writers() -> None:
    """Make the C types WeasyPrint's PDF writer uses (``WRITERS``) in this process, once,
    before it forks writers: each would make them again (3-4 ms a type)."""
    from weasyprint.text.ffi import ffi

    for name in WRITERS:
        ffi.typeof(name)


@contextmanager
def _deferred() -> Iterator[None]:
    """Inside, importing ``SUBSET`` or ``INSTANCER`` gives a stand-in (``_stand_in``), and
    outside, the real module. Nothing is deferred if either was imported already."""
    if SUBSET in sys.modules or INSTANCER in sys.modules:
        yield
        return
    stand_ins = {SUBSET: _stand_in(SUBSET), INSTANCER: _stand_in(INSTANCER, deferred=True)}
    sys.modules.update(stand_ins)
    try:
        yield
    finally:
        for name, stand_in in stand_ins.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]


def _stand_in(module: str, deferred: bool = False) -> types.ModuleType:
    """A module that runs nothing when imported: a name read from it gives the real
    ``module``'s attribute, imported then by fontTools' own import (whose side effects the
    instancer relies on), or, ``deferred``, a function that imports it when called."""

    def attribute(name: str) -> object:
        if name.startswith("__"):
            raise AttributeError(name)
        if not deferred:
            return getattr(importlib.import_module(module), name)

        def call(*args: object, **options: object) -> object:
            return getattr(importlib.import_module(module), name)(*args, **options)

        call.__name__ = call.__qualname__ = name
        return call

    stand_in = types.ModuleType(module)
    stand_in.__getattr__ = attribute  # type: ignore[method-assign]
    return stand_in


import_weasyprint()
