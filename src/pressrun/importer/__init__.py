"""``pressrun import``: an article from a web page (saved, or at its address), a Word file,
or a Markdown or text file, as a new part of the manuscript with its pictures.

Reading the source is done in ``article`` (web pages), ``documents`` (Word, text) and
``markdown`` (HTML to Markdown); the network in ``fetch``, the pictures in ``pictures``,
the edit of ``pamphlet.yaml`` in ``contents``. This module puts them together.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from pressrun.importer.article import Article
from pressrun.importer.contents import add_to_contents, language, listed
from pressrun.importer.pictures import Getter, Pictures
from pressrun.model import slugify
from pressrun.problems import PressrunError
from pressrun.project import CONFIG, IMAGES, MANUSCRIPT, Project

READS = ".html, .htm, .docx, .md and .txt files, and http:// or https:// addresses"
NAME_LENGTH = 50
FEW_WORDS = 30


@dataclass
class Prepared:
    """An imported part, ready to be written: its file and its pictures' files."""

    name: str
    title: str
    language: str | None
    files: list[tuple[str, bytes]]
    words: int = 0
    notes: int = 0
    pictures: int = 0
    to_come: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self, listed: str) -> str:
        """One line saying what was imported, and where it is ``listed``."""
        pictures = f"{self.pictures} picture{'s' * (self.pictures != 1)}"
        if self.pictures:
            pictures += f" ({self.pictures - len(self.to_come)} in images/, " \
                        f"{len(self.to_come)} to come)"
        return (f"imported {MANUSCRIPT}/{self.name}: {self.words:,} words, {self.notes} "
                f"note{'s' * (self.notes != 1)}, {pictures}; {listed}")


def import_part(project: Project, source: str, name: str | None = None,
                after: str | None = None, images: bool = True,
                allow_local: bool = False) -> Prepared:
    """Import ``source`` as a new part of ``project``, listed in ``contents`` after the part
    ``after`` (or last); nothing is written if anything fails."""
    config = project.path(CONFIG)
    try:
        text = project.read_bytes(config).decode("utf-8")
    except UnicodeDecodeError:
        raise PressrunError("is not UTF-8 text", CONFIG) from None
    prepared = prepare(project, source, name, images, allow_local, language(text) or "",
                       listed(text))
    project.add_sources(prepared.files, add_to_contents(text, prepared.name, after).encode())
    return prepared


def prepare(project: Project, source: str, name: str | None = None, images: bool = True,
            allow_local: bool = False, language: str = "",
            parts: list[str] | None = None) -> Prepared:
    """``source`` read and turned into a part for ``project`` (nothing written yet), to
    follow ``parts`` (numbered after them; the first part, when None)."""
    taken = {p.name.lower() for p in project.path(IMAGES).glob("*")} \
        if project.path(IMAGES).is_dir() else set()
    draft, get, base, warnings = _read(source, images, allow_local)
    pictures = Pictures(get if images else None, taken)
    body, notes = _markdown(draft, pictures, base, warnings) if isinstance(draft, Article) \
        else (draft[1], [])
    title = draft.title if isinstance(draft, Article) else draft[0]
    part_name = _name(project, name, title, ["00-"] if parts is None else parts)
    front = _front_matter(draft, title, language)
    text = "---\n" + front + "---\n\n" + body + (
        "\n" + "\n\n".join(notes) + "\n" if notes else "")
    found = len(pictures.files) + len(pictures.to_come)
    count = len(re.findall(r"\w+", body))
    if isinstance(draft, Article) and count < FEW_WORDS:
        warnings.append(f"only {count} words of article found: check it is the right page "
                        "(a site that loads its text as you read must be saved from the "
                        "browser once the article shows)")
    return Prepared(part_name, title, _language(draft),
                    [(f"{MANUSCRIPT}/{part_name}", text.encode("utf-8")), *pictures.files],
                    words=count,
                    notes=len(re.findall(r"^\[\^\d+\]:", "\n".join(notes), re.M)),
                    pictures=found,
                    to_come=pictures.to_come, warnings=warnings + pictures.problems)


def _read(source: str, images: bool, allow_local: bool
          ) -> tuple[Article | tuple[str, str], Getter | None, str | None, list[str]]:
    """The source as an article (or a title and Markdown), a getter for its pictures, the
    address its links are relative to, and warnings."""
    from pressrun.importer.article import read_page
    from pressrun.importer.documents import read_docx, read_markdown, read_plain
    from pressrun.importer.pictures import local_getter
    from pressrun.importer.text import page_text

    if urlsplit(source).scheme in ("http", "https"):
        from pressrun.importer.fetch import Fetcher

        fetcher = Fetcher(source, allow_local)
        page = fetcher.page()
        return read_page(page_text(page.data, page.charset), page.url), \
            _fetching(fetcher, page.url), page.url, []
    path = Path(source)
    if not path.is_file():
        raise PressrunError(f"'{source}' is not a file or a web address: pressrun import "
                            f"reads {READS}")
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm", ".xhtml"):
        article = read_page(page_text(path.read_bytes()), None)
        base = article.source.rsplit(", ", 1)[-1] if article.source else None
        return article, local_getter(path.parent), base if base and "://" in base else None, []
    if suffix == ".docx":
        article, get, warnings = read_docx(path)
        return article, get, None, warnings
    text = _text(path)
    if suffix in (".md", ".markdown"):
        title, body = read_markdown(text)
        return (title or path.stem, body), None, None, []
    if suffix == ".txt":
        return read_plain(text, path.stem), None, None, []
    raise PressrunError(f"'{source}' is a {suffix or 'suffix-less'} file: pressrun import "
                        f"reads {READS}")


def _text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PressrunError(f"{path.name} is not UTF-8 text: save it as UTF-8 (in most "
                            "editors: Save As… → Encoding → UTF-8)") from None


def _fetching(fetcher, page_url: str) -> Getter:
    from urllib.parse import urljoin

    return lambda src: fetcher.picture(urljoin(page_url, src)).data


def _markdown(article: Article, pictures: Pictures, base: str | None,
              warnings: list[str]) -> tuple[str, list[str]]:
    """The article's body and notes as Markdown, the notes numbered as the body calls them."""
    from pressrun.importer.markdown import Converter, note_definitions, top_heading

    converter = Converter(pictures, base, top_heading(article.body))
    body = converter.markdown(article.body)
    texts = [converter.markdown(note) for note in article.notes]
    warnings.extend(converter.warnings)
    order: dict[str, int] = {}
    for number in re.findall(r"\[\^(\d+)\]", body):
        order.setdefault(number, len(order) + 1)
    body = re.sub(r"\[\^(\d+)\]", lambda m: f"[^{order[m[1]]}]", body)
    kept = [texts[int(old) - 1] for old in order if 0 < int(old) <= len(texts)]
    return body, [note_definitions(kept)] if kept else []


def _language(draft: Article | tuple[str, str]) -> str | None:
    return draft.language if isinstance(draft, Article) else None


def _front_matter(draft: Article | tuple[str, str], title: str, language: str) -> str:
    """The part's front matter, in YAML."""
    front: dict[str, object] = {"title": title}
    if isinstance(draft, Article):
        if draft.creators:
            front["creators"] = list(draft.creators)
        for key in ("date", "source"):
            if getattr(draft, key):
                front[key] = getattr(draft, key)
        if draft.standfirst:
            front["standfirst"] = re.sub(r"([\\`*_\[\]<>])", r"\\\1", draft.standfirst)
        own = (draft.language or "").split("-")[0].lower()
        if own and language and own != language.split("-")[0].lower():
            front["language"] = draft.language
    return yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=math.inf)


def _name(project: Project, given: str | None, title: str, parts: list[str]) -> str:
    """The part's file name: ``given`` (``--as``), or the next number and the title's slug."""
    if given is not None:
        if "/" in given or "\\" in given or given.startswith(".") or \
                not given.endswith(".md"):
            raise PressrunError(f"--as {given}: name the part as a file of manuscript/ "
                                "ending in .md, such as 03-the-strike.md")
        name = given
    else:
        numbers = [m for p in parts if (m := re.match(r"(\d+)-", Path(p).name))]
        prefix = ""
        if numbers:
            width = max(len(m[1]) for m in numbers)
            prefix = f"{max(int(m[1]) for m in numbers) + 1:0{width}d}-"
        name = prefix + slugify(title, "article", NAME_LENGTH) + ".md"
    if project.path(f"{MANUSCRIPT}/{name}").exists():
        raise PressrunError(f"{MANUSCRIPT}/{name} already exists: pressrun import never "
                            "replaces a file; choose another name with --as")
    return name
