"""Justified paragraphs set with the breaks ``linebreak`` chooses, inside WeasyPrint.

When WeasyPrint starts a justified paragraph, its text is measured word by word in the fonts
it will be drawn in and ``linebreak.breaks`` chooses where every line ends. Then, as
WeasyPrint fills each line, the text box holding the line's chosen end is offered only the
width of the text up to that end, and WeasyPrint, told where it ends (``weasysplit``), ends
the line there, hyphenated if the end is inside a word, and justifies it to the full measure
as before. Nothing in the text changes. When a line would not end where it was chosen to
(the line is narrower than measured, as beside a float on a later page, or WeasyPrint breaks
elsewhere), the plan is dropped: that line and the rest of the paragraph are filled by
WeasyPrint alone.

What is not planned, and is set by WeasyPrint alone: paragraphs not justified, or beside a
float, or holding a picture, an inline block, a preserved line break, a soft hyphen
(WeasyPrint then hyphenates only there), letter-spaced text or a styled first letter or line.
"""

from __future__ import annotations

# Before WeasyPrint: its C libraries loaded by soname, with no compiler run.
import pressrun.pdf.libraries  # noqa: F401

# isort: split
from bisect import bisect_right
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from functools import cache
from typing import Any
from unicodedata import category

from weasyprint.formatting_structure import boxes
from weasyprint.layout import block, inline
from weasyprint.layout.percent import resolve_one_percentage, resolve_percentages
from weasyprint.text.line_break import can_break_text, get_log_attrs

from pressrun.pdf.hyphens import cuts, dictionary
from pressrun.pdf.linebreak import FALLBACK, Hyphen, Item, Space, Word, breaks
from pressrun.pdf.quality import HYPHENS, MAX_GAP
from pressrun.pdf.textwidths import SPACE, Measures, Widths
from pressrun.pdf.weasyboxes import edge, tracking
from pressrun.pdf.weasysplit import ending_at

TIGHTER = -0.03
"""How much narrower, in em, a paragraph's spaces are made when no setting keeps its lines under
twice a space otherwise: Charis SIL's 0.29 em spaces, 0.22 em in justified text
(``print.css``), become 0.19 em, two thirds of the font's (as tight as TeX lets a space shrink)."""
TRACKING = (-0.005, 0.005, -0.01, 0.01, -0.015, 0.015, -0.02, 0.02)
"""The letter-spacing, in em, tried in turn for a paragraph that has a loose line however its
spaces are set: at most 20/1000 em, the tracking a typesetter gives a paragraph to fit it
(words tighter first, as they let a syllable more onto a line)."""
PLAIN = (0.0, 0.0)
"""A paragraph set as its style says."""
SETTINGS = (PLAIN, (TIGHTER, 0.0), *((0.0, each) for each in TRACKING))
"""How a paragraph may be set, in the order tried: its spaces narrower by, its letters spaced by."""
SLACK = 0.05
"""What a planned line is offered beyond its text's width, in CSS pixels: less than any letter."""

Ends = tuple[list[int], list[bool]]
"""Where a text box's planned lines end (UTF-8 offsets), and whether with a hyphen."""
Setting = tuple[float, float]
"""A paragraph's spaces made narrower by, and its letters spaced by, so many em."""
Place = tuple[Any, int, bool]
"""Where a break ends its line: the text box, the character offset, whether hyphenated."""
Plans = dict[tuple[Any, ...], tuple[dict[int, Ends], Setting]]
"""Paragraphs' plans and settings by what decides them (see ``_signature``), each text box's ends
by its place among the paragraph's text boxes."""


class _Planning:
    """The plans of one layout."""

    def __init__(self, widths: Widths, plans: Plans) -> None:
        self.ends: dict[int, Ends] = {}
        """The plan in force for each text box, by its id."""
        self.paragraphs: dict[tuple[int, float, float], tuple[dict[int, Ends], Setting]] = {}
        """Each paragraph's plan and its setting (see ``SETTINGS``), by its line box's id,
        its measure and its indent."""
        self.planned: dict[int, list[int]] = {}
        """The text boxes of each paragraph's plan in force, by its line box's id."""
        self.owner: dict[int, int] = {}
        """The line box of each planned text box, by their ids."""
        self.measures = Measures(widths)
        """The texts measured."""
        self.plans = plans
        """Plans made by this and earlier layouts with the same fonts (see ``_remembered``)."""
        self.styles: dict[int, tuple[Any, dict[Setting, Any]]] = {}
        """Each text box set otherwise than its style says: its style, and its style in
        each setting tried."""
        self.kept: list[Any] = []
        """The planned boxes, alive while their ids are keys."""


_planning: _Planning | None = None
FEEDS: set[Callable[[], object]] = set()
"""What takes in the plans a planner ahead has sent (``weasyahead``), called before a
paragraph not among them is planned here."""


@contextmanager
def optimal_breaks(widths: Widths, plans: Plans,
                   planning: _Planning | None = None) -> Iterator[_Planning]:
    """Plan the justified paragraphs of the layouts made inside, with the texts measured
    in ``widths`` and the paragraphs planned in ``plans`` (both kept by layouts with the
    same fonts), going on with a resumed layout's ``planning``."""
    global _planning
    patch()
    outer, _planning = _planning, planning or _Planning(widths, plans)
    try:
        yield _planning
    finally:
        _planning = outer


@cache
def patch() -> None:
    """Put the planning into WeasyPrint's line filling (once; it acts only inside
    ``optimal_breaks``)."""
    lines, split = inline.iter_line_boxes, inline.split_text_box

    def iter_line_boxes(context: Any, box: Any, position_y: float, bottom_space: float,
                        skip_stack: Any, containing_block: Any, absolute_boxes: Any,
                        fixed_boxes: Any, first_letter_style: Any,
                        first_line_style: Any) -> Any:
        if (_planning is not None and skip_stack is None and not first_letter_style
                and not first_line_style):
            _plan(_planning, context, box, containing_block)
        return lines(context, box, position_y, bottom_space, skip_stack, containing_block,
                     absolute_boxes, fixed_boxes, first_letter_style, first_line_style)

    def split_text_box(context: Any, box: Any, available_width: float | None, skip: int,
                       is_line_start: bool = True) -> Any:
        if _planning is not None and available_width is not None:
            laid = _planned(_planning, split, context, box, available_width, skip or 0,
                            is_line_start)
            if laid is not None:
                return laid
        return split(context, box, available_width, skip, is_line_start)

    inline.iter_line_boxes = block.iter_line_boxes = iter_line_boxes
    inline.split_text_box = split_text_box


def _planned(planning: _Planning, split: Callable[..., Any], context: Any, box: Any,
             available: float, skip: int, is_line_start: bool) -> Any:
    """WeasyPrint's split of text box ``box`` from ``skip`` at the line end planned in it,
    or None when there is none (or it cannot be kept: the plan is then dropped)."""
    planned = planning.ends.get(id(box))
    if not planned:
        return None
    offsets, hyphens = planned
    at = bisect_right(offsets, skip)
    if at == len(offsets):
        return None  # the line ends in a later box
    encoded, end = box.text.encode(), offsets[at]
    last = not encoded[end:].strip(b" ")  # the line ends with the box, at a space
    laid, width = None, planning.measures.of(context, box.style)
    if not last and not hyphens[at]:  # WeasyPrint ends it there if it fits (weasysplit)
        with ending_at(end - skip, False):
            laid = split(context, box, available, skip, is_line_start)
    else:
        text = encoded[skip:len(encoded) if last else end].decode()
        text += box.style["hyphenate_character"] * hyphens[at]
        if width(text.rstrip(" ")) <= available:
            # Offered its text's width, even past the measure: WeasyPrint lets a line's
            # last space overflow, and Pango counts half a letter-spacing after it, but
            # WeasyPrint cuts a text that does not fit with them after its first word.
            with nullcontext() if last else ending_at(end - skip, True):
                laid = split(context, box, width(text) + SLACK + abs(tracking(box.style)),
                             skip, is_line_start)
    resume = laid[1] if laid is not None else None
    if laid is not None and last and resume is None:  # WeasyPrint goes on with the next box
        return laid[0], len(encoded), False
    if resume is not None and resume >= end and not encoded[end:resume].strip(b" "):
        return laid
    for each in planning.planned.pop(planning.owner.get(id(box), 0), ()):
        planning.ends.pop(each, None)
    return None


def _plan(planning: _Planning, context: Any, linebox: Any, containing_block: Any) -> None:
    """Plan ``linebox``'s lines, or leave them to WeasyPrint (forgetting any plan it had
    at another measure)."""
    for each in planning.planned.pop(id(linebox), ()):
        planning.ends.pop(each, None)
    style = linebox.style
    if style["text_align_all"] != "justify" or style["white_space"] != "normal":
        return
    if context.excluded_shapes:  # beside a float: set as the style says
        _restyle(planning, linebox, containing_block, PLAIN)
        return
    resolve_one_percentage(linebox, "text_indent", containing_block.width)
    key = (id(linebox), containing_block.width, linebox.text_indent)
    if key not in planning.paragraphs:
        planning.paragraphs[key] = _remembered(planning, context, linebox, containing_block)
        planning.kept.append(linebox)
    plan, setting = planning.paragraphs[key]
    _restyle(planning, linebox, containing_block, setting)
    planning.ends.update(plan)
    planning.planned[id(linebox)] = list(plan)
    planning.owner.update(dict.fromkeys(plan, id(linebox)))


def _remembered(planning: _Planning, context: Any, linebox: Any,
                containing_block: Any) -> tuple[dict[int, Ends], Setting]:
    """``_setting`` of the paragraph, made once for every paragraph with the same texts
    in the same styles at the same measure: a section laid out again to mend a fault
    is the same paragraphs but a few."""
    texts, signature = _signature(planning, linebox, containing_block)
    for take in tuple(FEEDS) if signature not in planning.plans else ():
        take()
    if signature not in planning.plans:
        plan, setting = _setting(planning, context, linebox, containing_block)
        place = {id(box): index for index, box in enumerate(texts)}
        planning.plans[signature] = {place[box]: ends for box, ends in plan.items()}, setting
    plan, setting = planning.plans[signature]
    return {id(texts[index]): ends for index, ends in plan.items()}, setting


def _setting(planning: _Planning, context: Any, linebox: Any,
             containing_block: Any) -> tuple[dict[int, Ends], Setting]:
    """The paragraph's plan (empty if it cannot be planned or fits on one line), and its
    setting: the first of ``SETTINGS`` that keeps its lines under twice a space. (A
    paragraph that has a loose line in every setting is set as its style says: the rest
    of it set otherwise would only make that line stand out more.)"""
    width, indent, size = containing_block.width, linebox.text_indent, linebox.style["font_size"]

    def measure(line: int) -> float:
        return width - indent if line == 0 else width

    loose = None
    for setting in SETTINGS:
        _restyle(planning, linebox, containing_block, setting)
        paragraph = _items(planning, context, linebox, containing_block,
                           setting[0] * size, setting[1] * size)
        if paragraph is None:
            break
        chosen = breaks(paragraph[0], measure)
        if chosen is not None and (chosen or not setting[0]):  # not one line, spaces narrow
            return _ends(paragraph[1], chosen), setting
        loose = loose or paragraph
    _restyle(planning, linebox, containing_block, PLAIN)
    chosen = breaks(loose[0], measure, FALLBACK) if loose else None
    return (_ends(loose[1], chosen) if loose and chosen else {}), PLAIN


def _restyle(planning: _Planning, linebox: Any, containing_block: Any,
             setting: Setting) -> None:
    """Set the paragraph's text in ``setting`` (its spaces narrower, its letters spaced)."""
    for piece in _inline(planning, linebox, containing_block):
        if not isinstance(piece, tuple):
            continue
        box = piece[0]
        original, styles = planning.styles.get(id(box), (box.style, {}))
        if setting != PLAIN and setting not in styles:
            style = styles[setting] = original.copy()
            narrower, letters = setting
            style["word_spacing"] = (original["word_spacing"] or 0) + narrower * style["font_size"]
            if letters:
                style["letter_spacing"] = letters * style["font_size"]
        if styles:
            planning.styles[id(box)] = (original, styles)
            box.style = original if setting == PLAIN else styles[setting]


def _ends(places: list[Place | None], chosen: list[int]) -> dict[int, Ends]:
    """Each text box's planned line ends, by the box's id, from the items ``chosen``."""
    ends: dict[int, Ends] = {}
    for index in chosen:
        place = places[index]
        assert place is not None
        box, at, hyphen = place
        offsets, hyphens = ends.setdefault(id(box), ([], []))
        offsets.append(len(box.text[:at].encode()))
        hyphens.append(hyphen)
    return ends


def _items(planning: _Planning, context: Any, linebox: Any, containing_block: Any,
           narrower: float = 0, letters: float = 0,
           ) -> tuple[list[Item], list[Place | None]] | None:
    """The paragraph as ``linebreak`` items, and where each break ends its line (its
    spaces ``narrower`` than its style has them and its letters spaced by ``letters``,
    in CSS pixels: a word gap may stretch to twice the font's space, untracked)."""
    items: list[Item] = []
    places: list[Place | None] = []
    style = linebox.style
    space = planning.measures.of(context, style)(SPACE)
    stretch = MAX_GAP * (space - (style["word_spacing"] or 0)) - (space + narrower + letters)
    previous = None
    for piece in _inline(planning, linebox, containing_block):
        if piece is None:
            return None
        if isinstance(piece, (int, float)):  # the edge of an inline box
            items.append(Word(piece))
            places.append(None)
            previous = previous if not piece else None  # a line may not end inside it
        else:
            box, closed, _ = piece
            _words(planning, context, box, closed, stretch, items, places, previous)
            previous = None if closed else box
    while items and not isinstance(items[-1], Word):  # no line ends at the paragraph's end
        items.pop()
        places.pop()
    if not any(isinstance(item, Space) and item.breakable for item in items):
        return None
    return items, places


def _inline(planning: _Planning, box: Any, containing_block: Any,
            closed: bool = False) -> Iterator[Any]:
    """The text boxes of ``box`` in order, each with whether an inline box around it has
    a right edge (a line ending with the box would lose it) and its style before any
    setting, the widths of inline boxes' edges between them, and None for anything that
    cannot be planned (letter-spacing is planned only where a setting asks for it)."""
    for child in box.children:
        if isinstance(child, boxes.TextBox):
            style = planning.styles.get(id(child), (child.style,))[0]
            plain = (style["white_space"] == "normal" and "\u00ad" not in child.text
                     and style["letter_spacing"] in ("normal", 0))
            yield (child, closed, style) if plain else None
        elif isinstance(child, boxes.InlineBox):
            resolve_percentages(child, containing_block)
            right = edge(child, "right")
            yield edge(child, "left")
            yield from _inline(planning, child, containing_block, closed or bool(right))
            yield right
        else:
            yield None


def _signature(planning: _Planning, linebox: Any,
               containing_block: Any) -> tuple[list[Any], tuple[Any, ...]]:
    """The paragraph's text boxes, and all that decides its plan: its measure, indent and
    spaces, and each of its texts with its style's fonts, spacing and hyphenation, or
    the edges between them (see ``_inline``)."""
    texts, pieces = [], []
    for piece in _inline(planning, linebox, containing_block):
        if isinstance(piece, tuple):
            box, closed, style = piece
            texts.append(box)
            piece = (box.text, closed, planning.measures.key(style), style["hyphens"],
                     style["hyphenate_limit_chars"], style["hyphenate_character"])
        pieces.append(piece)
    return texts, (tuple(pieces), containing_block.width, linebox.text_indent,
                   planning.measures.key(linebox.style))


def _words(planning: _Planning, context: Any, box: Any, closed: bool, stretch: float,
           items: list[Item], places: list[Place | None], previous: Any) -> None:
    """Add the words of text box ``box``, the spaces between them (``stretch`` each) and
    the places inside words a line may end: where Pango would break (after a dash or a
    hyphen), and where WeasyPrint would hyphenate each part between. A line may end at a
    space where Pango allows it; at the space ending the box unless the box is
    ``closed``; with the ``previous`` text box, if any, at the space starting the box, or
    after a dash ending ``previous`` where Pango would break before the box's first letter
    ("speculator—" before "*maradior*")."""
    style, text = box.style, box.text
    width = planning.measures.of(context, style)
    space, patterns, hyphen = width(SPACE), dictionary(style), width(style["hyphenate_character"])
    attributes = get_log_attrs(text, style["lang"])
    dash = previous.text[-1:] if previous is not None else ""
    if (dash and category(dash) == "Pd" and text[:1].strip()
            and can_break_text(dash + text[0], style["lang"])):
        items.append(_opening(dash))
        places.append((previous, len(previous.text), False))
    runs = cuts(text, attributes, patterns)
    planning.measures.prepare(context, style, [run[:cut] for run, ends, _ in runs
                                               for cut in ends] + [run for run, _, _ in runs])
    at = 0
    for run, ends, hyphenated in runs:
        if at:
            place: Place | None
            if at == 1:
                place = None if previous is None else (previous, len(previous.text), False)
            elif at == len(text):
                place = None if closed else (box, at - 1, False)
            else:
                place = (box, at - 1, False) if attributes[at].is_line_break else None
            items.append(Space(space, stretch, place is not None))
            places.append(place)
        done = 0.0
        for cut in ends:
            wide = width(run[:cut])
            hyphenates = cut in hyphenated
            items += [Word(wide - done),
                      Hyphen(hyphen) if hyphenates else _opening(run[cut - 1])]
            places += [None, (box, at + cut, hyphenates)]
            done = wide
        if run:
            items.append(Word(width(run) - done))
            places.append(None)
        at += len(run) + 1


def _opening(before: str) -> Item:
    """Where a line may end after ``before`` without a hyphen added: one shown already
    if ``before`` is one (it counts among the lines ending in a hyphen), else nothing."""
    return Hyphen(0) if before in HYPHENS else Space(0, 0)
