"""Where a justified paragraph's lines end: the breaks of least demerits over the whole
paragraph (Knuth and Plass, *Breaking paragraphs into lines*, 1981), not line by line.

WeasyPrint, like a browser, fills each line as full as it can and moves on: a long word
that just misses leaves its line stretched wide, and any room at a line's end is filled
by hyphenating the next word, so lines end in hyphens again and again. Chosen over the
whole paragraph, a line a little shorter early on saves a loose line or a hyphen later.

The paragraph is a list of ``Word`` (unbreakable, its width), ``Space`` (its width; a
line's extra room is shared between its spaces, as justification does) and ``Hyphen``
(a place a word may break, with the width of the hyphen it then shows). Spaces never
shrink, as WeasyPrint's do not: a line is never wider than its measure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

TOLERANCE = 1.0
"""How loose a line may be, first: its spaces stretched by at most one space more (word
gaps at most twice a space, where ``quality`` calls a line loose)."""
FALLBACK = 4.0
"""How loose a line may be when no setting of the paragraph keeps within ``TOLERANCE``."""
HYPHEN_PENALTY = 100
"""The cost of ending a line in a hyphen (TeX's ``\\hyphenpenalty`` is 50; pressrun asks
for fewer, as a narrow page has more hyphens to offer)."""
RUN_DEMERITS = 3000
"""The cost of two hyphenated lines in a row (TeX's ``\\doublehyphendemerits``)."""
FINAL_DEMERITS = 5000
"""The cost of hyphenating the paragraph's second-last line (``\\finalhyphendemerits``)."""
MAX_RUN = 2
"""The most hyphenated lines in a row: a third is never chosen."""


@dataclass(frozen=True)
class Word:
    """Text that stays on one line, and its width."""

    width: float


@dataclass(frozen=True)
class Space:
    """A space between words, where a line may end (unless not ``breakable``); its width
    and how far it stretches (one space's worth stretches it to twice its width)."""

    width: float
    stretch: float
    breakable: bool = True


@dataclass(frozen=True)
class Hyphen:
    """A place inside a word where a line may end with a hyphen, and the hyphen's width."""

    width: float


Item = Word | Space | Hyphen


@dataclass
class _Node:
    index: int
    """The item the line before ended at (-1 for the paragraph's start)."""
    line: int
    run: int
    """Hyphenated lines in a row ending here."""
    demerits: float
    previous: _Node | None
    width: float
    """The paragraph's natural width up to where the next line starts."""
    stretch: float


def breaks(items: Sequence[Item], measure: Callable[[int], float],
           tolerance: float = TOLERANCE) -> list[int] | None:
    """The indices of the items after which each line but the last ends (a ``Space`` is
    dropped at a line's end, a ``Hyphen`` shown), or None when the paragraph cannot be
    set with lines at most ``tolerance`` loose and never too wide.

    ``measure(line)`` is the width of line ``line`` (from 0).
    """
    width = stretch = 0.0
    widths, stretches = [0.0], [0.0]
    for item in items:
        if isinstance(item, Word):
            width += item.width
        elif isinstance(item, Space):
            width, stretch = width + item.width, stretch + item.stretch
        widths.append(width)
        stretches.append(stretch)
    active = [_Node(-1, 0, 0, 0.0, None, 0.0, 0.0)]
    for index, item in enumerate(items):
        if isinstance(item, Word) or (isinstance(item, Space) and (
                not item.breakable or index == 0 or not isinstance(items[index - 1], Word))):
            continue
        hyphen = isinstance(item, Hyphen)
        natural, give = widths[index], stretches[index]
        best: dict[int, _Node] = {}
        kept = []
        for node in active:
            room = measure(node.line) - (natural - node.width) - (item.width if hyphen else 0)
            if room < 0:
                continue
            kept.append(node)
            stretched = give - node.stretch
            ratio = room / stretched if stretched > 0 else (0.0 if room == 0 else float("inf"))
            if ratio > tolerance or (hyphen and node.run >= MAX_RUN):
                continue
            demerits = node.demerits + (1 + 100 * ratio ** 3) ** 2
            if hyphen:
                demerits += HYPHEN_PENALTY ** 2 + RUN_DEMERITS * (node.run > 0)
            run = node.run + 1 if hyphen else 0
            if run not in best or demerits < best[run].demerits:
                best[run] = _Node(index, node.line + 1, run, demerits, node,
                                  widths[index + 1], stretches[index + 1])
        active = kept + list(best.values())
        if not active:
            return None
    ends = []
    for node in active:
        if measure(node.line) - (widths[-1] - node.width) >= 0:
            ends.append((node.demerits + FINAL_DEMERITS * (node.run > 0), node))
    if not ends:
        return None
    chosen: _Node | None = min(ends, key=lambda pair: pair[0])[1]
    found = []
    while chosen is not None and chosen.index >= 0:
        found.append(chosen.index)
        chosen = chosen.previous
    return found[::-1]
