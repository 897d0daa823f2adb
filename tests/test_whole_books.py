"""The three books as a user builds them: in two processes or in one, cold or after an
edit in a ``pressrun watch`` session, the PDF has the same bytes.

These compare builds made here, in this environment, so they hold on any machine (the
recorded bytes of ``identical.json`` are checked only where they were recorded).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT, Built, library_pdf
from pressrun import forked
from pressrun.pdf.sections import Layouts

pytestmark = pytest.mark.skipif(not forked.can_fork(),
                                reason="builds in one process on this machine")


@pytest.mark.parametrize("book", ["pamphlet", "manifesto"])
def test_a_book_built_in_one_process_is_the_book_built_in_two(
        book: str, request: pytest.FixtureRequest, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite's build (sections written in forked processes and joined, the EPUB made
    beside the PDF) has the bytes of a build with ``PRESSRUN_SEQUENTIAL=1``."""
    built: Built = request.getfixturevalue(book)
    root = ROOT if book == "pamphlet" else CORPUS / "communist-manifesto"
    monkeypatch.setenv("PRESSRUN_SEQUENTIAL", "1")
    assert library_pdf(root, tmp_path / "one.pdf") == built.pdf.read_bytes()


def test_ten_days_after_a_one_part_edit_is_its_cold_build(
        ten_days: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ten Days built in one process is the suite's build in two. A ``pressrun watch``
    session then lays out and writes only the chapter edited, and joins the book from
    the sections' PDFs: the bytes of a cold build of the edited manuscript; after the edit
    is undone, the first cold build's bytes again."""
    root = tmp_path / "ten-days"
    shutil.copytree(CORPUS / "ten-days-that-shook-the-world", root)
    layouts, target = Layouts(), tmp_path / "book.pdf"
    with monkeypatch.context() as sequential:
        sequential.setenv("PRESSRUN_SEQUENTIAL", "1")
        cold = library_pdf(root, target, layouts)
    assert cold == ten_days.pdf.read_bytes()
    part = root / "manuscript" / "11-chapter-8.md"
    text = part.read_text(encoding="utf-8")
    old = "\n\n".join(text.split("\n\n")[:8])  # past the chapter's heading and opening
    # Six words more: the chapter keeps its page count and its reading time (rounded to
    # minutes, on the contents page), so no other section changes.
    part.write_text(text.replace(old, old + " An edited sentence, laid out again.", 1),
                    encoding="utf-8")
    edited = library_pdf(root, target, layouts)
    assert (layouts.laid_out, layouts.written) == (1, 1)
    assert edited == library_pdf(root, tmp_path / "edited-cold.pdf") != cold
    part.write_text(text, encoding="utf-8")
    assert library_pdf(root, target, layouts) == cold
    assert (layouts.laid_out, layouts.written) == (1, 1)
