"""EPUB fonts: the theme's fonts.css and its fonts, subset to the book's characters."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from pressrun.epub.fonts import FontFile, epub_fonts
from pressrun.problems import PressrunError
from pressrun.project import DEFAULT_THEME, Project

CSS = DEFAULT_THEME / "fonts.css"
FONTS = ["CharisSIL-Regular", "CharisSIL-Italic", "CharisSIL-Bold", "CharisSIL-BoldItalic",
         "NotoSans-Regular", "NotoSans-Bold", "NotoSans-Italic", "NotoSans-BoldItalic",
         "NotoSansMono-Regular", "NotoSansMono-Bold"]
GREEK = ["GentiumPlus-Regular", "GentiumPlus-Italic", "GentiumPlus-Bold",
         "GentiumPlus-BoldItalic"]
TEXT = "How workers won in 1917 — “Soviets”"


@pytest.fixture(scope="module", params=["latin", "cyrillic"])
def text(request: pytest.FixtureRequest) -> str:
    return TEXT + (" Ж" if request.param == "cyrillic" else "")


@pytest.fixture(scope="module")
def files(text: str) -> dict[str, FontFile]:
    return {f.href: f for f in epub_fonts(Project(DEFAULT_THEME), CSS, text)}


def font(file: FontFile) -> TTFont:
    return TTFont(io.BytesIO(file.data))


def test_css_and_every_font_returned(files: dict[str, FontFile]) -> None:
    assert list(files) == ["styles/fonts.css"] + [f"styles/fonts/{n}.ttf" for n in FONTS]
    assert files["styles/fonts.css"].media_type == "text/css"
    css = files["styles/fonts.css"].data.decode()
    # No Greek and no symbols in the text: the faces for them are left out.
    assert 'family: "Gentium Plus"' not in css and 'family: "pressrun Symbols"' not in css
    assert {f.media_type for href, f in files.items() if href.endswith(".ttf")} == {"font/ttf"}


def test_faces_for_a_range_come_only_with_characters_in_it() -> None:
    greek = {f.href: f for f in epub_fonts(Project(DEFAULT_THEME), CSS, TEXT + " Ἀθῆναι ◦")}
    assert set(greek) == {"styles/fonts.css"} | {f"styles/fonts/{n}.ttf" for n in FONTS + GREEK}
    css = greek["styles/fonts.css"].data.decode()
    assert css.count('family: "Gentium Plus"') == 4
    assert css.count('family: "pressrun Symbols"') == 2
    gentium = font(greek["styles/fonts/GentiumPlus-Regular.ttf"]).getBestCmap()
    assert ord("ῆ") in gentium and ord("H") not in gentium  # its range only
    mono = font(greek["styles/fonts/NotoSansMono-Regular.ttf"]).getBestCmap()
    assert ord("◦") in mono and ord("H") in mono  # code, and the symbols face


@pytest.mark.parametrize("name", FONTS)
def test_subset_small_with_the_texts_glyphs_and_licence(
        files: dict[str, FontFile], text: str, name: str) -> None:
    file = files[f"styles/fonts/{name}.ttf"]
    assert len(file.data) < 0.25 * (DEFAULT_THEME / "fonts" / f"{name}.ttf").stat().st_size
    subset = font(file)
    cmap = subset.getBestCmap()
    assert {ord(c) for c in text} <= set(cmap)
    assert (0x416 in cmap) == ("Ж" in text)  # every original font has Ж: only kept if used
    assert 0x3A9 not in cmap and 0x2126 not in cmap  # Ω, Ω: never in the text
    ids = {record.nameID for record in subset["name"].names}
    assert {0, 13, 14} <= ids
    assert "Open Font License" in subset["name"].getDebugName(13)
    assert subset["head"].modified == TTFont(DEFAULT_THEME / "fonts" / f"{name}.ttf")[
        "head"].modified


def test_same_text_same_bytes() -> None:
    first = epub_fonts(Project(DEFAULT_THEME), CSS, TEXT)
    assert epub_fonts(Project(DEFAULT_THEME), CSS, TEXT) == first


def test_theme_override_urls_rewritten_into_fonts_folder(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shutil.copy(DEFAULT_THEME / "fonts" / "NotoSans-Regular.ttf", shared / "Body.ttf")
    styles = tmp_path / "styles"
    styles.mkdir()
    css = styles / "fonts.css"
    css.write_text('/* mine */\n@font-face { font-family: Body;\n'
                   '  src: local("Body"), url("../shared/Body.ttf") format("truetype"),\n'
                   '       url(https://example.org/Body.woff2); }\n'
                   'body { background: url(../shared/paper.png); }\n', encoding="utf-8")
    out = epub_fonts(Project(tmp_path), css, "abc")
    assert [f.href for f in out] == ["styles/fonts.css", "styles/fonts/Body.ttf"]
    assert out[0].data.decode() == css.read_text().replace("../shared/Body.ttf", "fonts/Body.ttf")
    assert 0x61 in font(out[1]).getBestCmap()


@pytest.mark.parametrize(("url", "problem"), [("fonts/Missing.ttf", "was not found"),
                                              ("fonts.css", "is not a .ttf or .otf file")])
def test_bad_font_url_is_a_user_error(tmp_path: Path, url: str, problem: str) -> None:
    css = tmp_path / "fonts.css"
    css.write_text(f"@font-face {{ font-family: X; src: url({url}); }}\n", encoding="utf-8")
    with pytest.raises(PressrunError, match=problem):
        epub_fonts(Project(tmp_path), css, "abc")
