"""Text as pages and documents hold it, made plain: no invisible characters, no control
characters, ordinary spaces. The visible text is not changed."""

from __future__ import annotations

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
