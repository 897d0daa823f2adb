"""Every language a study group reads: pamphlets in German, French, Russian, Greek, Turkish,
Arabic and Hebrew, each with a title, two parts, a note, a glossary term, questions and a
picture to come, built in both formats and read back as a reader would see them."""

from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from conftest import (
    drawn_texts,
    epub_texts,
    epubcheck_problems,
    pdf_text,
    run,
    squash,
    structure_languages,
)
from test_accessibility import ace_violations


@dataclass(frozen=True)
class Sample:
    """A small pamphlet in one language, and the words pressrun must write in it."""

    title: str
    slug: str
    parts: tuple[str, str]
    text: str
    """The first paragraph: straight quotes, a note (``[^1]``) and the glossary term."""
    quoted: str
    """The quotation of ``text`` as the language sets it."""
    term: str
    question: str
    contents: str
    questions: str
    one_note: str
    """The accessibility summary's sentence on one note."""


SAMPLES = {
    "de": Sample("Alle Macht den Räten", "alle-macht-den-raten", ("Der Februar", "Der Oktober"),
                 'Die Arbeiterinnen riefen "Brot und Frieden".[^1] Der Sowjet tagte.',
                 "„Brot und Frieden“", "Sowjet", "Was lernen wir daraus?", "Inhalt",
                 "Fragen zur Diskussion", "1 Fußnote"),
    "fr": Sample("Tout le pouvoir aux soviets", "tout-le-pouvoir-aux-soviets",
                 ("Février", "Octobre"),
                 'Les ouvrières criaient : "Du pain et la paix !"[^1] Le soviet siégeait.',
                 "«\u202fDu pain et la paix\u202f!\u202f»", "soviet",
                 "Que retenons-nous ?", "Sommaire", "Questions pour la discussion", "1 note"),
    "ru": Sample("Вся власть Советам", "vsia-vlast-sovetam", ("Февраль", "Октябрь"),
                 'Работницы кричали "Хлеба и мира".[^1] Совет заседал.',
                 "«Хлеба и мира»", "Совет", "Чему нас это учит?", "Содержание",
                 "Вопросы для обсуждения", "1 сноска"),
    "el": Sample("Όλη η εξουσία στα σοβιέτ", "ole-e-exousia-sta-sobiet",
                 ("Φεβρουάριος", "Οκτώβριος"),
                 'Οι εργάτριες φώναζαν "Ψωμί και ειρήνη".[^1] Το σοβιέτ συνεδρίαζε.',
                 "«Ψωμί και ειρήνη»", "σοβιέτ", "Τι μαθαίνουμε;", "Περιεχόμενα",
                 "Ερωτήματα για συζήτηση", "1 υποσημείωση"),
    "tr": Sample("Bütün iktidar sovyetlere", "butun-iktidar-sovyetlere", ("Şubat", "Ekim"),
                 'İşçi kadınlar "Ekmek ve barış" diye bağırdı.[^1] Sovyet toplandı.',
                 "“Ekmek ve barış”", "Sovyet", "Bundan ne öğreniyoruz?", "İçindekiler",
                 "Tartışma soruları", "bağlı 1 dipnot"),
    "ar": Sample("كل السلطة للسوفييتات", "kl-lslt-llswfyytt", ("فبراير", "أكتوبر"),
                 'هتفت العاملات "خبز وسلام" مع Lenin في عام 1917.[^1] واجتمع السوفييت.',
                 "”خبز وسلام“", "السوفييت", "ماذا نتعلم من ذلك؟", "المحتويات",
                 "أسئلة للنقاش", "حاشية واحدة"),
    "he": Sample("כל השלטון לסובייטים", "kl-hshltvn-lsvbyytym", ("פברואר", "אוקטובר"),
                 'הפועלות צעקו "לחם ושלום" עם Lenin בשנת 1917.[^1] הסובייט התכנס.',
                 "”לחם ושלום”", "הסובייט", "מה אנחנו לומדים מזה?", "תוכן העניינים",
                 "שאלות לדיון", "הערת שוליים אחת"),
}
RIGHT_TO_LEFT = ("ar", "he")
LOCALES = Path(__file__).parents[1] / "src" / "pressrun" / "theme" / "locales"
BUNDLED = ("Charis-SIL", "Noto-Sans", "Gentium-Plus", "Noto-Naskh-Arabic", "Noto-Serif-Hebrew")


def write_sample(root: Path, language: str) -> Path:
    """The sample pamphlet in ``language``, in a new project folder ``root``."""
    sample = SAMPLES[language]
    (root / "manuscript").mkdir(parents=True)
    (root / "images").mkdir()
    (root / "manuscript" / "pamphlet.yaml").write_text(
        f"title: {sample.title}\nlanguage: {language}\nquestions: end\n"
        "contents:\n  - 01-one.md\n  - 02-two.md\n", encoding="utf-8")
    (root / "manuscript" / "glossary.yaml").write_text(
        f"{sample.term}: {sample.title}.\n", encoding="utf-8")
    subtitle = "\nsubtitle: istanbul ve izmir" if language == "tr" else ""
    (root / "manuscript" / "01-one.md").write_text(
        f"---\ntitle: {sample.parts[0]}{subtitle}\n---\n\n{sample.text}\n\n"
        f"![{sample.parts[0]}](../images/to-come.jpg \"{sample.title}\")\n\n"
        f"[^1]: {sample.title}.\n", encoding="utf-8")
    (root / "manuscript" / "02-two.md").write_text(
        f"---\ntitle: {sample.parts[1]}\n---\n\n"
        + " ".join(f"{sample.title} {n}." for n in range(300)) + "\n\n"
        f"::: questions\n1. {sample.question}\n:::\n", encoding="utf-8")
    return root


@dataclass(frozen=True)
class Pamphlet:
    language: str
    root: Path
    pdf: Path
    epub: Path
    output: str


@pytest.fixture(scope="module", params=list(SAMPLES))
def built(request, tmp_path_factory: pytest.TempPathFactory) -> Pamphlet:
    """The sample in each language, built in both formats (booklet too)."""
    language = request.param
    root = write_sample(tmp_path_factory.mktemp(language) / "project", language)
    result = run("build", "-C", root, "--booklet")
    assert result.exit_code == 0, result.output + result.stderr
    slug = SAMPLES[language].slug
    return Pamphlet(language, root, root / "build" / f"{slug}.pdf",
                    root / "build" / f"{slug}.epub", result.output + result.stderr)


def test_the_files_are_named_from_the_title_in_latin_letters(built: Pamphlet) -> None:
    assert built.pdf.is_file() and built.epub.is_file(), sorted(built.root.glob("build/*"))
    assert "warning" not in built.output  # no missing words, fonts or glyphs


def letters(text: str) -> str:
    """Only the letters and digits of ``text`` (right to left, a PDF's text may hold the
    punctuation at either end)."""
    return re.sub(r"\W+", "", text)


def test_pressrun_writes_its_own_words_in_the_language(built: Pamphlet) -> None:
    sample = SAMPLES[built.language]
    printed = letters("".join(pdf_text(built.pdf)))
    assert letters(sample.questions) in printed
    assert letters(sample.question) in printed
    texts = epub_texts(built.epub)
    assert sample.contents in texts["EPUB/nav.xhtml"]
    assert sample.questions in " ".join(texts.values())
    with zipfile.ZipFile(built.epub) as archive:
        package = archive.read("EPUB/content.opf").decode()
    assert sample.one_note in package
    assert "Contents" not in texts["EPUB/nav.xhtml"] and "footnote" not in package


def test_quotation_marks_follow_the_language(built: Pamphlet) -> None:
    sample = SAMPLES[built.language]
    assert sample.quoted in epub_texts(built.epub)["EPUB/01-one.xhtml"]
    printed = "".join(pdf_text(built.pdf))  # right to left, in the order they are shown
    assert letters(sample.quoted) in letters(printed)
    assert {mark for mark in sample.quoted if not mark.isalnum()} <= set(printed)


def test_the_documents_declare_language_and_direction(built: Pamphlet) -> None:
    rtl = built.language in RIGHT_TO_LEFT
    with zipfile.ZipFile(built.epub) as archive:
        package = archive.read("EPUB/content.opf").decode()
        part = archive.read("EPUB/01-one.xhtml").decode()
    html = re.search(r"<html[^>]*>", part)[0]
    assert f'lang="{built.language}"' in html and f'xml:lang="{built.language}"' in html
    assert ('dir="rtl"' in html) == rtl
    assert ('page-progression-direction="rtl"' in package) == rtl
    assert f"<dc:language>{built.language}</dc:language>" in package
    assert PdfReader(built.pdf).trailer["/Root"]["/Lang"] == built.language


def test_the_glossary_term_is_marked_with_a_latin_id(built: Pamphlet) -> None:
    with zipfile.ZipFile(built.epub) as archive:
        part = archive.read("EPUB/01-one.xhtml").decode()
        glossary = archive.read("EPUB/glossary.xhtml").decode()
    link = re.search(r'<a [^>]*href="glossary.xhtml#(gloss-[a-z0-9-]+)"', part)
    assert link, part
    assert f'id="{link[1]}"' in glossary and link[1] != "gloss-pamphlet"


def test_only_the_bundled_fonts_are_in_the_pdf(built: Pamphlet) -> None:
    used = set()
    for page in PdfReader(built.pdf).pages:
        for font in ((page.get("/Resources") or {}).get("/Font") or {}).values():
            used.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    assert used and all(name.startswith(BUNDLED) for name in used), used
    for page in PdfReader(built.pdf).pages:  # a font asked for glyphs it lacks gets a CMap
        for font in ((page.get("/Resources") or {}).get("/Font") or {}).values():
            assert font.get_object()["/Encoding"] == "/Identity-H", font.get_object()
    if built.language == "el":
        assert any(name.startswith("Gentium-Plus") for name in used)
    if built.language == "ar":
        assert any(name.startswith("Noto-Naskh-Arabic") for name in used)


def test_a_greek_word_is_set_in_one_face(built: Pamphlet) -> None:
    """Charis SIL has a few Greek letters; Gentium Plus sets all of them, so that no
    word mixes the two."""
    if built.language != "el":
        pytest.skip("Greek")
    faces = set()

    def visit(text: str, cm, tm, font, size) -> None:
        if font and any("\u0370" <= char <= "\u03ff" for char in text):
            faces.add(str(font["/BaseFont"]).split("+", 1)[-1])

    for page in PdfReader(built.pdf).pages:
        page.extract_text(visitor_text=visit)
    assert faces and not any(face.startswith("Charis") for face in faces), faces


def test_the_e_book_s_arabic_font_keeps_its_joining_forms(built: Pamphlet) -> None:
    """Subset to the book's text, the font must keep the features that join Arabic letters
    (without them a reading system shows every letter on its own)."""
    if built.language != "ar":
        pytest.skip("Arabic")
    import io

    from fontTools.ttLib import TTFont

    with zipfile.ZipFile(built.epub) as archive:
        name = next(n for n in archive.namelist() if "NotoNaskhArabic-Regular" in n)
        font = TTFont(io.BytesIO(archive.read(name)))
    features = {record.FeatureTag for record in font["GSUB"].table.FeatureList.FeatureRecord}
    assert {"init", "medi", "fina", "rlig"} <= features, features


def test_each_face_is_given_only_characters_its_font_has() -> None:
    """WeasyPrint takes a face's unicode-range as the characters its font has: a range
    wider than the font would print the rest as empty boxes, not in the next face."""
    import tinycss2
    import uharfbuzz as hb

    from pressrun.project import DEFAULT_THEME

    sheet = tinycss2.parse_stylesheet((DEFAULT_THEME / "fonts.css").read_text(),
                                      skip_comments=True, skip_whitespace=True)
    for rule in sheet:
        declarations = {d.lower_name: d.value for d in tinycss2.parse_blocks_contents(
            rule.content) if d.type == "declaration"}
        if "unicode-range" not in declarations:
            continue
        font = next(t.value for t in declarations["src"] if t.type == "url")
        has = set(hb.Face(hb.Blob.from_file_path(str(DEFAULT_THEME / font))).unicodes)
        ranged = {c for t in declarations["unicode-range"] if t.type == "unicode-range"
                  for c in range(t.start, t.end + 1)}
        assert ranged <= has, f"{font} lacks {sorted(map(hex, ranged - has))[:10]}"


def test_the_epub_is_valid_in_every_language(built: Pamphlet) -> None:
    assert epubcheck_problems(built.epub) == []


@pytest.mark.skipif(not shutil.which("ace-cli"), reason="DAISY Ace (npm @daisy/ace-cli) is not "
                    "installed; .ci/run installs it")
def test_daisy_ace_finds_no_violations_in_every_language(built: Pamphlet, tmp_path) -> None:
    assert ace_violations(built.epub, tmp_path) == []


def test_a_number_and_a_latin_name_keep_their_order_in_right_to_left_text(
        built: Pamphlet) -> None:
    if built.language not in RIGHT_TO_LEFT:
        pytest.skip("left to right")
    printed = "".join(pdf_text(built.pdf))
    assert "Lenin" in printed and "1917" in printed


def test_a_placeholder_s_words_read_as_they_are_written(built: Pamphlet) -> None:
    """A placeholder's words are shaped as whole lines, as the text is: WeasyPrint drew
    an SVG's text one character at a time, and an Arabic or Hebrew label came out
    backwards (and its Arabic letters unjoined)."""
    label = yaml.safe_load((LOCALES / f"{built.language}.yaml").read_text(
        encoding="utf-8"))["picture_to_come"]
    drawn = [squash(text) for text in drawn_texts(built.pdf)]
    assert any(squash(label) in text for text in drawn), (label, drawn)
    assert any(squash(SAMPLES[built.language].parts[0]) in text for text in drawn), drawn


def words_by_position(pdf: Path, number: int) -> list[tuple[str, float, float, float]]:
    """The text pieces of page ``number`` (1-based) with their x and y, and their size,
    in points."""
    page = PdfReader(pdf).pages[number - 1]
    found: list[tuple[str, float, float, float]] = []

    def visit(text: str, cm, tm, font, size) -> None:
        if text.strip():
            x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            found.append((text.strip(), x, y, size * abs(tm[3] * cm[3])))

    page.extract_text(visitor_text=visit)
    return found


def test_folios_and_running_heads_sit_on_the_outer_side(built: Pamphlet) -> None:
    """Left to right, page 1 is a right-hand page; right to left it is a left-hand page,
    so the odd folios sit on the left and the even ones on the right."""
    reader = PdfReader(built.pdf)
    width = float(reader.pages[0].mediabox.width)
    rtl = built.language in RIGHT_TO_LEFT
    checked = 0
    for number in range(3, len(reader.pages) + 1):
        pieces = words_by_position(built.pdf, number)
        folio = [x for text, x, y, _ in pieces if text == str(number) and y < 60]
        if not folio:
            continue
        on_right = folio[0] > width / 2
        assert on_right == ((number % 2 == 1) != rtl), (number, folio, width)
        checked += 1
    assert checked >= 2
    height = float(reader.pages[0].mediabox.height)
    sample, top = SAMPLES[built.language], height - 45
    # (A placeholder's words are drawn in a form of their own, whose coordinates pypdf
    # reports untransformed: past the page's height.)
    heads = {number: (squash(text), x) for number in range(3, len(reader.pages) + 1)
             for text, x, y, _ in words_by_position(built.pdf, number) if top < y <= height}
    verso, recto = (squash(sample.title), squash(sample.parts[1]))
    assert {text for text, _ in heads.values()} == {verso, recto}, heads
    for number, (text, x) in heads.items():  # the title heads the verso, the part the recto
        assert (text == verso) == (number % 2 == 0), (number, text)
        assert (x > width / 2) == ((number % 2 == 1) != rtl), (number, text, x)


def test_the_booklet_is_bound_on_the_side_the_language_reads_from(built: Pamphlet) -> None:
    """The outer sheet's outside holds the last page and the first: the first on the
    right for a left-to-right pamphlet, on the left for a right-to-left one."""
    booklet = built.pdf.with_name(built.pdf.stem + "-booklet.pdf")
    middle = float(PdfReader(booklet).pages[0].mediabox.width) / 2
    pieces = words_by_position(booklet, 1)
    text, x, _, _ = max(pieces, key=lambda piece: piece[3])  # the title, set largest
    assert SAMPLES[built.language].title.startswith(text)
    assert (x > middle) == (built.language not in RIGHT_TO_LEFT)


def test_uppercase_follows_the_language(built: Pamphlet) -> None:
    if built.language != "tr":
        pytest.skip("Turkish")
    printed = "".join(pdf_text(built.pdf))
    assert "İSTANBUL VE İZMİR" in printed, printed[:400]


def test_check_reports_a_chinese_sentence_no_font_has(tmp_path: Path) -> None:
    root = write_sample(tmp_path / "project", "de")
    part = root / "manuscript" / "02-two.md"
    part.write_text(part.read_text(encoding="utf-8") + "\n工人的力量。\n", encoding="utf-8")
    result = run("check", "-C", root)
    assert "manuscript/02-two.md:11:1: warning: no font of the theme or the project has" \
        in result.output
    assert "工 (U+5DE5)" in result.output


def test_a_language_without_a_table_falls_back_to_english_with_one_warning(
        tmp_path: Path) -> None:
    root = write_sample(tmp_path / "project", "de")
    config = root / "manuscript" / "pamphlet.yaml"
    config.write_text(config.read_text().replace("language: de", "language: sw"))
    result = run("build", "-C", root)
    assert result.exit_code == 0
    assert result.stderr.count("no table of its own words in 'sw'") == 1
    assert "Questions for discussion" in epub_texts(root / "build" /
                                                     "alle-macht-den-raten.epub")["EPUB/nav.xhtml"]


def test_a_regional_language_takes_its_language_s_words(tmp_path: Path) -> None:
    root = write_sample(tmp_path / "project", "de")
    config = root / "manuscript" / "pamphlet.yaml"
    config.write_text(config.read_text().replace("language: de", "language: de-AT"))
    result = run("build", "-C", root)
    assert result.exit_code == 0 and "warning" not in result.stderr
    nav = epub_texts(root / "build" / "alle-macht-den-raten.epub")["EPUB/nav.xhtml"]
    assert "Inhalt" in nav


@pytest.mark.parametrize(("language", "counts"), [
    ("ru", {1: "1 сноска", 2: "2 сноски", 5: "5 сносок", 21: "21 сноска"}),
    ("pl", {1: "1 przypis", 2: "2 przypisy", 5: "5 przypisów", 22: "22 przypisy"}),
    ("en", {1: "1 footnote", 2: "2 footnotes"}),
])
def test_counts_take_the_language_s_plural_forms(tmp_path: Path, language: str,
                                                 counts: dict[int, str]) -> None:
    from pressrun.html.words import load_words
    from pressrun.project import Project

    words = load_words(Project(tmp_path), language)
    for count, expected in counts.items():
        assert words("summary_notes", count=count).startswith(expected)


def test_two_terms_that_spell_alike_in_latin_letters_keep_their_own_ids(tmp_path) -> None:
    root = write_sample(tmp_path / "project", "ru")
    (root / "manuscript" / "glossary.yaml").write_text(
        "Ёлка: Новогоднее дерево.\nЕлка: Дерево.\n", encoding="utf-8")
    part = root / "manuscript" / "02-two.md"
    part.write_text(part.read_text(encoding="utf-8") + "\nЁлка и Елка.\n", encoding="utf-8")
    assert run("build", "-C", root).exit_code == 0
    with zipfile.ZipFile(root / "build" / "vsia-vlast-sovetam.epub") as archive:
        glossary = archive.read("EPUB/glossary.xhtml").decode()
        text = archive.read("EPUB/02-two.xhtml").decode()
    ids = re.findall(r'id="(gloss-[^"]+)"', glossary)
    assert len(ids) == len(set(ids)) >= 2
    assert text.count("glossary.xhtml#gloss-") == 2


def test_spans_and_divs_carry_their_language_in_both_formats(tmp_path: Path) -> None:
    root = write_sample(tmp_path / "project", "de")
    part = root / "manuscript" / "02-two.md"
    part.write_text(part.read_text(encoding="utf-8") + (
        '\nDanton rief [De "l\'audace" !]{lang=fr} und ging.\n\n'
        '::: {lang=en}\nThey said "bread".\n:::\n\n'
        "[مرحبا]{lang=ar}\n"), encoding="utf-8")
    assert run("build", "-C", root).exit_code == 0
    with zipfile.ZipFile(root / "build" / "alle-macht-den-raten.epub") as archive:
        text = archive.read("EPUB/02-two.xhtml").decode()
    assert '<span lang="fr" xml:lang="fr">De «\u202fl’audace\u202f»\u202f!</span>' in text
    assert re.search(r'<div [^>]*lang="en" xml:lang="en"><p>They said “bread”.</p>', text)
    assert '<span lang="ar" dir="rtl" xml:lang="ar">مرحبا</span>' in text
    pdf = root / "build" / "alle-macht-den-raten.pdf"
    assert {"fr", "en", "ar"} <= set(structure_languages(pdf))


def test_a_part_in_another_language(tmp_path: Path) -> None:
    root = write_sample(tmp_path / "project", "de")
    part = root / "manuscript" / "02-two.md"
    part.write_text(part.read_text(encoding="utf-8").replace(
        "---\n\n", "language: fr\n---\n\nIl a dit \"oui\".\n\n", 1), encoding="utf-8")
    assert run("build", "-C", root).exit_code == 0
    with zipfile.ZipFile(root / "build" / "alle-macht-den-raten.epub") as archive:
        text = archive.read("EPUB/02-two.xhtml").decode()
    assert re.search(r'<section[^>]* lang="fr" xml:lang="fr"', text), text[:800]
    assert "Il a dit «\u202foui\u202f»." in text


def test_a_bad_language_tag_in_a_span_is_reported_with_its_line(tmp_path: Path) -> None:
    root = write_sample(tmp_path / "project", "de")
    part = root / "manuscript" / "02-two.md"
    part.write_text(part.read_text(encoding="utf-8") + "\n[x]{lang=not_a_tag}\n",
                    encoding="utf-8")
    result = run("check", "-C", root)
    assert result.exit_code == 1
    assert re.search(r"manuscript/02-two.md:11:\d+: error: .*not_a_tag", result.output), \
        result.output


def test_new_arabic_project_builds_right_to_left(tmp_path: Path) -> None:
    root = tmp_path / "ar"
    assert run("new", root, "--language", "ar", "--title", "كل السلطة").exit_code == 0
    result = run("build", "-C", root)
    assert result.exit_code == 0, result.stderr
    epub = next((root / "build").glob("*.epub"))
    with zipfile.ZipFile(epub) as archive:
        package = archive.read("EPUB/content.opf").decode()
        title = archive.read("EPUB/titlepage.xhtml").decode()
    assert 'page-progression-direction="rtl"' in package and 'dir="rtl"' in title
    assert epubcheck_problems(epub) == []


def test_every_table_has_every_word_in_every_plural_form() -> None:
    """The bundled tables are complete: every key of en.yaml, and each counted word in
    every plural form the language has (CLDR, through Babel)."""
    import yaml
    from babel import Locale

    from pressrun.project import DEFAULT_THEME

    tables = sorted((DEFAULT_THEME / "locales").glob("*.yaml"))
    english = yaml.safe_load((DEFAULT_THEME / "locales" / "en.yaml").read_text())
    assert len(tables) >= 15
    for path in tables:
        table = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert set(table) == set(english), path.name
        assert set(table["containers"]) == set(english["containers"]), path.name
        forms = Locale.parse(path.stem).plural_form.tags | {"other"}
        for key, value in table.items():
            if isinstance(english[key], dict) and key != "containers":
                assert forms <= set(value), (path.name, key, forms - set(value))
