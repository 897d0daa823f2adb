"""Word files and plain text, read as articles.

A ``.docx`` goes through mammoth (Word's styles to clean HTML, footnotes and pictures
included), then the same path as a web page, without the search for the article: the
whole document is the article. Plain text becomes paragraphs."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from lxml import html as lxml_html

from pressrun.importer.article import Article
from pressrun.importer.notes import take_notes
from pressrun.importer.pictures import Getter
from pressrun.importer.text import clean
from pressrun.problems import PressrunError

STYLES = "\n".join([
    "p[style-name='Title'] => h1:fresh",
    "p[style-name='Subtitle'] => p.subtitle:fresh",
    "p[style-name='Quote'] => blockquote > p:fresh",
    "p[style-name='Intense Quote'] => aside.pullquote > p:fresh",
])
"""Word's built-in styles mammoth does not map by itself."""
_CORE = {"dc": "http://purl.org/dc/elements/1.1/",
         "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
         "dcterms": "http://purl.org/dc/terms/"}


def read_docx(path: Path) -> tuple[Article, Getter, list[str]]:
    """The Word file's article, a getter for its pictures, and mammoth's warnings."""
    import mammoth

    pictures: dict[str, bytes] = {}

    def keep(image) -> dict[str, str]:
        with image.open() as stream:
            src = f"word-picture-{len(pictures) + 1}"
            pictures[src] = stream.read()
        return {"src": src}

    try:
        with path.open("rb") as file:
            result = mammoth.convert_to_html(file, style_map=STYLES,
                                             convert_image=mammoth.images.img_element(keep))
        title, creator = _properties(path)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise PressrunError(f"{path.name} is not a Word document pressrun can read ({exc}): "
                            "open it in a word processor and save it as .docx") from None
    root = lxml_html.fragment_fromstring(result.value or "<p></p>", create_parent="div")
    notes = take_notes(root)
    first = next(iter(root), None)
    if first is not None and first.tag == "h1":
        title = title or clean(first.text_content())
        first.drop_tree()
    subtitle = root.find(".//p[@class='subtitle']")
    standfirst = None
    if subtitle is not None:
        standfirst = clean(subtitle.text_content())
        subtitle.drop_tree()
    warnings = [m.message for m in result.messages if m.type == "warning"
                and "Unrecognised" not in m.message]

    def get(src: str) -> bytes:
        if src not in pictures:
            raise PressrunError("is not a picture of the Word file")
        return pictures[src]

    article = Article(title=title or path.stem.replace("-", " ").replace("_", " "),
                      body=root, notes=notes, creators=(creator,) if creator else (),
                      standfirst=standfirst)
    return article, get, warnings


def _properties(path: Path) -> tuple[str, str]:
    """The title and author in the Word file's properties (empty when not set)."""
    with zipfile.ZipFile(path) as archive:
        if "docProps/core.xml" not in archive.namelist():
            return "", ""
        core = ET.fromstring(archive.read("docProps/core.xml"))
    return clean(core.findtext("dc:title", "", _CORE)), clean(core.findtext("dc:creator", "",
                                                                            _CORE))


def read_plain(text: str, name: str) -> tuple[str, str]:
    """Plain text as a title (its first line, when a blank line follows it) and Markdown
    paragraphs, every character that Markdown would read as markup escaped."""
    blocks = [b.strip("\n") for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n"))]
    blocks = [b for b in blocks if b.strip()]
    title = name
    if blocks and "\n" not in blocks[0] and len(blocks[0]) <= 120:
        title = clean(blocks.pop(0))
    return title, "\n\n".join(_escape_plain(" ".join(b.split())) for b in blocks) + "\n"


_MARKUP = re.compile(r"([\\`*_\[\]<>|~])")
_LINE_START = re.compile(r"^(#{1,6}\s|[-+]\s|\d{1,9}[.)]\s|>|:::|=+\s*$|-{3,}\s*$)")


def _escape_plain(text: str) -> str:
    text = _MARKUP.sub(r"\\\1", text)
    return "\\" + text if _LINE_START.match(text) else text


def read_markdown(text: str) -> tuple[str | None, str]:
    """A Markdown file's title (its front matter's or first ``#`` heading's, if any) and
    its body (without front matter; that first heading removed)."""
    body = text.replace("\r\n", "\n")
    title = None
    match = re.match(r"---\n(.*?)\n---\n", body, re.S)
    if match:
        import yaml

        try:
            front = yaml.safe_load(match[1])
        except yaml.YAMLError:
            front = None
        if isinstance(front, dict) and isinstance(front.get("title"), str):
            title = front["title"]
        body = body[match.end():]
    heading = re.match(r"\s*# (.+)\n", body)
    if heading and title is None:
        title = heading[1].strip()
        body = body[heading.end():]
    return title, body.lstrip("\n")

