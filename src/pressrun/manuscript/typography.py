"""Typography by language, as the Markdown is read: quotation marks, dashes, ellipses and
French spacing (markdown-it core rules). Nothing else of the author's text is changed."""

from __future__ import annotations

import re

from markdown_it.rules_core import StateCore
from markdown_it.rules_core.smartquotes import process_inlines
from markdown_it.token import Token

# Quotation marks by primary language subtag (CLDR's delimiters): double open and close,
# single open and close. Right-to-left, the marks are as the reader sees them.
QUOTES: dict[str, str | list[str]] = {
    "de": "„“‚‘",
    "fr": ["«\u202f", "\u202f»", "‹\u202f", "\u202f›"],
    "ru": "«»„“",
    "uk": "«»„“",
    "es": "«»“”",
    "it": "«»“”",
    "pt": "«»“”",
    "pl": "„”«»",
    "nl": "„”‚’",
    "sv": "””’’",
    "da": "»«›‹",
    "el": "«»“”",
    "fa": "«»‹›",
    "ar": "”“’‘",
    "he": "””’’",
}


def quotes_for(language: str) -> str | list[str]:
    """The quotation marks of ``language``: double open and close, single open and close."""
    return QUOTES.get(language.split("-")[0].lower(), "“”‘’")


_EM_DASH = re.compile(r"(^|[^-])---(?=[^-]|$)", re.MULTILINE)
_EN_DASH = re.compile(r"(^|\s)--(?=\s|$)|(^|[^-\s])--(?=[^-\s]|$)", re.MULTILINE)
"""markdown-it's own dash rules."""
LINK_SCHEMES = ("http", "https", "mailto")
"""The addresses a link may lead to, besides another part of the pamphlet."""


def dashes_and_ellipses(state: StateCore) -> None:
    """The typographer's replacements an author means: ``---`` → —, ``--`` → –, ``...`` → …
    (markdown-it's own rule also turns ``(c)`` into ©, ``+-`` into ± and ``!!!!`` into
    ``!!!``, changing what the author wrote)."""
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        in_autolink = False
        for child in token.children:
            if child.type == "link_open" and child.info == "auto":
                in_autolink = True
            elif child.type == "link_close" and child.info == "auto":
                in_autolink = False
            elif child.type == "text" and not in_autolink:
                text = child.content.replace("...", "\u2026")
                if "--" in text:  # most text has none: the searches are a tenth of reading
                    text = _EM_DASH.sub("\\1\u2014", text)
                    text = _EN_DASH.sub(lambda m: (m[1] or m[2] or "") + "\u2013", text)
                child.content = text


_FRENCH_BEFORE = re.compile(r"(?<=[^\s\d(\[])[ \u00a0]?([;:!?»›])(?=\s|$|[»›)\].,])"
                            r"|(?<=\d)[ \u00a0]?([;!?»›])")
"""A ``;:!?»`` after a word (a colon between digits, 12:30, is left alone)."""
_FRENCH_AFTER = re.compile(r"([«‹])[ \u00a0]?(?=\S)")


def by_language(state: StateCore) -> None:
    """Quotation marks, and French spacing, in the language of each passage: the part's
    (``state.env["language"]``), a fenced div's (``::: {lang=de}``) or a span's
    (``[…]{lang=fr}``). Replaces markdown-it's ``smartquotes``, which knows one language."""
    from mdit_py_plugins.attrs.parse import ParseError, parse

    stack = [state.env.get("language", "en")]
    for token in state.tokens:
        if token.type == "container_any_open":
            try:
                language = parse(token.info.strip())[1].get("lang", stack[-1]) \
                    if token.info.strip().startswith("{") else stack[-1]
            except ParseError:
                language = stack[-1]
            stack.append(str(language))
        elif token.type == "container_any_close" and len(stack) > 1:
            stack.pop()
        elif token.type == "inline" and token.children:
            passages = _passages(token.children, stack[-1])
            for language, texts in passages.items():
                _quotes(token.children, texts, language, state)


def _passages(children: list[Token], language: str) -> dict[str, list[Token]]:
    """The text tokens of each language (outside spans: ``language``)."""
    found: dict[str, list[Token]] = {}
    stack = [language]
    for child in children:
        if child.type == "span_open":
            stack.append(str(child.attrs.get("lang", stack[-1])))
        elif child.type == "span_close" and len(stack) > 1:
            stack.pop()
        elif child.type == "text":
            found.setdefault(stack[-1], []).append(child)
    return found


def _quotes(children: list[Token], texts: list[Token], language: str,
            state: StateCore) -> None:
    """markdown-it's smart quotes with ``language``'s marks, in the tokens ``texts`` of
    ``children`` (the others are read for context only: a quotation mark before a span
    opens)."""
    mine = {id(text) for text in texts}
    elsewhere = [c for c in children if c.type == "text" and id(c) not in mine]
    options, written = state.md.options, state.md.options["quotes"]
    options["quotes"] = quotes_for(language)
    for child in elsewhere:
        child.type = "text_elsewhere"
    try:
        process_inlines(children, state)
    finally:
        options["quotes"] = written
        for child in elsewhere:
            child.type = "text"
    if language.split("-")[0].lower() == "fr":
        _french_spacing(children, mine)


def _french_spacing(children: list[Token], mine: set[int]) -> None:
    """French typography in the text tokens ``mine``: a narrow no-break space before
    ``;:!?`` and » and after «, however the author spaced them (none, a space, a no-break
    space)."""
    in_link = False
    for child in children:
        if child.type in ("link_open", "link_close") and child.info == "auto":
            in_link = child.type == "link_open"
        elif child.type == "text" and not in_link and id(child) in mine:
            text = _FRENCH_BEFORE.sub(lambda m: "\u202f" + (m[1] or m[2]), child.content)
            child.content = _FRENCH_AFTER.sub("\\1\u202f", text)
