"""The build as a library: cache check → load → the formats asked for → atomic writes →
what was written.

``build(root, Request(...))`` is what every command runs; a Python caller or a test runs
it the same way, without click. A format is a unit registered in ``FORMATS`` (a name, a
file suffix and an ``outputs`` method); adding one is a sibling of ``pdf/`` and ``epub/``
and one entry here.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pressrun.problems import PressrunError, log
from pressrun.profiles import EDITIONS, PROFILES, Edition, Profile
from pressrun.progress import Progress
from pressrun.project import BUILD, CACHE, MANUSCRIPT, Project

if TYPE_CHECKING:  # loading a project is imported when one is loaded: not for a cached build
    from pressrun.html.pictures import Pictures
    from pressrun.html.theme import Theme
    from pressrun.html.words import Words
    from pressrun.model import Pamphlet
    from pressrun.pdf.sections import Layouts


@dataclass(frozen=True)
class Request:
    """What to build."""

    formats: tuple[str, ...] = ("pdf", "epub")
    """Names in ``FORMATS``, in the order to write them."""
    output: Path | None = None
    """The file to write (a folder when there are several formats); None: ``build/``."""
    strict: bool = False
    """Missing art and warnings are errors."""
    profile: str = "home"
    """A print profile (``profiles.PROFILES``)."""
    edition: str = "standard"
    """A print edition (``profiles.EDITIONS``)."""
    booklet: bool = False
    """Also impose the PDF as a booklet."""
    handouts: bool = False
    """Also write one PDF per part."""
    cache: bool = True
    """Skip a build into ``build/`` whose inputs have not changed since the last one."""


@dataclass(frozen=True)
class Output:
    """One file a format made, not yet written."""

    path: Path
    """Where it goes."""
    kind: str
    """``pdf``, ``booklet``, ``handout``, ``epub``, ``html``…"""
    data: bytes
    """Its content."""
    pages: int | None = None
    """Printed pages (or, for a booklet, sheet sides)."""
    notes: tuple[str, ...] = ()
    """Lines to tell the user about it (e.g. how to print a booklet)."""


@dataclass(frozen=True)
class Written:
    """One output file the build wrote."""

    path: Path
    """Where it was written."""
    kind: str
    """What it is (see ``Output.kind``)."""
    size: int
    """Size in bytes."""
    pages: int | None = None
    """Printed pages (or, for a booklet, sheet sides)."""
    notes: tuple[str, ...] = ()
    """Lines to tell the user about it."""


@dataclass(frozen=True)
class Result:
    """What a build did."""

    written: tuple[Written, ...]
    """The files written, in order."""
    missing_art: tuple[tuple[str, str], ...] = ()
    """Pictures drawn as placeholders: (project-relative path, where it is referred to)."""
    warnings: tuple[str, ...] = ()
    """The warnings the build gave."""
    cached: bool = False
    """Nothing changed since the last identical build: nothing was written."""

    def lines(self) -> list[str]:
        """What the build wrote (path, pages, size), then the art still missing."""
        lines = []
        for item in self.written:
            size = f"{item.size / 1024:,.0f} KB"
            unit = "sheet sides" if item.kind == "booklet" else "pages"
            what = f"{item.pages} {unit}, {size}" if item.pages is not None else size
            lines.append(f"wrote {shown(item.path)} ({what})")
            lines += [f"  {note}" for note in item.notes]
        if self.missing_art:
            lines.append(f"missing art ({len(self.missing_art)}), drawn as placeholders:")
            lines += [f"  {rel}  ({where})" for rel, where in self.missing_art]
        if self.cached:
            lines.append("nothing changed since the last build: outputs are up to date "
                         "(--no-cache rebuilds anyway)")
        return lines


def shown(path: Path) -> str:
    """``path`` as a user would type it: relative to the current folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@dataclass
class Run:
    """One build under way: what the formats read, made once and shared."""

    project: Project
    """The project's files."""
    pamphlet: Pamphlet
    """The document model."""
    theme: Theme
    """Templates, stylesheets and words."""
    request: Request
    """What was asked for."""
    pictures: Pictures
    """The pictures drawn or converted in this build."""
    layouts: Layouts | None = None
    """Print layouts kept from the last build (``pressrun watch``), to reuse."""
    progress: Progress = field(default_factory=lambda: Progress(False, False))
    """Where stages are reported."""
    _once: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def profile(self) -> Profile:
        """The print profile asked for."""
        return PROFILES[self.request.profile]

    @cached_property
    def edition(self) -> Edition:
        """The print edition asked for."""
        return EDITIONS[self.request.edition]

    def once(self, key: str, make: Callable[[], Any]) -> Any:
        """``make()``, computed once in this build (the print layout that the PDF and the
        EPUB's page list share, say)."""
        if key not in self._once:
            self._once[key] = make()
        return self._once[key]

    def target(self, name: str, folder: bool) -> Path:
        """Where the output file ``name`` goes: ``-o`` as given (a folder when ``folder``),
        else the project's ``build/``."""
        output = self.request.output
        if folder and output is not None and output.exists() and not output.is_dir():
            raise PressrunError(f"-o {output} is a file, but several outputs are written: "
                                "name a folder to write them into", code="write")
        target = self.project.output(name) if output is None else \
            output / name if folder else output
        self.project.check_target(target)
        return target


class Format(Protocol):
    """An output format: a sibling package of ``pdf/`` and ``epub/``. It may also name, as
    ``imports``, the modules its ``outputs`` imports that take long (WeasyPrint): they are
    imported while the project is loaded (see ``prepare``)."""

    name: str
    """Its name in ``FORMATS`` and on the command line."""

    def outputs(self, run: Run, folder: bool) -> list[Output]:
        """The files this format makes for ``run`` (``folder``: ``-o`` names a folder)."""
        ...


FORMATS: dict[str, str | Format] = {
    "html": "pressrun.pdf:PrintHtmlFormat",
    "pdf": "pressrun.pdf:PdfFormat",
    "epub": "pressrun.epub:EpubFormat",
}
"""The output formats, by name: a format object, or where to import its class from (so that
``pressrun --help`` imports no format)."""


def format_named(name: str) -> Format:
    """The registered format ``name``."""
    entry = FORMATS[name]
    if isinstance(entry, str):
        module, _, cls = entry.partition(":")
        entry = FORMATS[name] = getattr(importlib.import_module(module), cls)()
    return entry


def load(project: Project, strict: bool = False) -> tuple[Pamphlet, Theme]:
    """Load the project; with ``strict``, warnings and missing art are errors."""
    from pressrun.html.theme import Theme

    pamphlet, words = _read(project, strict)
    return pamphlet, Theme(project, words)


def _read(project: Project, strict: bool, keep_parts: bool = False
          ) -> tuple[Pamphlet, Words]:
    """The project's manuscript, and its language's fixed words; with ``keep_parts``, the parts
    kept in ``build/.cache/`` by the last run are used, and this run's kept there."""
    from pressrun.html.words import load_words
    from pressrun.manuscript.loader import load_pamphlet
    from pressrun.manuscript.reread import across_runs

    with across_runs(project) if keep_parts else contextlib.nullcontext():
        pamphlet, _ = load_pamphlet(project, strict)
    return pamphlet, load_words(project, pamphlet.metadata.language)


def prepare(root: Path, request: Request = Request(), layouts: Layouts | None = None,
            progress: Progress | None = None, keep_parts: bool = False) -> Run:
    """Load the project at ``root`` and make the run its formats share.

    The formats' slow imports (``Format.imports``) not yet made are made meanwhile, the
    project loaded in a forked process (the pamphlet's 0.13 s of loading, beside 0.27 s
    of importing WeasyPrint); a child that fails has its work done again here, so that an
    error reads as it always does. ``pressrun watch`` (``layouts`` kept from build to
    build) reads here, keeping the parts it reads for its next build (``reread``); with
    ``keep_parts``, they are kept in ``build/.cache/`` for the next run."""
    from pressrun.forked import Child, can_fork
    from pressrun.html.pictures import Pictures
    from pressrun.html.theme import Theme

    project = Project(root)
    progress = progress or Progress(False, False)
    wanted = [module for module in dict.fromkeys(
        module for name in request.formats
        for module in getattr(format_named(name), "imports", ()))
        if module not in sys.modules]
    with progress.stage("load"):
        child = Child(lambda: _read(project, request.strict, keep_parts)) \
            if wanted and layouts is None and can_fork() else None
        try:
            for module in wanted:
                importlib.import_module(module)
        finally:
            loaded = child.result() if child is not None else None
        pamphlet, words = loaded or _read(project, request.strict, keep_parts)
        theme = Theme(project, words)
    pictures = Pictures(project, theme.words, theme.render)
    return Run(project, pamphlet, theme, request, pictures, layouts, progress)


def build(root: Path, request: Request = Request(), layouts: Layouts | None = None,
          progress: Progress | None = None) -> Result:
    """Build ``request``'s outputs of the project at ``root``, unless an identical build
    into ``build/`` is cached. ``layouts`` (kept by ``pressrun watch``) holds the print
    layout's sections from the last build, to reuse."""
    from pressrun import cache, forked

    progress = progress or Progress(False, False)
    project = Project(root)
    for name in request.formats:
        if name not in FORMATS:
            raise PressrunError(f"unknown output format '{name}': use one of "
                                + ", ".join(sorted(FORMATS)))
    if request.booklet and not PROFILES[request.profile].booklet:
        raise PressrunError("--booklet is for printing at home; a press imposes the pages "
                            "itself: use --profile home or grayscale with --booklet")
    key = {"formats": request.formats, "strict": request.strict, "profile": request.profile,
           "booklet": request.booklet, "edition": request.edition,
           "handouts": request.handouts}
    cached = request.cache and request.output is None and \
        project.path(MANUSCRIPT).is_dir()
    if request.output is None:  # before any work: build/ must not lead out of the project
        project.check_folder(project.path(BUILD))
    if cached:
        project.check_folder(project.path(CACHE))
        with progress.stage("cache"):
            found, stamp = cache.lookup(project, key)
        if found is not None:
            for warning in found.warnings:
                log.warning("%s", warning)
            return found
    with _Captured() as warnings:
        run = prepare(root, request, layouts, progress,
                      keep_parts=cached and layouts is None)
        folder = len(request.formats) > 1
        outputs = forked.outputs(run, request.formats, folder)
        project.write_all([(output.path, output.data) for output in outputs])
        written = tuple(Written(output.path, output.kind, len(output.data), output.pages,
                                output.notes) for output in outputs)
    result = Result(written, tuple((image.rel, str(image.location))
                                   for image in run.pamphlet.missing_art),
                    tuple(warnings.messages))
    if cached:
        cache.record(project, key, stamp, result)
    return result


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
