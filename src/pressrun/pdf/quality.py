"""What a book designer looks for on laid-out pages, measured on WeasyPrint's boxes.

``LayoutReport.of(document)`` lists each fault with its page: a note printed on another
page than its call, a line starting with a dash, a ladder of hyphens, a loose justified
line, a one-word last line in a heading or caption, a page left nearly empty, a line or
two stranded alone on a page; and the share of lines ending in a hyphen. ``pressrun
check --layout`` reports them for any project; the tests hold the bundled pamphlet and
the corpora to them. ``remedies`` says how to re-set what another layout mends.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pressrun.pdf.weasyboxes import descendants, line_text, space_width, tracking

if TYPE_CHECKING:
    from weasyprint.document import Document

HYPHENS = ("-", "\u2010", "\u00ad")
"""What a hyphenated line ends with: the author's hyphen, or the one the layout adds."""
DASHES = ("\u2014", "\u2013")
MAX_LADDER = 2
"""The most hyphenated line ends in a row."""
MAX_GAP = 2.0
"""The widest word gap of a justified line, in normal spaces."""
MAX_STRANDED = 3
"""The most lines a page may hold alone (under a quarter full, not starting a section):
a part's last line, a dateline, one glossary entry."""
MIN_LINE = 0.7
"""How much of its measure a line of one word in a justified paragraph must fill."""
MIN_FILL = 0.25
"""How full a page must be, unless it ends a section or the book."""
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "figcaption"})
FORCED = frozenset({"page", "left", "right", "recto", "verso"})


@dataclass(frozen=True)
class Fault:
    """One thing a designer would send back."""

    page: int
    """The page, from 1."""
    code: str
    """``note-page``, ``dash-line``, ``ladder``, ``loose-line``, ``one-word-line``,
    ``near-empty`` or ``stranded``."""
    message: str
    """What is wrong, with the text it is about."""
    element: Any = field(default=None, compare=False, repr=False)
    """The block a re-set would mend (see ``remedies``), if any."""
    gap: float = field(default=0.0, compare=False, repr=False)
    """For a loose line, its word gap in normal spaces."""


@dataclass
class _Line:
    page: int
    text: str
    element: Any
    index: int
    """The line's place in its block, from 0 (over pages)."""
    gap: float = 1.0
    """The word gap, in normal spaces (1 unless justified)."""
    hyphenated: bool = False
    flow: bool = True
    """In the page's text, not among its footnotes."""
    width: float = 0.0
    """How wide its words are, in CSS pixels."""
    stub: bool = False
    """One word in a justified block, too short to fill the line: not justified (a fault
    unless it is the block's last line)."""


@dataclass
class _Reading:
    lines: list[_Line] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    notes: dict[str, int] = field(default_factory=dict)
    fill: dict[int, float] = field(default_factory=dict)
    starts: set[int] = field(default_factory=set)
    """Pages that start a section (a forced page break)."""
    foot: dict[int, Any] = field(default_factory=dict)
    """The last block of each page's text."""


@dataclass(frozen=True)
class LayoutReport:
    """The faults of a laid-out edition, and the measures no single fault shows."""

    faults: tuple[Fault, ...]
    """Every fault, by page (loose lines among them)."""
    hyphenated: int
    """Lines of running text ending in a hyphen."""
    lines: int
    """Lines of running text."""
    pages: int
    """Pages laid out."""

    @classmethod
    def of(cls, document: Document) -> LayoutReport:
        """The report on ``document``."""
        reading = _read(document)
        running = [line for line in reading.lines if line.element.tag not in HEADINGS]
        found = sorted(_faults(reading, len(document.pages)), key=lambda f: (f.page, f.code))
        return cls(tuple(found),
                   sum(line.hyphenated for line in running), len(running),
                   len(document.pages))

    def listed(self) -> list[str]:
        """The report as ``pressrun check --layout`` prints it: a fault a line, the five
        loosest lines, and the hyphenation."""
        found = [f"page {f.page}: warning: {f.message} [{f.code}]"
                 for f in self.faults if f.code != "loose-line"]
        loose = sorted((f for f in self.faults if f.code == "loose-line"), key=lambda f: -f.gap)
        if loose:
            found.append(f"{_count(len(loose), 'loose line')} (word gaps over {MAX_GAP:g}× a "
                         "space); the loosest:")
            found += [f"  page {f.page}: {f.message}" for f in loose[:5]]
        share = self.hyphenated / self.lines if self.lines else 0
        return [*found, f"{self.pages} pages; {self.hyphenated} of {self.lines} lines end in "
                f"a hyphen ({share:.1%}); {_count(len(self.faults), 'layout fault')}"]

    def as_json(self) -> dict[str, Any]:
        """The report for ``--format json``."""
        return {"pages": self.pages, "hyphenated_lines": self.hyphenated, "lines": self.lines,
                "faults": [{"page": f.page, "code": f.code, "message": f.message}
                           for f in self.faults]}


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'s' * (number != 1)}"


def _faults(reading: _Reading, pages: int) -> list[Fault]:
    """Every fault: notes, then lines, then pages."""
    return [*_notes(reading), *_lines(reading), *_pages(reading, pages)]


def _read(document: Document) -> _Reading:
    reading = _Reading()
    counts: dict[Any, int] = {}
    forced: set[str] = set()
    first: dict[str, int] = {}
    spaces: dict[tuple, float] = {}
    for number, page in enumerate(document.pages, 1):
        box = page._page_box
        root = box.children[0]
        top, height = box.content_box_y(), box.height
        bottom, notes = top, 0.0
        for anchor in page.anchors:
            first.setdefault(anchor, number)
        for child in box.children:
            if type(child).__name__ == "MarginBox":
                continue
            if type(child).__name__ == "FootnoteAreaBox" and child.children:
                notes = child.margin_height()
                for note in child.children:
                    reading.notes.setdefault(note.element.get("id"), number)
            for each in descendants(child):
                element = getattr(each, "element", None)
                key = element.get("id") if element is not None else None
                if key and (each.element_tag or "").endswith("::footnote-call"):
                    reading.calls.setdefault(key, number)
                if key and each.style["break_before"] in FORCED:
                    forced.add(key)
                if child is root and "Replaced" in type(each).__name__:
                    bottom = max(bottom, each.position_y + each.height)
            for block in _blocks(child):
                for line in block.children:
                    text = line_text(line).replace("\u2060", "")
                    if not text.strip():
                        continue
                    index = counts.get(block.element, 0)
                    counts[block.element] = index + 1
                    boxes = list(descendants(line))
                    texts = [b for b in boxes if type(b).__name__ == "TextBox"]
                    width = sum(b.width for b in texts)
                    broken = any(b.element_tag == "br" for b in boxes)  # not justified
                    reading.lines.append(_Line(
                        number, text, block.element, index, _gap(texts, spaces),
                        text.rstrip().endswith(HYPHENS), child is root, width,
                        block.style["text_align_all"] == "justify" and not broken
                        and " " not in text.strip() and width < MIN_LINE * block.width))
                    if child is root:
                        bottom = max(bottom, line.position_y + line.height)
                        reading.foot[number] = block.element
        reading.fill[number] = (bottom - top + notes) / height if height else 1
    reading.starts = {first[key] for key in forced if key in first}
    return reading


def _blocks(box: Any) -> Iterator[Any]:
    """The blocks of ``box`` that hold lines."""
    children = getattr(box, "children", ())
    if children and type(children[0]).__name__ == "LineBox":
        yield box
        return
    for child in children:
        yield from _blocks(child)


def _gap(texts: list[Any], spaces: dict[tuple, float]) -> float:
    """The word gap of a justified line (its text boxes), in normal spaces of its font (a
    theme's ``word-spacing`` and ``letter-spacing`` count as part of the gap)."""
    extra = max((getattr(b, "justification_spacing", 0) or 0 for b in texts), default=0)
    if not extra:
        return 1.0
    style = max(texts, key=lambda b: len(b.text)).style
    space = _space(style, spaces)
    spacing = (style["word_spacing"] or 0) + tracking(style)
    return (space + spacing + extra) / space if space else 1.0


def _space(style: Any, spaces: dict[tuple, float]) -> float:
    """The width of a normal space in ``style``'s font (neither its ``word-spacing`` nor
    its ``letter-spacing`` counted)."""
    letters = tracking(style)
    key = (tuple(style["font_family"]), style["font_size"], style["font_weight"],
           style["font_style"], style["word_spacing"], letters)
    if key not in spaces:
        spaces[key] = space_width(style) - (style["word_spacing"] or 0) - letters
    return spaces[key]


def _notes(reading: _Reading) -> Iterator[Fault]:
    for note, page in reading.notes.items():
        call = reading.calls.get(note)
        if call is not None and call != page:
            yield Fault(call, "note-page", f"the note {note} is printed on page {page}, "
                        "away from its call", reading.foot.get(call))


def _lines(reading: _Reading) -> Iterator[Fault]:
    runs: dict[Any, list[_Line]] = {}
    ends = {line.element: line for line in reading.lines}
    for line in reading.lines:
        if line.element.tag in HEADINGS:
            continue
        if line.index and line.text.lstrip().startswith(DASHES):
            yield Fault(line.page, "dash-line", f"a line starts with a dash: {line.text[:40]!r}")
        if line.gap > MAX_GAP:
            yield Fault(line.page, "loose-line", f"word gaps {line.gap:.1f}× a space: "
                        f"{line.text[:50]!r}", line.element, line.gap)
        elif line.stub and ends[line.element] is not line:
            yield Fault(line.page, "loose-line", f"one word on a line, not justified: "
                        f"{line.text[:50]!r}", line.element, float("inf"))
        run = runs.setdefault(line.element, [])
        run[:] = [*run, line] if line.hyphenated else []
        if len(run) == MAX_LADDER + 1:
            yield Fault(run[0].page, "ladder", f"{len(run)} hyphens in a row from "
                        f"{run[0].text[-20:]!r}", line.element)
    for element, last in ends.items():
        if element.tag in HEADINGS and last.index and len(last.text.split()) == 1:
            yield Fault(last.page, "one-word-line", "a heading or caption ends in a line of "
                        f"one word: {last.text!r}")


def _pages(reading: _Reading, pages: int) -> Iterator[Fault]:
    on_page: dict[int, list[_Line]] = {}
    for line in reading.lines:
        if line.flow:
            on_page.setdefault(line.page, []).append(line)
    for number in range(1, pages + 1):
        lines = on_page.get(number, [])
        full = reading.fill[number]
        if number in reading.starts or full >= MIN_FILL:
            continue
        if lines and len(lines) <= MAX_STRANDED:
            first = lines[0]
            yield Fault(number, "stranded", f"{len(lines)} line(s) alone on the page: "
                        f"{first.text[:40]!r}", first.element)
        elif number + 1 not in reading.starts and number != pages:
            yield Fault(number, "near-empty", f"the page is {full:.0%} full")


LADDER_STEPS = ("hyphenate-limit-chars: 9 4 4", "hyphens: manual")
"""How a paragraph with a ladder is re-set, in turn: fewer words hyphenated, then none."""


def remedies(document: Document, restyled: tuple[tuple[str, str], ...] = ()
             ) -> tuple[tuple[str, str], ...]:
    """``restyled`` (CSS declarations by selector, see ``render.Adjustments``) with rules
    added for the faults that another layout of a paragraph or page break mends:

    - a note printed after its call's page: WeasyPrint made room for a paragraph's second
      line at the foot of the page by moving notes on (orphans); that paragraph (or the
      heading before it) starts the next page instead;
    - a ladder: the paragraph is set with fewer hyphens, then with none;
    - a few lines alone on a page: they take the lines before them along;
    - a title whose last line is much shorter than its longest: it is set narrower, so
      that its lines come out about as long as each other (WeasyPrint has no
      ``text-wrap: balance``).
    """
    reading = _read(document)
    rules = dict(restyled)
    tree = _Tree(document.pages[0]._page_box.children[0].element)
    for fault in _faults(reading, len(document.pages)):
        if fault.element is None or fault.code == "loose-line":
            continue
        selector = tree.selector(fault.element)
        if fault.code == "note-page":
            rules[tree.selector(tree.heading_before(fault.element))] = "break-before: page"
        elif fault.code == "ladder":
            now = rules.get(selector)
            steps = LADDER_STEPS[LADDER_STEPS.index(now) + 1:] if now in LADDER_STEPS \
                else LADDER_STEPS
            if steps:
                rules[selector] = steps[0]
        elif fault.code == "stranded":
            here = [line for line in reading.lines
                    if line.element is fault.element and line.page == fault.page]
            # Begun on an earlier page: more of its lines come along; else it keeps with
            # the block before.
            rules[selector] = f"widows: {len(here) + 2}" if here[0].index \
                else "break-before: avoid"
    for element, width in _unbalanced(reading):
        rules.setdefault(tree.selector(element), f"max-width: {width:.0f}px")
    return tuple(sorted(rules.items()))


def _unbalanced(reading: _Reading) -> Iterator[tuple[Any, float]]:
    """Each title (``h1``) of two lines or more whose last line is under 60% of its
    longest, with the width that would balance its lines."""
    titles: dict[Any, list[_Line]] = {}
    for line in reading.lines:
        if line.element.tag == "h1":
            titles.setdefault(line.element, []).append(line)
    for element, lines in titles.items():
        widths = [line.width for line in lines]
        if len(widths) > 1 and widths[-1] < 0.6 * max(widths):
            yield element, sum(widths) / len(widths) * 1.12


class _Tree:
    """Selectors for the elements of a laid-out document."""

    def __init__(self, root: Any) -> None:
        self.parents = {child: parent for parent in root.iter() for child in parent}

    def selector(self, element: Any) -> str:
        """A selector for ``element`` alone: its id, or its place under the nearest
        element with one."""
        steps = []
        while element.get("id") is None and element in self.parents:
            parent = self.parents[element]
            steps.append(f" > :nth-child({list(parent).index(element) + 1})")
            element = parent
        key = element.get("id")
        head = f'[id="{key}"]' if key is not None else element.tag
        return head + "".join(reversed(steps))

    def heading_before(self, element: Any) -> Any:
        """The heading right before ``element``, which keeps with it, else ``element``."""
        parent = self.parents.get(element)
        if parent is None:
            return element
        siblings = list(parent)
        index = siblings.index(element)
        if index and siblings[index - 1].tag in HEADINGS - {"figcaption"}:
            return siblings[index - 1]
        return element
