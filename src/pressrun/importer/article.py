"""The article in a web page: its text, its structure and its details, without the page.

trafilatura decides what is the article (it is made for that, and keeps no menu, share
bar, "related" list or donation appeal), and reads the title, authors, date and site.
Its output keeps paragraphs, headings, lists, quotations and tables but drops captions,
boxouts and pull quotes (readability-lxml keeps more, but drops pull quotes, and any
block whose class says "footnote" or "sidebar"). So pressrun takes the part of the page
that holds trafilatura's text and keeps from it the blocks whose text trafilatura kept,
with the figures, boxouts and pull quotes around them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import trafilatura
from lxml import html as lxml_html
from lxml.etree import ParserError, _Element

from pressrun.importer.notes import take_notes
from pressrun.importer.text import clean
from pressrun.problems import PressrunError

DROPPED_TAGS = ("script", "style", "noscript", "template", "iframe", "form", "button",
                "input", "select", "textarea", "svg", "object", "embed", "video", "audio",
                "canvas", "dialog")
"""Never text of an article: taken out of the page before anything is read."""
FURNITURE = ("nav", "header", "footer", "menu")
"""The page's furniture, taken out of the article's body."""
_BOILERPLATE = re.compile(
    r"share|social|newsletter|sign-?up|subscri|donat|support-us|related|recommend|"
    r"read-?more|more-stor|comment|advert|^ads?$|^ad-|promo|sponsor|cookie|consent|gdpr|"
    r"byline|author|^bio$|^tags?$|breadcrumb|^nav|menu|toolbar|popup|modal|banner|paywall|"
    r"outbrain|taboola|hidden|visually-hidden|sr-only|toplink|^footer$|masthead|navbox",
    re.I)
_PULLQUOTE = re.compile(r"pull-?quote|pullout|pull-out", re.I)
_BOXOUT = re.compile(r"boxout|box-out|sidebar|factbox|fact-box|infobox|callout|panel", re.I)
_STANDFIRST = re.compile(r"standfirst|^dek$|^lede$|^lead$|deck|subtitle|subhead|summary|"
                         r"^intro$|excerpt|strapline", re.I)
_LEAVES = ("p", "li", "h2", "h3", "h4", "h5", "h6", "dd", "dt", "pre", "div")
_KEEPERS = ("figure", "aside", "table", "blockquote", "pre")


@dataclass
class Article:
    """An article, read from a page: details for the front matter, the body and notes."""

    title: str
    body: _Element
    notes: list[_Element] = field(default_factory=list)
    creators: tuple[str, ...] = ()
    date: str | None = None
    source: str | None = None
    standfirst: str | None = None
    language: str | None = None


def read_page(page: str, url: str | None) -> Article:
    """The article in the HTML ``page`` (from ``url``, when it came from the web)."""
    try:
        root = lxml_html.document_fromstring(page)
    except (ParserError, ValueError):
        raise PressrunError(f"{url or 'the file'} is not a web page with any text in it: "
                            "save the article's page again (as HTML)") from None
    for element in list(root.iter(*DROPPED_TAGS)):
        if element.getparent() is not None:
            element.drop_tree()
    notes = take_notes(root)
    html = lxml_html.tostring(root, encoding="unicode")
    meta = trafilatura.extract_metadata(html)
    kept = clean(trafilatura.extract(html, include_tables=True, include_comments=False,
                                     favor_recall=True) or "")
    heading = _title_heading(root, clean(meta.title or ""))
    title = clean(heading.text_content()) if heading is not None else \
        clean(meta.title or "") or "Untitled"
    published = _published(root)
    body = _container(root, kept)
    standfirst = _standfirst(root, body)
    _tidy(body, kept, heading)
    site = ", ".join(part for part in (clean(meta.sitename or ""), _issue(root)) if part)
    address = url or (meta.url if meta.url and meta.url.startswith("http") else None)
    source = ", ".join(part for part in (site, address) if part) or published
    author = root.find(".//meta[@name='author']")
    names = author.get("content") if author is not None and author.get("content") else \
        meta.author or ""
    return Article(title=title, body=body, notes=notes,
                   creators=tuple(clean(n) for n in names.split(";") if clean(n)),
                   date=_stated(meta.date, page), source=source, standfirst=standfirst,
                   language=root.get("lang") or None)


def _stated(date: str | None, page: str) -> str | None:
    """``date`` as far as the page states it: a day, a month or only a year (trafilatura
    makes "Spring 2024" 2024-01-01)."""
    for length in (10, 7, 4):
        if date and date[:length] in page:
            return date[:length]
    return None


def _issue(root: _Element) -> str:
    """The magazine's issue, where the page names it (``<span class="issue">``)."""
    for element in root.iter():
        if {"issue", "issue-number", "edition"} & set((element.get("class") or "").split()):
            return clean(element.text_content())
    return ""


def _title_heading(root: _Element, title: str) -> _Element | None:
    """The page's heading that is the article's title: the first ``h1``–``h3`` that the
    page's title (``<title>``, ``og:title``) holds, or the first ``h1``."""
    headings = [h for h in root.iter("h1", "h2", "h3") if clean(h.text_content())]
    found = next((h for h in headings if title and clean(h.text_content()) in title), None)
    return found if found is not None else next((h for h in headings if h.tag == "h1"), None)


def _published(root: _Element) -> str | None:
    """Where the text was first published, from an archive's information block
    (marxists.org's "Published: Pravda No. 26, April 7, 1917"), which is then removed."""
    for element in root.iter():
        if not {"information", "info"} & set((element.get("class") or "").split()):
            continue
        for br in element.iter("br"):
            br.tail = "\n" + (br.tail or "")
        lines = [clean(line) for line in element.text_content().split("\n")]
        element.drop_tree()
        return next((line.split(":", 1)[1].strip() for line in lines
                     if line.lower().startswith(("published:", "first published:"))), None)
    return None


def _container(root: _Element, kept: str) -> _Element:
    """The deepest element holding nearly all (80%) of the text trafilatura kept."""
    tally: dict[_Element, int] = {}
    total = 0
    for leaf in root.iter(*_LEAVES):
        text = clean(leaf.text_content())
        if not text or (leaf.tag == "div" and _has_blocks(leaf)) or text not in kept:
            continue
        total += len(text)
        for ancestor in leaf.iterancestors():
            tally[ancestor] = tally.get(ancestor, 0) + len(text)
    body = root.find("body")
    if not total:
        return body if body is not None else root
    best = max((e for e, n in tally.items() if n >= 0.8 * total),
               key=lambda e: sum(1 for _ in e.iterancestors()))
    return best


def _has_blocks(element: _Element) -> bool:
    return any(child.tag in _LEAVES + _KEEPERS + ("ul", "ol") for child in element)


def _standfirst(root: _Element, body: _Element) -> str | None:
    """The page's introductory line (a "standfirst" or "dek"), before the article's body
    (an "excerpt" after it is another article's, in a list of related ones)."""
    for element in root.iter():
        if element is body:
            break
        classes = (element.get("class") or "").split()
        if any(_STANDFIRST.search(c) for c in classes) and \
                not any(a is body for a in element.iterancestors()):
            text = clean(element.text_content())
            if 20 <= len(text) <= 600:
                return text
    return None


def _tidy(body: _Element, kept: str, heading: _Element | None) -> None:
    """Take out of the article's body what is not the article: page furniture by its
    class, the title (and what comes before it), and blocks whose text trafilatura did
    not keep (unless they are in a figure, a boxout, a pull quote or a table); mark boxouts
    and pull quotes."""
    for element in list(body.iter(*FURNITURE)):
        element.drop_tree()
    if heading is not None and any(a is body for a in heading.iterancestors()):
        holding = {id(a) for a in heading.iterancestors()}
        before = []
        for element in body.iter():
            if element is heading:
                break
            if element is not body and id(element) not in holding:
                before.append(element)
        for element in before:  # a kicker, an author line, the archive's links
            if element.getparent() is not None:
                element.drop_tree()
        heading.drop_tree()
    for element in list(body.iter()):
        if element.getparent() is None or not isinstance(element.tag, str):
            continue
        tokens = [*(element.get("class") or "").split(), element.get("id") or ""]
        if any(_PULLQUOTE.search(t) for t in tokens if t):
            element.tag, element.attrib["class"] = "aside", "pullquote"
        elif any(_BOXOUT.search(t) for t in tokens if t):
            element.tag, element.attrib["class"] = "aside", "boxout"
        elif any(_BOILERPLATE.search(t) for t in tokens if t):
            element.drop_tree()
    for element in list(body.iter(*_LEAVES)):
        if element.getparent() is None:
            continue
        text = clean(element.text_content())
        if element.tag in _LEAVES and text and text not in kept and \
                not (element.tag == "div" and _has_blocks(element)) and \
                not any(a.tag in _KEEPERS for a in element.iterancestors()):
            element.drop_tree()
    for edge in (0, -1):  # rules left at the start or the end, as a page ends its text
        while len(body) and body[edge].tag == "hr":
            body[edge].drop_tree()
