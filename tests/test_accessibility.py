"""The EPUB's accessibility and the print edition's page numbers inside it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

import epubchecker
from conftest import Built, pdf_text, run
from pressrun.html.pagemap import squash

OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
XHTML = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}


def metadata(epub: Path) -> dict[str, list[str]]:
    with zipfile.ZipFile(epub) as archive:
        package = ET.fromstring(archive.read("EPUB/content.opf"))
    found: dict[str, list[str]] = {}
    for meta in package.find("opf:metadata", OPF):
        key = meta.get("property") or meta.tag.split("}")[1]
        found.setdefault(key, []).append(meta.text or "")
    return found


def text_after_markers(epub: Path) -> dict[int, str]:
    """For each page-break marker, the text that follows it in the EPUB (the contents
    pages' markers stand in the nav, before its table of contents)."""
    found = {}
    with zipfile.ZipFile(epub) as archive:
        for name in archive.namelist():
            if not name.endswith(".xhtml"):
                continue
            # Paragraph numbers sit in the margin in print, not in the text's flow.
            xhtml = re.sub(r'<span class="pn">\d+</span>', "", archive.read(name).decode())
            for match in re.finditer(r'<span epub:type="pagebreak"[^>]*id="page-(\d+)"', xhtml):
                following = re.sub(r"<[^>]+>", " ", xhtml[match.end():match.end() + 3000])
                found[int(match[1])] = squash(following.split(">", 1)[-1])
    return found


@pytest.mark.parametrize("book", ["pamphlet", "manifesto", "study"])
def test_page_markers_sit_where_the_printed_pages_begin(book: str, request) -> None:
    built: Built = request.getfixturevalue(book)
    pages = pdf_text(built.pdf)
    markers = text_after_markers(built.epub)
    assert sorted(markers) == list(range(1, len(pages) + 1)), "one marker per printed page"
    checked = 0
    for number, page in enumerate(pages, 1):
        following = markers[number][:20]
        if not following or number <= 3:  # front matter without an EPUB equivalent
            continue
        # The words after the marker open the printed page (after its running head); a
        # page that begins inside a hyphenated word is marked before the whole word.
        assert any(following[start:] in squash(page)[:200]
                   for start in range(max(1, len(following) - 3))), (number, following,
                                                              squash(page)[:200])
        checked += 1
    blank = sum(len(squash(page)) < 12 for page in pages[3:])  # notes pages: a title only
    assert checked >= len(pages) - 3 - blank


def test_nav_lists_every_printed_page(manifesto: Built) -> None:
    with zipfile.ZipFile(manifesto.epub) as archive:
        nav = ET.fromstring(archive.read("EPUB/nav.xhtml"))
    page_list = [n for n in nav.iter(f"{{{XHTML['x']}}}nav")
                 if n.get(f"{{{XHTML['epub']}}}type") == "page-list"]
    assert len(page_list) == 1
    entries = [a.text for a in page_list[0].iter(f"{{{XHTML['x']}}}a")]
    assert entries == [str(n) for n in range(1, len(pdf_text(manifesto.pdf)) + 1)]


def test_accessibility_metadata_describes_the_book(pamphlet: Built) -> None:
    meta = metadata(pamphlet.epub)
    assert meta["schema:accessMode"] == ["textual", "visual"]
    assert meta["schema:accessModeSufficient"] == ["textual"]
    assert set(meta["schema:accessibilityFeature"]) >= {
        "structuralNavigation", "tableOfContents", "readingOrder", "alternativeText",
        "printPageNumbers", "pageNavigation"}
    assert meta["schema:accessibilityHazard"] == ["none"]
    summary = meta["schema:accessibilitySummary"][0]
    assert "2 pictures" in summary and "print edition" in summary
    assert meta["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    pages = len(pdf_text(pamphlet.pdf))
    assert any(f"print edition (A5, {pages} pages)" in s for s in meta["source"])
    assert meta["pageBreakSource"][0].startswith("How workers won in 1917, print edition")


def test_a_book_without_pictures_is_textual_only(manifesto: Built) -> None:
    meta = metadata(manifesto.epub)
    assert meta["schema:accessMode"] == ["textual"]
    assert "alternativeText" not in meta["schema:accessibilityFeature"]
    assert "10 footnotes" in meta["schema:accessibilitySummary"][0]


def test_the_summary_counts_in_words_a_reader_would_write(study: Built) -> None:
    summary = metadata(study.epub)["schema:accessibilitySummary"][0]
    assert summary.startswith("3 parts with headings")
    assert "1 picture, with a text description." in summary
    assert "2 footnotes, linked" in summary


def test_package_and_documents_declare_the_language(pamphlet: Built) -> None:
    with zipfile.ZipFile(pamphlet.epub) as archive:
        package = ET.fromstring(archive.read("EPUB/content.opf"))
    assert package.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-GB"


def test_sidebar_part_is_an_aside(pamphlet: Built) -> None:
    with zipfile.ZipFile(pamphlet.epub) as archive:
        xhtml = archive.read("EPUB/02-soviets.xhtml").decode()
    assert '<aside class="part role-sidebar" id="part-02-soviets"' in xhtml
    assert 'epub:type="sidebar"' not in xhtml


def test_picture_without_description_is_a_warning_and_strict_error(project) -> None:
    root = project()
    part = root / "manuscript" / "01-first.md"
    part.write_text(part.read_text().replace(
        "![A red square with a pale circle in the middle]", "![]"))
    result = run("epub", "-C", root)
    assert result.exit_code == 0
    assert ("warning: manuscript/01-first.md:9: picture 'images/red-star.png' has no "
            "description") in result.stderr
    strict = run("epub", "-C", root, "--strict")
    assert strict.exit_code == 1
    assert "error: manuscript/01-first.md:9: picture 'images/red-star.png' has no " \
        "description" in strict.stderr


def test_build_lays_out_the_print_edition_once(project, monkeypatch) -> None:
    """One layout feeds the PDF and the EPUB's page list: each section once."""
    import pressrun.pdf.sections
    from pressrun.build import prepare
    from pressrun.pdf.render import print_sections

    editions, sections = [], []
    whole, one = pressrun.pdf.sections.layout_sections, pressrun.pdf.sections.layout
    monkeypatch.setattr(pressrun.pdf.sections, "layout_sections",
                        lambda *a, **k: editions.append(1) or whole(*a, **k))
    monkeypatch.setattr(pressrun.pdf.sections, "layout",
                        lambda *a, **k: sections.append(1) or one(*a, **k))
    root = project()
    assert run("build", "-C", root).exit_code == 0
    assert len(editions) == 1
    assert len(sections) == len(print_sections(prepare(root).pamphlet))


def epubcheck_usage(epub: Path) -> list[str]:
    # CSS-028 notes each @font-face: embedding the theme's fonts is intended.
    return [f"{severity} {code}: {text}" for severity, code, text
            in epubchecker.messages(epubchecker.report(epub, "-u")) if code != "CSS-028"]


def test_epubcheck_reports_no_usage_notes_but_font_faces(pamphlet: Built, manifesto: Built,
                                                        study: Built) -> None:
    assert epubcheck_usage(pamphlet.epub) == []
    assert epubcheck_usage(manifesto.epub) == []
    assert epubcheck_usage(study.epub) == []


ACE_TRIES = 3
"""Ace checks an EPUB in a headless chromium, which now and then fails to start on a busy
machine (Ace then exits 1 with no report, "Re-run Ace using the --verbose option"); a
violation found is in its report, not in its exit status, so a try that ends badly is
tried again."""


def ace_violations(epub: Path, out: Path) -> list[str]:
    env = dict(os.environ, PUPPETEER_SKIP_DOWNLOAD="1",
               PUPPETEER_EXECUTABLE_PATH=os.environ.get("PUPPETEER_EXECUTABLE_PATH",
                                                        "/usr/bin/chromium"))
    for _ in range(ACE_TRIES):
        done = subprocess.run(["ace-cli", "--force", "--silent", "--outdir", str(out), str(epub)],
                              env=env, timeout=600, capture_output=True, text=True)
        if done.returncode == 0:
            break
    else:
        raise AssertionError(f"ace-cli failed {ACE_TRIES} times:\n{done.stdout}{done.stderr}")
    report = json.loads((out / "report.json").read_text())
    return [f"{item['earl:test']['dct:title']} in {group['earl:testSubject']['url']}"
            for group in report["assertions"] for item in group["assertions"]
            if item["earl:result"]["earl:outcome"] != "pass"]


@pytest.mark.skipif(not shutil.which("ace-cli"), reason="DAISY Ace (npm @daisy/ace-cli) is not "
                    "installed; .ci/run installs it")
@pytest.mark.parametrize("book", ["pamphlet", "manifesto", "ten_days", "study"])
def test_daisy_ace_finds_no_violations(book: str, request, tmp_path: Path) -> None:
    built: Built = request.getfixturevalue(book)
    assert ace_violations(built.epub, tmp_path) == []


@pytest.mark.skipif(not shutil.which("ebook-convert"), reason="Calibre is not installed")
def test_calibre_converts_the_epub(pamphlet: Built, tmp_path: Path) -> None:
    done = subprocess.run(["ebook-convert", str(pamphlet.epub), str(tmp_path / "out.txt")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Petrograd Soviet" in (tmp_path / "out.txt").read_text()
