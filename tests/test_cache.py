"""The build cache: an unchanged build is skipped; any changed input is rebuilt."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from PIL import Image

from conftest import pdf_text, run, settle

HIT = "nothing changed since the last build"


def build(root: Path, *options: str) -> str:
    result = run("pdf", "-C", root, *options)
    assert result.exit_code == 0, result.output
    return result.output


def test_an_unchanged_build_is_skipped_and_repeats_its_report(project) -> None:
    root = project()
    first = build(root)
    assert HIT not in first
    pdf = root / "build" / "a-minimal-pamphlet.pdf"
    written = pdf.stat().st_mtime_ns
    again = build(root)
    assert HIT in again
    assert again.startswith(first), "the report (what was written, missing art) is repeated"
    assert pdf.stat().st_mtime_ns == written, "nothing was written"
    # Touching every input without changing it is still a hit: content decides.
    for path in (root / "manuscript").iterdir():
        os.utime(path)
    assert HIT in build(root)


def test_changing_one_byte_of_any_input_rebuilds(project) -> None:
    root = project()
    build(root)
    part = root / "manuscript" / "02-second.md"
    part.write_bytes(part.read_bytes().replace(b"A sidebar paragraph", b"A sidebar Paragraph"))
    assert HIT not in build(root)
    picture = root / "images" / "red-star.png"
    with Image.open(picture) as image:
        image = image.convert("RGB")
        image.putpixel((0, 0), (0, 0, 1))  # one pixel, a shade off
        image.save(picture)
    assert HIT not in build(root)
    fonts = root / "styles" / "fonts"
    fonts.mkdir(parents=True)
    (fonts / "Body.ttf").write_bytes(b"\0" * 64)
    assert HIT not in build(root), "a new file in styles/ (a font, a template) is a change"
    assert HIT in build(root)


def test_a_part_saved_again_within_one_tick_of_the_clock_is_rebuilt(project,
                                                                   monkeypatch) -> None:
    """A filesystem keeps a file's time to a tick (FAT: 2 s): a part saved twice within
    one, at the same size, keeps its size and time, which spare hashing it again. So a
    file modified moments before a build is hashed again by the next; once it has
    settled, its size and time are trusted again, and nothing is hashed."""
    from pressrun import cache

    root = project()
    part = root / "manuscript" / "02-second.md"
    part.write_bytes(part.read_bytes().replace(b"A sidebar paragraph", b"A sidebar Paragraph"))
    tick = part.stat().st_mtime_ns
    build(root)
    part.write_bytes(part.read_bytes().replace(b"A sidebar Paragraph", b"A sidebar PARAGRAPH"))
    os.utime(part, ns=(tick, tick))  # saved again within the same tick
    assert HIT not in build(root)
    assert "sidebar PARAGRAPH" in " ".join(" ".join(pdf_text(
        root / "build" / "a-minimal-pamphlet.pdf")).split())
    hashed: list[Path] = []
    real = cache._hash
    monkeypatch.setattr(cache, "_hash", lambda where, path: hashed.append(path)
                        or real(where, path))
    settle(*(path for path in root.rglob("*")
             if path.is_file() and root / "build" not in path.parents))
    assert HIT in build(root) and part in hashed, "its time changed: hashed again"
    hashed.clear()
    assert HIT in build(root) and [path for path in hashed if root in path.parents] == []


def test_a_changed_or_missing_output_is_rebuilt(project) -> None:
    root = project()
    build(root)
    pdf = root / "build" / "a-minimal-pamphlet.pdf"
    pdf.write_bytes(b"not a pdf")
    assert HIT not in build(root)
    assert pdf.read_bytes().startswith(b"%PDF")
    pdf.unlink()
    assert HIT not in build(root)
    assert pdf.exists()


def test_options_are_part_of_the_key_and_no_cache_rebuilds(project, tmp_path: Path) -> None:
    root = project()
    build(root)
    assert HIT not in build(root, "--profile", "grayscale")
    assert HIT in build(root, "--profile", "grayscale")
    assert HIT in build(root)
    assert HIT not in run("--no-cache", "pdf", "-C", root).output
    # An explicit -o is a one-off: never cached.
    assert HIT not in build(root, "-o", tmp_path / "x.pdf")
    assert HIT not in build(root, "-o", tmp_path / "x.pdf")


def test_warnings_are_repeated_from_the_cache(project) -> None:
    root = project()
    part = root / "manuscript" / "01-first.md"
    part.write_text(part.read_text() + "\nSome <b>raw</b> HTML.\n", encoding="utf-8")
    first = run("pdf", "-C", root)
    again = run("pdf", "-C", root)
    assert HIT in again.output
    warnings = [line for line in first.stderr.splitlines() if line.startswith("warning:")]
    assert warnings and warnings == [line for line in again.stderr.splitlines()
                                     if line.startswith("warning:")]


def test_an_unchanged_build_loads_nothing_of_the_project(project) -> None:
    """Finding the outputs up to date is the whole of a no-change rebuild (the pamphlet's
    took 0.26 s, 0.10 s without importing the Markdown, templates and pictures code)."""
    import subprocess
    import sys

    root = project()
    build(root)
    script = ("import sys\nfrom pathlib import Path\nfrom pressrun.build import build\n"
              "build(Path(sys.argv[1]))\n"
              "print(sorted(name for name in sys.modules if name.startswith(("
              "'pressrun.manuscript', 'pressrun.html', 'jinja2', 'markdown_it', 'PIL', "
              "'weasyprint'))))")
    for _ in range(2):  # the first call builds the EPUB too; the second finds both
        done = subprocess.run([sys.executable, "-c", script, str(root)], check=True,
                              capture_output=True, text=True)
    assert done.stdout.strip() == "[]"


def test_a_new_project_s_first_build_does_not_hash_pressrun_again(project,
                                                                  monkeypatch) -> None:
    """pressrun's own files (its fonts: 10 MB) are part of every build's key; hashed by
    one project's first build, another's takes their hashes from the user's cache."""
    from pressrun import cache

    hashed: list[Path] = []
    real = cache._hash
    monkeypatch.setattr(cache, "_hash", lambda where, path: hashed.append(path)
                        or real(where, path))
    root = project()
    build(root)
    hashed.clear()
    shutil.rmtree(root / "build")  # as a new project's first build: no build cache
    build(root)
    assert hashed and not [path for path in hashed if cache.PACKAGE in path.parents]
    # A file of pressrun's whose stats changed is hashed again.
    font = next((cache.PACKAGE / "theme" / "fonts").glob("*.ttf"))
    os.utime(font, ns=(font.stat().st_atime_ns, font.stat().st_mtime_ns + 1))
    try:
        hashed.clear()
        shutil.rmtree(root / "build")
        build(root)
        assert font in hashed
    finally:
        os.utime(font, ns=(font.stat().st_atime_ns, font.stat().st_mtime_ns - 1))


def test_check_after_a_build_reads_again_only_the_part_edited_since(project,
                                                                    monkeypatch) -> None:
    """A build keeps the parts it read in build/.cache/: ``pressrun check`` after it parses
    only what changed (Ten Days: 0.3 s instead of 0.8 s), and finds what a check that
    parses everything finds."""
    from pressrun.manuscript import loader, reread

    monkeypatch.setenv("PRESSRUN_SEQUENTIAL", "1")  # the parts read here, where it is seen
    root = project("study")
    build(root)
    parse, parsed = loader._parse, []
    monkeypatch.setattr(loader, "_parse", lambda project, path, *rest: parsed.append(
        path.name) or parse(project, path, *rest))

    def check() -> str:
        reread.keep({})  # as a new process: nothing read yet
        parsed.clear()
        result = run("check", "-C", root)
        assert result.exit_code == 0, result.output
        return result.output

    assert "0 errors, 1 warning" in check() and parsed == []
    with (root / "manuscript" / "02-guards.md").open("a", encoding="utf-8") as part:
        part.write("\n[^spare]: A note nothing refers to.\n")
    edited = check()
    assert parsed == ["02-guards.md"] and "footnote [^spare] is defined" in edited
    assert check() == edited and parsed == ["02-guards.md"], "saved just now: read again"
    settle(root / "manuscript" / "02-guards.md")
    check()
    assert check() == edited and parsed == []
    (root / "build" / ".cache" / "parts").unlink()
    assert check() == edited and len(parsed) == 3
    monkeypatch.setattr(reread, "_code", lambda: "another pressrun")
    assert check() == edited and len(parsed) == 3, "parts another pressrun kept are not used"


def test_a_parts_file_not_signed_by_its_user_is_never_unpickled(project, tmp_path) -> None:
    """build/.cache/parts is a pickle: one a project ships (or another user wrote) could
    run code when read, so a file without this user's signature is not read."""
    import pickle

    ran = tmp_path / "ran"

    class Attack:
        def __reduce__(self) -> tuple[object, ...]:
            return open, (str(ran), "w")

    root = project()
    kept = root / "build" / ".cache" / "parts"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(bytes(32) + pickle.dumps(Attack()))
    result = run("check", "-C", root)
    assert result.exit_code == 0, result.output
    assert not ran.exists()
    assert kept.read_bytes()[32:] != pickle.dumps(Attack()), "replaced by this run's parts"


def test_check_makes_no_build_folder_and_a_no_cache_build_keeps_no_parts(project) -> None:
    root = project()
    assert run("check", "-C", root).exit_code == 0
    assert not (root / "build").exists()
    build(root, "--no-cache")
    assert (root / "build" / "a-minimal-pamphlet.pdf").exists()
    assert not (root / "build" / ".cache" / "parts").exists()
    build(root)
    assert (root / "build" / ".cache" / "parts").exists()
