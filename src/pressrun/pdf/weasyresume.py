"""A section set again from the page a remedy can change, not from its first page.

A designer's remedy (``quality.remedies``) is a CSS rule for one element: a heading that
starts a new page, a paragraph that takes more of its lines along, a title set narrower.
Such a rule can move the end of the page before the element's first page (the element's
first lines may now go there, or take the block before them along), never the end of an
earlier one, whose layout never reached the element. So a second setting keeps the pages
before that one (none, for an element on the first page): the rule is applied to the
styles of the layout's own box tree, and WeasyPrint's page maker (which re-makes pages
from one whose content changed, for page-based counters) lays out the rest in the same
layout context, from the state the first setting recorded for that page, its lines
planned as before, without parsing the section's HTML and styles again.

``keeping()`` records, while a layout is made, what starting again needs: the box tree,
the layout context and line planning, each page as laid out before its margin boxes, and
the notes still to place at each page's start. ``resumed`` lays out the rest, or answers
``None`` when the section must be laid out anew: a rule setting a property that
can change a line's text (``RESUMABLE`` lists the others), one outweighed by the theme's
own declaration, an element whose boxes have a copy of its style, or whose style other
elements share when the rule sets an inherited property (else it is given its own),
pages that lean on page numbers found later (``target-counter``) or on running elements.
Where the page to start from is not clean (a note carried over from the page
before, a float broken across the page, a paragraph whose plan was dropped after that
page), an earlier one is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

from pressrun.pdf.textwidths import Widths
from pressrun.pdf.weasylines import Plans, optimal_breaks

KEPT: WeakKeyDictionary[Any, Kept] = WeakKeyDictionary()
"""What each kept document's layout needs to be resumed, by document."""


Start = tuple[list, int | None, bool]
"""A page's start: the notes still to place, the paragraph it begins inside (its line
box's id), and whether that paragraph's lines were planned then."""
RESUMABLE = frozenset(("break_before", "max_width", "widows"))
"""The properties a rule may set for a layout to be resumed: none changes a line's text.
(Another hyphenation would need each text box's style set again, and its plan.)"""


@dataclass
class Kept:
    """One layout's state, kept to resume it."""

    html: Any = None
    root_box: Any = None
    context: Any = None
    raw: list[tuple[Any, tuple, list]] = field(default_factory=list)
    """Each page box, with its children and its root box's children before the margin boxes
    were added."""
    starts: dict[int, Start | None] = field(default_factory=dict)
    """How each page (by index) began (see ``_start``)."""
    planning: Any = None
    """The line planning of the layout (see ``weasylines``): a page that goes on with a
    paragraph goes on with its plan."""
    resume_from: int | None = None
    """While resuming: the first page laid out again."""


_keeping: Kept | None = None


@contextmanager
def keeping(kept: Kept, widths: Widths, plans: Plans) -> Iterator[Kept]:
    """Record the state of the layout made inside in ``kept``, its lines planned with
    ``widths`` and ``plans`` (see ``weasylines.optimal_breaks``), going on with the plans
    of the layout ``kept`` holds, if any."""
    global _keeping
    _patch()
    outer, _keeping = _keeping, kept
    try:
        with optimal_breaks(widths, plans, kept.planning) as kept.planning:
            yield kept
    finally:
        _keeping = outer


def resumed(document: Any, kept: Kept, rules: dict[str, str]) -> list[Any] | None:
    """The pages of ``document`` laid out again with the CSS ``rules`` (declarations by
    selector) added, keeping the pages before the first one they can change; ``None`` when
    the section must be laid out anew. Run inside ``keeping`` over ``kept``."""
    targets = {selector: [match.etree_element
                          for match in kept.html.wrapper_element.query_all(selector)]
               for selector in rules}
    elements = {element for found in targets.values() for element in found}
    first = next((index for index, page in enumerate(document.pages)
                  if any(box.element in elements for box in page._page_box.descendants())),
                 None)
    context = kept.context
    if first is None or context.target_collector.counter_lookup_items or any(
            context.running_elements.values()):
        return None
    start = max(first - 1, 0)
    while start > 0 and not _clean(kept, start):
        start -= 1
    if not all(_restyle(kept, element, selector, rules[selector])
               for selector, found in targets.items() for element in found):
        return None
    return _lay_out(kept, start)


def _clean(kept: Kept, index: int) -> bool:
    """Whether the layout can start again at page ``index`` as it began it: no note or
    float going on from the page before, and the paragraph it begins inside (if any)
    planned now as it was then (a plan dropped later would be missing)."""
    start = kept.starts.get(index)
    return start is not None and (start[1] is None
                                  or (start[1] in kept.planning.planned) == start[2])


def _start(kept: Kept, context: Any, root_box: Any, resume_at: Any) -> Start | None:
    """How a page begins at ``resume_at`` (see ``Start``); ``None`` when a note or a float
    goes on from the page before, or it begins inside more than one box at a level."""
    if context.reported_footnotes or context.broken_out_of_flow:
        return None
    box, skip = root_box, resume_at
    while skip and type(box).__name__ != "LineBox":
        children = getattr(box, "children", ())
        if len(skip) != 1 or next(iter(skip)) >= len(children):
            return None
        (index, skip), = skip.items()
        box = children[index]
    line = id(box) if type(box).__name__ == "LineBox" else None
    return list(context.footnotes), line, line in kept.planning.planned


def _restyle(kept: Kept, element: Any, selector: str, declarations: str) -> bool:
    """Give ``element`` the ``declarations`` of a rule for ``selector`` as the cascade
    would, after the theme (pressrun's stylesheets are all of the user origin); False
    when the theme's own declaration of one weighs more, or when ``element`` has a copy of
    its style, or shares it with another element and the rule sets an inherited property
    (see ``_own_boxes``, ``_unshared``)."""
    from math import inf

    import tinycss2
    from cssselect2 import compile_selector_list
    from weasyprint.css import declaration_precedence
    from weasyprint.css.properties import INHERITED
    from weasyprint.css.validation import preprocess_declarations

    style = kept.context.style_for(element)
    selectors = compile_selector_list(tinycss2.parse_component_value_list(selector))
    weight = (declaration_precedence("user", False), inf, selectors[0].specificity)
    parsed = list(preprocess_declarations(
        kept.html.base_url, tinycss2.parse_blocks_contents(declarations)))
    if style is None or len(selectors) != 1 or any(name not in RESUMABLE or (
            name in style.cascaded and style.cascaded[name][1] > weight)
            for name, _, _ in parsed):
        return False
    boxes = _own_boxes(kept.root_box, element, style)
    if boxes is None and not any(name in INHERITED for name, _, _ in parsed):
        style = _unshared(kept, element, style)
        boxes = _own_boxes(kept.root_box, element, style)
    if boxes is None:
        return False
    below = list(_styles_below(boxes))
    for name, value, _ in parsed:
        style.cascaded[name] = (value, weight)
        style.pop(name, None)
        style.specified.pop(name, None)
        for inner in below if name in INHERITED else ():
            if name not in getattr(inner, "cascaded", ()):
                inner.pop(name, None)
    return True


def _unshared(kept: Kept, element: Any, style: Any) -> Any:
    """``element``'s own copy of ``style``, which WeasyPrint gave it and its siblings with
    the same rules (a contents entry, a glossary term), given to its boxes in place of
    the one they share. Only for a rule whose properties are not inherited: the styles of
    what is inside keep the shared one as their parent."""
    own = style.copy()
    own.cascaded = dict(style.cascaded)
    anonymous = style.__dict__.get("anonymous_style")
    for box in kept.root_box.descendants():
        if box.element is element and box.element_tag == element.tag:
            if box.style is style:
                box.style = own
            elif anonymous is not None and box.style is anonymous:
                box.style = own.anonymous_style
    kept.context.style_for._computed_styles[element, None] = own
    return own


def _own_boxes(root: Any, element: Any, style: Any) -> list[Any] | None:
    """``element``'s boxes, when they have ``style`` (or its anonymous style) and no other
    box has it; else ``None``: WeasyPrint gives siblings with the same rules one style,
    and a table's wrapper or a note a copy of it, which a change in place would spread
    or miss."""
    own = []
    for box in root.descendants():
        if box.element is element and box.element_tag == element.tag:
            if box.style is not style and not (type(box.style).__name__ == "AnonymousStyle"
                                               and box.style.parent_style is style):
                return None
            own.append(box)
        elif box.style is style:
            return None
    return own


def _styles_below(boxes: list[Any]) -> Iterator[Any]:
    """The styles of the boxes inside ``boxes`` (and their anonymous styles)."""
    for box in boxes:
        for inner in box.descendants():
            if inner is not box:
                yield inner.style
            yield from ([inner.style.__dict__["anonymous_style"]]
                        if "anonymous_style" in inner.style.__dict__ else [])


def _lay_out(kept: Kept, start: int) -> list[Any]:
    """The page boxes laid out again from page index ``start`` on, in ``kept``'s context."""
    from collections import defaultdict

    from weasyprint.layout import layout_document

    context = kept.context
    for page, children, root_children in kept.raw[:start]:
        page.children = children
        children[0].children = root_children
    for state in context.page_maker[start:-1]:
        state[-1]["content_changed"] = True
    context.footnotes = type(context.footnotes)(kept.starts[start][0])  # type: ignore[index]
    context.reported_footnotes, context.broken_out_of_flow = [], {}
    context.string_set = defaultdict(lambda: defaultdict(list))
    kept.resume_from = start
    try:
        return list(layout_document(kept.html, kept.root_box, context))
    finally:
        kept.resume_from = None


def _made_anew(context: Any, index: int) -> None:
    """Have the page at ``index`` made anew if it holds only the notes the page before
    could not: WeasyPrint marks such a page made, as it marks the end of the section, and
    a second setting would take the page of that index from the first, which may be
    another page or none at all."""
    if index < len(context.page_maker) and context.reported_footnotes \
            and context.page_maker[index][0] is None:
        context.page_maker[index][-1]["content_changed"] = True


@cache
def _patch() -> None:
    """Record each layout's state and resume it (once; acts only inside ``keeping``)."""
    import weasyprint.document
    import weasyprint.layout
    import weasyprint.layout.page

    document_layout = weasyprint.document.layout_document
    initialize = weasyprint.layout.initialize_page_maker
    all_pages = weasyprint.layout.make_all_pages
    make_page = weasyprint.layout.page.make_page

    def layout_document(html: Any, root_box: Any, context: Any, *args: Any) -> Any:
        if _keeping is not None:
            _keeping.html, _keeping.root_box, _keeping.context = html, root_box, context
        return document_layout(html, root_box, context, *args)

    def initialize_page_maker(context: Any, root_box: Any) -> None:
        if _keeping is None or _keeping.resume_from is None:
            initialize(context, root_box)

    def make_all_pages(context: Any, root_box: Any, html: Any, pages: list) -> Iterator[Any]:
        kept = _keeping
        if kept is None:
            yield from all_pages(context, root_box, html, pages)
            return
        if kept.resume_from is not None and not pages:
            pages = [page for page, _, _ in kept.raw]
        kept.raw = []
        for page in all_pages(context, root_box, html, pages):
            kept.raw.append((page, page.children, list(page.children[0].children)))
            if kept.resume_from is not None:
                _made_anew(context, len(kept.raw))
            yield page

    def make_page_recorded(context: Any, root_box: Any, page_type: Any, resume_at: Any,
                           page_number: int, page_state: Any) -> Any:
        if _keeping is not None:
            _keeping.starts[page_number - 1] = _start(_keeping, context, root_box, resume_at)
        return make_page(context, root_box, page_type, resume_at, page_number, page_state)

    weasyprint.document.layout_document = layout_document
    weasyprint.layout.initialize_page_maker = initialize_page_maker
    weasyprint.layout.make_all_pages = make_all_pages
    weasyprint.layout.page.make_page = make_page_recorded
