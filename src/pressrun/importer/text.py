"""Text as pages and documents hold it, made plain: no invisible characters, no control
characters, ordinary spaces. The visible text is not changed."""

from __future__ import annotations

import codecs
import re

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff\u180e\u200e\u200f"))
"""Soft hyphens, zero-width spaces, word joiners, byte-order marks and direction marks,
which web pages and word processors leave in text (pressrun hyphenates by itself)."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t\r\f\v]")


def tidy(text: str) -> str:
    """``text`` without invisible or control characters, every space an ordinary one
    (line breaks kept)."""
    return _CONTROL.sub("", _SPACES.sub(" ", text.translate(_INVISIBLE)))


def clean(text: str) -> str:
    """``text`` tidied, with each run of white space one space, and trimmed."""
    return " ".join(tidy(text).split())


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))


def page_text(data: bytes, declared: str | None = None) -> str:
    """A web page's bytes as text, in the encoding browsers would read it in: a byte-order
    mark's, else the one the server (``declared``) or the page's ``<meta>`` names, else
    UTF-8 when it is, else the likeliest (trafilatura's guess). Latin-1 and ASCII are read
    as Windows-1252, as browsers do. A leading XML declaration is left out (lxml refuses
    text that names its encoding)."""
    return _XML_DECLARATION.sub("", _decoded(data, declared))


def _decoded(data: bytes, declared: str | None) -> str:
    from trafilatura.utils import decode_file

    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, "replace")
    meta = _META_CHARSET.search(data[:8192])
    for name in (declared, meta.group(1).decode("ascii") if meta else None):
        try:
            codec = codecs.lookup(name or "").name
            return data.decode("cp1252" if codec in ("latin-1", "iso8859-1", "ascii") else codec)
        except (LookupError, UnicodeDecodeError):
            continue
    return decode_file(data)
