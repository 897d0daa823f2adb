"""Print production: page furniture, contents, footnotes, profiles and the booklet."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import CORPUS, PROJECTS, Built, pdf_text, run, squash
from pressrun.build import prepare
from pressrun.pdf import print_layout
from pressrun.profiles import PROFILES

MM = 72 / 25.4


def part_start_pages(reader: PdfReader) -> dict[str, int]:
    """1-based page where each part starts, from the bookmarks."""
    return {item.title: reader.get_destination_page_number(item) + 1
            for item in reader.outline if not isinstance(item, list)}


def lines(page_text: str) -> list[str]:
    return [line.strip() for line in page_text.splitlines() if line.strip()]


def test_contents_page_numbers_are_the_pages_where_parts_start(manifesto: Built) -> None:
    reader = PdfReader(manifesto.pdf)
    starts = part_start_pages(reader)
    contents = reader.pages[2].extract_text()
    assert contents.startswith("Contents")
    # One line an entry: "Section I · Bourgeois and Proletarians · 23 min read . . . 10".
    entries = re.findall(r"^(?:.+? · )?(.+?) · [^·]*min read(?: \.)+\s+(\d+)$",
                         contents.replace("Various\n", "Various "), re.M)
    # The first two bookmarks are the title page and the contents themselves.
    assert [(title, int(page)) for title, page in entries] == list(starts.items())[2:]
    assert starts["Preface"] == 4


def test_no_contents_page_for_a_pamphlet_of_two_parts(pamphlet: Built) -> None:
    assert not any("Contents" in text for text in pdf_text(pamphlet.pdf)[:3])


def test_running_heads_and_folios(manifesto: Built) -> None:
    reader = PdfReader(manifesto.pdf)
    starts = part_start_pages(reader)
    openings = set(starts.values())
    texts = pdf_text(manifesto.pdf)
    current = None
    for number, text in enumerate(texts, 1):
        page_lines = lines(text)
        for title, start in starts.items():
            if start == number:
                current = title
        if number <= 3:  # title page, verso, contents: no running heads
            assert "The Communist Manifesto" not in page_lines[1:] or number == 1
            continue
        assert str(number) in page_lines, f"no folio on page {number}"
        if number in openings:
            assert "The Communist Manifesto" not in page_lines, number
        elif number % 2 == 0:
            assert "The Communist Manifesto" in page_lines, f"left page {number}"
        else:
            assert current in page_lines, f"right page {number} lacks {current!r}"


def test_mirrored_margins_put_the_gutter_inside(manifesto: Built) -> None:
    reader = PdfReader(manifesto.pdf)

    def left_edge(page_number: int) -> float:
        xs: list[float] = []
        reader.pages[page_number - 1].extract_text(
            visitor_text=lambda text, cm, tm, font, size: xs.append(tm[4] * cm[0] + cm[4])
            if text.strip() else None)
        return min(xs)

    # The text block starts further right on a right page (gutter on the left).
    assert left_edge(5) - left_edge(6) == pytest.approx((19 - 14) * MM, abs=1.5)


def test_footnotes_sit_on_the_page_of_their_call() -> None:
    """A note goes on its call's page; when WeasyPrint cannot fit it there (a page already
    full of long notes) it goes on the next page: never before the call, never lost."""
    from conftest import CORPUS

    same = total = 0
    for root in (CORPUS / "communist-manifesto", PROJECTS / "minimal", Path(".")):
        project = prepare(root)
        document = print_layout(project)
        page_of = {anchor: index for index, page in enumerate(document.pages)
                   for anchor in page.anchors}
        for part in project.pamphlet.parts:
            for note in part.footnotes:
                call = page_of[f"{part.slug}-fnref-{note.number}"]
                placed = page_of[f"{part.slug}-fn-{note.number}"]
                assert placed in (call, call + 1), (part.slug, note.label)
                same += placed == call
                total += 1
    assert total == 12
    assert same >= total - 1


def test_endnotes_option_gathers_notes_at_the_end_of_each_part(project) -> None:
    root = project()
    yaml = root / "manuscript" / "pamphlet.yaml"
    yaml.write_text(yaml.read_text().replace("language: en-GB", "language: en-GB\n"
                                             "notes: endnotes"))
    assert run("pdf", "-C", root).exit_code == 0
    pages = pdf_text(root / "build" / "a-minimal-pamphlet.pdf")
    first_part = squash("".join(pages[2:4]))
    assert squash("NotesThe first note’s text.The second note, with emphasis.") in \
        first_part.replace("1.", "").replace("2.", "").replace("NOTES", "Notes")


def test_text_is_hyphenated_by_language(manifesto: Built) -> None:
    hyphenated = [line for text in pdf_text(manifesto.pdf) for line in lines(text)
                  if re.search(r"[a-z]‐$|[a-z]-$", line)]
    assert len(hyphenated) > 20


@pytest.mark.parametrize("size, font_pt", [("A6", 8.6), ("A5", 10), ("A4", 11.5)])
def test_type_size_adapts_to_the_page(project, size: str, font_pt: float) -> None:
    root = project()
    yaml = root / "manuscript" / "pamphlet.yaml"
    yaml.write_text(yaml.read_text().replace("language: en-GB",
                                             f"language: en-GB\npage_size: {size}"))
    assert run("pdf", "-C", root).exit_code == 0
    reader = PdfReader(root / "build" / "a-minimal-pamphlet.pdf")
    sizes: dict[float, int] = {}

    def visit(text, cm, tm, font, font_size):
        if text.strip():
            size = round(font_size * tm[0] * cm[0], 1)
            sizes[size] = sizes.get(size, 0) + len(text)

    reader.pages[2].extract_text(visitor_text=visit)
    body = max(sizes, key=sizes.get)
    assert body == pytest.approx(font_pt, abs=0.15)


def test_large_pictures_are_scaled_into_the_text_block(project) -> None:
    from PIL import Image

    root = project()
    Image.new("RGB", (3000, 6000), (90, 90, 90)).save(root / "images" / "red-star.png")
    document = print_layout(prepare(root))
    from weasyprint.formatting_structure.boxes import ReplacedBox

    for page in document.pages:
        box = page._page_box
        bottom = box.content_box_y() + box.height
        right = box.content_box_x() + box.width
        for child in box.descendants():
            if isinstance(child, ReplacedBox) and "red-star" in child.element.get("src", ""):
                assert child.position_x + child.width <= right + 0.5
                assert child.position_y + child.height <= bottom + 0.5


def test_pdf_is_tagged_with_language(pamphlet: Built) -> None:
    root = PdfReader(pamphlet.pdf).trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="pdffonts (poppler-utils) not installed")
def test_every_font_is_embedded_according_to_pdffonts(manifesto: Built) -> None:
    report = subprocess.run(["pdffonts", str(manifesto.pdf)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    assert report
    for row in report:
        emb, sub = row.split()[-5], row.split()[-4]
        assert (emb, sub) == ("yes", "yes"), row


def test_press_profile_adds_bleed_crop_marks_and_checks_resolution(project) -> None:
    root = project()
    result = run("pdf", "-C", root, "--profile", "press")
    assert result.exit_code == 0, result.stderr
    path = root / "build" / "a-minimal-pamphlet-press.pdf"
    page = PdfReader(path).pages[2]
    trim, bleed = page.trimbox, page.bleedbox
    assert (float(trim.width), float(trim.height)) == pytest.approx((148 * MM, 210 * MM),
                                                                    abs=0.5)
    assert (float(bleed.width), float(bleed.height)) == pytest.approx(
        ((148 + 6) * MM, (210 + 6) * MM), abs=0.5)
    assert float(bleed.left) == pytest.approx(-3 * MM, abs=0.2)
    metadata = PdfReader(path).trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"<pdfx:GTS_PDFXVersion>PDF/X-4</pdfx:GTS_PDFXVersion>" in metadata
    assert re.search(r"warning: images/red-star\.png: printed at \d+ dpi, below the 300 dpi",
                     result.stderr), result.stderr


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="pdftoppm (poppler-utils) not installed")
def test_grayscale_profile_prints_no_colour(project, tmp_path: Path) -> None:
    from PIL import Image

    root = project()
    assert run("pdf", "-C", root, "--profile", "grayscale").exit_code == 0
    pdf = root / "build" / "a-minimal-pamphlet-grayscale.pdf"
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "p")], check=True)
    for png in tmp_path.glob("p-*.png"):
        image = Image.open(png).convert("RGB")
        worst = max(max(pixel) - min(pixel) for pixel in image.get_flattened_data())
        assert worst <= 8, f"{png.name} has colour"


def test_profiles_are_listed_in_help() -> None:
    result = run("pdf", "--help")
    for name in PROFILES:
        assert name in result.output
    assert "--booklet" in result.output


def test_booklet_is_written_beside_the_pdf_with_printing_instructions(project) -> None:
    root = project()
    result = run("pdf", "-C", root, "--booklet")
    assert result.exit_code == 0, result.stderr
    pages = len(PdfReader(root / "build" / "a-minimal-pamphlet.pdf").pages)
    booklet = PdfReader(root / "build" / "a-minimal-pamphlet-booklet.pdf")
    padded = -(-pages // 4) * 4
    assert len(booklet.pages) == padded // 2
    assert float(booklet.pages[0].mediabox.width) == pytest.approx(297 * MM, abs=1)
    assert float(booklet.pages[0].mediabox.height) == pytest.approx(210 * MM, abs=1)
    assert f"{padded} pages → {padded // 4} sheet" in result.output
    assert "print double-sided, flip on short edge" in result.output
    assert "page budget:" in result.output

    def halves(page_index: int) -> tuple[str, str]:
        left: list[str] = []
        right: list[str] = []
        half = float(booklet.pages[page_index].mediabox.width) / 2
        booklet.pages[page_index].extract_text(
            visitor_text=lambda t, cm, tm, f, s: (left if tm[4] * cm[0] + cm[4] < half
                                                  else right).append(t))
        return "".join(left), "".join(right)

    back_cover, front_cover = halves(0)
    assert "A Minimal Pamphlet" in front_cover  # page 1 on the right of the first sheet
    # The outside back cover is a back cover (the title, the publisher), never the
    # last page of text ("Further reading", which follows the text inside).
    assert squash(back_cover) == squash("A Minimal Pamphlet Tests Branch Study Group")
    inside = squash(" ".join("".join(halves(n)) for n in range(1, len(booklet.pages))))
    assert squash("Further reading") in inside.replace("FURTHERREADING", "Furtherreading")


def test_booklet_refused_with_the_press_profile(project) -> None:
    result = run("pdf", "-C", project(), "--booklet", "--profile", "press")
    assert result.exit_code == 2
    assert "--booklet is for printing at home" in result.stderr


def test_small_print_is_legible(pamphlet: Built, manifesto: Built) -> None:
    """On A5 nothing is set under 7 pt (note calls and glossary marks were 5 pt, paragraph
    numbers 6.2 pt, running heads 7 pt), and the notes are 8 pt."""
    from conftest import font_sizes

    for built in (pamphlet, manifesto):
        sizes = font_sizes(built.pdf)
        assert min(sizes) >= 7.0, sorted(sizes.items())[:3]
    notes = font_sizes(pamphlet.pdf, containing="The capitalist government")
    assert notes and min(notes) >= 8.0


def test_part_start_right_starts_parts_on_right_hand_pages(manifesto: Built,
                                                           tmp_path: Path) -> None:
    """A pamphlet's parts start on the next page, left or right; ``part_start: right``
    puts each on a right-hand page, as in a book, after a blank page without a folio."""
    assert 4 in part_start_pages(PdfReader(manifesto.pdf)).values()  # a left-hand page
    root = tmp_path / "book"
    shutil.copytree(CORPUS / "communist-manifesto", root)
    yaml = root / "manuscript" / "pamphlet.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8") + "part_start: right\n", encoding="utf-8")
    result = run("pdf", "-C", root, "-o", tmp_path / "book.pdf")
    assert result.exit_code == 0, result.output
    reader = PdfReader(tmp_path / "book.pdf")
    starts = list(part_start_pages(reader).values())[2:]
    assert starts and all(page % 2 for page in starts), starts
    blank = [number for number, page in enumerate(reader.pages, 1)
             if not page.extract_text().strip()]
    assert blank and all(number + 1 in starts for number in blank)
