"""The build as a library: a Python caller builds a pamphlet with ``pressrun.build``, adds a
format through the registry, and changes the fixed words through ``styles/locales/``."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import click
import pytest

from conftest import epub_texts, pdf_text, run
from pressrun.build import FORMATS, Output, Request, Run, build


def test_a_project_builds_through_the_library_without_click(project, monkeypatch) -> None:
    root = project()
    monkeypatch.delitem(sys.modules, "pressrun.cli", raising=False)
    seen = []
    original = FORMATS.copy()

    class Watching:
        """Records whether a click context exists while the real formats write."""

        name = "pdf"

        def outputs(self, run: Run, folder: bool) -> list[Output]:
            seen.append(click.get_current_context(silent=True))
            return original_pdf.outputs(run, folder)

    from pressrun.build import format_named

    original_pdf = format_named("pdf")
    monkeypatch.setitem(FORMATS, "pdf", Watching())
    monkeypatch.setenv("PRESSRUN_SEQUENTIAL", "1")  # the PDF written here, where it is seen
    result = build(root, Request(formats=("pdf", "epub")))
    assert seen == [None]
    assert "pressrun.cli" not in sys.modules
    assert [item.kind for item in result.written] == ["pdf", "epub"]
    pdf, epub = (item.path for item in result.written)
    assert pdf == root / "build" / "a-minimal-pamphlet.pdf"
    assert pdf.read_bytes().startswith(b"%PDF") and zipfile.is_zipfile(epub)
    assert result.missing_art == (("images/not-yet.jpg", "manuscript/02-second.md:10"),)
    assert not result.cached
    again = build(root, Request(formats=("pdf", "epub")))
    assert again.cached and again.written == result.written
    assert FORMATS.keys() == original.keys()


class PlainText:
    """A toy third format: each part's title and plain text, one after another."""

    name = "txt"

    def outputs(self, run: Run, folder: bool) -> list[Output]:
        text = "\n\n".join(part.title + "\n\n" + "\n".join(block.plain_text
                                                           for block in part.blocks)
                           for part in run.pamphlet.parts)
        target = run.target(f"{run.pamphlet.slug}.txt", folder)
        return [Output(target, "txt", text.encode("utf-8"))]


def test_a_new_format_is_one_registry_entry(project, monkeypatch) -> None:
    root = project()
    monkeypatch.setitem(FORMATS, "txt", PlainText())
    result = build(root, Request(formats=("txt", "pdf"), output=root / "out"))
    text = (root / "out" / "a-minimal-pamphlet.txt").read_text(encoding="utf-8")
    assert text.startswith("The first part\n\n")
    assert [item.kind for item in result.written] == ["txt", "pdf"]
    assert (root / "out" / "a-minimal-pamphlet.pdf").is_file()


def test_an_unknown_format_is_a_user_error(project) -> None:
    from pressrun.problems import PressrunError

    with pytest.raises(PressrunError, match="unknown output format 'odt'"):
        build(project(), Request(formats=("odt",)))


def test_styles_locales_override_the_fixed_words_in_both_formats(project) -> None:
    root = project("study")
    (root / "styles" / "locales").mkdir(parents=True)
    (root / "styles" / "locales" / "en.yaml").write_text(
        "containers:\n  questions: Talk it over\nglossary: Words to know\n", encoding="utf-8")
    config = root / "manuscript" / "pamphlet.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("questions: end",
                                                                 "questions: inline"),
                      encoding="utf-8")
    result = build(root, Request(cache=False))
    pdf, epub = (item.path for item in result.written)
    printed = "\n".join(pdf_text(pdf)).casefold()  # the theme sets box headings in capitals
    shown = "\n".join(epub_texts(epub).values()).casefold()
    for text in (printed, shown):
        assert "talk it over" in text and "for discussion" not in text
        assert "words to know" in text


def test_a_broken_word_table_is_a_one_line_error(project) -> None:
    root = project()
    (root / "styles" / "locales").mkdir(parents=True)
    (root / "styles" / "locales" / "en.yaml").write_text("- a list\n", encoding="utf-8")
    result = run("pdf", "-C", root)
    assert result.exit_code == 1
    assert result.stderr.strip() == ("error: styles/locales/en.yaml: must be 'key: words' lines "
                                     "(see pressrun's theme/locales/en.yaml)")


@pytest.mark.parametrize("args", [
    ("-C", "{root}", "build"), ("build", "-C", "{root}"),
    ("-q", "build", "-C", "{root}"), ("build", "-q", "-C", "{root}"),
    ("-C", "{root}", "-q", "build", "--no-cache"), ("--no-cache", "build", "-C", "{root}", "-q"),
], ids=["C-before", "C-after", "q-before", "q-after", "mixed", "no-cache-before"])
def test_global_options_work_before_or_after_the_command(project, args) -> None:
    root = project()
    first = run(*[str(a).format(root=root) for a in args])
    assert first.exit_code == 0, first.output
    assert (root / "build" / "a-minimal-pamphlet.pdf").is_file()
    assert (root / "build" / "a-minimal-pamphlet.epub").is_file()
    quiet = "-q" in args
    assert (first.stdout == "") == quiet, first.stdout
    again = run(*[str(a).format(root=root) for a in args])
    cached = "nothing changed since the last build" in again.stdout
    assert cached == (not quiet and "--no-cache" not in args), again.stdout


def test_the_command_after_C_wins(project, tmp_path: Path) -> None:
    root = project()
    result = run("-C", tmp_path, "check", "-C", root)
    assert result.exit_code == 0, result.output
