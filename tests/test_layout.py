"""The pages as a book designer reads them (#18): ``pressrun check --layout`` on the
bundled pamphlet, its large print, both corpora, and a project made to show a fault.

The faults a re-set mends (a note away from its call, a ladder of hyphens, a line alone
on a page) were all found in these books before: Ten Days had 5 notes on the page after
their call and ladders on 21 pages, the Manifesto a note away from its call.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import ROOT, _corpus, run

MENDED = {"note-page", "dash-line", "ladder", "one-word-line", "stranded", "near-empty"}
"""What no book may show."""
MAX_HYPHENATED = 0.08
"""The most lines of running text ending in a hyphen (Ten Days had 12.6%, the Manifesto
17.8%, filled line by line)."""


@cache
def _layout(root: Path, *options: str) -> dict:
    result = run("check", "--layout", "--format", "json", "-C", root, *options)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["layout"]


@pytest.mark.parametrize("book, options", [
    ("pamphlet", ()), ("pamphlet", ("--edition", "large-print")),
    ("communist-manifesto", ()), ("ten-days-that-shook-the-world", ()),
])
def test_no_page_a_designer_would_send_back(book: str, options: tuple[str, ...]) -> None:
    root = ROOT if book == "pamphlet" else _corpus(book)
    layout = _layout(root, *options)
    faults = [f"p. {f['page']}: {f['message']}" for f in layout["faults"]
              if f["code"] in MENDED]
    assert not faults, "\n".join(faults)
    assert layout["pages"] > 1 and layout["lines"] > 100


@pytest.mark.parametrize("book, options", [
    ("pamphlet", ()), ("pamphlet", ("--edition", "large-print")),
    ("communist-manifesto", ()), ("ten-days-that-shook-the-world", ()),
])
def test_few_hyphens_and_few_loose_lines(book: str, options: tuple[str, ...]) -> None:
    """Each paragraph's line ends are chosen together (``pdf/linebreak.py``). Filled line
    by line by WeasyPrint, 4.0% of the Manifesto's lines and 4.3% of Ten Days' were loose
    (word gaps over twice a space); set a paragraph at a time, 5 and 36; with a paragraph
    tracked where its spaces alone cannot do it (``pdf/weasylines.py``), none."""
    layout = _layout(ROOT if book == "pamphlet" else _corpus(book), *options)
    assert layout["hyphenated_lines"] / layout["lines"] < MAX_HYPHENATED
    loose = [f["message"] for f in layout["faults"] if f["code"] == "loose-line"]
    assert not loose, "\n".join(loose)


def test_ten_days_notes_are_on_their_calls_pages() -> None:
    """The five notes the issue names (calls on pp. 23, 51, 91, 271, 275) were all set at
    the foot of the next page; every note is now on its call's page."""
    layout = _layout(_corpus("ten-days-that-shook-the-world"))
    assert [f for f in layout["faults"] if f["code"] == "note-page"] == []
    assert 380 <= layout["pages"] <= 410


def test_check_layout_names_the_page_of_a_loose_line(project) -> None:
    root = project()
    unbreakable = "3141592653589793238462643383279"  # digits: no hyphenation point
    part = next((root / "manuscript").glob("0*.md"))
    part.write_text(part.read_text(encoding="utf-8") + "\n\n" + " ".join(
        f"a be {unbreakable}" for _ in range(12)) + "\n", encoding="utf-8")
    result = run("check", "--layout", "-C", root)
    assert result.exit_code == 0, result.output
    assert "loose lines (word gaps over 2× a space); the loosest:" in result.output
    loosest = [line for line in result.output.splitlines() if line.startswith("  page ")]
    assert len(loosest) == 5 and all(unbreakable in line for line in loosest)
    assert "lines end in a hyphen" in result.output
    assert run("check", "--layout", "--strict", "-C", root).exit_code == 1


def test_check_layout_names_a_line_of_one_word_inside_a_paragraph(project) -> None:
    """A justified line holding one short word cannot be justified: a fault, unless it
    ends its paragraph."""
    root = project()
    part = next((root / "manuscript").glob("0*.md"))
    number = "31415926535897932384626433832795028841971693993751058209"  # a line alone
    # Too wide beside the number however tightly tracked (``weasylines.TRACKING``).
    part.write_text(part.read_text(encoding="utf-8") + f"\n\nApproximately: {number} ends.\n",
                    encoding="utf-8")
    result = run("check", "--layout", "-C", root)
    assert result.exit_code == 0, result.output
    assert "one word on a line, not justified: 'Approximately:'" in result.output, \
        result.output
    assert "'ends.'" not in result.output


MARADIOR = ("In a provincial town I knew a merchant family turned speculator—"
            "[*maradior*]{lang=ru-Latn} (bandit, ghoul) the Russians call it. The three sons "
            "had bribed their way out of military service. One gambled in foodstuffs.")


def test_a_line_may_end_at_a_dash_before_a_word_marked_by_language(project) -> None:
    """Ten Days' one loose line: the break after "speculator—", before a word in its own
    box, was not offered, so the line ended "specu-" with gaps 2.5× a space."""
    root = project()
    part = next((root / "manuscript").glob("0*.md"))
    part.write_text(part.read_text(encoding="utf-8") + "\n\n" + MARADIOR + "\n",
                    encoding="utf-8")
    layout = _layout(root)
    assert [f["message"] for f in layout["faults"] if f["code"] == "loose-line"] == []
    result = run("pdf", "-C", root, "-o", root / "out.pdf")
    assert result.exit_code == 0, result.output
    text = " ".join(page.extract_text() for page in PdfReader(root / "out.pdf").pages)
    assert "turned speculator—\nmaradior (bandit" in re.sub(" +", " ", text)


def test_check_without_layout_lays_nothing_out(project) -> None:
    result = run("check", "-C", project())
    assert result.exit_code == 0 and "lines end in a hyphen" not in result.output
