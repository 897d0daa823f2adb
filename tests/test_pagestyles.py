"""Pages that match the same ``@page`` rules share their computed styles (#19: computing
them afresh for each page and its sixteen margin boxes took 3.1 s of Ten Days' 24 s of
layout), boxes are known to have no background by their style, margin boxes holding the
same text are measured once, and the pages are the same as WeasyPrint's own."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from weasyprint.layout import background
from weasyprint.layout import page as weasypage

from conftest import _corpus
from pressrun.build import Request, prepare
from pressrun.pdf import print_job, weasypages
from pressrun.pdf.render import PrintHtml, print_html
from pressrun.pdf.weasy import Shared, layout, pdf_bytes

RULES = """
@page :nth(3) { @top-center { content: "third page" } }
@page :blank { @top-center { content: "left blank" } }
@page :left { @bottom-center { content: "page " counter(page) } }
@page { @bottom-left { content: "the same on every page" } }
p:nth-of-type(3) { background: #eee }
p:nth-of-type(5) { box-shadow: 1px 1px 2px black }
p:nth-of-type(7) { background-image: linear-gradient(white, silver) }
"""


def _margins(document: Any) -> list[str]:
    """The text of each page's margin boxes."""
    return [" ".join(box.text for margin in page._page_box.children[1:]
                     for box in margin.descendants() if hasattr(box, "text"))
            for page in document.pages]


def _backgrounds(document: Any) -> list[bool]:
    """Whether each box of the pages has a background."""
    return [box.background is not None for page in document.pages
            for box in page._page_box.descendants()]


def _measuring(monkeypatch: pytest.MonkeyPatch, once: bool) -> Counter:
    """Count WeasyPrint's measures of margin boxes' widths, kept for each content if
    ``once``."""
    counted: Counter = Counter()

    def counting(measure: Any) -> Any:
        def count(*args: Any, **named: Any) -> Any:
            counted[measure] += 1
            return measure(*args, **named)
        return weasypages._measured_once(count) if once else count

    for name, measure in zip(("min_content_width", "max_content_width"), weasypages.WIDTHS,
                             strict=True):
        monkeypatch.setattr(weasypage, name, counting(measure))
    return counted


def test_pages_matching_the_same_rules_share_styles_and_are_the_same_pages(
        monkeypatch: pytest.MonkeyPatch) -> None:
    job = print_job(prepare(_corpus("communist-manifesto"), Request(("pdf",))))
    section = print_html(job, section="part-03-chapter-1", start=2)
    css = f"{section.page_css}\n{RULES}"
    page = PrintHtml(section.html, section.stylesheets, css, section.floated)
    shared = Shared.of(job.theme.project)
    weasypages.share_page_styles()  # before it is counted
    measured = _measuring(monkeypatch, once=True)
    document = layout(page, job.theme.project, shared)
    monkeypatch.setattr(weasypage, "set_page_type_computed_styles", weasypages.FRESH)
    monkeypatch.setattr(background, "layout_box_backgrounds", weasypages.BACKGROUNDS)
    measured_fresh = _measuring(monkeypatch, once=False)
    fresh = layout(page, job.theme.project, shared)
    # The running heads are measured once, the page numbers on every page.
    assert sum(measured.values()) < 0.75 * sum(measured_fresh.values()), \
        (measured, measured_fresh)
    styles = {id(each._page_box.style) for each in document.pages}
    assert len(document.pages) >= 10 and len(styles) <= 4, (len(document.pages), len(styles))
    assert len({id(each._page_box.style) for each in fresh.pages}) == len(fresh.pages)
    margins = _margins(document)
    assert margins == _margins(fresh)
    assert "third page" in margins[2] and "third page" not in " ".join(margins[3:])
    assert any("page 4" in text for text in margins)
    assert _backgrounds(document) == _backgrounds(fresh)
    assert 3 <= sum(_backgrounds(document)) < len(_backgrounds(document)) / 10
    variant = job.profile.pdf_variant
    assert pdf_bytes(document, variant) == pdf_bytes(fresh, variant)
