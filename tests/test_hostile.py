"""A stranger's project is safe to build: links out, templates that try to run code,
scripted SVGs, URL-bearing CSS, build folders leading elsewhere, devices as outputs,
unsafe links and escape sequences. Each attack is a one-line error (or, where nothing
is lost by it, a warning) and nothing of the target reaches any output."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import epubcheck_problems, run

CANARY = "CANARY-4b9e1c"


@pytest.fixture
def stranger(project, tmp_path: Path) -> tuple[Path, Path]:
    """A project, and a file outside it that must never be read."""
    root = project()
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text(f"{CANARY}\n", encoding="utf-8")
    return root, secret


def outputs_hold_no_canary(root: Path) -> None:
    """No byte of the canary in any output: unzipped EPUB, decompressed PDF, attachments
    (a build folder that is a link is the test's own to look into)."""
    if (root / "build").is_symlink():
        return
    for path in (root / "build").rglob("*") if (root / "build").exists() else ():
        if not path.is_file():
            continue
        data = path.read_bytes()
        assert CANARY.encode() not in data, path
        if path.suffix == ".epub":
            with zipfile.ZipFile(path) as book:
                assert all(CANARY.encode() not in book.read(n) for n in book.namelist())
        if path.suffix == ".pdf":
            from pypdf import PdfReader

            reader = PdfReader(path)
            assert all(CANARY not in (page.extract_text() or "") for page in reader.pages)
            assert not reader.attachments


def refused(root: Path, *args: str, expected: str) -> None:
    result = run(*args, "-C", root)
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {expected}"), result.stderr
    outputs_hold_no_canary(root)


@pytest.mark.parametrize("name", ["epub.css", "common.css", "print.css", "part.xhtml",
                                  "_macros.html", "locales/en.yaml"])
def test_a_theme_file_linked_outside_is_refused(stranger, name: str) -> None:
    root, secret = stranger
    link = root / "styles" / name
    link.parent.mkdir(parents=True)
    link.symlink_to(secret)
    refused(root, "build", expected=f"styles/{name}: is a link to a file outside the project")


def test_a_template_cannot_run_code(stranger, tmp_path: Path) -> None:
    root, _ = stranger
    touched = tmp_path / "PWNED"
    (root / "styles").mkdir()
    macros = (root / "styles" / "_macros.html")
    from pressrun.project import DEFAULT_THEME

    macros.write_text((DEFAULT_THEME / "_macros.html").read_text().replace(
        '<h1 class="title">', "{{ cycler.__init__.__globals__.os.popen('touch "
        f"{touched}').read() }}}}<h1 class=\"title\">"), encoding="utf-8")
    refused(root, "build", expected="styles/_macros.html:20: template error: access to "
                                     "attribute '__init__'")
    assert not touched.exists()


@pytest.mark.parametrize("expression", [
    "''.__class__.__mro__[1].__subclasses__()", "meta.__class__", "ids.part.__globals__",
    "w.part.location.__class__", "cycler.__init__"])
def test_sandboxed_templates_reach_no_internals(project, expression: str) -> None:
    root = project()
    (root / "styles").mkdir()
    (root / "styles" / "part.xhtml").write_text(
        (Path(__file__).parents[1] / "src/pressrun/theme/part.xhtml").read_text()
        .replace('<body class="epub">', f'<body class="epub">{{{{ {expression} }}}}'))
    result = run("epub", "-C", root)
    assert result.exit_code == 1
    assert "templates run in a sandbox" in result.stderr or "template error" in result.stderr


def test_a_template_cannot_reach_the_files_of_pictures(project) -> None:
    root = project()
    (root / "styles").mkdir()
    (root / "styles" / "part.xhtml").write_text(
        "{% for b in part.blocks %}{% if b.image %}{{ b.image.path.read_text() }}{% endif %}"
        "{% endfor %}")
    result = run("epub", "-C", root)
    assert result.exit_code == 1 and "template error" in result.stderr


SVG_HEAD = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50">'


def with_svg(root: Path, svg: str) -> None:
    (root / "images" / "chart.svg").write_text(svg, encoding="utf-8")
    part = root / "manuscript" / "01-first.md"
    part.write_text(part.read_text().replace("../images/red-star.png", "../images/chart.svg"))


def test_scripts_and_foreign_objects_are_left_out_of_svgs(project) -> None:
    root = project()
    with_svg(root, f'{SVG_HEAD[:-1]} onload="alert(1)"><script>alert(2)</script>'
                   '<rect width="10" height="10" fill="red" onclick="x()"/><foreignObject>'
                   '<div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject></svg>')
    result = run("build", "-C", root)
    assert result.exit_code == 0, result.stderr
    assert ("warning: manuscript/01-first.md:9: picture 'images/chart.svg' holds an onload "
            "handler, a <script>, an onclick handler and a <foreignObject>") in result.stderr
    epub = root / "build" / "a-minimal-pamphlet.epub"
    with zipfile.ZipFile(epub) as book:
        svg = book.read("EPUB/images/chart.svg").decode()
    assert "script" not in svg and "onload" not in svg and "foreignObject" not in svg
    assert '<rect width="10" height="10" fill="red"' in svg
    assert epubcheck_problems(epub) == []


@pytest.mark.parametrize("reference", [
    '<rect width="1" height="1" fill="url(http://example.org/x#g)"/>',
    '<rect width="1" height="1" style="filter: url(file:///etc/passwd)"/>',
    '<rect width="1" height="1" mask="url(\'https://example.org/m.svg#m\')"/>',
    '<style>@import "http://example.org/x.css";</style>',
    '<image href="file:///etc/passwd" width="1" height="1"/>'])
def test_svg_references_outside_the_picture_are_errors(project, reference: str) -> None:
    root = project()
    with_svg(root, f"{SVG_HEAD}{reference}</svg>")
    refused(root, "build", expected="manuscript/01-first.md:9: picture 'images/chart.svg' "
                                    "refers to another file")


@pytest.mark.parametrize("value", ['image-set("file:///etc/passwd" 1x)',
                                   '-webkit-image-set("http://example.org/a.png" 1x)',
                                   'image-set(url(http://example.org/a.png) 1x)',
                                   'cross-fade("file:///etc/passwd", "a.png")'])
def test_every_url_bearing_css_function_is_checked(project, value: str) -> None:
    root = project()
    (root / "styles").mkdir()
    (root / "styles" / "epub.css").write_text(f"p {{\n  background: {value};\n}}\n")
    refused(root, "epub", expected="styles/epub.css:2: '")


def test_a_build_folder_leading_out_of_the_project_is_refused(stranger) -> None:
    root, secret = stranger
    elsewhere = secret.parent
    (elsewhere / "a-minimal-pamphlet.pdf").write_text("a stranger's report")
    (root / "build").symlink_to(elsewhere)
    refused(root, "build", expected="refusing to write into build/: it is a link")
    assert (elsewhere / "a-minimal-pamphlet.pdf").read_text() == "a stranger's report"
    assert sorted(p.name for p in elsewhere.iterdir()) == ["a-minimal-pamphlet.pdf",
                                                           "secret.txt"]


def test_a_cache_folder_leading_out_of_the_project_is_refused(stranger) -> None:
    root, secret = stranger
    (root / "build").mkdir()
    (root / "build" / ".cache").symlink_to(secret.parent)
    refused(root, "build", expected="refusing to write into build/.cache/: it is a link")
    assert sorted(p.name for p in secret.parent.iterdir()) == ["secret.txt"]
    assert not (root / "build" / "a-minimal-pamphlet.pdf").exists()


def test_a_cache_folder_that_is_a_loop_of_links_is_refused(project) -> None:
    root = project()
    (root / "build").mkdir()
    (root / "build" / ".cache").symlink_to(".cache")  # resolving it never ends
    checked = run("check", "-C", root)
    assert checked.exit_code == 0 and "0 errors" in checked.output, checked.output
    # Python 3.11 says its links lead round in a loop; from 3.13 the write itself fails.
    refused(root, "build", expected="cannot write build/.cache")


def test_a_named_pipe_is_refused_not_waited_on(project) -> None:
    """Opening a named pipe to read it waits for a writer: the gate opens files without
    waiting and refuses what is not a regular file."""
    root = project()
    (root / "build" / ".cache").mkdir(parents=True)
    os.mkfifo(root / "build" / ".cache" / "parts")

    def pressrun(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pressrun", *args, "-C", str(root)],
                              capture_output=True, text=True, timeout=120)

    checked = pressrun("check")
    assert checked.returncode == 0 and "0 errors" in checked.stdout, checked.stderr
    (root / "styles").mkdir()
    os.mkfifo(root / "styles" / "print.css")
    built = pressrun("pdf")
    assert built.returncode == 1 and built.stderr.startswith(
        "error: styles/print.css: is not a regular file"), built.stderr


@pytest.mark.parametrize("device", ["/dev/null", "/dev/full"])
def test_a_device_is_never_replaced(project, device: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"{device} does not exist here")
    before = os.stat(device)
    result = run("pdf", "-C", project(), "-o", device)
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"error: cannot write {device}: it is not a regular "
                                     "file, and pressrun replaces only files; name a file to "
                                     "write")
    after = os.stat(device)
    assert (after.st_mode, after.st_rdev, after.st_ino) == \
        (before.st_mode, before.st_rdev, before.st_ino)


@pytest.mark.parametrize("href", ["javascript:alert(1)", "file:///etc/passwd",
                                  "data:text/html,hi"])
def test_links_to_unsafe_addresses_are_text_with_a_warning(project, href: str) -> None:
    root = project()
    part = root / "manuscript" / "02-second.md"
    part.write_text(part.read_text() + f"\nSee [the list]({href}) here.\n")
    result = run("epub", "-C", root)
    assert result.exit_code == 0
    assert "is printed as its text only" in result.stderr and href[:20] in result.stderr
    with zipfile.ZipFile(root / "build" / "a-minimal-pamphlet.epub") as book:
        text = book.read("EPUB/02-second.xhtml").decode()
    assert "See the list here." in text and href not in text


@pytest.mark.parametrize("ref", ["javascript:alert(1)", "file:///etc/passwd",
                                 "data:image/png;base64,iVBORw0KGgo="])
def test_pictures_from_unsafe_addresses_are_errors(project, ref: str) -> None:
    root = project()
    part = root / "manuscript" / "02-second.md"
    part.write_text(part.read_text() + f"\n![x]({ref})\n")
    refused(root, "pdf", expected="manuscript/02-second.md:")


def test_escape_sequences_never_reach_the_terminal(project) -> None:
    root = project()
    config = root / "manuscript" / "pamphlet.yaml"
    config.write_text(config.read_text() + '"bad\\e[31mkey\\a": 1\n')
    result = run("build", "-C", root)
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "unknown key 'bad\\x1b[31mkey\\x07'" in result.stderr


def test_no_attack_reads_writes_or_fetches_outside_the_project(stranger) -> None:
    """The whole run, watched from outside: the canary's folder is as it was."""
    root, secret = stranger
    (root / "styles").mkdir()
    (root / "styles" / "epub.css").symlink_to(secret)
    before = sorted(secret.parent.iterdir())
    done = subprocess.run(["python", "-m", "pressrun", "build", "-C", str(root)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert sorted(secret.parent.iterdir()) == before
