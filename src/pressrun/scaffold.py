"""A new project folder with a small sample pamphlet to build on (for ``pressrun new``).

The files are always the same for the same title and language (no dates, no randomness),
and nothing that already exists is ever overwritten: files are opened with mode ``"x"``.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw

from pressrun.manuscript.schema import check_language, yaml_scalar
from pressrun.problems import PressrunError
from pressrun.project import BUILD, CONFIG, IMAGES, MANUSCRIPT, STYLES

if TYPE_CHECKING:
    from pressrun.importer import Prepared

PAMPHLET_YAML = """\
title: {title}
language: {language}
# The authors and translators, one per line: remove the '# ' to use the example.
creators:
  # - Ada Organiser
contents:
  - {first}

# Optional keys: remove the '# ' in front of a line to use it.
# subtitle: A study pack  # a line under the title
# publisher: Northside Study Group  # who puts it out, printed on the title page
# source: Socialist Worker, issue 2578  # printed as "First published in …"
# date: 2017-10-25  # this edition's date, year first: 2017, 2017-10 or 2017-10-25
# rights: CC BY-SA 4.0  # a licence or credit line for the title page
# page_size: A5  # A5 (the default), A4, A6, letter, half-letter or "120mm 190mm"
# notes: endnotes  # footnotes (the default) at the foot of the page, or endnotes
# part_start: right  # start each part on a right-hand page, as in a book
# back_cover: A few sentences for the back of a booklet (pressrun pdf --booklet)

# Study-group features (see docs/study.md):
# questions: end  # gather every '::: questions' box at the end of the book
# paragraph_numbers: true  # number paragraphs, the same in print and e-book
# notes_pages: 2  # ruled pages for readers' notes at the end of the print edition
# url: https://example.org/my-pamphlet  # printed with a QR code on the colophon
# A glossary goes in manuscript/glossary.yaml: 'term: definition' lines.
"""

FIRST_PART = """\
---
title: Your first part{language}
standfirst: A sample to write over. Each part of the pamphlet is a Markdown file like this \
one, listed under *contents* in pamphlet.yaml.
---

Type plain keyboard characters and let pressrun do the typesetting. "Straight quotes" come
out curly, and two hyphens -- like these -- become a dash.[^typing]

## Adding pictures

Save a picture in the images/ folder and give it a paragraph of its own. The words in square
brackets describe it for readers who can't see it; the words in quotes are its caption.

{banner}

You don't have to wait for the artwork. This next picture doesn't exist yet, so the build
draws a placeholder and lists it as missing art:

{placeholder}

## Footnotes, quotes and questions

Notes go at the end of the file, and pressrun numbers them for you. A pull quote repeats a
striking line from the text, set large to catch the eye.

::: pullquote
Let pressrun do the typesetting.
:::

Finish with questions for your study group to discuss:

::: questions
1. What should a reader take away from this pamphlet?
2. Which picture would say it best?
3. What would you ask at the next meeting?
:::

[^typing]: This is a footnote. Mark its place with a label such as `[^typing]`, and write
    the note anywhere in the file, on a line starting with the same label and a colon.
"""
BANNER = ('![A white five-pointed star on a plain red banner](../images/banner.png '
          '"Replace images/banner.png with your own picture, or add more pictures beside it")')
PLACEHOLDER = ('![A photo of your group at its last meeting](../images/your-photo.jpg '
               '"A placeholder: the build draws this box until images/your-photo.jpg is there")')

STYLES_README = """\
# Your own styles

pressrun lays out the pamphlet with its default theme. To change part of it, put a file
here with the same name as a theme file, and pressrun uses yours instead: `common.css`
(both editions), `print.css` (the printed page), `epub.css` (the e-book), `fonts.css`,
or a template such as `print.html`, `part.xhtml` or `_macros.html`. Start from a copy of
the default file in pressrun's `src/pressrun/theme/` folder. Templates are trusted code:
they run with your rights, so only use ones you trust. See docs/theming.md in the pressrun
repository for a step-by-step guide.
"""


def create_project(target: Path, title: str = "My pamphlet", language: str = "en-GB",
                   part: tuple[str, list[tuple[str, bytes]]] | None = None) -> list[Path]:
    """Create a new project in ``target`` (new or empty) and return the files written:
    with the sample part, or with ``part``, the name and files of an imported one."""
    problem = check_language(language)
    if problem:
        raise PressrunError(problem)
    title = " ".join(title.split())
    if not title:
        raise PressrunError("the title is empty: give the pamphlet a title")
    if target.exists() and not target.is_dir():
        raise PressrunError(f"'{target}' is a file: choose a new folder name for the project")
    if target.is_dir() and any(target.iterdir()):
        raise PressrunError(f"folder '{target}' is not empty: choose a new folder name, "
                            "or an empty folder, for the project")
    first = part[0] if part else "01-first-part.md"
    sample: dict[str, str | bytes] = dict(part[1]) if part else {
        f"{MANUSCRIPT}/{first}": FIRST_PART.format(
            banner=BANNER, placeholder=PLACEHOLDER, language=_sample_language(language)),
        f"{IMAGES}/banner.png": _banner_png()}
    files: dict[str, str | bytes] = {
        CONFIG: PAMPHLET_YAML.format(title=yaml_scalar(title), language=yaml_scalar(language),
                                     first=yaml_scalar(first)),
        **sample,
        f"{STYLES}/README.md": STYLES_README,
        ".gitignore": f"{BUILD}/\n",
    }
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in files.items():
        path = target / name
        path.parent.mkdir(exist_ok=True)
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        with path.open("xb") as file:
            file.write(data)
        written.append(path)
    return written


def create_from(target: Path, source: str, title: str | None, language: str | None,
                default_language: str) -> tuple[list[Path], Prepared]:
    """A new project in ``target`` whose one part is the article ``source`` (``pressrun
    import`` reads it); its title and language from the article unless given."""
    from pressrun.importer import prepare
    from pressrun.project import Project

    prepared = prepare(Project(target), source, language=language or "")
    created = create_project(target, title or prepared.title,
                             language or prepared.language or default_language,
                             (prepared.name, prepared.files))
    return created, prepared


def _sample_language(language: str) -> str:
    """The front-matter line that marks the English sample as English in a pamphlet in
    another language (so that, in Arabic, it is still set left to right)."""
    if language.split("-")[0].lower() == "en":
        return ""
    return ("\nlanguage: en  # the sample text is English: delete this line when you write "
            "in your pamphlet's language")


def _banner_png(width: int = 900, height: int = 600) -> bytes:
    """A flat red banner with a white five-pointed star: the sample's picture."""
    image = Image.new("RGB", (width, height), (200, 16, 46))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height - 60, width, height), fill=(150, 10, 34))
    cx, cy, outer, inner = width / 2, height / 2 - 20, 190, 76
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.pi / 2 + i * math.pi / 5
        points.append((round(cx + radius * math.cos(angle)), round(cy - radius * math.sin(angle))))
    draw.polygon(points, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
