"""Where WeasyPrint may hyphenate a word: its dictionary for a style (pyphen's, with the
style's ``hyphenate-limit-chars``) and the places that dictionary offers; where a
line may end inside each word of a text (``cuts``); and pyphen's patterns kept parsed in
the user's cache (``remembered_patterns``)."""

from __future__ import annotations

import marshal
import os
import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import pyphen

from pressrun import usercache

_WORD = re.compile(r"(\W*)([^\W\d_]+)\W*")


@lru_cache(maxsize=1 << 16)
def hyphens(dictionary: tuple[Any, int] | None, run: str) -> tuple[int, ...]:
    """Where WeasyPrint may hyphenate ``run``, shortest first (remembered for the most
    recent words: a book asks for the same few thousand again and again)."""
    if dictionary is None:
        return ()
    pyphen_dictionary, least = dictionary
    match = _WORD.fullmatch(run)
    if match is None or len(match[2]) < least:
        return ()
    lead = len(match[1])
    return tuple(sorted(lead + cut for cut in pyphen_dictionary.positions(match[2])))


def cuts(text: str, attributes: Any, dictionary: tuple[Any, int] | None
         ) -> list[tuple[str, list[int], list[int]]]:
    """Each word of ``text`` (split at its spaces), where a line may end inside it, and
    which of those are hyphenations: where Pango breaks (after a dash or a hyphen: its log
    ``attributes`` of the text), and where ``dictionary`` hyphenates each part between."""
    found, at = [], 0
    for run in text.split(" "):
        opened = [cut for cut in range(1, len(run)) if attributes[at + cut].is_line_break]
        parts = zip([0, *opened], [*opened, len(run)], strict=True)
        hyphenated = [start + cut for start, end in parts
                      for cut in hyphens(dictionary, run[start:end])]
        found.append((run, sorted(opened + hyphenated), hyphenated))
        at += len(run) + 1
    return found


def dictionary(style: Any) -> tuple[Any, int] | None:
    """The hyphenation dictionary WeasyPrint uses for ``style``, and the shortest word."""
    if style["hyphens"] != "auto" or not style["lang"]:
        return None
    return _dictionary(style["lang"], *style["hyphenate_limit_chars"])


@cache
def _dictionary(lang: str, total: int, left: int, right: int) -> tuple[Any, int] | None:
    """The dictionary for language ``lang`` (pyphen's fallback for it, looked up once:
    the lookup lists pyphen's dictionaries each time), and the shortest word."""
    language = pyphen.language_fallback(lang)
    return (_pyphen(language, left, right), total) if language else None


@cache
def _pyphen(language: str, left: int, right: int) -> Any:
    """One dictionary for each language and limits, as WeasyPrint keeps them."""
    return pyphen.Pyphen(lang=language, left=left, right=right)


@cache
def remembered_patterns() -> None:
    """Have pyphen, for WeasyPrint and for this module, read a dictionary's patterns from
    the user's cache (``usercache``) once they are parsed: parsing English's takes 0.1 s
    of every build that hyphenates."""
    pyphen.HyphDict = _patterns


_PARSE = pyphen.HyphDict
"""pyphen's own reading of a dictionary."""


def _patterns(path: Path) -> Any:
    """pyphen's dictionary ``path``, from the user's cache when kept there for the same
    file and version of pyphen, else parsed and kept (when its patterns are plain
    numbers: a dictionary with alternative spellings is parsed each time)."""
    try:
        status = os.stat(path)
    except OSError:
        return _PARSE(path)
    return usercache.kept(("pyphen", pyphen.VERSION, str(path), status.st_size,
                           status.st_mtime_ns), lambda: _PARSE(path),
                          lambda parsed: marshal.dumps(parsed.patterns), _parsed)


def _parsed(data: bytes) -> Any:
    """A pyphen dictionary of the patterns kept as ``data``."""
    patterns = marshal.loads(data)
    if not isinstance(patterns, dict) or not patterns:
        raise ValueError("no patterns kept")
    dictionary = object.__new__(_PARSE)
    dictionary.patterns, dictionary.cache = patterns, {}
    dictionary.maxlen = max(map(len, patterns))
    return dictionary
