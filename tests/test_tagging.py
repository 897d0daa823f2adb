"""The tagged PDF read as a screen reader reads it (PDF/UA-1): the structure follows the
text, not the pages; furniture is artifacts; notes are notes, linked from their calls.
Checked on the pamphlet and both corpora."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest
from pdfua import validate

from conftest import CORPUS, ROOT, Built, article_sentences, run, squash
from pressrun.build import load
from pressrun.project import Project
from structure import Reading, read

BOOKS = ("pamphlet", "manifesto", "ten_days")


@pytest.fixture(scope="session", params=BOOKS)
def book(request, tmp_path_factory) -> tuple[Built, Reading, str]:
    """One book, once a session: its build, its PDF read through the structure tree, and
    its print HTML."""
    built: Built = request.getfixturevalue(request.param)
    html = tmp_path_factory.mktemp(f"html-{request.param}") / "print.html"
    return built, read(built.pdf), _print_html(built, html)


def _print_html(built: Built, target: Path) -> str:
    """The print HTML of the project ``built`` was built from."""
    source = _SOURCES[built.pdf.name]
    result = run("html", "-C", source, "-o", target, "-q")
    assert result.exit_code == 0, result.output
    return target.read_text(encoding="utf-8")


_SOURCES = {"how-workers-won-in-1917.pdf": ROOT,
            "the-communist-manifesto.pdf": CORPUS / "communist-manifesto",
            "ten-days-that-shook-the-world.pdf": CORPUS / "ten-days-that-shook-the-world"}
"""The project each book's PDF is built from, by the PDF's name."""


def _count(html: str, pattern: str) -> int:
    return len(re.findall(pattern, html))


def test_every_piece_of_content_is_reached_or_an_artifact(book) -> None:
    _, reading, _ = book
    assert reading.unreached == []
    assert reading.unmarked == []


def test_running_heads_and_folios_are_artifacts(book) -> None:
    _, reading, _ = book
    pages = {page for page, _ in reading.artifacts}
    folios = {page for page, text in reading.artifacts if text.strip().isdigit()}
    assert len(folios) >= len(reading.pdf.pages) // 2
    assert len(pages) >= len(reading.pdf.pages) - 2
    title = reading.pdf.docinfo["/Title"]
    assert any(str(title)[:20] in text for _, text in reading.artifacts) or \
        len(reading.pdf.pages) < 4


def test_one_sect_per_part_and_section_one_p_per_paragraph(book) -> None:
    _, reading, html = book
    sections = _count(html, r"<section[ >]") + _count(html, r"<nav[ >]") + \
        _count(html, r'<aside class="part')
    assert len(reading.of_type("/Sect")) + len(reading.of_type("/Aside")) == sections
    hidden = sum(_count(block, r"<p[ >]") for block in re.findall(
        r'<aside[^>]*aria-hidden="true".*?</aside>', html, re.S))
    assert len(reading.of_type("/P")) == _count(html, r"<p[ >]") - hidden


def test_notes_are_notes_with_ids_and_calls_link_to_them(book) -> None:
    _, reading, html = book
    notes = reading.of_type("/Note")
    assert len(notes) == _count(html, r'<span class="footnote[ "]')
    ids = {str(note.ID) for note in notes}
    assert len(ids) == len(notes)
    id_tree = reading.pdf.Root.StructTreeRoot.get("/IDTree")
    if notes:
        assert {str(name) for name in list(id_tree.Names)[::2]} >= ids
    targets = set()
    for link in reading.of_type("/Link"):
        for kid in link.K:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                dest = kid.Obj.get("/Dest")
                if dest is not None:
                    targets.add(str(dest))
    assert ids <= targets


def test_header_cells_have_a_scope_and_a_table_is_one_table(book) -> None:
    _, reading, html = book
    assert len(reading.of_type("/Table")) == _count(html, r"<table[ >]")
    for cell in reading.of_type("/TH"):
        assert cell.A.Scope in ("/Column", "/Row")


def test_no_hyphen_the_layout_added_is_read_aloud(book) -> None:
    _, reading, _ = book
    for types, text in reading.pieces:
        assert not text.rstrip().endswith("\u2010"), (types, text)
    for span in (span for span in reading.of_type("/Span") if "/ActualText" in span):
        assert not str(span.ActualText).endswith("\u2010")


def test_contents_entries_are_one_link_each_without_leaders(book) -> None:
    _, reading, html = book
    entries = _count(html, r'<li class="(?:role-\w+|back)"><a href="#')
    contents = [link for link in reading.of_type("/Link") if any(
        isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR" and
        str(kid.Obj.get("/Dest", "")).startswith(("part-", "questions", "glossary"))
        for kid in link.K)]
    assert len(contents) >= entries
    for link in reading.of_type("/Link"):
        assert not any(isinstance(kid, pikepdf.Dictionary) and kid.get("/S") == "/Link"
                       for kid in link.K)
    assert not re.search(r"(?:\. ){3}", reading.text())


def test_link_annotations_say_their_text(book) -> None:
    _, reading, _ = book
    for page in reading.pdf.pages:
        for annotation in page.obj.get("/Annots", []):
            contents = str(annotation.get("/Contents", ""))
            assert contents.strip(), annotation
            assert not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)+", contents), contents


def test_bookmarks_for_the_title_page_contents_and_every_heading(book) -> None:
    _, reading, html = book
    with reading.pdf.open_outline() as outline:
        titles = []
        stack = list(outline.root)
        while stack:
            item = stack.pop(0)
            titles.append(" ".join(item.title.split()))
            stack[:0] = list(item.children)
    headings = [text for attributes, text in re.findall(
        r"<h[12]([^>]*)>(.*?)</h[12]>", html, re.S) if "notes-page-title" not in attributes]
    assert headings
    for heading in headings:
        text = " ".join(re.sub(r"<[^>]+>", "", heading).split())
        assert any(text[:15] in title for title in titles), (text, titles)


def test_placeholders_describe_the_picture_to_come(pamphlet: Built) -> None:
    reading = read(pamphlet.pdf)
    figures = reading.of_type("/Figure")
    assert figures
    for figure in figures:
        assert str(figure.Alt).endswith("(picture to come)")
        assert "Soldiers in greatcoats" in str(figure.Alt) or "postage stamp" in \
            str(figure.Alt)


def test_every_sentence_is_read_with_notes_after_their_paragraph(pamphlet: Built) -> None:
    reading = read(pamphlet.pdf)
    text = squash(reading.text(skip=("/Note", "/Link")))
    for sentence in article_sentences():
        assert squash(sentence) in text, sentence
    pieces = reading.pieces
    first_note = next(i for i, (types, _) in enumerate(pieces) if "/Note" in types)
    assert "/P" in pieces[first_note - 1][0]


def test_the_text_is_read_in_the_manuscripts_order(book) -> None:
    built, reading, _ = book
    pamphlet, _ = load(Project(_SOURCES[built.pdf.name]))
    text = squash(reading.text(skip=("/Note", "/Link")))
    position = 0
    for part in pamphlet.parts:
        for node in part.blocks:
            wanted = squash(node.plain_text)
            if node.kind != "paragraph" or not wanted:
                continue
            found = text.find(wanted, position)
            assert found >= 0, (part.location.path, node.line, node.plain_text[:80])
            position = found + len(wanted)


def test_the_pdfua_checker_finds_nothing(book) -> None:
    built, _, _ = book
    report = validate(str(built.pdf))
    assert [f"{finding.rule_id}: {finding.message}" for finding in report.findings] == []
