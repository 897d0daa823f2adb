"""The command line: thin click commands over ``pressrun.build``."""

from __future__ import annotations

import logging
import signal
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

import click

from pressrun import __version__
from pressrun.build import (
    Project,
    Written,
    layout,
    load,
    target_path,
    write_epub,
    write_html,
    write_pdf,
)
from pressrun.errors import PressrunError, log
from pressrun.geometry import PROFILES


class _Handler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"{record.levelname.lower()}: {record.getMessage()}", err=True)


def _options(command: Callable) -> Callable:
    command = click.option("--strict", is_flag=True,
                           help="Treat missing art and warnings as errors.")(command)
    command = click.option("-o", "--output", type=click.Path(path_type=Path),
                           help="Output file (for build: output folder). Default: build/.")(command)
    command = click.option("-C", "--project", "project_dir", default=".", show_default=True,
                           type=click.Path(path_type=Path, file_okay=False),
                           help="The project folder (holding manuscript/).")(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pressrun")
@click.option("-v", "--verbose", is_flag=True,
              help="Show details, and tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Build a pamphlet's print-ready PDF and EPUB 3 from its manuscript."""
    ctx.obj = {"verbose": verbose}
    if not log.handlers:
        log.addHandler(_Handler())
        log.propagate = False
    log.setLevel(logging.DEBUG if verbose else logging.INFO)
    logging.getLogger("weasyprint").setLevel(logging.WARNING if verbose else logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)


def _print_options(command: Callable) -> Callable:
    command = click.option("--booklet", is_flag=True,
                           help="Also write <name>-booklet.pdf: pages imposed 2-up for "
                                "printing double-sided, folding and stapling.")(command)
    command = click.option("--profile", type=click.Choice(list(PROFILES)), default="home",
                           show_default=True,
                           help="Print profile: " + "; ".join(
                               f"{p.name}: {p.description}" for p in PROFILES.values()))(command)
    return command


def _check_booklet(profile: str, booklet: bool) -> None:
    if booklet and PROFILES[profile].bleed_mm:
        raise click.UsageError("--booklet is for printing at home; a press imposes the pages "
                               "itself: use --profile home or grayscale with --booklet")


def _report(project: Project, written: list[Written]) -> None:
    for item in written:
        size = f"{item.size / 1024:,.0f} KB"
        unit = "sheet sides" if item.kind == "booklet" else "pages"
        what = f"{item.pages} {unit}, {size}" if item.pages is not None else size
        click.echo(f"wrote {_show(item.path)} ({what})")
        for note in item.notes:
            click.echo(f"  {note}")
    missing = project.pamphlet.missing_art
    if missing:
        click.echo(f"missing art ({len(missing)}), drawn as placeholders:")
        for image in missing:
            click.echo(f"  {image.rel}  ({image.location})")


def _show(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@cli.command()
@_options
@_print_options
def pdf(project_dir: Path, output: Path | None, strict: bool, profile: str,
        booklet: bool) -> None:
    """Write the print edition as PDF."""
    _check_booklet(profile, booklet)
    project = load(project_dir, strict)
    variant = "" if profile == "home" else profile
    target = target_path(project, "pdf", output, variant=variant)
    document = layout(project, PROFILES[profile])
    _report(project, write_pdf(project, document, target, PROFILES[profile], booklet))


@cli.command()
@_options
def epub(project_dir: Path, output: Path | None, strict: bool) -> None:
    """Write the EPUB 3 e-book."""
    project = load(project_dir, strict)
    target = target_path(project, "epub", output)
    _report(project, [write_epub(project, layout(project), target)])


@cli.command()
@_options
def html(project_dir: Path, output: Path | None, strict: bool) -> None:
    """Write the print HTML that WeasyPrint lays out (for previewing in a browser)."""
    project = load(project_dir, strict)
    _report(project, [write_html(project, target_path(project, "html", output))])


@cli.command()
@_options
@_print_options
def build(project_dir: Path, output: Path | None, strict: bool, profile: str,
          booklet: bool) -> None:
    """Write both the PDF and the EPUB."""
    _check_booklet(profile, booklet)
    project = load(project_dir, strict)
    variant = "" if profile == "home" else profile
    pdf_target = target_path(project, "pdf", output, folder=True, variant=variant)
    epub_target = target_path(project, "epub", output, folder=True)
    document = layout(project, PROFILES[profile])  # once, for both outputs
    written = [*write_pdf(project, document, pdf_target, PROFILES[profile], booklet),
               write_epub(project, document, epub_target)]
    _report(project, written)


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
            traceback.print_exc()
        sys.exit(70)
