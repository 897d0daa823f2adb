"""The command line: thin click commands over ``pressrun.build``."""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pressrun import __version__
from pressrun.choices import BLEED, EDITIONS, PROFILES
from pressrun.errors import PressrunError, log
from pressrun.progress import Progress

if TYPE_CHECKING:
    from pressrun.build import Project, Written
    from pressrun.sections import Layouts


class _Handler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"{record.levelname.lower()}: {record.getMessage()}", err=True)


_project_option = click.option("-C", "--project", "project_dir", default=".",
                               show_default=True, type=click.Path(path_type=Path, file_okay=False),
                               help="The project folder (holding manuscript/).")


def _options(command: Callable) -> Callable:
    command = click.option("--strict", is_flag=True,
                           help="Treat missing art and warnings as errors.")(command)
    command = click.option("-o", "--output", type=click.Path(path_type=Path),
                           help="Output file (for build: output folder). Default: build/.")(command)
    return _project_option(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pressrun")
@click.option("-q", "--quiet", is_flag=True, help="Print only warnings and errors.")
@click.option("-v", "--verbose", is_flag=True,
              help="Show stage timings, details, and tracebacks of internal errors.")
@click.option("--no-cache", is_flag=True,
              help="Build even when nothing changed since the last build into build/.")
@click.pass_context
def cli(ctx: click.Context, quiet: bool, verbose: bool, no_cache: bool) -> None:
    """Build a pamphlet's print-ready PDF and EPUB 3 from its manuscript."""
    ctx.obj = {"verbose": verbose, "quiet": quiet, "no_cache": no_cache,
               "progress": Progress.for_terminal(quiet, verbose)}
    if not log.handlers:
        log.addHandler(_Handler())
        log.propagate = False
    log.setLevel(logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO)
    logging.getLogger("weasyprint").setLevel(logging.WARNING if verbose else logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)


def _print_options(command: Callable) -> Callable:
    command = click.option("--booklet", is_flag=True,
                           help="Also write <name>-booklet.pdf: pages imposed 2-up for "
                                "printing double-sided, folding and stapling.")(command)
    command = click.option("--profile", type=click.Choice(list(PROFILES)), default="home",
                           show_default=True,
                           help="Print profile: " + "; ".join(
                               f"{name}: {text}" for name, text in PROFILES.items()))(command)
    return command


def _check_booklet(profile: str, booklet: bool) -> None:
    if booklet and profile in BLEED:
        raise click.UsageError("--booklet is for printing at home; a press imposes the pages "
                               "itself: use --profile home or grayscale with --booklet")


def _lines(project: Project, written: list[Written]) -> list[str]:
    """What a build wrote (path, pages, size), then the art still missing."""
    lines = []
    for item in written:
        size = f"{item.size / 1024:,.0f} KB"
        unit = "sheet sides" if item.kind == "booklet" else "pages"
        what = f"{item.pages} {unit}, {size}" if item.pages is not None else size
        lines.append(f"wrote {_show(item.path)} ({what})")
        lines += [f"  {note}" for note in item.notes]
    missing = project.pamphlet.missing_art
    if missing:
        lines.append(f"missing art ({len(missing)}), drawn as placeholders:")
        lines += [f"  {image.rel}  ({image.location})" for image in missing]
    return lines


def _report(lines: list[str]) -> None:
    if not click.get_current_context().obj["quiet"]:
        for line in lines:
            click.echo(line)


def _show(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _build(project_dir: Path, output: Path | None, strict: bool, kinds: tuple[str, ...],
           profile: str = "home", booklet: bool = False, edition: str = "standard",
           handouts: bool = False, layouts: Layouts | None = None) -> list[str]:
    """Build the outputs of ``kinds`` (``pdf``, ``epub``, ``html``) unless an identical
    build into ``build/`` is cached; return the lines reporting what was written.

    ``layouts`` keeps the print layout's sections from one build to the next."""
    from pressrun import cache

    progress: Progress = click.get_current_context().obj["progress"]
    _check_booklet(profile, booklet)
    request = {"kinds": kinds, "strict": strict, "profile": profile, "booklet": booklet,
               "edition": edition, "handouts": handouts, "cwd": str(Path.cwd())}
    root = project_dir.resolve()
    use_cache = output is None and not click.get_current_context().obj["no_cache"] and \
        (root / "manuscript").is_dir()
    if use_cache:
        with progress.stage("cache"):
            stamp, key, stats = cache.lookup(root, request)
        if stamp is not None:
            for warning in stamp.warnings:
                log.warning("%s", warning)
            return [*stamp.lines, "nothing changed since the last build: outputs are up to "
                                  "date (--no-cache rebuilds anyway)"]
    with _Captured() as warnings:
        project, written = _write(project_dir, output, strict, kinds, profile, booklet,
                                  edition, handouts, layouts)
    lines = _lines(project, written)
    if use_cache:
        cache.record(root, request, key, stats, [item.path for item in written], lines,
                     warnings.messages)
    return lines


class _Captured(logging.Handler):
    """Collects the warnings given while building, for the cache to repeat."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def __enter__(self) -> _Captured:
        log.addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        log.removeHandler(self)


def _write(project_dir: Path, output: Path | None, strict: bool, kinds: tuple[str, ...],
           profile: str, booklet: bool, edition: str, handouts: bool,
           layouts: Layouts | None = None) -> tuple[Project, list[Written]]:
    """Load, lay out once, and write the outputs of ``kinds``."""
    from pressrun.build import (
        layout,
        load,
        target_path,
        write_epub,
        write_handouts,
        write_html,
        write_pdf,
    )
    from pressrun.geometry import EDITIONS as EDITION_SPECS
    from pressrun.geometry import PROFILES as PROFILE_SPECS

    progress: Progress = click.get_current_context().obj["progress"]
    print_profile, print_edition = PROFILE_SPECS[profile], EDITION_SPECS[edition]
    with progress.stage("load"):
        project = load(project_dir, strict)
    variant = "-".join(name for name in (edition, profile) if name not in ("standard", "home"))
    folder = len(kinds) > 1
    written: list[Written] = []
    if "html" in kinds:
        with progress.stage("render"):
            written.append(write_html(project, target_path(project, "html", output, folder)))
    if "pdf" in kinds or "epub" in kinds:
        with progress.stage("layout"):
            document = layout(project, print_profile, print_edition, layouts)
        if progress.enabled:
            click.echo(f"laid out {len(document.pages)} pages", err=True)
            if layouts is not None:
                click.echo(f"sections laid out again: {layouts.laid_out}", err=True)
        if "pdf" in kinds:
            target = target_path(project, "pdf", output, folder, variant=variant)
            with progress.stage("write PDF"):
                written += write_pdf(project, document, target, print_profile, booklet)
            if handouts:
                with progress.stage("handouts"):
                    written += write_handouts(project, target.parent / "handouts",
                                              print_profile, print_edition)
        if "epub" in kinds:
            with progress.stage("write EPUB"):
                written.append(write_epub(project, document,
                                          target_path(project, "epub", output, folder)))
    return project, written


@cli.command()
@_options
@_print_options
@click.option("--edition", type=click.Choice(list(EDITIONS)), default="standard",
              show_default=True, help="Edition: " + "; ".join(
                  f"{name}: {text}" for name, text in EDITIONS.items())
              + ". Large print is written to <name>-large-print.pdf.")
@click.option("--handouts", is_flag=True,
              help="Also write one PDF per part into handouts/ beside the PDF, each paged "
                   "from 1 and headed with the publication's title: one part a meeting.")
def pdf(project_dir: Path, output: Path | None, strict: bool, profile: str,
        booklet: bool, edition: str, handouts: bool) -> None:
    """Write the print edition as PDF."""
    _report(_build(project_dir, output, strict, ("pdf",), profile, booklet, edition,
                   handouts))


@cli.command()
@_options
def epub(project_dir: Path, output: Path | None, strict: bool) -> None:
    """Write the EPUB 3 e-book (with the print edition's page numbers)."""
    _report(_build(project_dir, output, strict, ("epub",)))


@cli.command()
@_options
def html(project_dir: Path, output: Path | None, strict: bool) -> None:
    """Write the print HTML that WeasyPrint lays out (for previewing in a browser)."""
    _report(_build(project_dir, output, strict, ("html",)))


@cli.command()
@_options
@_print_options
def build(project_dir: Path, output: Path | None, strict: bool, profile: str,
          booklet: bool) -> None:
    """Write both the PDF and the EPUB."""
    _report(_build(project_dir, output, strict, ("pdf", "epub"), profile, booklet))


@cli.command()
@_project_option
@click.option("--strict", is_flag=True, help="Exit with status 1 on warnings too.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json: one object with every finding, for CI.")
def check(project_dir: Path, strict: bool, output_format: str) -> None:
    """Check the manuscript without building: every problem, one per line."""
    from pressrun.check import check_project

    findings = check_project(project_dir)
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    if output_format == "json":
        import json
        from dataclasses import asdict

        click.echo(json.dumps({"errors": errors, "warnings": warnings,
                               "findings": [asdict(f) for f in findings]}, indent=2,
                              ensure_ascii=False))
    else:
        for finding in findings:
            click.echo(str(finding))
        summary = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
        click.echo(summary if findings else "no problems found")
    if errors or (strict and warnings):
        sys.exit(1)


@cli.command()
@_project_option
@click.option("--pdf", "only", flag_value="pdf", help="Rebuild only the PDF.")
@click.option("--epub", "only", flag_value="epub", help="Rebuild only the EPUB.")
def watch(project_dir: Path, only: str | None) -> None:
    """Rebuild whenever anything in manuscript/, images/ or styles/ changes.

    The print layout is kept between rebuilds: only the parts you edited are laid out
    again, and the parts after them only if the edit changed how many pages they take.
    """
    from watchfiles import watch as changes

    from pressrun.sections import Layouts
    from pressrun.watch import rebuild_loop, watched_paths

    kinds = (only,) if only else ("pdf", "epub")
    layouts = Layouts()

    def build_once() -> list[str]:
        return _build(project_dir, None, False, kinds, layouts=layouts)

    paths = watched_paths(project_dir.resolve())
    if not paths:
        raise PressrunError("nothing to watch: no manuscript/ folder here (pass -C DIR)")
    click.echo(f"watching {', '.join(p.name + '/' for p in paths)}", err=True)
    try:
        rebuild_loop(build_once, changes(*paths), lambda line: click.echo(line))
    except KeyboardInterrupt:
        click.echo("stopped watching", err=True)


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--title", default="My pamphlet", show_default=True, help="The pamphlet's title.")
@click.option("--language", default="en-GB", show_default=True,
              help="BCP 47 language tag of the text, e.g. en-GB, de, pt-BR.")
def new(folder: Path, title: str, language: str) -> None:
    """Create a new project in FOLDER (which must be new or empty), ready to build."""
    from pressrun.scaffold import create_project

    created = create_project(folder, title, language)
    click.echo(f"created {_show(folder)} with {len(created)} files; next:")
    click.echo(f"  cd {folder}\n  pressrun build")


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # unwinds like Ctrl-C: temporary files are removed


def main() -> None:
    """Entry point: user errors are one line; internal errors ask for a report."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        cli.main(standalone_mode=False)
    except PressrunError as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("interrupted: nothing was written; earlier outputs are untouched", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:
        click.echo(f"internal error: {type(exc).__name__}: {exc}\n"
                   "This is a bug in pressrun: please report it with the command you ran "
                   "(run again with -v for the traceback).", err=True)
        if "-v" in sys.argv or "--verbose" in sys.argv:
            import traceback

            traceback.print_exc()
        sys.exit(70)
