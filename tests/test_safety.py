"""Safe, reproducible, unbreakable builds: the sandbox, atomic outputs, identical bytes."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from conftest import CORPUS, epubcheck_problems, run

SECRET = "TOPSECRET-7d1f2a"


def tree(folder: Path, skip: str = "build") -> dict[str, str]:
    """Every file below ``folder`` (but ``skip``) with a hash of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and p.relative_to(folder).parts[0] != skip}


@pytest.fixture
def hostile(project, tmp_path: Path):
    """A project, and a secret file outside it that a manuscript must never reach."""
    root = project()
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    return root, secret


def assert_refused(root: Path, command: str, expected: str) -> None:
    result = run(command, "-C", root)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.stderr
    assert expected in result.stderr, result.stderr
    outputs = list((root / "build").glob("*")) if (root / "build").exists() else []
    for output in outputs:
        assert SECRET.encode() not in output.read_bytes()
    assert outputs == []


def test_stylesheet_url_to_a_file_outside_is_refused(hostile) -> None:
    root, secret = hostile
    (root / "styles").mkdir()
    (root / "styles" / "common.css").write_text(
        f"p {{ color: red; }}\nbody {{ background: url('file://{secret}'); }}\n")
    assert_refused(root, "pdf", f"error: styles/common.css:2: 'file://{secret}' is not a file "
                                "of the project")


@pytest.mark.parametrize("reference", ["../../secret.txt", "%2e%2e/%2e%2e/secret.txt"])
def test_stylesheet_import_escaping_the_project_is_refused(hostile, reference: str) -> None:
    root, _ = hostile
    (root / "styles").mkdir()
    (root / "styles" / "print.css").write_text(f'@import "{reference}";\n')
    assert_refused(root, "pdf", f"error: styles/print.css:1: '{reference}' is outside the "
                                "project")


def test_stylesheet_network_url_is_refused(hostile) -> None:
    root, _ = hostile
    (root / "styles").mkdir()
    (root / "styles" / "epub.css").write_text("h1 { background: url(https://example.org/x.png) }")
    assert_refused(root, "epub", "error: styles/epub.css:1: 'https://example.org/x.png' is not "
                                 "a file of the project")


def test_symlinked_picture_pointing_outside_is_refused(hostile) -> None:
    root, secret = hostile
    (root / "images" / "red-star.png").unlink()
    (root / "images" / "red-star.png").symlink_to(secret)
    assert_refused(root, "pdf", "error: manuscript/01-first.md:9: picture "
                                "'../images/red-star.png' is outside the project")


def test_symlinked_stylesheet_pointing_outside_is_refused(hostile) -> None:
    root, secret = hostile
    (root / "styles").mkdir()
    outside = secret.parent / "evil.css"
    outside.write_text(f"body {{ background: url('file://{secret}'); }}")
    (root / "styles" / "common.css").symlink_to(outside)
    result = run("pdf", "-C", root)
    assert result.exit_code == 1
    assert "outside the project" in result.stderr or "is not a file of the project" in \
        result.stderr


def test_picture_linked_to_a_device_is_refused(project) -> None:
    root = project()
    (root / "images" / "red-star.png").unlink()
    (root / "images" / "red-star.png").symlink_to("/dev/urandom")
    result = run("pdf", "-C", root)
    assert result.exit_code == 1
    assert "error: manuscript/01-first.md:9: picture" in result.stderr


def test_markdown_cannot_reach_files_with_raw_html(project) -> None:
    root = project()
    part = root / "manuscript" / "01-first.md"
    part.write_text(part.read_text() + '\n<link rel="attachment" href="file:///etc/passwd">\n'
                    '<img src="file:///etc/passwd">\n')
    result = run("build", "-C", root)
    assert result.exit_code == 0
    assert "raw HTML" in result.stderr
    from pypdf import PdfReader

    pdf = root / "build" / "a-minimal-pamphlet.pdf"
    reader = PdfReader(pdf)
    assert "/EmbeddedFiles" not in (reader.trailer["/Root"].get("/Names") or {})
    assert b"root:x:0:0" not in uncompressed(pdf, root / "qdf.pdf")


def uncompressed(pdf: Path, scratch: Path) -> bytes:
    """The PDF with every stream decompressed (qpdf --qdf), to search its bytes."""
    if shutil.which("qpdf"):
        subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(pdf), str(scratch)],
                       check=True)
        return scratch.read_bytes()
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    return b"".join(page.get_contents().get_data() for page in reader.pages)


@pytest.mark.skipif(not shutil.which("pdfdetach"), reason="pdfdetach (poppler-utils) missing")
def test_pdf_has_no_attachments(project) -> None:
    root = project()
    assert run("pdf", "-C", root).exit_code == 0
    listing = subprocess.run(["pdfdetach", "-list", str(root / "build/a-minimal-pamphlet.pdf")],
                             capture_output=True, text=True, check=True).stdout
    assert listing.startswith("0 embedded files")


def test_epub_has_no_scripts_or_remote_resources(project) -> None:
    import zipfile

    root = project()
    assert run("epub", "-C", root).exit_code == 0
    with zipfile.ZipFile(root / "build" / "a-minimal-pamphlet.epub") as archive:
        for name in archive.namelist():
            data = archive.read(name)
            assert b"<script" not in data, name
        opf = archive.read("EPUB/content.opf")
    assert b"remote-resources" not in opf and b"scripted" not in opf


@pytest.mark.parametrize("case, data, message", [
    ("zero-byte", b"", "is not a readable image"),
    ("truncated", None, "is not a readable image"),
    ("wrong extension", "jpeg", "is a JPEG image with a '.png' name: rename it to 'red-star.jpg'"),
    ("bomb", "bomb", "is too large to be an image"),
])
def test_bad_pictures_give_one_line_naming_the_file(project, case: str, data, message) -> None:
    root = project()
    picture = root / "images" / "red-star.png"
    if data == "jpeg":
        Image.new("RGB", (30, 20), "red").save(picture, format="JPEG")
    elif data == "bomb":
        Image.new("1", (1, 1)).save(picture)  # then claim a huge size in the header
        import zlib

        raw = bytearray(picture.read_bytes())
        raw[16:24] = (40000).to_bytes(4, "big") * 2
        raw[29:33] = zlib.crc32(bytes(raw[12:29])).to_bytes(4, "big")  # IHDR's checksum
        picture.write_bytes(bytes(raw))
    elif data is None:
        picture.write_bytes(picture.read_bytes()[:200])
    else:
        picture.write_bytes(data)
    result = run("epub", "-C", root)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: manuscript/01-first.md:9: picture 'images/red-star.png' ")
    assert message in lines[0]


def test_svg_referring_to_other_files_is_refused(project) -> None:
    root = project()
    (root / "images" / "drawing.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'viewBox="0 0 10 10"><image xlink:href="file:///etc/passwd" width="10" height="10"/>'
        "</svg>")
    part = root / "manuscript" / "01-first.md"
    part.write_text(part.read_text().replace("../images/red-star.png", "../images/drawing.svg"))
    result = run("epub", "-C", root)
    assert result.exit_code == 1
    assert "picture 'images/drawing.svg' refers to another file" in result.stderr


COMMANDS = [("pdf",), ("epub",), ("html",), ("build",),
            ("pdf", "--booklet", "--profile", "grayscale")]


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_commands_write_only_into_build(project, command: tuple[str, ...]) -> None:
    root = project()
    before = tree(root)
    assert run(*command, "-C", root).exit_code == 0
    assert tree(root) == before
    assert all(p.suffix in (".pdf", ".epub", ".html") for p in (root / "build").iterdir()
               if p.name != ".cache")
    cache = root / "build" / ".cache"
    assert all(p.suffix == ".json" for p in cache.iterdir() if p.name not in ("screen", "parts")), \
        "the build cache holds stamps, the parts as read (see reread)"
    assert all(p.suffix == ".entry" for p in cache.glob("screen/*")), \
        "and the pictures converted for the EPUB (see screencache)"


def _pressrun(*args: str | Path, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pressrun", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})


def test_builds_running_at_once_leave_valid_outputs(project) -> None:
    from pypdf import PdfReader

    root = project()
    builds = [_pressrun("build", "-C", root) for _ in range(2)]
    for build in builds:
        _, err = build.communicate(timeout=300)
        assert build.returncode == 0, err
    assert len(PdfReader(root / "build" / "a-minimal-pamphlet.pdf").pages) >= 4
    assert epubcheck_problems(root / "build" / "a-minimal-pamphlet.epub") == []
    assert sorted(p.name for p in (root / "build").iterdir() if p.name != ".cache") == [
        "a-minimal-pamphlet.epub", "a-minimal-pamphlet.pdf"]
    cache = root / "build" / ".cache"
    assert sorted(p.suffix or p.name for p in cache.iterdir() if p.name != "screen") == \
        [".json", "parts"]
    assert [p.suffix for p in (cache / "screen").iterdir()] == [".entry"], \
        "one converted picture, no temporary file"


def test_interrupted_build_keeps_the_previous_output(tmp_path: Path) -> None:
    if not (CORPUS / "ten-days-that-shook-the-world").is_dir():
        pytest.skip("corpus not present")
    out = tmp_path / "ten-days.pdf"
    out.write_bytes(b"%PDF previous good build")
    build = _pressrun("pdf", "-C", CORPUS / "ten-days-that-shook-the-world", "-o", out)
    time.sleep(4)  # well into the layout
    build.send_signal(signal.SIGTERM)
    _, err = build.communicate(timeout=120)
    assert build.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert out.read_bytes() == b"%PDF previous good build"
    assert [p.name for p in tmp_path.iterdir()] == ["ten-days.pdf"]


def test_rebuilds_are_byte_identical_in_any_folder_and_hash_seed(project, tmp_path: Path) -> None:
    first = project()
    second = tmp_path / "elsewhere" / "copy"
    shutil.copytree(first, second)
    outputs = []
    for root, seed in ((first, "1"), (second, "2"), (first, "3")):
        build = _pressrun("build", "-C", root, "-o", tmp_path / f"out-{seed}",
                          env={"PYTHONHASHSEED": seed})
        _, err = build.communicate(timeout=300)
        assert build.returncode == 0, err
        outputs.append({p.name: p.read_bytes() for p in (tmp_path / f"out-{seed}").iterdir()})
    assert outputs[0] == outputs[1] == outputs[2]
    assert str(first).encode() not in outputs[0]["a-minimal-pamphlet.pdf"]


def test_source_date_epoch_sets_the_recorded_date(project, tmp_path: Path) -> None:
    import zipfile

    root = project()
    build = _pressrun("epub", "-C", root, "-o", tmp_path / "x.epub",
                      env={"SOURCE_DATE_EPOCH": "1509000000"})
    assert build.wait(timeout=300) == 0
    with zipfile.ZipFile(tmp_path / "x.epub") as archive:
        assert b"<meta property=\"dcterms:modified\">2017-10-26T06:40:00Z</meta>" in \
            archive.read("EPUB/content.opf")
        assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
