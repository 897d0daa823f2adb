"""The author's workflow: check, watch, quiet and verbose output."""

from __future__ import annotations

import json
import time
from pathlib import Path

from conftest import CORPUS, run
from pressrun.manuscript.check import check_project
from pressrun.watch import rebuild_loop


def break_project(root: Path) -> None:
    """Several problems at once: an undefined note, an unknown container, a stray key."""
    part = root / "manuscript" / "01-first.md"
    text = part.read_text()
    text = text.replace("And has a second one.[^long]", "And has a second one.[^3]")
    text = text.replace("::: aside", "::: box")
    part.write_text(text)
    yaml = root / "manuscript" / "pamphlet.yaml"
    yaml.write_text(yaml.read_text().replace("rights: Public domain", "rigths: Public domain"))


def test_check_reports_every_problem_compiler_style(project) -> None:
    root = project()
    break_project(root)
    result = run("check", "-C", root)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == ("manuscript/pamphlet.yaml:10:1: error: unknown key 'rigths' in "
                        "pamphlet.yaml: did you mean 'rights'?")
    assert ("manuscript/01-first.md:14:53: error: footnote [^3] is never defined: add a line "
            "'[^3]: …' giving its text") in lines
    assert any(line.startswith("manuscript/01-first.md:25:1: error: unknown container "
                               "'::: box'") for line in lines)
    assert lines[-1] == "3 errors, 0 warnings"


def test_check_warns_without_failing(project) -> None:
    root = project()
    part = root / "manuscript" / "01-first.md"
    part.write_text(part.read_text() + '\n[^unused]: Never referred to.\n\nSome <b>html</b>.\n')
    result = run("check", "-C", root)
    assert result.exit_code == 0
    out = result.output
    assert "manuscript/02-second.md:10:" in out and "'images/not-yet.jpg' does not exist yet" in out
    assert "manuscript/01-first.md:9:" in out and "prints at about 133 dpi" in out
    assert "footnote [^unused] is defined but never referred to" in out
    assert "raw HTML '<b>' is not rendered" in out
    assert out.splitlines()[-1] == "0 errors, 5 warnings"
    assert run("check", "-C", root, "--strict").exit_code == 1


def test_check_finds_typography_empty_parts_and_duplicate_titles(project) -> None:
    root = project()
    second = root / "manuscript" / "02-second.md"
    second.write_text("---\ntitle: The first part\n---\n")
    first = root / "manuscript" / "01-first.md"
    first.write_text(first.read_text() + "\nA -- stray \"quote.\n")
    out = run("check", "-C", root).output
    assert "part 'The first part' has no text" in out
    assert "part title 'The first part' is also the title of manuscript/01-first.md" in out
    assert "straight quote" in out or "double hyphen" in out


def test_check_json_has_the_same_findings(project) -> None:
    root = project()
    break_project(root)
    text = run("check", "-C", root).output.splitlines()[:-1]
    result = run("check", "-C", root, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["errors"] == 3 and report["warnings"] == 0
    assert [f"{f['path']}:{f['line']}:{f['column']}: {f['severity']}: {f['message']}"
            for f in report["findings"]] == text


def test_check_is_fast_and_clean_on_the_corpora() -> None:
    start = time.perf_counter()
    findings = check_project(CORPUS / "ten-days-that-shook-the-world")
    assert time.perf_counter() - start < 5  # typically well under a second
    assert not [f for f in findings if f.severity == "error"]
    assert check_project(CORPUS / "communist-manifesto") == []


def test_check_without_a_project() -> None:
    result = run("check", "-C", "/")
    assert result.exit_code == 1
    assert result.output.startswith("manuscript/pamphlet.yaml:1:1: error: not found")


def test_watch_rebuilds_after_a_change_and_survives_a_broken_manuscript(project) -> None:
    root = project()
    part = root / "manuscript" / "01-first.md"
    good = part.read_text()
    outputs: list[bytes] = []

    def build() -> list[str]:
        result = run("epub", "-C", root)
        if result.exit_code:
            from pressrun.problems import PressrunError

            raise PressrunError(result.stderr.strip().removeprefix("error: "))
        outputs.append((root / "build" / "a-minimal-pamphlet.epub").read_bytes())
        return result.output.splitlines()

    def changes():
        part.write_text(good.replace("The first part", "The renamed part"))
        yield {"changed"}
        part.write_text(good.replace("::: aside", "::: nonsense"))
        yield {"broken"}
        part.write_text(good)
        yield {"fixed"}

    lines: list[str] = []
    assert rebuild_loop(build, changes(), lines.append) == 4
    assert len(outputs) == 3  # the broken one wrote nothing
    assert any("unknown container '::: nonsense'" in line for line in lines)
    assert any(line.startswith("not rebuilt") for line in lines)
    assert sum(line.startswith("built in") for line in lines) == 3
    assert (root / "build" / "a-minimal-pamphlet.epub").read_bytes() == outputs[-1]


def test_quiet_prints_nothing_but_problems(project) -> None:
    root = project()
    result = run("-q", "epub", "-C", root)
    assert result.exit_code == 0
    assert result.output == ""


def test_verbose_shows_the_stages_with_timings(project) -> None:
    result = run("-v", "build", "-C", project())
    assert result.exit_code == 0
    for stage in ("load:", "layout:", "write PDF:", "write EPUB:"):
        assert any(line.startswith(stage) and line.endswith(" s")
                   for line in result.stderr.splitlines()), stage
    assert "laid out 5 pages" in result.stderr


def test_an_internal_bug_asks_for_a_report_without_a_traceback(project, monkeypatch,
                                                                capsys) -> None:
    import sys

    import pytest

    import pressrun.build
    import pressrun.cli

    def broken(*args, **kwargs):
        raise RuntimeError("something pressrun did not expect")

    monkeypatch.setattr(pressrun.build, "_read", broken)  # the project's reading
    monkeypatch.setattr(sys, "argv", ["pressrun", "epub", "-C", str(project())])
    with pytest.raises(SystemExit) as exit_:
        pressrun.cli.main()
    assert exit_.value.code == 70
    err = capsys.readouterr().err
    assert err.startswith("internal error: RuntimeError: something pressrun did not expect")
    assert "please report it" in err and "Traceback" not in err
