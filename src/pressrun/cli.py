"""The command line: options in, messages out. Each command calls ``pressrun.build`` (or
``check``, ``scaffold``) and prints what it did.

The global options ``-C``, ``-q``, ``-v`` and ``--no-cache`` work before or after the
command, as ``git -C`` and ``make -C`` users expect. ``--help`` needs only click and the
options: what a command uses (logging and pathlib too) is imported when it runs.
"""

from __future__ import annotations

import functools
import gc
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from pressrun import __version__, ending
from pressrun.profiles import EDITIONS, PROFILES

if TYPE_CHECKING:
    from pathlib import Path

    from pressrun.build import Request, Result
    from pressrun.pdf.sections import Layouts
    from pressrun.progress import Progress


class Settings:
    """The global options, from before or after the command (set by ``_remember``)."""

    project = "."
    """The project folder, as given."""
    quiet = verbose = no_cache = False

    @property
    def root(self) -> Path:
        """The project folder."""
        from pathlib import Path

        return Path(self.project)

    @property
    def progress(self) -> Progress:
        """How the build's stages are shown."""
        from pressrun.progress import Progress

        return Progress.for_terminal(self.quiet, self.verbose)


def _settings(ctx: click.Context | None = None) -> Settings:
    root = (ctx or click.get_current_context()).find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings()
    return root.obj


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """Store a global option given on the command line (after the command wins)."""
    if ctx.get_parameter_source(param.name or "") is ParameterSource.COMMANDLINE:
        setattr(_settings(ctx), param.name or "", value)


_FOLDER, _PATH = click.Path(file_okay=False), click.Path()
"""The types of the paths options take, made once (click translates their names)."""


def _global_options(project: bool = True) -> list[click.Parameter]:
    """The options every command takes, before or after its name."""
    options = [click.Option(["-C", "--project"], type=_FOLDER,
                            expose_value=False, callback=_remember,
                            help="The project folder (holding manuscript/). Default: the "
                                 "current folder.")] if project else []
    return [
        *options,
        click.Option(["-q", "--quiet"], is_flag=True, expose_value=False, callback=_remember,
                     help="Print only warnings and errors."),
        click.Option(["-v", "--verbose"], is_flag=True, expose_value=False, callback=_remember,
                     help="Show stage timings, details, and tracebacks of internal errors."),
        click.Option(["--no-cache"], is_flag=True, expose_value=False, callback=_remember,
                     help="Build even when nothing changed since the last build into "
                          "build/."),
    ]


def _command(project: bool = True, name: str | None = None
             ) -> Callable[[Callable], click.Command]:
    """A command taking the global options too (and ``-C`` when it reads a project); the
    logging is set up from all of them before it runs."""

    def decorate(function: Callable) -> click.Command:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            from pressrun.progress import show_log

            show_log(_settings().quiet, _settings().verbose)
            return function(*args, **kwargs)

        command = cli.command(name)(run)
        command.params.extend(_global_options(project))
        return command

    return decorate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pressrun")
def cli() -> None:
    """Build a pamphlet's print-ready PDF and EPUB 3 from its manuscript.

    The options below work before or after the command: pressrun -C DIR build and
    pressrun build -C DIR are the same.
    """


cli.params.extend(_global_options())


def _output(command: Callable) -> Callable:
    command = click.option("--strict", is_flag=True,
                           help="Treat missing art and warnings as errors.")(command)
    return click.option("-o", "--output", type=_PATH,
                        help="Output file (for build: output folder). Default: build/.")(
        command)


def _print_options(command: Callable) -> Callable:
    command = click.option("--booklet", is_flag=True,
                           help="Also write <name>-booklet.pdf: pages imposed 2-up for "
                                "printing double-sided, folding and stapling.")(command)
    return click.option("--profile", type=click.Choice(list(PROFILES)), default="home",
                        show_default=True, help="Print profile: " + "; ".join(
                            f"{p.name}: {p.description}" for p in PROFILES.values()))(command)


def _build(request: Request, layouts: Layouts | None = None) -> Result:
    """Run the build of the project the options name."""
    from pressrun.build import build

    if request.booklet and not PROFILES[request.profile].booklet:
        raise click.UsageError("--booklet is for printing at home; a press imposes the pages "
                               "itself: use --profile home or grayscale with --booklet")
    settings = _settings()
    if settings.no_cache:
        from dataclasses import replace

        request = replace(request, cache=False)
    return build(settings.root, request, layouts, settings.progress)


def _report(result: Result) -> None:
    if not _settings().quiet:
        for line in result.lines():
            click.echo(line)


def _request(output: str | None = None, **options: Any) -> Request:
    from pathlib import Path

    from pressrun.build import Request

    return Request(output=None if output is None else Path(output), **options)


@_command()
@_output
@_print_options
@click.option("--edition", type=click.Choice(list(EDITIONS)), default="standard",
              show_default=True, help="Edition: " + "; ".join(
                  f"{e.name}: {e.description}" for e in EDITIONS.values())
              + ". Large print is written to <name>-large-print.pdf.")
@click.option("--handouts", is_flag=True,
              help="Also write one PDF per part into handouts/ beside the PDF, each paged "
                   "from 1 and headed with the publication's title: one part a meeting.")
def pdf(output: str | None, strict: bool, profile: str, booklet: bool, edition: str,
        handouts: bool) -> None:
    """Write the print edition as PDF."""
    _report(_build(_request(formats=("pdf",), output=output, strict=strict, profile=profile,
                            booklet=booklet, edition=edition, handouts=handouts)))


@_command()
@_output
def epub(output: str | None, strict: bool) -> None:
    """Write the EPUB 3 e-book (with the print edition's page numbers)."""
    _report(_build(_request(formats=("epub",), output=output, strict=strict)))


@_command()
@_output
def html(output: str | None, strict: bool) -> None:
    """Write the print HTML that WeasyPrint lays out (for previewing in a browser)."""
    _report(_build(_request(formats=("html",), output=output, strict=strict)))


@_command()
@_output
@_print_options
def build(output: str | None, strict: bool, profile: str, booklet: bool) -> None:
    """Write both the PDF and the EPUB."""
    _report(_build(_request(formats=("pdf", "epub"), output=output, strict=strict,
                            profile=profile, booklet=booklet)))


@_command()
@click.option("--strict", is_flag=True, help="Exit with status 1 on warnings too.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json: one object with every problem, for CI.")
@click.option("--layout", is_flag=True, help="Also lay out the print edition and report "
              "what a book designer would send back, by page: notes away from their call, "
              "ladders of hyphens, loose lines, lines alone on a page, near-empty pages.")
@click.option("--edition", type=click.Choice(list(EDITIONS)), default="standard",
              show_default=True, help="The print edition --layout lays out.")
def check(strict: bool, output_format: str, layout: bool, edition: str) -> None:
    """Check the manuscript without building: every problem, one per line."""
    from pressrun.manuscript.check import check_project

    problems = check_project(_settings().root)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    report = None
    if layout and not errors:
        from pressrun.pdf import layout_faults

        report = layout_faults(_settings().root, edition)
        warnings += len(report.faults)
    if output_format == "json":
        import json
        from dataclasses import asdict

        found = {"errors": errors, "warnings": warnings,
                 "findings": [asdict(p) for p in problems]}
        if report is not None:
            found["layout"] = report.as_json()
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
    else:
        _list_problems(problems)
        for line in report.listed() if report is not None else ():
            click.echo(line)
    if errors or (strict and warnings):
        sys.exit(1)


def _list_problems(problems: list) -> None:
    """``check``'s findings, one a line, and how many."""
    for problem in problems:
        click.echo(problem.listed())
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    summary = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    click.echo(summary if problems else "no problems found")


@_command()
@click.option("--pdf", "only", flag_value="pdf", help="Rebuild only the PDF.")
@click.option("--epub", "only", flag_value="epub", help="Rebuild only the EPUB.")
def watch(only: str | None) -> None:
    """Rebuild whenever anything in manuscript/, images/ or styles/ changes.

    The print layout is kept between rebuilds: only the parts you edited are laid out
    again, and the parts after them only if the edit changed how many pages they take.
    """
    from watchfiles import watch as changes

    from pressrun.pdf.sections import Layouts
    from pressrun.watch import rebuild_loop, watched_paths

    request = _request(formats=(only,) if only else ("pdf", "epub"))
    layouts = Layouts()
    from pressrun.problems import PressrunError

    paths = watched_paths(_settings().root.resolve())
    if not paths:
        raise PressrunError("nothing to watch: no manuscript/ folder here (pass -C DIR)")
    click.echo(f"watching {', '.join(p.name + '/' for p in paths)}", err=True)
    try:
        rebuild_loop(lambda: _build(request, layouts).lines(), changes(*paths),
                     lambda line: click.echo(line))
    except KeyboardInterrupt:
        click.echo("stopped watching", err=True)


@_command(project=False)
@click.argument("folder", type=_PATH)
@click.option("--title", default="My pamphlet", show_default=True, help="The pamphlet's title.")
@click.option("--language", default="en-GB", show_default=True,
              help="BCP 47 language tag of the text, e.g. en-GB, de, pt-BR.")
@click.option("--from", "source", metavar="SOURCE", help="Make the pamphlet from one "
              "article, as pressrun import reads it (title and language from the article).")
def new(folder: str, title: str, language: str, source: str | None) -> None:
    """Create a new project in FOLDER (which must be new or empty), ready to build."""
    from pathlib import Path

    from pressrun.build import shown
    from pressrun.scaffold import create_project

    target = Path(folder)
    if source is None:
        created = create_project(target, title, language)
    else:
        from pressrun.scaffold import create_from

        ctx = click.get_current_context()
        given = {name: value for name, value in (("title", title), ("language", language))
                 if ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE}
        created, prepared = create_from(target, source, given.get("title"),
                                        given.get("language"), language)
        _imported(prepared, "the pamphlet's only part")
    click.echo(f"created {shown(target)} with {len(created)} files; next:")
    click.echo(f"  cd {folder}\n  pressrun build")


@_command(name="import")
@click.argument("source")
@click.option("--as", "name", metavar="NAME.md", help="The new part's file name in manuscript/ "
              "(default: the next number and the title, e.g. 03-the-strike.md).")
@click.option("--after", metavar="PART", help="List the part in contents after PART "
              "(default: last).")
@click.option("--no-images", is_flag=True, help="Copy or download no pictures: the build "
              "draws each as a placeholder with its caption.")
@click.option("--allow-local", is_flag=True, help="Let an address lead to this computer or "
              "its local network (for a test server).")
def import_(source: str, name: str | None, after: str | None, no_images: bool,
            allow_local: bool) -> None:
    """Add an article as a new part: from a saved web page (.html), a web address, a Word
    file (.docx), or a Markdown or text file.

    The article's text, headings, notes, pictures and captions are kept; the page's
    menus, share buttons and adverts are not. Only this command uses the network, and
    only for the address given and its pictures.
    """
    from pressrun.importer import import_part
    from pressrun.project import Project

    project = Project(_settings().root)
    prepared = import_part(project, source, name, after, not no_images, allow_local)
    _imported(prepared, f"listed in contents{f' after {after}' if after else ''}")
    _check_after_import(project.root)


def _imported(prepared: Any, listed: str) -> None:
    """Say what an import wrote."""
    from pressrun.problems import log

    click.echo(prepared.summary(listed))
    for warning in prepared.warnings:
        log.warning("%s", f"{prepared.name}: {warning}")


def _check_after_import(root: Path) -> None:
    """What ``pressrun check`` finds in the project now."""
    from pressrun.manuscript.check import check_project

    _list_problems(check_project(root))


GC_THRESHOLD = (10_000, 10, 10)
"""The cyclic garbage collector runs after this many new objects (Python's default is
700): a layout makes millions of boxes that live until the PDF is written, and each full
collection walks them all, so at the default a build of 1,000 notes spent 9% of its
time collecting (1.3 s of 13.8). Peak memory is the same, or 3% more (Ten Days)."""


def main() -> None:
    """Entry point: user errors are one line; internal errors ask for a report."""
    signal.signal(signal.SIGTERM, ending.interrupt)
    gc.set_threshold(*GC_THRESHOLD)
    try:
        cli.main(standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt) as exc:
        replaced = getattr(exc, "replaced", ())
        if replaced:
            click.echo(f"interrupted after replacing {', '.join(replaced)}, each written "
                       "whole; nothing else was written", err=True)
        else:
            click.echo("interrupted: nothing was written; earlier outputs are untouched",
                       err=True)
        sys.exit(130)
    except click.ClickException as exc:  # a PressrunError too: its problems, one a line
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
    ending.leave()
