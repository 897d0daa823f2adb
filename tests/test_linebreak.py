"""Line ends chosen over the whole paragraph (``pdf/linebreak.py``), checked against every
possible setting of small paragraphs."""

from __future__ import annotations

import random
from itertools import combinations

import pytest

from pressrun.pdf.linebreak import MAX_RUN, TOLERANCE, Hyphen, Item, Space, Word, breaks


def _paragraph(seed: int) -> list[Item]:
    """Up to 9 words of random widths, some with a place to hyphenate."""
    chance = random.Random(seed)
    items: list[Item] = []
    for index in range(chance.randint(3, 9)):
        if index:
            items.append(Space(4, 4))
        if chance.random() < 0.4:
            items += [Word(chance.uniform(10, 30)), Hyphen(3), Word(chance.uniform(10, 30))]
        else:
            items.append(Word(chance.uniform(8, 60)))
    return items


def _lines(items: list[Item], ends: list[int]) -> list[tuple[float, float, bool]]:
    """Each line's natural width, stretch, and whether it ends in a hyphen."""
    found, start = [], 0
    for end in [*ends, len(items)]:
        line = items[start:end]
        hyphen = end < len(items) and isinstance(items[end], Hyphen)
        width = sum(i.width for i in line if not isinstance(i, Hyphen))
        found.append((width + (items[end].width if hyphen else 0),
                      sum(i.stretch for i in line if isinstance(i, Space)), hyphen))
        start = end + 1
    return found


def _good(items: list[Item], ends: list[int], measure: float) -> bool:
    """No line too wide, none but the last looser than the tolerance, no hyphen ladder."""
    lines, run = _lines(items, ends), 0
    for number, (width, stretch, hyphen) in enumerate(lines):
        if width > measure:
            return False
        last = number == len(lines) - 1
        if not last and (stretch == 0 or (measure - width) / stretch > TOLERANCE):
            return False
        run = run + 1 if hyphen else 0
        if run > MAX_RUN:
            return False
    return True


def _legal(items: list[Item]) -> list[int]:
    return [i for i, item in enumerate(items) if isinstance(item, Hyphen) or (
        isinstance(item, Space) and isinstance(items[i - 1], Word))]


@pytest.mark.parametrize("seed", range(200))
def test_a_setting_is_found_whenever_one_exists(seed: int) -> None:
    items = _paragraph(seed)
    measure = random.Random(-seed).uniform(70, 130)
    legal = _legal(items)
    exists = any(_good(items, list(ends), measure)
                 for count in range(len(legal) + 1) for ends in combinations(legal, count))
    chosen = breaks(items, lambda line: measure)
    assert (chosen is not None) == exists
    if chosen is not None:
        assert _good(items, chosen, measure)


def test_a_line_a_little_short_saves_a_loose_line_later() -> None:
    """Filled greedily, the first line takes five words and leaves the second with word
    gaps 2.7 spaces wide; set together, the first takes four and both stay under 2."""
    items: list[Item] = []
    for width in (6, 28, 8, 10, 7, 15, 8, 21, 34):
        items += [Space(5, 5)] * bool(items) + [Word(width)]
    greedy = _lines(items, [9, 15])
    assert greedy[0][0] == 79 and (80 - greedy[1][0]) / greedy[1][1] > 1.5
    chosen = breaks(items, lambda line: 80)
    assert chosen == [7, 15]
    assert _good(items, chosen, 80)


def test_the_first_line_has_its_own_measure() -> None:
    items: list[Item] = [Word(50), Space(5, 5), Word(50), Space(5, 5), Word(50)]
    assert breaks(items, lambda line: 100) is None  # two words and a space: 105
    assert breaks(items, lambda line: 110 if line == 0 else 100) == [3]


def test_a_word_wider_than_the_measure_cannot_be_set() -> None:
    assert breaks([Word(150), Space(5, 5), Word(10)], lambda line: 100) is None
