"""The theme's fonts for the EPUB: ``fonts.css`` and each font it names, subset to the book's text.

``epub_fonts`` parses the theme's ``fonts.css`` (a project may override it), finds the
``url()``s in the ``src`` of every ``@font-face``, and subsets each TrueType/OpenType font
to the characters the book uses (plus printable ASCII and common typographic marks), so
the e-book looks like the print edition without carrying megabytes of fonts.

Files land in the EPUB as ``styles/fonts.css`` and ``styles/fonts/<file name>``. A
``url()`` that is not already ``fonts/<file name>`` is rewritten to it; remote and
``data:`` URLs are left alone. Output is deterministic: the subset keeps the original
``head.modified`` timestamp, so the same text gives the same bytes.

Licensing: the fonts are under the SIL Open Font License, which requires the copyright and
licence to travel with the font. The subset keeps the name table's identification records
(IDs 0-14: copyright, family, version, licence description and URL, …) rather than shipping
the ``OFL-*.txt`` files: ``text/plain`` is not an EPUB core media type and EPUBCheck warns
about such manifest items.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import tinycss2
import uharfbuzz as hb
from tinycss2.serializer import serialize_string_value, serialize_url

from pressrun.problems import PressrunError
from pressrun.project import Project

MEDIA_TYPES = {".ttf": "font/ttf", ".otf": "font/otf"}
#: Always kept: printable ASCII, no-break space and the usual typographic punctuation.
BASE_CHARS = frozenset(range(0x20, 0x7F)) | frozenset(map(ord, "\u00a0“”‘’–—…"))


@dataclass(frozen=True)
class FontFile:
    """One file for the EPUB: its path inside the container, media type and content."""

    href: str
    media_type: str
    data: bytes


def epub_fonts(project: Project, css_path: Path, text: str) -> list[FontFile]:
    """``fonts.css`` (the file at ``css_path``, in the project's ``styles/`` or the theme)
    and the fonts it declares, each subset to the characters of ``text`` it is for (a face
    with a ``unicode-range`` only those in its range; such a face with none of them is
    left out)."""
    where = project.rel(css_path)
    rules = tinycss2.parse_stylesheet(project.read_bytes(css_path).decode("utf-8"))
    used = frozenset(map(ord, text))
    wanted: dict[str, set[int]] = {}
    sources: dict[str, tuple[Path, str]] = {}
    kept = []
    for rule in rules:
        face = _face(rule)
        if face is None:
            kept.append(rule)
            continue
        urls, ranges = face
        codepoints = BASE_CHARS | used if ranges is None else \
            {c for c in BASE_CHARS | used if any(start <= c <= end for start, end in ranges)}
        if not codepoints:
            continue  # a face for characters the book does not have
        kept.append(rule)
        for token in urls:
            href = _source(project, css_path, token, where, sources)
            if href is not None:
                wanted.setdefault(href, set()).update(codepoints)
    fonts = [FontFile(f"styles/{href}", sources[href][1],
                      subset(project.read_bytes(sources[href][0]), frozenset(codepoints)))
             for href, codepoints in wanted.items()]
    css = tinycss2.serialize(kept).encode("utf-8")
    return [FontFile("styles/fonts.css", "text/css", css), *fonts]


def _face(rule: Any) -> tuple[list, list[tuple[int, int]] | None] | None:
    """The ``url()`` tokens of an ``@font-face`` rule's ``src`` and its unicode ranges (None:
    every character); None for any other rule."""
    if getattr(rule, "type", "") != "at-rule" or rule.lower_at_keyword != "font-face" or \
            not rule.content:
        return None
    urls: list = []
    ranges: list[tuple[int, int]] | None = None
    for decl in tinycss2.parse_blocks_contents(rule.content):
        if decl.type != "declaration":
            continue
        if decl.lower_name == "src":
            urls += [t for t in decl.value if t.type == "url"]
            urls += [t.arguments[0] for t in decl.value if t.type == "function"
                     and t.lower_name == "url" and t.arguments
                     and t.arguments[0].type == "string"]
        elif decl.lower_name == "unicode-range":
            ranges = [(t.start, t.end) for t in decl.value if t.type == "unicode-range"]
    return urls, ranges


def _source(project: Project, css_path: Path, token: Any, where: str,
            sources: dict[str, tuple[Path, str]]) -> str | None:
    """The EPUB name (``fonts/NAME``) of the font a ``url()`` token names, pointing the token
    at it; None for a remote or ``data:`` URL, which is not ours to embed."""
    url = token.value
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith("/"):
        return None
    source = (css_path.parent / unquote(parts.path)).resolve()
    media_type = MEDIA_TYPES.get(source.suffix.lower())
    if media_type is None or not project.is_file(source):
        problem = "is not a .ttf or .otf file" if project.is_file(source) else "was not found"
        raise PressrunError(f"font '{url}' {problem}", where, code="bad-font")
    href = f"fonts/{source.name}"
    if sources.setdefault(href, (source, media_type))[0] != source:
        raise PressrunError(f"two fonts are named '{source.name}'", where, code="bad-font")
    if url != href:
        _set_url(token, href)
    return href


def _set_url(token, url: str) -> None:
    """Point a ``url(...)`` token, or the string inside ``url("...")``, at ``url``."""
    token.value = url
    if token.type == "url":
        token.representation = f"url({serialize_url(url)})"
    else:
        token.representation = f'"{serialize_string_value(url)}"'


def _tag(name: str) -> int:
    """An OpenType tag (``kern``) as the number HarfBuzz's sets hold."""
    return int.from_bytes(name.encode("ascii"), "big")


def subset(font: bytes, codepoints: frozenset[int]) -> bytes:
    """The font ``font`` cut down to ``codepoints``.

    HarfBuzz's subsetter (the one browsers and WeasyPrint use) takes milliseconds where
    fontTools took a third of a second a font. It keeps ``head.modified``: same text,
    same bytes.
    """
    face = hb.Face(hb.Blob(font))
    wanted = hb.SubsetInput()
    wanted.unicode_set.update(codepoints)
    # HarfBuzz's default layout features: what every script needs to be shaped (Arabic's
    # joining forms, marks, Indic reordering), kerning and ligatures; not the small caps
    # and stylistic sets the theme does not use.
    wanted.name_id_set.update(range(15))  # identification, copyright and licence records
    wanted.drop_table_tag_set.add(_tag("Silt"))  # SIL TypeTuner data, unused by readers
    wanted.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.DESUBROUTINIZE
    return hb.subset(face, wanted).blob.data
