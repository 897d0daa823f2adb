"""Justified paragraphs set with the breaks ``linebreak`` chooses, inside WeasyPrint.

When WeasyPrint starts a justified paragraph, its text is measured word by word in the
fonts it will be drawn in and ``linebreak.breaks`` chooses where every line ends. Then,
as WeasyPrint fills each line, the text box holding the line's chosen end is offered
only the width of the text up to that end: WeasyPrint's own line filling ends the line
there, hyphenated there if the end is inside a word, and justifies it to the full
measure as before. Nothing in the text changes. A paragraph whose lines do not come out
as chosen (a measure that was off) is filled as WeasyPrint would, from that line on.

What is not planned, and is set by WeasyPrint alone: paragraphs not justified, or
beside a float, or holding a picture, an inline block, a preserved line break or a
styled first letter or line.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import pyphen
from weasyprint.formatting_structure import boxes
from weasyprint.layout import block, inline
from weasyprint.layout.percent import resolve_one_percentage, resolve_percentages
from weasyprint.text.line_break import create_layout, get_log_attrs, line_size

from pressrun.pdf.linebreak import FALLBACK, Hyphen, Item, Space, Word, breaks
from pressrun.pdf.quality import HYPHENS, MAX_GAP

SLACK = 0.05
"""What a planned line is offered beyond its text's width, in CSS pixels: far less than
any character, so the line cannot take more."""
FONT = ("font_family", "font_size", "font_style", "font_weight", "font_stretch",
        "font_variant_caps", "font_variant_ligatures", "font_variant_numeric",
        "font_variant_position", "font_feature_settings", "font_variation_settings",
        "font_kerning", "font_language_override", "letter_spacing", "word_spacing", "lang")
"""What decides how wide a text is."""
_WORD = re.compile(r"(\W*)([^\W\d_]+)\W*")


class _Planning:
    """The plans of one layout: each text box's line ends, as UTF-8 offsets."""

    def __init__(self) -> None:
        self.ends: dict[int, tuple[list[int], list[bool]]] = {}
        """By a text box's id: where its lines end, and whether with a hyphen."""
        self.paragraphs: dict[tuple, dict[int, tuple[list[int], list[bool]]]] = {}
        """Each paragraph's plan, by its line box's id and measure."""
        self.planned: dict[int, list[int]] = {}
        """The text boxes of each paragraph's plan in ``ends``, by its line box's id."""
        self.keys: dict[int, tuple] = {}
        self.widths: dict[tuple, float] = {}
        self.kept: list[Any] = []
        """The planned boxes, alive while their ids are keys."""


_planning: _Planning | None = None


@contextmanager
def optimal_breaks() -> Iterator[None]:
    """Plan the justified paragraphs of the layouts made inside."""
    global _planning
    _patch()
    outer, _planning = _planning, _Planning()
    try:
        yield
    finally:
        _planning = outer


@cache
def _patch() -> None:
    """Put the planning into WeasyPrint's line filling (once)."""
    lines, split = inline.iter_line_boxes, inline.split_text_box

    def iter_line_boxes(context: Any, box: Any, position_y: float, bottom_space: float,
                        skip_stack: Any, containing_block: Any, *args: Any) -> Any:
        if _planning is not None and skip_stack is None and not args[-1] and not args[-2]:
            _plan(_planning, context, box, containing_block)
        return lines(context, box, position_y, bottom_space, skip_stack, containing_block,
                     *args)

    def split_text_box(context: Any, box: Any, available_width: float | None, skip: int,
                       is_line_start: bool = True) -> Any:
        if _planning is not None and available_width is not None:
            planned = _planning.ends.get(id(box))
            if planned:
                offsets, hyphens = planned
                at = bisect_right(offsets, skip or 0)
                if at < len(offsets):
                    encoded = box.text.encode()
                    last = not encoded[offsets[at]:].strip(b" ")  # the line ends with the box
                    text = encoded[skip or 0:len(encoded) if last else offsets[at]].decode()
                    if hyphens[at]:
                        text += box.style["hyphenate_character"]
                    width = _width(_planning, context, box.style, text)
                    laid = split(context, box, min(available_width, width + SLACK), skip,
                                 is_line_start)
                    if last and laid[1] is None:  # WeasyPrint would go on with the next box
                        return laid[0], len(encoded), False
                    return laid
        return split(context, box, available_width, skip, is_line_start)

    inline.iter_line_boxes = block.iter_line_boxes = iter_line_boxes
    inline.split_text_box = split_text_box


def _plan(planning: _Planning, context: Any, linebox: Any, containing_block: Any) -> None:
    """Plan ``linebox``'s lines, or leave them to WeasyPrint (forgetting any plan it had
    at another measure)."""
    for box in planning.planned.pop(id(linebox), ()):
        planning.ends.pop(box, None)
    style = linebox.style
    if (style["text_align_all"] != "justify" or style["white_space"] != "normal"
            or context.excluded_shapes):
        return
    resolve_one_percentage(linebox, "text_indent", containing_block.width)
    key = (id(linebox), containing_block.width, linebox.text_indent)
    if key not in planning.paragraphs:
        planning.paragraphs[key] = _breaks(planning, context, linebox, containing_block) or {}
        planning.kept.append(linebox)
    planning.ends.update(planning.paragraphs[key])
    planning.planned[id(linebox)] = list(planning.paragraphs[key])


def _breaks(planning: _Planning, context: Any, linebox: Any,
            containing_block: Any) -> dict[int, tuple[list[int], list[bool]]] | None:
    """Each text box's planned line ends (by the box's id), if the paragraph can be set."""
    paragraph = _items(planning, context, linebox, containing_block)
    if paragraph is None:
        return None
    items, places = paragraph
    width, indent = containing_block.width, linebox.text_indent

    def measure(line: int) -> float:
        return width - indent if line == 0 else width

    chosen = breaks(items, measure)
    if chosen is None:
        chosen = breaks(items, measure, FALLBACK)
    if chosen is None:
        return None
    ends: dict[int, tuple[list[int], list[bool]]] = {}
    for index in chosen:
        place = places[index]
        assert place is not None
        box, at, hyphen = place
        offsets, hyphens = ends.setdefault(id(box), ([], []))
        offsets.append(len(box.text[:at].encode()))
        hyphens.append(hyphen)
    return ends


def _items(planning: _Planning, context: Any, linebox: Any, containing_block: Any,
           ) -> tuple[list[Item], list[tuple[Any, int, bool] | None]] | None:
    """The paragraph as ``linebreak`` items, and where in which text box each break is."""
    items: list[Item] = []
    places: list[tuple[Any, int, bool] | None] = []
    style = linebox.style
    space = _width(planning, context, style, "n n") - _width(planning, context, style, "nn")
    stretch = MAX_GAP * (space - (style["word_spacing"] or 0)) - space
    previous = None
    for box in _inline(linebox, containing_block):
        if isinstance(box, (int, float)):
            items.append(Word(box))
            places.append(None)
            previous = previous if not box else None  # a line ends inside a padded box
        elif box is None:
            return None
        else:
            _words(planning, context, box, stretch, items, places, previous)
            previous = box
    while items and not isinstance(items[-1], Word):  # no line ends at the paragraph's end
        items.pop()
        places.pop()
    if not any(isinstance(item, Space) and item.breakable for item in items):
        return None
    return items, places


def _inline(box: Any, containing_block: Any) -> Iterator[Any]:
    """The text boxes of ``box`` in order, the widths of inline boxes' edges between them,
    and None for anything that cannot be planned."""
    for child in box.children:
        if isinstance(child, boxes.TextBox):
            yield child if child.style["white_space"] == "normal" else None
        elif isinstance(child, boxes.InlineBox):
            resolve_percentages(child, containing_block)
            yield _edge(child, "left")
            yield from _inline(child, containing_block)
            yield _edge(child, "right")
        else:
            yield None


def _edge(box: Any, side: str) -> float:
    margin = getattr(box, f"margin_{side}")
    return ((0 if margin == "auto" else margin) + getattr(box, f"border_{side}_width")
            + getattr(box, f"padding_{side}"))


def _words(planning: _Planning, context: Any, box: Any, stretch: float, items: list[Item],
           places: list[tuple[Any, int, bool] | None], previous: Any) -> None:
    """Add the words of text box ``box``, the spaces between them (``stretch`` each) and
    the places inside words a line may end: where Pango would break (after a dash or a
    hyphen), or where WeasyPrint would hyphenate. A line ending at the space that starts
    the box ends with the ``previous`` text box, if any."""
    style, text = box.style, box.text
    space = _width(planning, context, style, "n n") - _width(planning, context, style, "nn")
    dictionary = _dictionary(style)
    attributes = get_log_attrs(text, style["lang"]) if len(text) > 1 else None
    at = 0
    for run in text.split(" "):
        if at:
            place = (box, at - 1, False) if at > 1 else (
                None if previous is None else (previous, len(previous.text), False))
            items.append(Space(space, stretch, place is not None and text[at - 2:at] != "  "))
            places.append(place)
        opened = [cut for cut in range(1, len(run))
                  if attributes is not None and attributes[at + cut].is_line_break]
        cuts = opened or _hyphens(dictionary, run)
        done = 0.0
        for cut in cuts:
            width = _width(planning, context, style, run[:cut])
            hyphen = not opened
            items += [Word(width - done), Hyphen(_width(
                planning, context, style, style["hyphenate_character"])) if hyphen
                else Hyphen(0) if run[cut - 1] in HYPHENS else Space(0, 0)]
            places += [None, (box, at + cut, hyphen)]
            done = width
        if run:
            items.append(Word(_width(planning, context, style, run) - done))
            places.append(None)
        at += len(run) + 1


def _hyphens(dictionary: Any, run: str) -> list[int]:
    """Where WeasyPrint may hyphenate ``run``, shortest first."""
    if dictionary is None:
        return []
    pyphen_dictionary, least = dictionary
    match = _WORD.fullmatch(run)
    if match is None or len(match[2]) < least:
        return []
    lead = len(match[1])
    return sorted(lead + cut for cut in pyphen_dictionary.positions(match[2]))


def _dictionary(style: Any) -> tuple[Any, int] | None:
    """The hyphenation dictionary WeasyPrint uses for ``style``, and the shortest word."""
    language = style["hyphens"] == "auto" and style["lang"] and pyphen.language_fallback(
        style["lang"])
    if not language:
        return None
    total, left, right = style["hyphenate_limit_chars"]
    return _pyphen(language, left, right), total


@cache
def _pyphen(language: str, left: int, right: int) -> Any:
    return pyphen.Pyphen(lang=language, left=left, right=right)


def _width(planning: _Planning, context: Any, style: Any, text: str) -> float:
    """How wide ``text`` is, set in ``style``."""
    key = planning.keys.get(id(style))
    if key is None:
        key = planning.keys[id(style)] = tuple(repr(style[name]) for name in FONT)
        planning.kept.append(style)
    measured = planning.widths.get((key, text))
    if measured is None:
        layout = create_layout(text, style, context, None, 0)
        measured = planning.widths[(key, text)] = line_size(layout.get_first_line()[0],
                                                            style)[0]
    return measured
