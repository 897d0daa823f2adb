"""The study-group kit: questions, glossary, paragraph numbers, attribution, links on paper,
the QR code, notes pages, handouts, large print and reading times."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from conftest import (
    CORPUS,
    ROOT,
    Built,
    epub_texts,
    epubcheck_problems,
    font_sizes,
    pdf_text,
    run,
    squash,
)
from pressrun.manuscript.loader import load_pamphlet
from pressrun.project import Project

XHTML = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


def xhtml(epub: Path, name: str) -> ET.Element:
    with zipfile.ZipFile(epub) as archive:
        return ET.fromstring(archive.read(f"EPUB/{name}"))


def documents(epub: Path) -> list[str]:
    with zipfile.ZipFile(epub) as archive:
        return [n.removeprefix("EPUB/") for n in archive.namelist() if n.endswith(".xhtml")]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --------------------------------------------------------------------------- questions


def test_questions_are_a_numbered_list_where_written(pamphlet: Built) -> None:
    pages = pdf_text(pamphlet.pdf)
    page = next(p for p in pages if "FOR DISCUSSION" in p.upper())
    assert "Why had support fallen away" in page
    assert re.findall(r"\b(\d)\.", page) == ["1", "2", "3"]
    part = xhtml(pamphlet.epub, "01-how-workers-won.xhtml")
    section = part.find(".//x:section[@class='questions']", XHTML)
    assert section is not None
    assert section.find("x:h2", XHTML).text == "For discussion"
    assert len(section.findall("x:ol/x:li", XHTML)) == 3


def test_questions_at_the_end_are_gathered_by_part(study: Built) -> None:
    pages = pdf_text(study.pdf)
    start = next(i for i, p in enumerate(pages) if "Questions for discussion" in p
                 and i > 3)  # after the contents page
    end_text = pages[start]
    assert end_text.index("The councils and the soviet question") < \
        end_text.index("What was a soviet?") < end_text.index("The guards") < \
        end_text.index("Who were the Red Guards?")
    # Not left where they were written.
    assert not any("What was a soviet?" in p for p in pages[:start])
    texts = epub_texts(study.epub)
    assert "What was a soviet?" not in texts["EPUB/01-councils.xhtml"]
    assert "What was a soviet?" in texts["EPUB/questions.xhtml"]
    order = documents(study.epub)
    assert order.index("03-links.xhtml") < order.index("questions.xhtml")


def test_a_note_called_from_a_gathered_question_links_both_ways(study: Built) -> None:
    questions = xhtml(study.epub, "questions.xhtml")
    ref = questions.find(".//x:a[@class='noteref']", XHTML)
    assert ref.get("href") == "01-councils.xhtml#01-councils-fn-2"
    part = xhtml(study.epub, "01-councils.xhtml")
    back = part.find(".//x:aside[@id='01-councils-fn-2']//x:a[@class='backlink']", XHTML)
    assert back.get("href") == f"questions.xhtml#{ref.get('id')}"


# --------------------------------------------------------------------------- glossary


def test_glossary_marks_the_first_use_in_each_part_only() -> None:
    pamphlet, _ = load_pamphlet(Project(ROOT / "tests" / "projects" / "study"))
    marked = {part.slug: [(n.attr("term"), n.plain_text) for b in part.blocks
                          for n in b.walk() if n.kind == "glossterm"]
              for part in pamphlet.parts}
    # "Soviets" opens a sentence: a lower-case term matches it; later uses are unmarked,
    # and so are the heading, the link text and the caption that use the word.
    assert marked["01-councils"] == [("soviet", "Soviets"), ("insurrection", "insurrection")]
    # Each part marks its own first uses; "red guards" in lower case is not the term.
    assert marked["02-guards"] == [("red-guards", "Red Guards"), ("soviet", "soviets")]
    assert marked["03-links"] == []


def test_glossary_in_print_and_epub(study: Built) -> None:
    pages = pdf_text(study.pdf)
    first = next(p for p in pages if "The councils and the soviet question" in p
                 and "Soviets" in p)
    assert "soviet A council of delegates elected by workers and soldiers." in first
    glossary = next(p for p in pages if p.strip().startswith("Glossary") or
                    ("\nGlossary\n" in p and "Armed workers' militias." in p))
    assert glossary.index("insurrection") < glossary.index("Red Guards") < \
        glossary.index("soviet")

    part = xhtml(study.epub, "01-councils.xhtml")
    links = part.findall(".//x:a[@class='glossterm']", XHTML)
    assert [(a.text, a.get("href"), a.get(EPUB_TYPE), a.get("role")) for a in links] == [
        ("Soviets", "glossary.xhtml#gloss-soviet", "glossref", "doc-glossref"),
        ("insurrection", "glossary.xhtml#gloss-insurrection", "glossref", "doc-glossref")]
    assert part.find(".//x:h2/x:a", XHTML) is None, "a heading is never marked"
    book = xhtml(study.epub, "glossary.xhtml")
    section = book.find(".//x:section[@id='glossary']", XHTML)
    assert section.get(EPUB_TYPE) == "glossary" and section.get("role") == "doc-glossary"
    terms = [dt.get(EPUB_TYPE) for dt in section.findall(".//x:dt", XHTML)]
    definitions = [dd.get(EPUB_TYPE) for dd in section.findall(".//x:dd", XHTML)]
    assert terms == ["glossterm"] * 3 and definitions == ["glossdef"] * 3


def test_unused_glossary_term_is_a_warning_with_its_line(project) -> None:
    root = project("study")
    glossary = root / "manuscript" / "glossary.yaml"
    glossary.write_text(glossary.read_text() + "Cossacks: Mounted troops.\n", encoding="utf-8")
    result = run("check", "-C", root)
    assert "manuscript/glossary.yaml:6:1: warning: 'Cossacks' is not used in any part" \
        in result.output
    assert result.exit_code == 0


@pytest.mark.parametrize(("text", "message"), [
    ("soviet: [a, list]\n", "glossary.yaml:1: 'soviet' needs a definition"),
    ("soviet:\n  definition: x\n  plural: soviets\n", "glossary.yaml:1: 'soviet' has unknown "
                                                      "key 'plural'"),
    ("soviet:\n  definition: A council.\n  aliases: [soviets]\nsoviets: Councils.\n",
     "glossary.yaml:4: 'soviets' is already a form of 'soviet'"),
    ("soviet: A council: of workers\n", "glossary.yaml:1: YAML syntax error"),
])
def test_glossary_mistakes_are_errors_with_their_line(project, text: str, message: str) -> None:
    root = project("study")
    (root / "manuscript" / "glossary.yaml").write_text(text, encoding="utf-8")
    result = run("pdf", "-C", root)
    assert result.exit_code == 1
    assert message in result.output, result.output
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------- paragraph numbers


def print_numbers(root: Path) -> dict[str, tuple[int, str]]:
    """Each numbered paragraph's number in the laid-out print edition, and the side of the
    page's text block it is set on, by the paragraph's id."""
    from pressrun.build import prepare
    from pressrun.pdf import print_layout
    from pressrun.pdf.weasyboxes import _numbers

    document = print_layout(prepare(root))
    found = {}
    for page in document.pages:
        box = page._page_box
        for number, paragraph, _ in _numbers(box):
            side = "right" if number.position_x > paragraph.content_box_x() else "left"
            found[paragraph.element.get("id")] = (int(number.element.text), side,
                                                  box.page_type.side)
    return found


@pytest.fixture(scope="module")
def numbered_manifesto(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Built]:
    source = CORPUS / "communist-manifesto"
    if not source.is_dir():
        pytest.skip("the corpus lives in ../shared beside the checkout")
    root = tmp_path_factory.mktemp("manifesto") / "book"
    shutil.copytree(source, root)
    config = root / "manuscript" / "pamphlet.yaml"
    config.write_text(config.read_text() + "\nparagraph_numbers: true\n", encoding="utf-8")
    out = root / "build"
    result = run("epub", "-C", root, "-o", out / "book.epub")
    assert result.exit_code == 0, result.output
    return root, out / "book.epub"


def test_paragraph_numbers_are_the_same_in_print_and_epub(numbered_manifesto) -> None:
    root, epub = numbered_manifesto
    in_print = print_numbers(root)
    in_epub = {}
    with zipfile.ZipFile(epub) as archive:
        for name in archive.namelist():
            if name.endswith(".xhtml"):
                for p in ET.fromstring(archive.read(name)).iterfind(".//x:p[@class='numbered']",
                                                                    XHTML):
                    in_epub[p.get("id")] = int(p.find("x:span[@class='pn']", XHTML).text)
    assert len(in_epub) > 100
    assert {key: value[0] for key, value in in_print.items()} == in_epub
    # Each part counts from 1.
    firsts = sorted(n for key, n in in_epub.items() if n == 1)
    assert len(firsts) == len(load_pamphlet(Project(root))[0].parts)
    # In the outer margin: right of the text on right-hand pages, left of it on left ones.
    assert all(side == page for _, side, page in in_print.values())
    assert epubcheck_problems(epub) == []


def test_a_sidebars_paragraph_numbers_are_outside_its_tint() -> None:
    """In the pamphlet's sidebar the numbers were set 2.5 mm from its text, inside its
    padding: on the tint's edge on left-hand pages, on the tint on right-hand ones."""
    from pressrun.build import prepare
    from pressrun.pdf import print_layout
    from pressrun.pdf.weasyboxes import NUMBER_GAP_PX, _numbers

    framed = []
    for page in print_layout(prepare(ROOT)).pages:
        for number, _, frame in _numbers(page._page_box):
            if frame is not None:
                left, right = frame.border_box_x(), frame.border_box_x() + frame.border_width()
                framed.append(number.position_x + number.margin_width() + NUMBER_GAP_PX
                              <= left + 0.01 or number.position_x - NUMBER_GAP_PX >= right - 0.01)
    assert len(framed) >= 10 and all(framed)


def test_paragraph_numbers_are_printed(pamphlet: Built) -> None:
    first = next(p for p in pdf_text(pamphlet.pdf) if "By 2am the next morning" in p)
    assert re.search(r"(^|\n)\s*2\s*\n", first) or re.search(r"\b2\b", first)


# --------------------------------------------------------------------------- attribution


def test_part_attribution_under_the_title_in_the_contents_and_epub(study: Built) -> None:
    pages = pdf_text(study.pdf)
    contents = next(p for p in pages if p.strip().startswith("Contents"))
    contents = " ".join(contents.split())  # an entry's line may wrap
    assert "Cara Columnist · The Paper, issue 12, 2017-10-25 · 1 min read" in contents
    assert "Eli Reporter · Another Paper · 1 min read" in contents
    opening = next(p for p in pages[3:] if "The councils and the soviet question" in p)
    assert "Cara Columnist · The Paper, issue 12, 2017-10-25" in opening
    head = xhtml(study.epub, "01-councils.xhtml").find("x:head", XHTML)
    meta = {(m.get("name"), m.get("content")) for m in head.findall("x:meta", XHTML)}
    assert {("author", "Cara Columnist"), ("dcterms.source", "The Paper, issue 12"),
            ("dcterms.date", "2017-10-25")} <= meta


def test_reading_time_in_contents_and_nav(study: Built, pamphlet: Built) -> None:
    nav = xhtml(study.epub, "nav.xhtml")
    titles = {a.text: a.get("title") for a in nav.findall(".//x:nav[@id='toc']//x:a", XHTML)}
    assert titles["The guards"] == "1 min read"
    assert titles["Glossary"] is None
    nav = xhtml(pamphlet.epub, "nav.xhtml")
    titles = {a.text: a.get("title") for a in nav.findall(".//x:nav[@id='toc']//x:a", XHTML)}
    assert titles["How workers won in 1917"] == "3 min read"  # 650 words at 200 a minute


def test_reading_time_is_counted_once_for_each_part(monkeypatch: pytest.MonkeyPatch) -> None:
    """The contents is written several times a build (Ten Days: 0.04 s to count its
    parts each time): a part's words are counted once; another part, even an equal one
    (read again after an edit), is counted anew."""
    import copy

    from pressrun import study

    pamphlet, _ = load_pamphlet(Project(ROOT))
    counted: list[object] = []
    real = study.word_count
    monkeypatch.setattr(study, "word_count", lambda part: counted.append(part) or real(part))
    part = pamphlet.parts[0]
    assert study.reading_minutes(part) == study.reading_minutes(part) == 3
    assert counted == [part]
    again = copy.deepcopy(part)
    assert study.reading_minutes(again) == 3 and len(counted) == 2


# --------------------------------------------------------------------------- links and QR


def test_link_addresses_are_print_notes(study: Built) -> None:
    page = next(p for p in pdf_text(study.pdf) if "Read more at the marxists archive" in p)
    assert "a\u2002https://www.marxists.org/archive/reed/1919/10days/" in page
    assert "b\u2002branch@example.org" in page
    assert squash(page).count("https://example.org/plain") == 1, \
        "an address shown as its own text needs no note"
    part = xhtml(study.epub, "03-links.xhtml")
    assert [a.get("href") for a in part.findall(".//x:a", XHTML)][:2] == [
        "https://www.marxists.org/archive/reed/1919/10days/", "mailto:branch@example.org"]
    assert "10days" not in "".join(part.find(".//x:p", XHTML).itertext())


def test_qr_code_on_the_colophon_reads_as_the_url(study: Built, tmp_path: Path) -> None:
    colophon = pdf_text(study.pdf)[1]
    assert "Read online: https://example.org/reader" in colophon
    zxingcpp = pytest.importorskip("zxingcpp")
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    subprocess.run(["pdftoppm", "-r", "300", "-png", "-f", "2", "-l", "2", str(study.pdf),
                    str(tmp_path / "colophon")], check=True)
    from PIL import Image

    (png,) = tmp_path.glob("colophon*.png")
    codes = zxingcpp.read_barcodes(Image.open(png))
    assert [code.text for code in codes] == ["https://example.org/reader"]


def test_url_must_be_a_web_address(project) -> None:
    root = project("study")
    edit(root / "manuscript" / "pamphlet.yaml", "url: https://example.org/reader",
         "url: example dot org")
    result = run("pdf", "-C", root)
    assert result.exit_code == 1
    assert "pamphlet.yaml:8: 'url' must be a web address starting with https://" in result.output


# --------------------------------------------------------------------------- notes pages


def test_notes_pages_close_the_print_edition(study: Built) -> None:
    pages = pdf_text(study.pdf)
    assert [p.strip().upper() for p in pages[-2:]] == ["NOTES", "NOTES"]
    assert "Glossary" in pages[-3]


def test_booklet_padding_pages_are_notes_pages(project) -> None:
    """The back matter follows the text; ruled notes pages fill the booklet up to its
    outside back cover, which is a real one: the back_cover text, the title, the
    publisher and the QR code of the web address; never a page of text."""
    from pypdf import PdfReader

    root = project("study")
    yaml = root / "manuscript" / "pamphlet.yaml"
    edit(yaml, "notes_pages: 2", "notes_pages: 1\nback_cover: Read it -- then argue.")
    result = run("pdf", "--booklet", "-C", root)
    assert result.exit_code == 0, result.output
    assert "9 pages of content + 2 notes pages + the back cover" in result.output
    sheets = PdfReader(root / "build" / "a-reader-for-study-groups-booklet.pdf").pages
    assert len(sheets) == 6
    text = " ".join(page.extract_text() for page in sheets).upper()
    assert text.count("NOTES") == 3  # the page asked for, and two more
    # The outer sheet's outside: the back cover (page 12) beside the title page (page 1).
    cover = " ".join(sheets[0].extract_text().split())
    assert "Read it – then argue." in cover
    assert cover.count("A Reader for Study Groups") == 2
    assert "Tests Branch Study Group" in cover and "https://example.org/reader" in cover
    # Pages 9 (the notes page asked for) and 10, 11 (padding) follow the text in order.
    pages = pdf_text(root / "build" / "a-reader-for-study-groups.pdf")
    assert len(pages) == 9 and pages[-1].strip().upper() == "NOTES"


# --------------------------------------------------------------------------- handouts


def test_handouts_one_per_part_paged_from_one(study: Built, project) -> None:
    root = project("study")
    result = run("pdf", "--handouts", "-C", root)
    assert result.exit_code == 0, result.output
    folder = root / "build" / "handouts"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["01-councils.pdf", "02-guards.pdf", "03-links.pdf"]
    first = pdf_text(folder / "01-councils.pdf")
    assert first[0].startswith("A Reader for Study Groups · Cara Columnist · The Paper, "
                               "issue 12, 2017-10-25")
    assert first[0].rstrip().endswith("1"), "page numbers restart at 1"
    assert "What was a soviet?" in " ".join(first), "a handout carries its part's questions"
    assert "The guards" not in " ".join(first)
    assert "wrote build/handouts/02-guards.pdf" in result.output or \
        "handouts/02-guards.pdf" in result.output


def test_a_handout_of_a_part_without_its_own_credit_names_the_publications(tmp_path) -> None:
    from conftest import ROOT

    target = tmp_path / "pamphlet.pdf"
    assert run("pdf", "--handouts", "-C", ROOT, "-o", target, "-q").exit_code == 0
    for handout in sorted((tmp_path / "handouts").glob("*.pdf")):
        head = pdf_text(handout)[0].splitlines()[0]
        assert head == "How workers won in 1917 · Socialist Worker, issue 2578", head


# --------------------------------------------------------------------------- large print


def test_large_print_sets_nothing_under_16_points(pamphlet: Built, project) -> None:
    root = project("study")
    result = run("pdf", "--edition", "large-print", "-C", root)
    assert result.exit_code == 0, result.output
    large = root / "build" / "a-reader-for-study-groups-large-print.pdf"
    from pypdf import PdfReader

    box = PdfReader(large).pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == \
        (210, 297)
    sizes = font_sizes(large)
    assert min(sizes) >= 16, {s: t for s, t in sizes.items() if s < 16}
    assert 18 in sizes, "body text at 18 pt"
    assert min(font_sizes(pamphlet.pdf)) < 10, "the standard edition has small print"


def test_study_features_keep_the_epub_valid(study: Built) -> None:
    assert epubcheck_problems(study.epub) == []
