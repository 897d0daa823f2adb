"""Study-group features computed from the model: paragraph numbers, reading time and
the questions gathered at the end. Pure functions, shared by print and EPUB so both
say the same thing."""

from __future__ import annotations

import re
import weakref

from pressrun.model import Node, Pamphlet, Part

WORDS_PER_MINUTE = 200


def paragraph_numbers(part: Part) -> dict[int, int]:
    """The number of each body paragraph of ``part`` by block index, from 1.

    Body paragraphs are the part's top-level paragraphs: not headings, figures,
    lists, quotations or boxed matter.
    """
    indexes = [index for index, block in enumerate(part.blocks) if block.kind == "paragraph"]
    return {index: number for number, index in enumerate(indexes, 1)}


def reading_nodes(part: Part) -> tuple[Node, ...]:
    """What a reader reads in ``part``: standfirst, body and notes."""
    return part.standfirst + part.blocks + tuple(b for note in part.footnotes
                                                 for b in note.blocks)


def word_count(part: Part) -> int:
    """The words a reader reads in ``part`` (body, standfirst and notes)."""
    return sum(len(re.findall(r"\w+(?:[’'-]\w+)*", node.plain_text))
               for node in reading_nodes(part))


def reading_minutes(part: Part) -> int:
    """Reading time at 200 words a minute, rounded, at least one minute; counted once for
    each part (the contents is written several times a build: Ten Days' 27 parts take
    0.04 s to count)."""
    key = id(part)
    if key not in _MINUTES:
        _MINUTES[key] = max(1, round(word_count(part) / WORDS_PER_MINUTE))
        weakref.finalize(part, _MINUTES.pop, key, None)  # before the id can be reused
    return _MINUTES[key]


_MINUTES: dict[int, int] = {}
"""The reading time of each part alive, by its id."""


def is_questions(node: Node) -> bool:
    """Whether ``node`` is a ``::: questions`` container."""
    return node.kind == "container" and node.attr("name") == "questions"


def questions_of(part: Part) -> tuple[Node, ...]:
    """The part's ``::: questions`` containers, in order, wherever they are."""
    return tuple(node for block in part.blocks for node in block.walk() if is_questions(node))


def gathered_questions(pamphlet: Pamphlet) -> tuple[tuple[Part, tuple[Node, ...]], ...]:
    """With ``questions: end``, each part that has questions with its containers."""
    if pamphlet.metadata.questions != "end":
        return ()
    return tuple((part, found) for part in pamphlet.parts if (found := questions_of(part)))
