"""The bundled pamphlet: every sentence of the article, both captions, an A5 PDF, a valid EPUB."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import yaml
from pypdf import PdfReader

from conftest import (
    ROOT,
    Built,
    article_sentences,
    drawn_texts,
    epub_texts,
    epubcheck_problems,
    pdf_text,
    squash,
    unembedded_fonts,
)

CAPTIONS = ("A meeting of the soldiers’ section of the Petrograd Soviet in 1917",
            "An overprinted Russian postage stamp")
BOILERPLATE = ("Downloading PDF", "This article is over", "Breakfast in Red", "Latest News",
               "Make a donation", "Help fund the resistance")
A5 = (419.53, 595.28)  # points


def test_manuscript_metadata_is_what_the_source_gives() -> None:
    meta = yaml.safe_load((ROOT / "manuscript" / "pamphlet.yaml").read_text(encoding="utf-8"))
    assert meta["title"] == "How workers won in 1917"
    assert meta["language"] == "en-GB"
    assert meta["source"] == "Socialist Worker, issue 2578"
    assert not {"creators", "date", "subtitle"} & set(meta), "nothing the source does not give"
    assert len(meta["contents"]) == 2


def test_sidebar_part_and_placeholders_as_in_the_source() -> None:
    soviets = (ROOT / "manuscript" / "02-soviets.md").read_text(encoding="utf-8")
    assert "title: Soviets—where workers discovered their power" in soviets
    assert "role: sidebar" in soviets
    first = (ROOT / "manuscript" / "01-how-workers-won.md").read_text(encoding="utf-8")
    assert f'"{CAPTIONS[0]}")' in first
    assert f'"{CAPTIONS[1]}")' in soviets
    assert not list((ROOT / "images").glob("*.jpg")), "the art does not exist yet: placeholders"


def test_pdf_has_every_sentence_of_the_article_in_order(pamphlet: Built) -> None:
    # The glossary marks terms with '*', which is not part of the article's words.
    text = squash("".join(pdf_text(pamphlet.pdf))).replace("*", "")
    position = 0
    for sentence in article_sentences():
        found = text.find(squash(sentence), position)
        assert found >= 0, f"missing or out of order in the PDF: {sentence!r}"
        position = found


def test_pdf_drops_the_web_page_boilerplate(pamphlet: Built) -> None:
    text = "".join(pdf_text(pamphlet.pdf))
    for phrase in BOILERPLATE:
        assert phrase not in text


def test_pdf_prints_both_captions(pamphlet: Built) -> None:
    text = squash("".join(pdf_text(pamphlet.pdf)))
    for caption in CAPTIONS:
        assert squash(caption) in text


def test_placeholders_are_searchable_words_and_the_caption_is_printed_once(
        pamphlet: Built) -> None:
    """A placeholder is vector art whose words are text (a 1200 px picture before): what
    the picture will show, in the author's words, and the file expected; the caption is
    printed once, under it."""
    pages = pdf_text(pamphlet.pdf)
    drawn = drawn_texts(pamphlet.pdf)
    assert drawn.count("PICTURE TO COME") == 2
    assert "Soldiers in greatcoats and caps packed shoulder" in drawn
    words = squash("".join(drawn))  # the lines of a picture, in no particular order
    assert "expectedfile:images/" in words and "overprintedpostagestamp.jpg" in words
    printed = squash("".join(pages))
    for caption in CAPTIONS:
        assert printed.count(squash(caption)) == 1
        assert not any(squash(caption) in squash(text) for text in drawn)


def test_pdf_keeps_typographic_quotes_and_dashes(pamphlet: Built) -> None:
    text = "".join(pdf_text(pamphlet.pdf))
    assert "“" in text and "”" in text and "—" in text and "’" in text
    assert '"' not in text


def test_pdf_pages_are_a5(pamphlet: Built) -> None:
    reader = PdfReader(pamphlet.pdf)
    assert len(reader.pages) >= 4
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width), 1), round(float(box.height), 1)) == \
            (round(A5[0], 1), round(A5[1], 1))


def test_pdf_metadata_and_language(pamphlet: Built) -> None:
    reader = PdfReader(pamphlet.pdf)
    assert reader.metadata.title == "How workers won in 1917"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def test_pdf_bookmarks_name_the_parts(pamphlet: Built) -> None:
    reader = PdfReader(pamphlet.pdf)
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    # The title page, then the parts and the glossary.
    assert titles == ["How workers won in 1917", "How workers won in 1917",
                      "Soviets—where workers discovered their power", "Glossary"]


def test_pdf_fonts_are_embedded(pamphlet: Built) -> None:
    assert unembedded_fonts(pamphlet.pdf) == []
    fonts = {str(ref.get_object()["/BaseFont"]) for page in PdfReader(pamphlet.pdf).pages
             for ref in page["/Resources"]["/Font"].values()}
    assert any("Charis" in name for name in fonts), fonts
    assert any("Noto" in name for name in fonts), fonts


def test_title_page_and_verso_come_first_without_folios(pamphlet: Built) -> None:
    pages = pdf_text(pamphlet.pdf)
    assert squash("How workers won in 1917") in squash(pages[0])
    assert squash("Socialist Worker, issue 2578") in squash(pages[0])
    assert not any(line.strip() == "1" for line in pages[0].splitlines())
    assert squash("First published in Socialist Worker, issue 2578.") in squash(pages[1])
    assert not any(line.strip() == "2" for line in pages[1].splitlines())
    assert any(line.strip() == "3" for line in pages[2].splitlines()), "folio on page 3"


def test_epub_passes_epubcheck(pamphlet: Built) -> None:
    assert epubcheck_problems(pamphlet.epub) == []


def test_epub_has_every_sentence_and_caption(pamphlet: Built) -> None:
    text = squash(" ".join(epub_texts(pamphlet.epub).values()))
    for sentence in [*article_sentences(), *CAPTIONS]:
        assert squash(sentence) in text, sentence


def test_build_reports_what_it_wrote_and_the_missing_art(pamphlet: Built) -> None:
    lines = pamphlet.output.splitlines()
    assert any(line.startswith("wrote ") and "how-workers-won-in-1917.pdf" in line
               and "pages" in line for line in lines)
    assert any("how-workers-won-in-1917.epub" in line for line in lines)
    assert "missing art (2)" in pamphlet.output
    assert "images/petrograd-soviet-soldiers-section.jpg" in pamphlet.output
    assert "images/overprinted-postage-stamp.jpg" in pamphlet.output


def test_outputs_are_named_from_the_title(pamphlet: Built) -> None:
    assert pamphlet.pdf.name == "how-workers-won-in-1917.pdf"
    assert pamphlet.epub.name == "how-workers-won-in-1917.epub"


def test_the_article_is_not_edited(pamphlet: Built) -> None:
    # Every paragraph of the manuscript comes from the source, word for word.
    source = squash(Path(ROOT.parent / "shared/source/how-workers-won-in-1917.txt")
                    .read_text(encoding="utf-8"))
    for name in ("01-how-workers-won.md", "02-soviets.md"):
        body = (ROOT / "manuscript" / name).read_text(encoding="utf-8").split("---", 2)[2]
        # The study questions are the pamphlet's own, not the article's.
        body = re.sub(r"^::: questions\n.*?^:::$", "", body, flags=re.M | re.S)
        assert "questions" not in body
        for paragraph in body.split("\n\n"):
            paragraph = paragraph.strip()
            if paragraph and not paragraph.startswith("!["):
                assert squash(paragraph) in source, paragraph


def test_epub_paragraph_numbers_are_words_of_their_own(pamphlet: Built) -> None:
    """A number is a word of its own: "1 The Provisional…", not "1The Provisional…"."""
    with zipfile.ZipFile(pamphlet.epub) as archive:
        page = next(archive.read(n).decode() for n in archive.namelist()
                    if n.endswith("how-workers-won.xhtml"))
    numbers = re.findall(r'<span class="pn">\d+</span>(.)', page)
    assert len(numbers) > 20 and set(numbers) == {" "}


def test_titles_are_balanced_and_never_end_on_a_line_of_one_word(pamphlet: Built,
                                                                  ten_days: Built) -> None:
    """'How workers won in / 1917' was the title page: the last two words keep together,
    and the lines are set about as long as each other ('How workers won / in 1917' and
    'Ten Days That Shook / the World' before that)."""
    for built, lines in ((pamphlet, ["How workers", "won in 1917"]),
                         (ten_days, ["Ten Days That", "Shook the World"])):
        title = [line.strip() for line in PdfReader(built.pdf).pages[0].extract_text()
                 .splitlines()]
        assert title[:2] == lines, title[:3]
