"""The projects the benchmarks build: copies of the corpora, their edits, and generated prose."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from importlib.resources import files
from itertools import cycle, islice
from pathlib import Path

import yaml

SOURCES = ("manuscript", "images", "styles")
"""What makes a project; ``build/`` (and any cache inside it) is never copied."""
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
NOTE_CALL = re.compile(r"\[\^[^\]]+\]")
EDIT_WORD = " again"
STYLE_RULE = "\n/* benchmark edit {n} */\n.pressrun-benchmark-{n} {{ color: inherit; }}\n"
WORDS_PER_PAGE = 330
"""Words of plain prose on an A5 page of the default theme (measured on Ten Days)."""
WORDS_PER_PART = 3000


def copy_project(source: Path, dest: Path) -> Path:
    """Copy the sources of the project at ``source`` to a new, writable ``dest``."""
    dest.mkdir(parents=True)
    for name in SOURCES:
        if (source / name).is_dir():
            shutil.copytree(source / name, dest / name, copy_function=shutil.copyfile)
    for path in dest.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return dest


def reset_build(project: Path) -> None:
    """Remove ``build/`` and everything in it (outputs and any build cache)."""
    shutil.rmtree(project / "build", ignore_errors=True)


def part_files(project: Path) -> list[Path]:
    """The project's parts, in reading order."""
    manuscript = project / "manuscript"
    metadata = yaml.safe_load((manuscript / "pamphlet.yaml").read_text(encoding="utf-8"))
    return [manuscript / name for name in metadata["contents"]]


def middle_part(project: Path) -> Path:
    """The part in the middle of the reading order."""
    parts = part_files(project)
    return parts[len(parts) // 2]


def _is_prose(block: str) -> bool:
    """A paragraph of running text (not a heading, quote, list, figure, table or note)."""
    first = block[:1]
    return (first.isalpha() or first in "“‘\"") and not block.endswith("\\") \
        and "](" not in block and "\n" not in block


def edit_paragraph(part: Path) -> None:
    """Append a word to the middle paragraph of running text in ``part``."""
    text = part.read_text(encoding="utf-8")
    blocks = text.split("\n\n")
    prose = [i for i, block in enumerate(blocks) if _is_prose(block.strip())]
    if not prose:
        raise ValueError(f"{part} has no paragraph of running text to edit")
    index = prose[len(prose) // 2]
    blocks[index] = blocks[index].rstrip() + EDIT_WORD
    part.write_text("\n\n".join(blocks), encoding="utf-8")


def install_stylesheet(project: Path) -> Path:
    """Override the theme's ``print.css`` with an identical copy in ``styles/``."""
    target = project / "styles" / "print.css"
    target.parent.mkdir(exist_ok=True)
    target.write_text((files("pressrun") / "theme" / "print.css").read_text(encoding="utf-8"),
                      encoding="utf-8")
    return target


def edit_stylesheet(stylesheet: Path, n: int) -> None:
    """Append a harmless rule (it matches nothing) to ``stylesheet``."""
    with stylesheet.open("a", encoding="utf-8") as handle:
        handle.write(STYLE_RULE.format(n=n))


def prose_paragraphs(source: Path) -> list[str]:
    """Every paragraph of plain running text in the project at ``source``, note calls removed."""
    paragraphs = []
    for part in part_files(source):
        body = FRONT_MATTER.sub("", part.read_text(encoding="utf-8"))
        paragraphs += [NOTE_CALL.sub("", block.strip()) for block in body.split("\n\n")
                       if _is_prose(block.strip()) and len(block.split()) >= 20]
    return paragraphs


def generate_prose_project(source: Path, dest: Path, pages: int) -> Path:
    """Write a project of about ``pages`` A5 pages of plain prose taken from ``source``.

    The title page and colophon take two pages; parts of about ten pages each
    hold the rest, with the paragraphs of ``source`` repeated as often as needed.
    """
    words = max(pages - 2, 1) * WORDS_PER_PAGE
    manuscript = dest / "manuscript"
    manuscript.mkdir(parents=True)
    paragraphs = cycle(prose_paragraphs(source))
    contents: list[str] = []
    while words > 0:
        chosen = _take_words(paragraphs, min(words, WORDS_PER_PART))
        words -= sum(len(p.split()) for p in chosen)
        name = f"{len(contents) + 1:03d}-part.md"
        body = "\n\n".join(chosen)
        (manuscript / name).write_text(
            f"---\ntitle: Part {len(contents) + 1}\n---\n\n{body}\n", encoding="utf-8")
        contents.append(name)
    metadata = {"title": f"Scaling test, {pages} pages", "language": "en-GB",
                "contents": contents}
    (manuscript / "pamphlet.yaml").write_text(yaml.safe_dump(metadata), encoding="utf-8")
    return dest


UNIT_TEXT = ("The workers of Petrograd met in their thousands and argued about what to do "
             "next, district by district and factory by factory. ")


def generate_parts_project(dest: Path, parts: int) -> Path:
    """A project of ``parts`` short parts (a paragraph each), for the cost of a part."""
    manuscript = dest / "manuscript"
    manuscript.mkdir(parents=True)
    contents = []
    for number in range(1, parts + 1):
        name = f"{number:05d}-part.md"
        (manuscript / name).write_text(f"---\ntitle: Part {number}\n---\n\n{UNIT_TEXT * 2}\n",
                                       encoding="utf-8")
        contents.append(name)
    metadata = {"title": f"Scaling test, {parts} parts", "language": "en-GB",
                "contents": contents}
    (manuscript / "pamphlet.yaml").write_text(yaml.safe_dump(metadata), encoding="utf-8")
    return dest


def generate_notes_project(dest: Path, notes: int) -> Path:
    """A project of one part with ``notes`` footnotes, one per paragraph, for the cost of
    a note."""
    manuscript = dest / "manuscript"
    manuscript.mkdir(parents=True)
    body = "".join(f"{UNIT_TEXT * 2}[^{n}]\n\n" for n in range(1, notes + 1))
    body += "".join(f"[^{n}]: Note {n}, a short reference.\n" for n in range(1, notes + 1))
    (manuscript / "01-notes.md").write_text(f"---\ntitle: Notes\n---\n\n{body}",
                                            encoding="utf-8")
    metadata = {"title": f"Scaling test, {notes} notes", "language": "en-GB",
                "contents": ["01-notes.md"]}
    (manuscript / "pamphlet.yaml").write_text(yaml.safe_dump(metadata), encoding="utf-8")
    return dest


def _take_words(paragraphs: Iterator[str], words: int) -> list[str]:
    """Paragraphs from ``paragraphs`` until they hold at least ``words`` words."""
    chosen: list[str] = []
    count = 0
    for paragraph in islice(paragraphs, 10_000):
        chosen.append(paragraph)
        count += len(paragraph.split())
        if count >= words:
            break
    return chosen


def pandoc_markdown(project: Path, dest: Path) -> Path:
    """Concatenate the project's parts into one Markdown file for pandoc.

    The title and language become pandoc metadata; each part's front-matter title
    becomes a level-1 heading; footnote labels are made unique per part, because
    pandoc's footnotes share one namespace.
    """
    metadata = yaml.safe_load((project / "manuscript" / "pamphlet.yaml").read_text(
        encoding="utf-8"))
    header = {"title": metadata["title"], "lang": metadata.get("language", "en")}
    chunks = [f"---\n{yaml.safe_dump(header, allow_unicode=True)}---"]
    for number, part in enumerate(part_files(project), 1):
        text = part.read_text(encoding="utf-8")
        match = FRONT_MATTER.match(text)
        title = yaml.safe_load(match.group(1)).get("title", part.stem) if match else part.stem
        body = FRONT_MATTER.sub("", text)
        body = re.sub(r"\[\^([^\]]+)\]", rf"[^p{number}-\1]", body)
        chunks.append(f"# {title}\n\n{body}")
    dest.write_text("\n\n".join(chunks), encoding="utf-8")
    return dest
