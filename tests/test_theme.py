"""One theme for both targets; a project's styles/ overrides it file by file."""

from __future__ import annotations

import zipfile

from pypdf import PdfReader

from conftest import Built, run
from pressrun.project import DEFAULT_THEME


def test_styles_folder_overrides_a_stylesheet_in_both_outputs(project) -> None:
    root = project()
    (root / "styles").mkdir()
    (root / "styles" / "common.css").write_text("/* house style */ p { color: navy; }\n")
    assert run("epub", "-C", root).exit_code == 0
    assert run("html", "-C", root).exit_code == 0
    with zipfile.ZipFile(root / "build" / "a-minimal-pamphlet.epub") as archive:
        assert archive.read("EPUB/styles/common.css").startswith(b"/* house style */")
    html = (root / "build" / "a-minimal-pamphlet.html").read_text()
    assert (root / "styles" / "common.css").resolve().as_uri() in html


def test_styles_folder_overrides_a_template(project) -> None:
    root = project()
    (root / "styles").mkdir()
    macros = (DEFAULT_THEME / "_macros.html").read_text()
    (root / "styles" / "_macros.html").write_text(
        macros.replace('<h1 class="title">', '<p class="banner">Our study group</p>\n'
                                              '<h1 class="title">'))
    assert run("pdf", "-C", root).exit_code == 0
    first_page = PdfReader(root / "build" / "a-minimal-pamphlet.pdf").pages[0].extract_text()
    assert "Our study group" in first_page


def test_templates_autoescape_metadata(project) -> None:
    root = project()
    yaml = root / "manuscript" / "pamphlet.yaml"
    yaml.write_text(yaml.read_text().replace("title: A Minimal Pamphlet",
                                             "title: Bread & <Roses>"))
    assert run("html", "-C", root).exit_code == 0
    html = (root / "build" / "bread-roses.html").read_text()
    assert "<title>Bread &amp; &lt;Roses&gt;</title>" in html


def test_pdf_metadata_names_the_creators(minimal: Built) -> None:
    meta = PdfReader(minimal.pdf).metadata
    assert meta.title == "A Minimal Pamphlet"
    assert "Ada Organiser" in meta.author and "Ben Translator" in meta.author


def test_fonts_are_subset_in_the_pdf(minimal: Built) -> None:
    reader = PdfReader(minimal.pdf)
    sizes = []
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            owner = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font \
                else font
            descriptor = owner["/FontDescriptor"].get_object()
            stream = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
            sizes.append(len(stream.get_object().get_data()))
    assert sizes and max(sizes) < 300_000  # the bundled TTFs are 500–800 KB each


def test_version_and_python_dash_m() -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "pressrun", "--version"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.startswith("pressrun, version ")
