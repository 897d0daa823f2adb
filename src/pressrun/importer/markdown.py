"""An article's HTML as the manuscript's Markdown (markdownify, told about pressrun's
pictures, notes, boxouts and pull quotes)."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html
from lxml.etree import _Element
from markdownify import MarkdownConverter

from pressrun.importer.notes import NOTE
from pressrun.importer.text import clean, tidy

Picture = Callable[[str, str, str], str]
"""Called as ``picture(src, alt, caption)``; returns the reference to write
(``../images/NAME``)."""
LINK_SCHEMES = ("http", "https", "mailto")
_EMPTY_ROW = re.compile(r"^\|(\s*\|)+\s*$")
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_EMOJI = re.compile(r"emoji|smiley", re.I)


class Converter(MarkdownConverter):
    """HTML to the manuscript's Markdown; ``warnings`` collects what could not be kept."""

    def __init__(self, picture: Picture, base: str | None, top: int = 2) -> None:
        super().__init__(heading_style="atx", bullets="-", escape_misc=True,
                         strong_em_symbol="*", newline_style="backslash",
                         table_infer_header=True)
        self.picture, self.base, self.top = picture, base, top
        self.warnings: list[str] = []

    def markdown(self, element: _Element) -> str:
        """The Markdown of ``element``'s content."""
        for image in list(element.iter("img")):
            if _pixel(image) or _HIDDEN.search(image.get("style") or ""):
                image.drop_tree()  # a page-view counter or a hidden spinner, not a picture
        for node in element.iter():
            if isinstance(node.tag, str):
                node.text = tidy(node.text) if node.text else node.text
            node.tail = tidy(node.tail) if node.tail else node.tail
        text = self.convert(lxml_html.tostring(element, encoding="unicode"))
        return _lines_broken_inside("\n".join(line.rstrip() for line in text.split("\n")))

    def escape(self, text, parent_tags):
        escaped = super().escape(text, parent_tags)
        return "\\" + escaped if escaped.startswith(":::") else escaped  # not a box

    def convert_sup(self, el, text, parent_tags):
        number = el.get(NOTE)
        return f"[^{number}]" if number else text

    def convert_figure(self, el, text, parent_tags):
        image = el.find("img")
        if image is None:
            return text
        caption = el.find("figcaption")
        line = self._picture(image, clean(caption.get_text()) if caption is not None else "")
        return f"\n\n{line}\n\n"

    def convert_img(self, el, text, parent_tags):
        if _EMOJI.search(" ".join(el.get("class") or ())) and el.get("alt"):
            return str(el.get("alt"))  # an emoji the page drew as a picture: its character
        if "figure" in parent_tags:
            return ""  # the figure sets it, with its caption
        if "_inline" in parent_tags and "p" not in parent_tags:
            return el.get("alt") or ""  # a picture in a link or heading: its words
        return self._picture(el, clean(el.get("title") or ""))

    def _picture(self, image, caption: str) -> str:
        src, alt = _source(image), clean(image.get("alt") or "")
        ref = self.picture(src, alt, caption)
        title = ' "' + caption.replace("\\", "\\\\").replace('"', '\\"') + '"' if caption else ""
        return f"![{_escaped(alt)}]({ref}{title})"

    def convert_aside(self, el, text, parent_tags):
        kind = "pullquote" if "pullquote" in (el.get("class") or "") else "aside"
        return f"\n\n::: {kind}\n{text.strip()}\n:::\n\n" if text.strip() else ""

    def convert_hN(self, n, el, text, parent_tags):
        if not text.strip():
            return ""  # an empty heading (a page's spacer): nothing to read
        if "aside" in parent_tags:  # a boxout's title: a bold line
            return f"\n\n**{text.strip()}**\n\n" if text.strip() else ""
        level = min(6, max(2, n - self.top + 2))
        return super().convert_hN(level, el, text, parent_tags)

    def convert_a(self, el, text, parent_tags):
        href = (el.get("href") or "").strip()
        if href and self.base and not urlsplit(href).scheme and not href.startswith("#"):
            href = urljoin(self.base, href)
        if not text.strip() or urlsplit(href).scheme.lower() not in LINK_SCHEMES or \
                text.strip().startswith("!["):
            return text  # an anchor in the page, a script, a picture: no link
        target = f"<{href}>" if any(c in href for c in " ()<>") else href
        return f"[{text}]({target})"

    def convert_table(self, el, text, parent_tags):
        if el.find(attrs={"rowspan": True}) or el.find(attrs={"colspan": True}):
            self.warnings.append("a table with merged cells was set as a simple table: "
                                 "check it against the source")
        table = super().convert_table(el, text, parent_tags)
        return "\n".join(row for row in table.split("\n") if not _EMPTY_ROW.match(row))


def _source(image) -> str:
    """The address of an ``<img>``'s picture; for one loaded as the reader scrolls, the
    real one (``data-src``, ``srcset``) rather than the blank stand-in."""
    src = (image.get("src") or "").strip()
    if src and not src.startswith("data:"):
        return src
    for key in ("data-src", "data-lazy-src", "data-original"):
        if image.get(key):
            return str(image.get(key)).strip()
    srcset = image.get("srcset") or image.get("data-srcset") or ""
    candidates = [c.strip().split()[0] for c in srcset.split(",") if c.strip()]
    return candidates[-1] if candidates else src


def _lines_broken_inside(text: str) -> str:
    """``text`` without line breaks that end a paragraph (a ``<br>`` before a block or
    at a paragraph's end), which Markdown would print as a backslash."""
    lines = [*text.split("\n"), ""]
    for i, line in enumerate(lines[:-1]):
        if (len(line) - len(line.rstrip("\\"))) % 2 and not lines[i + 1].strip():
            lines[i] = line[:-1].rstrip()
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines).strip()) + "\n"


def _pixel(image) -> bool:
    """Whether an ``<img>`` is a counting pixel: one or two pixels wide or high."""
    sizes = [image.get(key, "").strip().removesuffix("px") for key in ("width", "height")]
    return any(size.isdigit() and int(size) <= 2 for size in sizes)


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def top_heading(body: _Element) -> int:
    """The level of the body's largest heading (2 when it has none)."""
    levels = [int(e.tag[1]) for e in body.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    return min(levels, default=2)


def note_definitions(notes: list[str]) -> str:
    """Markdown notes (``[^1]: …``), continuation lines indented."""
    blocks = []
    for number, text in enumerate(notes, 1):
        lines = text.strip().split("\n")
        rest = "\n".join(("    " + line) if line else "" for line in lines[1:])
        blocks.append(f"[^{number}]: {lines[0]}" + (f"\n{rest}" if rest else ""))
    return "\n\n".join(blocks)
