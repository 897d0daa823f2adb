"""The ids of the elements both formats write, and the print layout's page map looks for.

Print and EPUB give an element the same id, so the EPUB can mark where each printed
page begins; the templates reach these through the ``ids`` global. Nothing else spells
an id out.
"""

from __future__ import annotations

from types import SimpleNamespace

from pressrun.model import Pamphlet, Part, SourceLocation
from pressrun.project import CONFIG, MANUSCRIPT
from pressrun.study import gathered_questions

TITLEPAGE, COLOPHON, CONTENTS = "titlepage", "colophon", "contents"
QUESTIONS, GLOSSARY = "questions", "glossary"
FRONT_START = (TITLEPAGE,)
"""Front matter the EPUB has too: its title page document begins with it."""
FRONT_END = (COLOPHON, CONTENTS)
"""Print-only front matter: its pages are marked at the end of the EPUB's title page."""
BACK_MATTER = (QUESTIONS, GLOSSARY)
"""Print sections after the parts that the EPUB has as documents of their own."""
FRONT, BACK = "front", "back"
"""The print sections before and after the parts (a part's section is ``part(part)``)."""


def part(of: Part) -> str:
    """A part's section, and the print section it is laid out in."""
    return f"part-{of.slug}"


def part_title(of: Part) -> str:
    """A part's title heading."""
    return f"part-{of.slug}-title"


def block(of: Part, index: int) -> str:
    """Top-level block ``index`` of a part."""
    return f"{of.slug}-b{index}"


def note(of: Part, number: int | str) -> str:
    """Footnote ``number`` of a part."""
    return f"{of.slug}-fn-{number}"


def note_ref(of: Part, number: int | str, sub: int | str = 0) -> str:
    """A call of footnote ``number`` (``sub`` counts the calls after the first)."""
    return f"{of.slug}-fnref-{number}" + (f"-{sub}" if str(sub) != "0" else "")


def link_note(of: Part, number: int) -> str:
    """The print note giving the address of a part's ``number``th link."""
    return f"{of.slug}-url-{number}"


def gloss_note(of: Part, term: str) -> str:
    """The print note defining glossary term ``term`` (a slug) in a part."""
    return f"{of.slug}-gloss-{term}"


def gloss_entry(term: str) -> str:
    """Glossary term ``term`` (a slug) in the Glossary."""
    return f"gloss-{term}"


def questions_group(of: Part) -> str:
    """A part's questions among the gathered questions."""
    return f"questions-{of.slug}"


def notes_page(number: int) -> str:
    """Ruled notes page ``number`` (from 1), print only."""
    return f"notes-page-{number}"


def page(label: str) -> str:
    """The EPUB's marker of printed page ``label``."""
    return f"page-{label}"


def markdown_name(of: Part) -> str:
    """How a link in the manuscript names a part: its file name in ``manuscript/``."""
    return of.location.path.removeprefix(f"{MANUSCRIPT}/")


def back_matter(pamphlet: Pamphlet) -> tuple[str, ...]:
    """The back matter both formats have, in order: the gathered questions, the Glossary."""
    return tuple(name for name, present in ((QUESTIONS, gathered_questions(pamphlet)),
                                            (GLOSSARY, pamphlet.glossary)) if present)


def contents_ids(pamphlet: Pamphlet) -> list[str]:
    """The elements whose pages the print contents page lists."""
    return [part(each) for each in pamphlet.parts] + list(back_matter(pamphlet))


def block_texts(pamphlet: Pamphlet) -> dict[str, str]:
    """The plain text of every element a printed page can begin in, by id, from the model."""
    texts = {name: "" for name in FRONT_START + FRONT_END + BACK_MATTER}
    for each in pamphlet.parts:
        texts[part(each)] = ""
        for index, node in enumerate(each.blocks):
            texts[block(each, index)] = node.plain_text
    for number in range(1, pamphlet.metadata.notes_pages + 1):
        texts[notes_page(number)] = ""
    return texts


def source(pamphlet: Pamphlet, element: str | None) -> SourceLocation:
    """Where the element with id ``element`` was written: a block's line, a part's file,
    or pamphlet.yaml for the front matter."""
    for each in pamphlet.parts:
        if element in (part(each), part_title(each)) or (element or "").startswith(
                f"{each.slug}-fn") or (element or "").startswith(f"{each.slug}-url"):
            return each.location
        for index, node in enumerate(each.blocks):
            if element == block(each, index):
                return SourceLocation(each.location.path, node.line)
    return SourceLocation(CONFIG)


FOR_TEMPLATES = SimpleNamespace(
    part=part, part_title=part_title, note=note, gloss_entry=gloss_entry,
    questions_group=questions_group, notes_page=notes_page, TITLEPAGE=TITLEPAGE,
    COLOPHON=COLOPHON, CONTENTS=CONTENTS, QUESTIONS=QUESTIONS, GLOSSARY=GLOSSARY)
"""What templates reach as ``ids``."""
