"""What WeasyPrint works out again for every page, worked out once.

Page styles, computed once for each set of ``@page`` rules the pages match. WeasyPrint
gives every page a type of its own (its index is part of it, for ``@page :nth()``), and
``set_page_type_computed_styles`` makes new computed styles for each page and each of its
margin boxes. Their values are computed again as they are read, on every page: placing
sixteen margin boxes took 6 ms a page, 3.1 s of Ten Days' 24 s of layout. Pages whose
types match the same declarations are given the same styles here, computed once; the
values are the same, so are the pages. The first page of a document keeps styles of its
own: WeasyPrint records the first page's size while laying it out, and a value read
before that is never shared.

Backgrounds: WeasyPrint looks up eight properties of every box on every page to find
that it has no background, border image or shadow (1.0-1.2 s of Ten Days' layout). A box
whose style has none is known by its style here, looked up once.

Margin boxes' widths: to share a page's width between its running heads, WeasyPrint
measures each margin box's narrowest and widest setting, every word in Pango, on every
page (1.3 s of Ten Days' layout), though a running head is the same on most pages of a
chapter. A margin box holding only text is measured once per document for each content:
the same kinds of boxes with the same styles and texts.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from weasyprint.draw.color import get_color
from weasyprint.formatting_structure import boxes
from weasyprint.layout import background, page

FRESH = page.set_page_type_computed_styles
"""WeasyPrint's own: new styles for every page."""
BACKGROUNDS = background.layout_box_backgrounds
"""WeasyPrint's own: every box's background looked up."""
WIDTHS = page.min_content_width, page.max_content_width
"""WeasyPrint's own: a margin box's narrowest and widest setting, measured."""
TEXT_ONLY = (boxes.MarginBox, boxes.BlockBox, boxes.LineBox, boxes.InlineBox, boxes.TextBox)
"""The kinds of boxes a margin box measured once may hold."""


@cache
def share_page_styles() -> None:
    """Share page styles between pages matching the same ``@page`` declarations, skip
    boxes whose style has no background, and measure margin boxes once for each content
    (once)."""
    page.set_page_type_computed_styles = _page_styles
    background.layout_box_backgrounds = _backgrounds
    page.min_content_width, page.max_content_width = (_measured_once(measure)
                                                      for measure in WIDTHS)


def _page_styles(page_type: Any, html: Any, style_for: Any) -> None:
    """Set the computed styles of a page of ``page_type`` and of its margin boxes, shared
    with an earlier page of the same document that matched the same declarations."""
    style_for.add_page_declarations(page_type)
    cascaded = style_for.get_cascaded_styles()
    found = {pseudo: cascaded[page_type, pseudo] for pseudo in _pseudo_types(style_for)
             if (page_type, pseudo) in cascaded}
    # The declarations that won, told apart by their parsed values (kept by the sheets).
    key = tuple((pseudo, tuple((name, id(values)) for name, (values, _) in declarations.items()))
                for pseudo, declarations in found.items())
    shared: dict[tuple, dict] = style_for.__dict__.setdefault("_pressrun_pages", {})
    computed = style_for.get_computed_styles()
    styles = shared.get(key) if page_type.index else None
    if styles is None:  # the first page of its kind: WeasyPrint's own, kept for the next
        FRESH(page_type, html, style_for)
        styles = {pseudo: computed[page_type, pseudo] for pseudo in (None, *found)}
        if page_type.index:
            shared[key] = styles
    for pseudo, style in styles.items():
        computed[page_type, pseudo] = style


def _pseudo_types(style_for: Any) -> tuple[Any, ...]:
    """The page and margin-box types the document's ``@page`` rules name."""
    found = style_for.__dict__.get("_pressrun_pseudos")
    if found is None:
        found = tuple(dict.fromkeys(
            pseudo for sheet, _, _ in style_for._sheets
            for _, selectors, _ in sheet.page_rules for _, pseudo, _ in selectors))
        style_for.__dict__["_pressrun_pseudos"] = found
    return found


def _backgrounds(page: Any, box: Any, get_image_from_uri: Any, layout_children: bool = True,
                 style: Any = None) -> None:
    """WeasyPrint's ``layout_box_backgrounds``, knowing a box without a background by its
    style."""
    if style is not None or box is page or not _plain(box.style):
        BACKGROUNDS(page, box, get_image_from_uri, layout_children, style)
        return
    background.resolve_radii_percentages(box)
    if layout_children:
        for child in box.all_children():
            _backgrounds(page, child, get_image_from_uri)
    box.background = None


def _plain(style: Any) -> bool:
    """Whether ``style`` draws nothing behind its box: no border image, mask border, shadow,
    background image or visible background colour (kept in the style)."""
    plain = style.__dict__.get("_pressrun_plain")
    if plain is None:
        plain = style["border_image_source"][0] == "none" and \
            style["mask_border_source"][0] == "none" and not style["box_shadow"] and (
                style["visibility"] == "hidden" or (
                    get_color(style, "background_color").alpha == 0
                    and not any(kind == "url" or value
                                for kind, value in style["background_image"])))
        style.__dict__["_pressrun_plain"] = plain
    return plain


def _measured_once(measure: Any) -> Any:
    """WeasyPrint's ``measure`` of a box, kept in the layout's context for a margin box that
    holds only text (``_content``)."""

    def measured(context: Any, box: Any, outer: bool = True) -> float:
        content = _content(box) if type(box) is boxes.MarginBox else None
        if content is None:
            return measure(context, box, outer)
        key = (measure, outer, tuple((kind, id(style), text) for kind, style, text in content))
        kept: dict[tuple, tuple] = context.__dict__.setdefault("_pressrun_widths", {})
        if key not in kept:  # kept with the styles, so that their ids are not reused
            kept[key] = measure(context, box, outer), content
        return kept[key][0]

    return measured


def _content(box: Any) -> list[tuple[type, Any, str | int]] | None:
    """The boxes in margin box ``box`` by kind, style and text (the count of its children
    for a box that has them), or None when it holds something else: a picture, a box of
    an element (a running element), an inline block."""
    found = []
    for inside in box.descendants():
        if type(inside) not in TEXT_ONLY or inside.element is not None:
            return None
        found.append((type(inside), inside.style, inside.text
                      if type(inside) is boxes.TextBox else len(inside.children)))
    return found
