"""WeasyPrint's default stylesheets and the theme's, parsed once and kept in the user's cache.

Every process that lays out parses the same stylesheets: WeasyPrint's HTML5 defaults
and presentational hints as it is imported (75 ms), then the theme's print stylesheets
(45 ms, besides adding the fonts they name). What parsing makes (tinycss2's rules,
WeasyPrint's checked declarations, cssselect2's selectors compiled into functions)
depends on the text alone, so it is kept in the user's cache (``usercache``) under a
hash of the text, its URL and the versions of WeasyPrint, tinycss2 and cssselect2, and
read back by the next build (3 ms).

A parsed stylesheet is kept by ``pickle``, each compiled selector as its function's code
(``marshal``, as Python keeps a module's), made a function again with cssselect2's own
globals. An entry is code, as the compiled templates kept beside it are: the cache is
the user's own folder, which ``usercache`` refuses when others can write to it. An entry
starts with a hash of its name and content, so that a damaged or misplaced one is never
unpickled, and is read by an unpickler that makes only the three libraries' classes
(not a sandbox: a check that the entry is a stylesheet), then checked for its shape.
What parsing does besides making the stylesheet is done again when it is read back: its
``@font-face`` rules are added to the fonts, through the layout's fetcher (whose sandbox
checks their files), and its counter styles to the ones it was given. An entry that
cannot be used is parsed and kept again. A stylesheet that imports another is not kept
(the key would not cover the other's text), and a project's stylesheets are parsed each
time.
"""

from __future__ import annotations

import builtins
import hashlib
import io
import marshal
import pickle
import sys
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from pressrun import usercache

LIBRARIES = ("weasyprint", "tinycss2", "cssselect2")
"""The packages whose classes make a parsed stylesheet."""
DEFAULTS = "weasyprint.html"
"""The module that parses WeasyPrint's default stylesheets as it is imported."""
Parse = Callable[[Any], Any]
"""A stylesheet's parse, given the fonts to add its ``@font-face`` rules to."""
Made = tuple[Any, list, dict]
"""A parsed stylesheet, the ``@font-face`` rules it added and the counter styles."""


def kept(parse: Parse, text: str | bytes, url: str, font_config: Any = None,
         fetcher: Any = None, counter_style: dict | None = None) -> Any:
    """The stylesheet ``parse`` makes of ``text`` (found at ``url``), with ``font_config``
    and ``counter_style``: read from the user's cache, its fonts added through
    ``fetcher``; else parsed and kept."""
    data = text.encode() if isinstance(text, str) else text
    if usercache.folder() is None or b"@import" in data.lower():
        return parse(font_config)
    parts, counters = _parts(data, url), counter_style if counter_style is not None else {}
    entry = usercache.name(*parts)

    def made() -> Made:
        before, fonts = dict(counters), _Faces(font_config)
        sheet = parse(fonts)
        return sheet, fonts.added, {name: style for name, style in counters.items()
                                    if before.get(name) is not style}

    def read(data: bytes) -> Made:
        sheet, faces, added = _loads(entry, data)
        for descriptors in faces if font_config is not None else ():
            font_config.add_font_face(descriptors, fetcher)
        counters.update(added)
        return sheet, faces, added

    return usercache.kept(parts, made, lambda each: _dumps(entry, each), read)[0]


@contextmanager
def defaults_kept() -> Iterator[None]:
    """Inside, the stylesheets WeasyPrint parses as it is imported (``DEFAULTS``) are
    ``kept``; outside, its ``CSS`` is its own again."""
    finder = _Defaults()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        finder.restore()


class _Defaults:
    """A finder on ``sys.meta_path`` that gives WeasyPrint, as ``DEFAULTS`` is about to be
    imported, a ``CSS`` that keeps the stylesheets made of a text alone (``kept``); it
    finds no module itself."""

    def __init__(self) -> None:
        self.real: Any = None

    def find_spec(self, fullname: str, path: object, target: object = None) -> None:
        if fullname == DEFAULTS and self.real is None and "weasyprint" in sys.modules:
            names = vars(sys.modules["weasyprint"])
            self.real, names["CSS"] = names["CSS"], self.css

    def css(self, *args: Any, **options: Any) -> Any:
        """WeasyPrint's ``CSS(string=…, counter_style=…)``, kept; any other call its own."""
        string = options.get("string")
        if args or not isinstance(string, str) or options.keys() - {"string", "counter_style"}:
            return self.real(*args, **options)
        counters = options.get("counter_style")
        names = vars(sys.modules["weasyprint"])
        given, names["CSS"] = names["CSS"], self.real  # the class pickle finds by its name
        try:
            return kept(lambda faces: self.real(string=string, counter_style=counters,
                                                font_config=faces),
                        string, DEFAULTS, counter_style=counters)
        finally:
            names["CSS"] = given

    def restore(self) -> None:
        """Every module of WeasyPrint given ``css`` given WeasyPrint's ``CSS`` again."""
        for name, module in list(sys.modules.items()):
            names = vars(module) if name.partition(".")[0] == "weasyprint" else {}
            if names.get("CSS") == self.css:
                names["CSS"] = self.real


class _Faces:
    """The fonts a stylesheet is parsed with, recording the ``@font-face`` rules it adds."""

    def __init__(self, font_config: Any) -> None:
        self.font_config, self.added = font_config, list[Any]()

    def add_font_face(self, descriptors: Any, fetcher: Any) -> Any:
        self.added.append(descriptors)
        if self.font_config is not None:
            return self.font_config.add_font_face(descriptors, fetcher)
        return None


def _parts(data: bytes, url: str) -> tuple[str, ...]:
    """What names the cache entry of the stylesheet ``data`` at ``url``."""
    import cssselect2
    import tinycss2
    import weasyprint

    return ("stylesheet", weasyprint.__version__, tinycss2.__version__, cssselect2.__version__,
            url, hashlib.sha256(data).hexdigest())


class _Pickler(pickle.Pickler):
    """Keeps a selector cssselect2 compiled as the code of its function."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, types.FunctionType) and obj.__code__.co_filename == "<string>" \
                and obj.__globals__.get("split_whitespace") is _globals()["split_whitespace"]:
            return _selector, (marshal.dumps(obj.__code__),)
        return NotImplemented


class _Unpickler(pickle.Unpickler):
    """Makes the classes of ``LIBRARIES`` and compiled selectors, nothing else."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == (__name__, "_selector"):
            return _selector
        found = super().find_class(module, name) if "." not in name else None
        if isinstance(found, type) and found.__module__.partition(".")[0] in LIBRARIES \
                and module.partition(".")[0] in LIBRARIES:
            return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a stylesheet")


def _dumps(entry: str, made: Made) -> bytes:
    """``made`` as kept in ``entry``, after the hash of both; ValueError when it cannot be
    kept (it is then parsed each time)."""
    out = io.BytesIO()
    try:
        _Pickler(out, pickle.HIGHEST_PROTOCOL).dump(made)
    except Exception as exc:
        raise ValueError("not a stylesheet pickle can keep") from exc
    return _digest(entry, out.getvalue()) + out.getvalue()


def _loads(entry: str, data: bytes) -> Made:
    """What ``_dumps`` kept in ``entry`` as ``data``; ValueError for an entry that cannot
    be used: damaged, misplaced, or not a stylesheet with its fonts and counter styles."""
    size = hashlib.sha256().digest_size
    if data[:size] != _digest(entry, data[size:]):
        raise ValueError("a damaged or misplaced entry")
    try:
        sheet, faces, counters = _Unpickler(io.BytesIO(data[size:])).load()
    except Exception as exc:
        raise ValueError("not a stylesheet") from exc
    if not (type(sheet).__name__ == "CSS" and type(sheet).__module__ == "weasyprint"
            and isinstance(faces, list) and isinstance(counters, dict)
            and all(isinstance(face, dict) and {"src", "font_family"} <= face.keys()
                    for face in faces)):
        raise ValueError("not a stylesheet with its fonts and counter styles")
    return sheet, faces, counters


def _digest(entry: str, data: bytes) -> bytes:
    """The hash an entry's content starts with."""
    return hashlib.sha256(entry.encode() + b"\0" + data).digest()


def _selector(code: bytes) -> Callable[[Any], bool]:
    """A selector's function, made again from its code with cssselect2's globals."""
    made = marshal.loads(code)
    if not isinstance(made, types.CodeType):
        raise pickle.UnpicklingError("not a selector")
    return types.FunctionType(made, _globals())


@cache
def _globals() -> dict[str, Any]:
    """The globals cssselect2 compiles selectors with (and ``eval`` adds)."""
    from cssselect2 import compiler

    return {"split_whitespace": compiler.split_whitespace, "ascii_lower": compiler.ascii_lower,
            "urlparse": compiler.urlparse, "__builtins__": builtins.__dict__}
