"""The HTML of one section and the EPUB document of one part cost the same in a long book
as in a short one (#19: a book of 1,000 parts, each its own section, made the map of its
parts' sections again for each of its sections, and the map of links to its parts again
for each of its EPUB documents: a million look-ups)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from pressrun.build import Request, prepare
from pressrun.epub.documents import epub_documents
from pressrun.epub.screens import job as epub_job
from pressrun.html import ids
from pressrun.pdf import print_job, render


def _book(root: Path, parts: int) -> Path:
    """A project of ``parts`` short parts, each with a link to the first."""
    manuscript = root / "manuscript"
    manuscript.mkdir(parents=True)
    names = [f"{number:03d}-part.md" for number in range(1, parts + 1)]
    for number, name in enumerate(names, 1):
        (manuscript / name).write_text(
            f"---\ntitle: Part {number}\n---\n\nA paragraph; see [the first]({names[0]}).\n",
            encoding="utf-8")
    metadata = {"title": "Parts", "language": "en-GB", "contents": names}
    (manuscript / "pamphlet.yaml").write_text(yaml.safe_dump(metadata), encoding="utf-8")
    return root


def _look_ups(root: Path, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often every section's print HTML and the EPUB's documents map the parts."""
    calls: Counter[str] = Counter()

    def counted(module: Any, name: str) -> None:
        real = getattr(module, name)

        def spy(*args: Any) -> Any:
            calls[name] += 1
            return real(*args)

        monkeypatch.setattr(module, name, spy)

    counted(render, "part_sections")
    counted(ids, "markdown_name")
    run = prepare(root, Request())
    job = print_job(run)
    for name in render.print_sections(run.pamphlet):
        render.print_html(job, section=name)
    epub_documents(epub_job(run, False), "cover.xhtml")
    monkeypatch.undo()
    return calls


def test_the_parts_are_mapped_once_however_many_sections_there_are(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    short = _look_ups(_book(tmp_path / "short", 10), monkeypatch)
    long = _look_ups(_book(tmp_path / "long", 30), monkeypatch)
    assert long["part_sections"] == short["part_sections"] <= 2
    assert (short["markdown_name"], long["markdown_name"]) == (2 * 10, 2 * 30)  # per format
