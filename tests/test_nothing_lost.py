"""Nothing is lost and nothing lies: outputs replaced together or not at all, no text
off the page or changed, user mistakes as one-line errors, bounded cost, and the same
bytes on any machine."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from conftest import CORPUS, PROJECTS, epub_texts, pdf_text, run, squash
from pressrun.project import Interrupted, Project


def build_both(root: Path) -> dict[str, bytes]:
    result = run("build", "-C", root, "--no-cache")
    assert result.exit_code == 0, result.stderr
    return {p.name: p.read_bytes() for p in (root / "build").glob("*.*") if p.is_file()}


def test_a_failing_epub_leaves_the_pdf_of_the_last_build(project) -> None:
    root = project()
    before = build_both(root)
    part = root / "manuscript" / "01-first.md"
    part.write_text(part.read_text().replace("The first part", "A renamed part"))
    (root / "styles").mkdir()
    (root / "styles" / "nav.xhtml").write_text("{{ no_such_thing }}")  # the EPUB's alone
    result = run("build", "-C", root, "--no-cache")
    assert result.exit_code == 1 and "nav.xhtml" in result.stderr
    after = {p.name: p.read_bytes() for p in (root / "build").glob("*.*") if p.is_file()}
    assert after == before  # the new PDF was made, but replaces nothing without its EPUB
    assert not [p for p in (root / "build").iterdir() if p.name.endswith(".tmp")]


def test_a_signal_during_the_renames_waits_for_the_last(tmp_path: Path, monkeypatch) -> None:
    project = Project(tmp_path)
    files = [(tmp_path / "build" / f"{n}.pdf", f"new {n}".encode()) for n in "abc"]
    for target, _ in files:
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(b"old")
    replace = os.replace

    def replace_then_signal(source: str, target: str) -> None:
        replace(source, target)
        signal.raise_signal(signal.SIGTERM)  # arrives after the last rename

    def terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminate)
    monkeypatch.setattr(os, "replace", replace_then_signal)
    try:
        with pytest.raises(Interrupted) as caught:
            project.write_all(files)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert caught.value.replaced == ("build/a.pdf", "build/b.pdf", "build/c.pdf")
    assert [target.read_bytes() for target, _ in files] == [b"new a", b"new b", b"new c"]


def test_a_signal_before_the_renames_replaces_nothing(tmp_path: Path, monkeypatch) -> None:
    project = Project(tmp_path)
    files = [(tmp_path / "build" / f"{n}.pdf", b"new") for n in "ab"]
    (tmp_path / "build").mkdir()
    for target, _ in files:
        target.write_bytes(b"old")
    staged = []
    stage = __import__("pressrun.project", fromlist=["stage"]).stage

    def stage_then_interrupt(target: Path, data: bytes) -> Path:
        if staged:
            raise KeyboardInterrupt  # Ctrl-C while the second file is being written
        staged.append(stage(target, data))
        return staged[-1]

    monkeypatch.setattr("pressrun.project.stage", stage_then_interrupt)
    with pytest.raises(Interrupted) as caught:
        project.write_all(files)
    assert caught.value.replaced == ()
    assert [target.read_bytes() for target, _ in files] == [b"old", b"old"]
    assert sorted(p.name for p in (tmp_path / "build").iterdir()) == ["a.pdf", "b.pdf"]


def test_files_left_by_a_killed_build_are_removed_by_the_next(project) -> None:
    root = project()
    (root / "build").mkdir()
    dead = root / "build" / ".a-minimal-pamphlet.pdf.x1y2.pressrun-999999999.tmp"
    alive = root / "build" / f".a-minimal-pamphlet.pdf.z3.pressrun-{os.getppid()}.tmp"
    dead.write_bytes(b"half a PDF")
    alive.write_bytes(b"being written by another build")
    assert run("pdf", "-C", root).exit_code == 0
    assert not dead.exists() and alive.exists()


def test_a_killed_build_leaves_nothing_the_next_does_not_clean(project, tmp_path) -> None:
    root = project()
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    child = subprocess.Popen([sys.executable, "-m", "pressrun", "build", "-C", str(root)],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob("pressrun-fonts-*")) and time.monotonic() < deadline:
        time.sleep(0.02)
    child.kill()
    child.wait()
    subprocess.run([sys.executable, "-m", "pressrun", "pdf", "-C", str(root), "--no-cache"],
                   env=env, check=True, capture_output=True)
    assert not list(tmp_path.glob("pressrun-fonts-*"))
    assert not [p for p in (root / "build").rglob("*") if p.name.endswith(".tmp")]


def with_text(root: Path, text: str) -> None:
    part = root / "manuscript" / "02-second.md"
    part.write_text(part.read_text() + "\n" + text + "\n")


def test_a_very_long_word_is_kept_whole_in_both_formats(project) -> None:
    root = project()
    word = "x" * 5000
    with_text(root, f"A paragraph with a {word} word.")
    pdf = root / "build" / "a-minimal-pamphlet.pdf"
    build_both(root)
    # All 5,000 on the pages: each page the word crosses breaks one run (running heads).
    assert squash("".join(pdf_text(pdf))).count("x" * 100) >= 46
    assert "".join(pdf_text(pdf)).count("x") >= 5000
    assert word in "".join(epub_texts(root / "build" / "a-minimal-pamphlet.epub").values())


def test_a_long_compound_word_fits_the_large_print_page(project) -> None:
    root = project()
    with_text(root, "Die Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherung.")
    assert run("pdf", "-C", root, "--edition", "large-print").exit_code == 0
    text = squash("".join(pdf_text(root / "build" / "a-minimal-pamphlet-large-print.pdf")))
    assert "Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherung" in text


def table(columns: int) -> str:
    head = "| " + " | ".join(f"Head{i}" for i in range(1, columns + 1)) + " |"
    rule = "|" + "---|" * columns
    row = "| " + " | ".join(f"cell{i}" for i in range(1, columns + 1)) + " |"
    return f"{head}\n{rule}\n{row}\n"


def test_a_table_too_wide_for_the_page_is_set_to_fit(project) -> None:
    root = project()
    with_text(root, table(16))
    result = run("pdf", "-C", root)
    assert result.exit_code == 0, result.stderr
    assert "a table here is too wide for the page" in result.stderr
    text = squash("".join(pdf_text(root / "build" / "a-minimal-pamphlet.pdf")))
    for number in range(1, 17):
        assert f"Head{number}" in text and f"cell{number}" in text


def test_a_table_that_cannot_fit_fails_with_its_line(project) -> None:
    root = project()
    with_text(root, table(200))  # columns narrower than a letter, even in small type
    result = run("pdf", "-C", root)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: manuscript/02-second.md:26: a table here is too "
                                    "wide for page 5 even in small type")
    assert not (root / "build" / "a-minimal-pamphlet.pdf").exists()


def test_a_16_bit_greyscale_picture_prints_in_greys(project) -> None:
    from pypdf import PdfReader

    root = project()
    gradient = Image.linear_gradient("L").resize((256, 128)).convert("I")
    gradient.point(lambda v: v * 257).convert("I;16").save(root / "images" / "red-star.png")
    assert run("pdf", "-C", root).exit_code == 0
    reader = PdfReader(root / "build" / "a-minimal-pamphlet.pdf")
    picture = next(image for image in reader.pages[2].images
                   if image.image.size == (256, 128))
    low, high = picture.image.convert("L").getextrema()
    assert low < 20 and high > 230  # a gradient, not a black box


def test_the_typographer_changes_no_symbols(manifesto) -> None:
    heading = "(C) German, or “True,” Socialism"
    assert heading in "\n".join(pdf_text(manifesto.pdf))
    # (its last two words are a span of their own: spaces made plain)
    assert heading in " ".join(" ".join(epub_texts(manifesto.epub).values()).split())
    from pypdf import PdfReader

    titles = []

    def walk(outline: list) -> None:
        for item in outline:
            walk(item) if isinstance(item, list) else titles.append(item.title)

    walk(PdfReader(manifesto.pdf).outline)
    assert heading in titles and not any("©" in title for title in titles)


def test_dashes_and_ellipses_are_still_typeset(project) -> None:
    root = project()
    with_text(root, "Wait... then -- and --- and (c) and +- and ?!!!! all as typed")
    build_both(root)
    text = "".join(epub_texts(root / "build" / "a-minimal-pamphlet.epub").values())
    assert "Wait… then – and — and (c) and +- and ?!!!! all as typed" in text


def no_traceback(result, expected: str) -> None:
    assert result.exit_code == 1, (result.exit_code, result.output, result.stderr)
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr


def test_output_an_existing_folder_is_a_user_error(project, tmp_path) -> None:
    no_traceback(run("pdf", "-C", project(), "-o", tmp_path), "it is a folder")


def test_build_folder_that_is_a_file_is_a_user_error(project) -> None:
    root = project()
    (root / "build").write_text("not a folder")
    no_traceback(run("build", "-C", root), "cannot write into build/: it is a file")


def test_build_output_naming_a_file_is_a_user_error(project, tmp_path) -> None:
    (tmp_path / "out.pdf").write_text("a file")
    no_traceback(run("build", "-C", project(), "-o", tmp_path / "out.pdf"),
                 "is a file, but several outputs are written")


@pytest.mark.parametrize(("code", "expected"), [
    (errno.ENOSPC, "the disk is full"), (errno.EROFS, "the file system is read-only"),
    (errno.EACCES, "permission denied")])
def test_a_write_that_fails_is_a_user_error(project, monkeypatch, code: int,
                                            expected: str) -> None:
    root = project()
    import tempfile

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    no_traceback(run("pdf", "-C", root, "--no-cache"), expected)
    assert not (root / "build" / "a-minimal-pamphlet.pdf").exists()


def test_a_title_too_long_for_a_file_name_is_shortened(project) -> None:
    root = project()
    config = root / "manuscript" / "pamphlet.yaml"
    config.write_text(config.read_text().replace("title: A Minimal Pamphlet",
                                                 "title: " + "Word " * 200))
    result = run("pdf", "-C", root)
    assert result.exit_code == 0, result.stderr
    [pdf] = (root / "build").glob("*.pdf")
    assert len(pdf.stem) <= 80 and pdf.stem.startswith("word-word")


def test_a_picture_in_the_standfirst_is_a_user_error(project) -> None:
    root = project()
    part = root / "manuscript" / "01-first.md"
    part.write_text(part.read_text().replace(
        "standfirst: An introduction", "standfirst: An ![x](../images/red-star.png) introduction"))
    no_traceback(run("pdf", "-C", root), "manuscript/01-first.md:4: picture")
    assert "standfirst" in run("check", "-C", root).output


def test_a_deeply_nested_glossary_is_a_user_error(project) -> None:
    root = project("study")
    (root / "manuscript" / "glossary.yaml").write_text("a: " + "[" * 5000 + "]" * 5000)
    no_traceback(run("pdf", "-C", root), "YAML nested too deeply")


@pytest.mark.parametrize("epoch", ["yesterday", "99999999999999999999", "1.5"])
def test_a_bad_source_date_epoch_is_a_user_error(project, monkeypatch, epoch: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    no_traceback(run("pdf", "-C", project(), "--no-cache"), "SOURCE_DATE_EPOCH is")


@pytest.mark.parametrize("key", ["epub_fonts", "title", "date", "notes_pages"])
def test_an_alias_bomb_is_refused_at_once(project, key: str) -> None:
    root = project()
    config = root / "manuscript" / "pamphlet.yaml"
    lines = ['x0: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"x{n}: &b{n} [" + ", ".join([f"*{'a' if n == 1 else f'b{n - 1}'}"] * 9) + "]"
              for n in range(1, 10)]
    text = config.read_text()
    config.write_text("\n".join(lines) + "\n" + text.replace(f"{key}:", "old_" + key + ":")
                      + f"\n{key}: *b9\n")
    start = time.perf_counter()
    result = run("check", "-C", root)
    assert time.perf_counter() - start < 1.0
    assert result.exit_code == 1
    assert "YAML aliases (*name) here stand for more than 10,000 values" in result.output
    assert len(result.output) < 2000


def test_a_part_bomb_in_front_matter_is_refused(project) -> None:
    root = project()
    part = root / "manuscript" / "01-first.md"
    lines = ["a: &a [x,x,x,x,x,x,x,x,x,x]"] + [
        f"a{n}: &a{n} [" + ",".join([f"*{'a' if n == 1 else f'a{n - 1}'}"] * 10) + "]"
        for n in range(1, 8)]
    part.write_text(part.read_text().replace("---\ntitle:", "---\n" + "\n".join(lines) +
                                             "\ndate: *a7\ntitle:", 1))
    start = time.perf_counter()
    result = run("check", "-C", root)
    assert time.perf_counter() - start < 1.0 and result.exit_code == 1
    assert "stand for more than 10,000 values" in result.output


def test_the_same_pdf_with_or_without_the_computers_fonts(tmp_path) -> None:
    """No font of the computer's is used: the PDF is the same when fontconfig knows none."""
    empty = tmp_path / "fonts.conf"
    empty.write_text('<?xml version="1.0"?>\n<fontconfig></fontconfig>\n')
    made = []
    for env in ({}, {"FONTCONFIG_FILE": str(empty)}):
        out = tmp_path / f"{len(made)}.pdf"
        subprocess.run([sys.executable, "-m", "pressrun", "-q", "pdf", "-C",
                        str(PROJECTS / "study"), "-o", str(out)],
                       env={**os.environ, **env}, check=True, capture_output=True)
        made.append(out.read_bytes())
    assert made[0] == made[1]
    fonts = subprocess.run(["pdffonts", str(tmp_path / "0.pdf")], capture_output=True,
                           text=True)
    if fonts.returncode == 0:
        names = {line.split()[0].split("+")[-1] for line in fonts.stdout.splitlines()[2:]}
        assert names <= {"Charis-SIL", "Charis-SIL-Bold", "Charis-SIL-Italic",
                         "Charis-SIL-Bold-Italic", "Noto-Sans", "Noto-Sans-Bold",
                         "Noto-Sans-Italic", "Noto-Sans-Bold-Italic", "Gentium-Plus",
                         "Noto-Sans-Mono", "pressrun-Symbols"}, names


def test_an_installed_family_a_stylesheet_names_is_used(project) -> None:
    listed = subprocess.run(["fc-list", ":family=DejaVu Sans", "file"], capture_output=True,
                            text=True)
    if listed.returncode or not listed.stdout.strip():
        pytest.skip("DejaVu Sans is not installed here")
    root = project()
    (root / "styles").mkdir()
    (root / "styles" / "common.css").write_text(
        (Path(__file__).parents[1] / "src/pressrun/theme/common.css").read_text() +
        'h1 { font-family: "DejaVu Sans", sans-serif; }\n')
    assert run("pdf", "-C", root).exit_code == 0
    from pypdf import PdfReader

    names = {str(ref.get_object()["/BaseFont"]).split("+")[-1]
             for page in PdfReader(root / "build" / "a-minimal-pamphlet.pdf").pages
             for ref in page["/Resources"]["/Font"].values()}
    assert any(name.startswith("DejaVu-Sans") for name in names), names


def test_ten_days_uses_only_the_bundled_fonts(ten_days) -> None:
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(ten_days.pdf).pages:
        for ref in page["/Resources"]["/Font"].values():
            names.add(str(ref.get_object()["/BaseFont"]).split("+")[-1])
    assert not any("DejaVu" in name or "Oblique" in name for name in names), names


def test_the_press_pdf_is_the_same_bytes_every_build(tmp_path) -> None:
    made = []
    for n in (1, 2):
        out = tmp_path / f"{n}.pdf"
        assert run("pdf", "-C", PROJECTS / "minimal", "--profile", "press", "-o",
                   out).exit_code == 0
        made.append(out.read_bytes())
    assert made[0] == made[1]
    assert b"xmp.did:00000000-0000-0000-0000-000000000000" not in made[0]


def test_check_names_characters_no_font_has(project) -> None:
    root = project()
    with_text(root, "Workers of all countries: 全世界无产者，联合起来！ Ἀθῆναι ◦")
    result = run("check", "-C", root)
    line = next(line for line in result.output.splitlines() if "no font" in line)
    assert line.startswith("manuscript/02-second.md:26:1: warning: no font of the theme or "
                           "the project has ")
    assert "全 (U+5168)" in line and "Ἀ" not in line and "◦" not in line


def test_the_corpora_have_every_character_in_a_bundled_font() -> None:
    from pressrun.manuscript.check import check_project

    for book in ("communist-manifesto", "ten-days-that-shook-the-world"):
        if (CORPUS / book).is_dir():
            assert not [p for p in check_project(CORPUS / book) if p.code == "missing-glyphs"]


def test_a_build_of_the_corpus_style_zip_is_whole(minimal) -> None:
    with zipfile.ZipFile(minimal.epub) as book:
        assert book.testzip() is None


PROBE = """//<![CDATA[
document.documentElement.style.width = '320px'; document.body.style.margin = '0';
var edge = document.body.getBoundingClientRect().right, out = [];
for (const e of document.querySelectorAll('body *')) {
  if (e.closest('table') !== null && e.tagName !== 'TABLE') continue;  // scrolls inside it
  if (e.getBoundingClientRect().right > edge + 1) out.push(e.tagName);
}
document.title = 'PAST THE EDGE: ' + out.join(' ');
//]]>"""


def test_nothing_runs_off_a_phone_screen(project, tmp_path: Path) -> None:
    """At 320 CSS pixels, a 3,000-letter word wraps and a wide table scrolls within the
    screen's width (in Chromium, where it is installed)."""
    import shutil

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("Chromium is not installed")
    root = project()
    with_text(root, f"A paragraph with a {'x' * 3000} word.\n\n{table(30)}")
    assert run("epub", "-C", root).exit_code == 0
    with zipfile.ZipFile(root / "build" / "a-minimal-pamphlet.epub") as book:
        book.extractall(tmp_path / "book")
    page = tmp_path / "book" / "EPUB" / "02-second.xhtml"
    page.write_text(page.read_text().replace("</body>", f"<script>{PROBE}</script></body>"))
    done = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    assert "<title>PAST THE EDGE: </title>" in done.stdout, done.stdout[:300]


def test_text_nested_too_deeply_for_the_layout_is_a_user_error(project, monkeypatch) -> None:
    """WeasyPrint lays out nested boxes by recursion: where it runs out (the fuzz test found
    notes holding quotations seven deep, in a list, on a small page), the part is named."""
    import weasyprint

    render = weasyprint.HTML.render

    def shallow(self, *args, **kwargs):
        if "The second part" in "".join(self.etree_element.itertext()):
            raise RecursionError("maximum recursion depth exceeded")
        return render(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "render", shallow)
    no_traceback(run("pdf", "-C", project(), "--no-cache"),
                 "error: manuscript/02-second.md: text nested too deeply for the page layout")


def test_a_picture_wider_than_any_page_in_a_line_is_set_to_fit(project) -> None:
    """The fuzz test found an SVG a billion pixels wide, in a note's line, crashing the
    line breaker; a picture in a line is never wider than the text."""
    root = project()
    (root / "images" / "wide.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="1e9" height="0" viewBox="0 0 10 10">'
        '<rect width="10" height="10"/></svg>')
    with_text(root, "A line with ![a bar](../images/wide.svg) in it.[^wide]\n\n"
              "[^wide]: A note with ![a bar](../images/wide.svg) and words after it.")
    build_both(root)
    text = "".join(pdf_text(root / "build" / "a-minimal-pamphlet.pdf"))
    assert "and words after it" in text


def test_a_word_thousands_of_letters_long_is_set_without_hyphenating_it(project) -> None:
    """The fuzz test found "ﬁneﬁne…" (3,000 letters, a break point every three) taking
    minutes: WeasyPrint tries every hyphenation point, laying out the whole word each
    time. Such a word is broken anywhere instead, and kept whole."""
    root = project()
    word = "ﬁne" * 1000
    with_text(root, f"Before {word} after.")
    build_both(root)
    printed = squash("".join(pdf_text(root / "build" / "a-minimal-pamphlet.pdf")))
    assert printed.count("ﬁne") + printed.count("fine") >= 1000
    assert word in "".join(epub_texts(root / "build" / "a-minimal-pamphlet.epub").values())


def test_pictures_to_come_in_a_line_of_text_get_lines_of_their_own(project) -> None:
    """Imported pages put pictures in lines of text: a bullet before each paragraph, a
    row of photos. A picture still to come is drawn the size of a figure, so it takes a
    line of its own, and the text goes on below it; a space left at the end of a line
    after a picture is not text cut off."""
    from PIL import Image

    root = project()
    for name in ("one", "two"):  # photos as wide as the text, side by side in one line
        Image.new("RGB", (1600, 1000), "darkred").save(root / "images" / f"{name}.jpg")
    paragraphs = [f"![-](../images/bullet-{n}.gif) Elle considère aussi comme essentielle "
                  f"la manifestation parisienne numéro {n}, lors de laquelle elle invite les "
                  "parents d’élèves à manifester ensemble dans des cortèges Éducation."
                  for n in range(1, 7)]
    with_text(root, "\n\n".join([*paragraphs, "![One](../images/one.jpg) "
                                 "![Two](../images/two.jpg)"]))
    build_both(root)
    printed = squash("".join(pdf_text(root / "build" / "a-minimal-pamphlet.pdf")))
    for n in range(1, 7):
        assert squash(f"manifestation parisienne numéro {n}, lors de laquelle") in printed
