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
from urllib.parse import unquote, urlsplit

import tinycss2
import uharfbuzz as hb
from tinycss2.serializer import serialize_string_value, serialize_url

from pressrun.problems import PressrunError
from pressrun.project import Project

MEDIA_TYPES = {".ttf": "font/ttf", ".otf": "font/otf"}
#: Always kept: printable ASCII, no-break space and the usual typographic punctuation.
BASE_CHARS = frozenset(range(0x20, 0x7F)) | frozenset(map(ord, "\u00a0“”‘’–—…"))
#: OpenType features needed to set running text well; the rest (small caps, stylistic
#: sets, …) the theme does not use and they cost space.
FEATURES = ["kern", "liga", "clig", "calt", "ccmp", "locl", "mark", "mkmk", "rlig"]


@dataclass(frozen=True)
class FontFile:
    """One file for the EPUB: its path inside the container, media type and content."""

    href: str
    media_type: str
    data: bytes


def epub_fonts(project: Project, css_path: Path, text: str) -> list[FontFile]:
    """``fonts.css`` (the file at ``css_path``, in the project's ``styles/`` or the theme)
    and the fonts it declares, each subset to the characters of ``text``."""
    where = project.rel(css_path)
    rules = tinycss2.parse_stylesheet(project.read_bytes(css_path).decode("utf-8"))
    codepoints = BASE_CHARS | frozenset(map(ord, text))
    fonts: dict[str, tuple[Path, FontFile]] = {}
    for token in _font_urls(rules):
        url = token.value
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or url.startswith("/"):
            continue  # remote or data: URL, not ours to embed
        source = (css_path.parent / unquote(parts.path)).resolve()
        media_type = MEDIA_TYPES.get(source.suffix.lower())
        if media_type is None or not project.is_file(source):
            problem = "is not a .ttf or .otf file" if project.is_file(source) else \
                "was not found"
            raise PressrunError(f"font '{url}' {problem}", where, code="bad-font")
        href = f"fonts/{source.name}"
        if href not in fonts:
            data = subset(project.read_bytes(source), codepoints)
            fonts[href] = source, FontFile(f"styles/{href}", media_type, data)
        elif fonts[href][0] != source:
            raise PressrunError(f"two fonts are named '{source.name}'", where, code="bad-font")
        if url != href:
            _set_url(token, href)
    css = tinycss2.serialize(rules).encode("utf-8")
    return [FontFile("styles/fonts.css", "text/css", css), *(f for _, f in fonts.values())]


def _font_urls(rules: list) -> list:
    """The ``url()`` tokens in the ``src`` descriptors of the ``@font-face`` rules."""
    urls = []
    for rule in rules:
        if rule.type != "at-rule" or rule.lower_at_keyword != "font-face" or not rule.content:
            continue
        for decl in tinycss2.parse_blocks_contents(rule.content):
            if decl.type == "declaration" and decl.lower_name == "src":
                urls += [t for t in decl.value if t.type == "url"]
                urls += [t.arguments[0] for t in decl.value if t.type == "function"
                         and t.lower_name == "url" and t.arguments
                         and t.arguments[0].type == "string"]
    return urls


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
    wanted.layout_feature_tag_set.clear()
    wanted.layout_feature_tag_set.update(map(_tag, FEATURES))
    wanted.name_id_set.update(range(15))  # identification, copyright and licence records
    wanted.drop_table_tag_set.add(_tag("Silt"))  # SIL TypeTuner data, unused by readers
    wanted.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.DESUBROUTINIZE
    return hb.subset(face, wanted).blob.data
