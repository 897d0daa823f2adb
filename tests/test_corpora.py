"""The two public-domain books in ../shared/corpus build unchanged, with nothing lost."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from pypdf import PdfReader

from conftest import CORPUS, Built, epub_texts, epubcheck_problems, pdf_text, squash


def _note_texts(corpus: str) -> list[str]:
    """The first words of every footnote definition in a corpus."""
    notes = []
    for part in sorted((CORPUS / corpus / "manuscript").glob("*.md")):
        for match in re.finditer(r"^\[\^[^\]]+\]: (.+)$", part.read_text(encoding="utf-8"), re.M):
            words = re.sub(r"[*_\\]", "", match[1]).split()[:8]
            notes.append(" ".join(words))
    return notes


def test_manifesto_epub_passes_epubcheck(manifesto: Built) -> None:
    assert epubcheck_problems(manifesto.epub) == []


def test_ten_days_epub_passes_epubcheck(ten_days: Built) -> None:
    assert epubcheck_problems(ten_days.epub) == []


def test_manifesto_has_six_parts_and_every_footnote_in_print(manifesto: Built) -> None:
    names = [n for n in zipfile.ZipFile(manifesto.epub).namelist() if re.search(r"/\d\d-", n)]
    assert len(names) == 6
    text = squash("".join(pdf_text(manifesto.pdf)))
    notes = _note_texts("communist-manifesto")
    assert len(notes) == 10
    for note in notes:
        assert squash(note) in text, f"footnote lost in print: {note}"


def test_ten_days_keeps_all_87_footnotes_in_both_formats(ten_days: Built) -> None:
    notes = _note_texts("ten-days-that-shook-the-world")
    assert len(notes) == 87
    pdf = squash("".join(pdf_text(ten_days.pdf)))
    epub = squash(" ".join(epub_texts(ten_days.epub).values()))
    for note in notes:
        assert squash(note) in pdf, f"footnote lost in print: {note}"
        assert squash(note) in epub, f"footnote lost in the EPUB: {note}"
    with zipfile.ZipFile(ten_days.epub) as archive:
        asides = sum(archive.read(n).count(b'epub:type="footnote"')
                     for n in archive.namelist() if n.endswith(".xhtml"))
    assert asides == 87


def test_ten_days_has_27_parts_17_figures_and_2_placeholders(ten_days: Built) -> None:
    with zipfile.ZipFile(ten_days.epub) as archive:
        parts = [n for n in archive.namelist() if re.search(r"/\d\d-[\w-]+\.xhtml$", n)]
        figures = sum(archive.read(n).count(b"<figure") for n in parts)
        placeholders = [n for n in archive.namelist() if "/placeholders/" in n]
    assert len(parts) == 27
    assert figures == 17
    assert len(placeholders) == 2
    assert "missing art (2)" in ten_days.output
    assert "images/illustration-3.svg" in ten_days.output
    assert "images/illustration-12.svg" in ten_days.output


def test_ten_days_pipe_tables_reach_both_formats(ten_days: Built) -> None:
    with zipfile.ZipFile(ten_days.epub) as archive:
        tables = sum(archive.read(n).count(b"<table") for n in archive.namelist()
                     if n.endswith(".xhtml"))
    assert tables == 2
    assert squash("Carpenter, cabinetmaker") in squash("".join(pdf_text(ten_days.pdf)))


def test_corpus_pdfs_have_embedded_fonts_and_bookmarks(manifesto: Built) -> None:
    from conftest import unembedded_fonts

    assert unembedded_fonts(manifesto.pdf) == []
    outline = [i.title for i in PdfReader(manifesto.pdf).outline if not isinstance(i, list)]
    assert outline[:2] == ["Preface", "Introduction"]
    assert len(outline) == 6


def test_corpus_is_not_written_to(manifesto: Built) -> None:
    assert not (Path(CORPUS) / "communist-manifesto" / "build").exists()
