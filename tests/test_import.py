"""pressrun import: a news page, an archive page with endnotes, a magazine page with a table,
a saved page with its pictures, a Word file, Markdown and text, and a web address served
on this machine; each becomes a part whose text is the article's, and the project builds."""

from __future__ import annotations

import http.server
import io
import re
import shutil
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from PIL import Image

from conftest import PROJECTS, epub_texts, epubcheck_problems, run

FIXTURES = PROJECTS / "import"
NEWS_TEXT = [
    "The strike began on a Tuesday, when the signal workers at the junction refused to pass "
    "a train carrying troops to the coast.",
    "Nobody had planned it that way.",
    "A strike that spread",
    "By the end of the week the dockers and the tram crews had joined.",
    "We did not ask anybody's permission. We simply would not move the trains.",
    "The demands were simple:",
    "a wage rise of ten shillings a week;",
    "What is a signal box?",
    "Whoever holds it controls the line.",
    "What it won",
    "After nine days the company gave way on wages and on victimisation.",
    "told the story to every new starter on the line.",
]
NEWS_BOILERPLATE = ["cookies", "Subscribe today", "Share on", "Email this article",
                    "Maria Lopez writes", "newsletter", "Sign up", "Donate", "Related articles",
                    "dock strike of 1889", "Comments", "grandfather", "fake news",
                    "All rights reserved", "Privacy policy", "Labour history"]


def words(text: str) -> list[str]:
    """The words of ``text``, as a reader would compare them."""
    return re.findall(r"\w+", text.replace("’", "'").lower())


def contains(text: str, passage: str) -> bool:
    """Whether ``passage``'s words come in ``text``'s word sequence, in order."""
    return " ".join(words(passage)) in " ".join(words(text))


def imported(root: Path, *args: str | Path) -> tuple[dict, str, str]:
    """Import into ``root``: the new part's front matter and body, and the output."""
    before = set((root / "manuscript").glob("*.md"))
    result = run("import", *args, "-C", root)
    assert result.exit_code == 0, result.output + result.stderr
    (part,) = set((root / "manuscript").glob("*.md")) - before
    text = part.read_text(encoding="utf-8")
    front, body = re.match(r"---\n(.*?)\n---\n(.*)", text, re.S).groups()
    return yaml.safe_load(front), body.lstrip("\n"), result.output + result.stderr


def builds_clean(root: Path) -> Path:
    """Build ``root``; its EPUB (EPUBCheck 0/0). ``check`` finds nothing in the imported
    parts but what is about their pictures (to come, small, or described by nobody)."""
    findings = [line for line in run("check", "-C", root).output.splitlines()
                if re.match(r"manuscript/(0[3-9]|01-the)", line)]
    about_pictures = ("does not exist yet", "dpi, below", "has no description")
    assert all(any(p in line for p in about_pictures) for line in findings), findings
    result = run("build", "-C", root, "--no-cache")
    assert result.exit_code == 0, result.stderr
    epub = next((root / "build").glob("*.epub"))
    assert epubcheck_problems(epub) == []
    return epub


def test_a_news_page_becomes_the_article_without_the_page(project) -> None:
    root = project()
    front, body, output = imported(root, FIXTURES / "news.html")
    assert front == {
        "title": "When the railway workers stopped the line", "creators": ["Maria Lopez"],
        "date": "2023-03-14",
        "source": "The Morning Worker, https://news.example.org/2023/03/railway-strike",
        "standfirst": "In the winter of 1920 a strike on the railways showed how much power "
                      "sits in a signal box."}
    for passage in NEWS_TEXT:
        assert contains(body, passage), passage
    for furniture in NEWS_BOILERPLATE:
        assert furniture.lower() not in body.lower(), furniture
    assert "## A strike that spread" in body and "*dockers*" in body
    assert "[a revolt against the nation](https://archive.example.org/papers/1920)" in body
    assert "::: pullquote\nWe simply would not move the trains.\n:::" in body
    assert "::: aside\n**What is a signal box?**" in body
    assert '![Workers standing on the tracks beside a signal box](../images/signal-workers-' \
           'at-the-junction-on-the-first-morning-of-the.jpg "Signal workers at the junction ' \
           'on the first morning of the strike")' in body
    assert "2 pictures (0 in images/, 2 to come)" in output  # not the counting pixel
    assert "count.example.net" not in output and "94acecdf" not in body
    assert "decided for themselves →." in body and "loading" not in body  # emoji, spinner
    assert not re.search(r"\\\n\n", body)  # no line break ending a paragraph: "\"
    assert (root / "manuscript" / "pamphlet.yaml").read_text().endswith(
        "  - 02-second.md\n  - 03-when-the-railway-workers-stopped-the-line.md\n")
    epub = builds_clean(root)
    text = epub_texts(epub)["EPUB/03-when-the-railway-workers-stopped-the-line.xhtml"]
    # Spaces made plain: epub_texts joins an element's pieces (the caption's last words
    # are a span of their own) with a space.
    assert "Signal workers at the junction on the first morning of the strike" in \
        " ".join(text.split())


def test_an_archive_page_keeps_its_endnotes_as_notes(project) -> None:
    root = project()
    front, body, output = imported(root, FIXTURES / "archive.html")
    assert front == {"title": "The Tasks of the Proletariat in the Present Revolution",
                     "creators": ["V. I. Lenin"],
                     "source": "Pravda No. 26, April 7, 1917. Signed: N. Lenin."}
    assert body.startswith("I did not arrive in Petrograd")
    assert "insufficient preparation.[^1]" in body and "poorest sections of the peasants.[^2]" \
        in body
    assert body.rstrip().endswith(
        "[^1]: The meeting was held in the Taurida Palace on April 4 (17), 1917.—*Ed.*\n\n"
        "[^2]: See the article “Letters on Tactics” in this volume.—*Ed.*")
    for furniture in ("Internet Archive", "Works Index", "Top of page", "Transcription",
                      "Notes\n", "[1]", "---"):
        assert furniture not in body, furniture
    assert "2 notes" in output
    builds_clean(root)


def test_a_magazine_table_and_quotation_keep_their_form(project) -> None:
    root = project()
    front, body, _ = imported(root, FIXTURES / "magazine.html", "--after", "01-first.md")
    assert front["source"] == "Labour Review, Issue 41, Spring 2024"
    assert front["date"] == "2024"  # what the page says, not a day it does not
    assert "| Trade | January | October |\n| --- | --- | --- |\n| Metalworker | 3.50 | 11.00 |\n" \
        "| Textile worker |" in body  # the empty row left out
    assert not re.search(r"^#+ *$", body, re.M)  # nor the empty heading
    assert "> Every rouble we win at the bench" in body and ">\n> The question is" in body
    for furniture in ("Share this", "Related", "Subscribe", "Back issues", "Posted by",
                      "Collective", "Series index"):
        assert furniture not in body, furniture
    config = (root / "manuscript" / "pamphlet.yaml").read_text()
    assert "  - 01-first.md\n  - 03-what-the-wage-tables-tell-us.md\n  - 02-second.md" \
        in config
    builds_clean(root)


def jpeg(width: int = 600, height: int = 400, colour: str = "darkred") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="JPEG")
    return out.getvalue()


def test_a_saved_page_brings_its_pictures(project, tmp_path: Path) -> None:
    root = project()
    saved = tmp_path / "saved"
    (saved / "news_files").mkdir(parents=True)
    page = (FIXTURES / "news.html").read_text().replace(
        "https://news.example.org/media/junction.jpg", "news_files/junction.jpg").replace(
        "https://news.example.org/media/meeting.jpg", "news_files/../../outside.jpg").replace(
        'src="news_files/junction.jpg"',  # loaded as the reader scrolls
        'src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="news_files/junction.jpg"')
    (saved / "news.html").write_text(page)
    (saved / "news_files" / "junction.jpg").write_bytes(jpeg())
    (tmp_path / "outside.jpg").write_bytes(jpeg())
    _, _, output = imported(root, saved / "news.html")
    copied = root / "images" / "signal-workers-at-the-junction-on-the-first-morning-of-the.jpg"
    assert copied.read_bytes() == (saved / "news_files" / "junction.jpg").read_bytes()
    assert "2 pictures (1 in images/, 1 to come)" in output
    assert "is not in the saved page's folder" in output  # nothing read from elsewhere
    assert not (root / "images" / "the-mass-meeting-that-voted-to-return-to-work.jpg").exists()
    builds_clean(root)


def word_file(path: Path) -> None:
    """A Word file with a title, headings, a footnote, a table and a picture."""
    import docx
    from docx.shared import Cm

    document = docx.Document()
    document.core_properties.title = "Minutes of the strike committee"
    document.core_properties.author = "Jo Smith"
    document.add_heading("Minutes of the strike committee", 0)
    document.add_heading("Present", 1)
    paragraph = document.add_paragraph("The committee met at the ")
    paragraph.add_run("Red Lion").italic = True
    paragraph.add_run(" on Friday.")
    marker = paragraph.add_run()
    marker._r.append(marker._r.makeelement(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}footnoteReference",
        {"{http://schemas.openxmlformats.org/wordprocessingml/2006/main}id": "1"}))
    document.add_heading("Votes", 1)
    table = document.add_table(rows=3, cols=2)
    for row, cells in enumerate([("Depot", "Votes"), ("North", "120"), ("South", "85")]):
        for column, text in enumerate(cells):
            table.cell(row, column).text = text
    picture = io.BytesIO(jpeg(300, 200, "navy"))
    document.add_picture(picture, width=Cm(5))
    document.add_paragraph("The strike continues until the demands are met.")
    document.save(path)
    _add_footnote(path, "In the back room, by kind permission of the landlord.")


def _add_footnote(path: Path, text: str) -> None:
    """Give the Word file ``path`` the footnote its body refers to (python-docx writes no
    footnotes)."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    notes = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             f'<w:footnotes xmlns:w="{w}">'
             f'<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
             f'</w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
             f'<w:continuationSeparator/></w:r></w:p></w:footnote>'
             f'<w:footnote w:id="1"><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:footnote>'
             f'</w:footnotes>')
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["word/footnotes.xml"] = notes.encode()
    parts["word/_rels/document.xml.rels"] = parts["word/_rels/document.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdNotes" Type="http://schemas.openxml'
        b'formats.org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/>'
        b"</Relationships>")
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/word/footnotes.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>')
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_a_word_file_keeps_headings_notes_tables_and_pictures(project, tmp_path) -> None:
    root = project()
    word_file(tmp_path / "minutes.docx")
    front, body, output = imported(root, tmp_path / "minutes.docx")
    assert front == {"title": "Minutes of the strike committee", "creators": ["Jo Smith"]}
    assert body.startswith("## Present\n\nThe committee met at the *Red Lion* on Friday.[^1]")
    assert "## Votes" in body and "| Depot | Votes |\n| --- | --- |\n| North | 120 |" in body
    assert "[^1]: In the back room, by kind permission of the landlord." in body
    (picture,) = (root / "images").glob("word-picture-1*")
    assert picture.suffix == ".jpg" and f"](../images/{picture.name})" in body
    assert contains(body, "The strike continues until the demands are met.")
    assert "1 note, 1 picture (1 in images/, 0 to come)" in output
    builds_clean(root)


@pytest.mark.parametrize(("encoding", "head"), [
    ("utf-8", ""),  # no <meta charset>: the server said so, and the saved page forgot
    ("cp1252", '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'),
    ("utf-16", '<meta charset="utf-16">'),
])
def test_a_page_is_read_in_its_own_encoding(project, tmp_path, encoding: str,
                                            head: str) -> None:
    words = "Die Straße gehört uns — we’re “not” leaving, sagt Jürgen."
    page = tmp_path / "page.html"
    page.write_bytes(f"<html><head>{head}<title>Straße</title></head><body><article>"
                     f"<h1>Straße</h1><p>{words} {words}</p><p>{words}</p></article>"
                     "</body></html>".encode(encoding))
    front, body, _ = imported(project(), page)
    assert front["title"] == "Straße"
    assert body.count(words) == 3, body


def test_markdown_and_text_files_become_parts(project, tmp_path) -> None:
    root = project()
    (tmp_path / "notes.md").write_text("# Branch notes\n\nWe met on *Tuesday*.\n")
    (tmp_path / "leaflet.txt").write_text(
        "All out on Friday\n\nBring a friend * and a banner [red].\n\n# not a heading\n")
    front, body, _ = imported(root, tmp_path / "notes.md")
    assert front == {"title": "Branch notes"} and body.strip() == "We met on *Tuesday*."
    front, body, _ = imported(root, tmp_path / "leaflet.txt")
    assert front == {"title": "All out on Friday"}
    assert body.strip() == "Bring a friend \\* and a banner \\[red\\].\n\n\\# not a heading"
    text = " ".join(epub_texts(builds_clean(root)).values())
    assert "Bring a friend * and a banner [red]." in text and "# not a heading" in text


def test_the_rest_of_pamphlet_yaml_is_kept_byte_for_byte(project) -> None:
    root = project()
    config = root / "manuscript" / "pamphlet.yaml"
    original = config.read_text().replace("contents:\n", "# the parts, in order\ncontents:  # !\n"
                                          ).replace("  - 01-first.md", "  - '01-first.md'  # one")
    config.write_text(original)
    imported(root, FIXTURES / "magazine.html", "--after", "01-first.md")
    added = "  - 03-what-the-wage-tables-tell-us.md\n"
    assert config.read_text() == original.replace("  # one\n", "  # one\n" + added, 1)


def test_an_import_never_replaces_a_file(project) -> None:
    root = project()
    result = run("import", FIXTURES / "magazine.html", "--as", "02-second.md", "-C", root)
    assert result.exit_code == 1
    assert "manuscript/02-second.md already exists" in result.stderr
    result = run("import", FIXTURES / "news.html", "--after", "09-none.md", "-C", root)
    assert result.exit_code == 1 and "--after 09-none.md: no such part" in result.stderr
    assert sorted(p.name for p in (root / "manuscript").iterdir()) == [
        "01-first.md", "02-second.md", "pamphlet.yaml"]


def test_pamphlet_yaml_is_read_as_the_build_reads_it(project) -> None:
    """Aliases that would stand for a million values are refused, as in a build."""
    root = project()
    config = root / "manuscript" / "pamphlet.yaml"
    levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'] + [
        f"{n}: &{n} [" + ",".join([f"*{m}"] * 10) + "]"
        for m, n in zip("abcde", "bcdef", strict=True)]
    config.write_text(config.read_text() + "\n".join(levels) + "\n")
    result = run("import", FIXTURES / "news.html", "-C", root)
    assert result.exit_code == 1 and "stand for more than 10,000 values" in result.stderr


def test_an_unknown_source_is_a_user_error(project, tmp_path) -> None:
    root = project()
    (tmp_path / "slides.pptx").write_bytes(b"PK")
    (tmp_path / "empty.html").write_bytes(b"")
    for source, message in ((tmp_path / "empty.html", "is not a web page with any text"),
                            (tmp_path / "missing.html", "is not a file or a web address"),
                            (tmp_path / "slides.pptx", "is a .pptx file"),
                            ("ftp://example.org/a.html", "is not a file or a web address")):
        result = run("import", source, "-C", root)
        assert result.exit_code == 1 and message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


class _Site(http.server.SimpleHTTPRequestHandler):
    """The news page and its pictures, a redirect away, and an over-size picture."""

    def do_GET(self) -> None:
        if self.path == "/elsewhere":
            self.send_response(302)
            self.send_header("Location", "http://example.invalid/page.html")
            self.end_headers()
            return
        pages = {"/2023/03/railway-strike": (FIXTURES / "news.html").read_bytes().replace(
            b"https://news.example.org/media/", b"/media/").replace(
            b"/media/meeting.jpg", b"/media/huge.jpg"),
            "/media/junction.jpg": jpeg(), "/media/huge.jpg": jpeg(2000, 1500) + b"\0" * 2**16}
        data = pages.get(self.path)
        if data is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html" if "media" not in self.path
                         else "image/jpeg")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_web_address_is_fetched_with_its_pictures(project, site, monkeypatch) -> None:
    from pressrun.importer import fetch

    monkeypatch.setattr(fetch, "PICTURE_LIMIT", 2**16)
    root = project()
    front, body, output = imported(root, f"{site}/2023/03/railway-strike", "--allow-local")
    assert front["source"] == f"The Morning Worker, {site}/2023/03/railway-strike"
    assert (root / "images" / "signal-workers-at-the-junction-on-the-first-morning-of-the.jpg"
            ).read_bytes() == jpeg()
    assert "is larger than 0 MB" in output  # the over-size picture is left to come
    assert "the-mass-meeting-that-voted-to-return-to-work.jpg" in body
    builds_clean(root)


def test_the_network_is_refused_where_it_should_be(project, site) -> None:
    root = project()
    result = run("import", f"{site}/2023/03/railway-strike", "-C", root)
    assert result.exit_code == 1 and "leads to a private or local address" in result.stderr
    result = run("import", f"{site}/elsewhere", "--allow-local", "-C", root)
    assert result.exit_code == 1 and "redirects to another site" in result.stderr
    assert not list((root / "manuscript").glob("03-*"))


def test_new_makes_a_project_from_an_article(tmp_path) -> None:
    target = tmp_path / "lenin"
    result = run("new", target, "--from", FIXTURES / "archive.html")
    assert result.exit_code == 0, result.output + result.stderr
    config = yaml.safe_load((target / "manuscript" / "pamphlet.yaml").read_text())
    assert config["title"] == "The Tasks of the Proletariat in the Present Revolution"
    assert config["language"] == "en"
    assert config["contents"] == ["01-the-tasks-of-the-proletariat-in-the-present.md"]
    builds_clean(target)


def test_the_bundled_source_article_imports_whole(project, tmp_path) -> None:
    """The captured article the repository's pamphlet was made from, as a text file."""
    source = PROJECTS.parents[2] / "shared" / "source" / "how-workers-won-in-1917.txt"
    if not source.is_file():
        pytest.skip("../shared/source is not present")
    copy = tmp_path / "article.txt"
    shutil.copy(source, copy)
    front, body, _ = imported(project(), copy)
    for line in source.read_text(encoding="utf-8").splitlines():
        assert contains(front["title"] + "\n" + body, line), line
