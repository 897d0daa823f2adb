"""The scaffolding behind ``pressrun new``: a new project that builds, and never overwrites."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import epubcheck_problems, run
from pressrun.manuscript.loader import load_pamphlet
from pressrun.problems import PressrunError
from pressrun.project import Project
from pressrun.scaffold import create_project

EXPECTED = [
    ".gitignore",
    "images/banner.png",
    "manuscript/01-first-part.md",
    "manuscript/pamphlet.yaml",
    "styles/README.md",
]


def files_in(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_new_project_builds_with_one_placeholder(tmp_path: Path) -> None:
    target = tmp_path / "pamphlets" / "study-pack"
    created = create_project(target)
    assert sorted(p.relative_to(target).as_posix() for p in created) == EXPECTED
    assert files_in(target) == EXPECTED
    result = run("build", "-C", target)
    assert result.exit_code == 0, result.output
    pdf, epub = target / "build" / "my-pamphlet.pdf", target / "build" / "my-pamphlet.epub"
    assert pdf.is_file() and epub.is_file()
    assert epubcheck_problems(epub) == []
    lines = result.output.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("missing art"))
    assert lines[header].startswith("missing art (1)")
    assert [line.split()[0] for line in lines[header + 1:]] == ["images/your-photo.jpg"]


def test_sample_uses_the_features_it_shows(tmp_path: Path) -> None:
    create_project(tmp_path / "p")
    pamphlet, report = load_pamphlet(Project(tmp_path / "p"))
    assert report.found == []
    assert (pamphlet.metadata.title, pamphlet.metadata.language) == ("My pamphlet", "en-GB")
    text = (tmp_path / "p" / "manuscript" / "01-first-part.md").read_text(encoding="utf-8")
    for feature in ("\n## ", " -- ", '"', "[^typing]:", "::: pullquote", "::: questions",
                    "](../images/banner.png ", "](../images/your-photo.jpg "):
        assert feature in text


def test_content_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    create_project(first)
    create_project(second)
    for name in EXPECTED:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


@pytest.mark.parametrize(("title", "typeset"), [
    ('Lenin: the "April" Theses', "Lenin: the “April” Theses"),
    ("It's #1: 'yes' -- or no?", "It’s #1: ‘yes’ – or no?")])
def test_title_with_colon_and_quotes_reaches_the_pdf(tmp_path: Path, title: str,
                                                     typeset: str) -> None:
    target = tmp_path / "p"
    create_project(target, title=title)
    result = run("pdf", "-C", target, "-o", tmp_path / "out.pdf")
    assert result.exit_code == 0, result.output
    # Typeset as the text is: curly quotes, dashes; nothing else changed.
    assert PdfReader(tmp_path / "out.pdf").metadata.title == typeset


def test_language_that_yaml_would_read_as_a_boolean_stays_text(tmp_path: Path) -> None:
    create_project(tmp_path / "p", title="yes", language="no")
    pamphlet, _ = load_pamphlet(Project(tmp_path / "p"))
    assert (pamphlet.metadata.title, pamphlet.metadata.language) == ("yes", "no")


def test_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    target = tmp_path / "p"
    target.mkdir()
    (target / "notes.txt").write_text("keep me\n", encoding="utf-8")
    with pytest.raises(PressrunError) as caught:
        create_project(target)
    assert str(target) in caught.value.format_message()
    assert "\n" not in caught.value.format_message()
    assert files_in(target) == ["notes.txt"]
    assert (target / "notes.txt").read_text(encoding="utf-8") == "keep me\n"


def test_refuses_a_file(tmp_path: Path) -> None:
    target = tmp_path / "p"
    target.write_text("a file\n", encoding="utf-8")
    with pytest.raises(PressrunError, match="is a file"):
        create_project(target)
    assert target.read_text(encoding="utf-8") == "a file\n"


def test_accepts_an_empty_folder(tmp_path: Path) -> None:
    target = tmp_path / "p"
    target.mkdir()
    create_project(target)
    assert files_in(target) == EXPECTED


@pytest.mark.parametrize("language", ["english", "en_GB", "", "e"])
def test_refuses_a_bad_language_tag(tmp_path: Path, language: str) -> None:
    with pytest.raises(PressrunError, match="BCP 47"):
        create_project(tmp_path / "p", language=language)
    assert not (tmp_path / "p").exists()


def test_refuses_an_empty_title(tmp_path: Path) -> None:
    with pytest.raises(PressrunError, match="title"):
        create_project(tmp_path / "p", title="  ")
    assert not (tmp_path / "p").exists()


def test_new_command_creates_a_project_that_passes_check(tmp_path: Path) -> None:
    target = tmp_path / "study-pack"
    result = run("new", target, "--title", "Study pack", "--language", "de")
    assert result.exit_code == 0, result.output
    assert "pressrun build" in result.output
    checked = run("check", "-C", target)
    assert checked.exit_code == 0, checked.output
    assert "0 errors" in checked.output
    again = run("new", target)
    assert again.exit_code == 1
    assert "is not empty" in again.stderr
