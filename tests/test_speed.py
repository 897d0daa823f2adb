"""Speed that changes no byte: WeasyPrint loaded without running a compiler (and fontTools'
subsetter and instancer only when used; its C arrays' types not parsed anew), the PDF's
sections written in a second process while the next are laid out and the EPUB is made,
the EPUB's pictures converted beside the layout, the manuscript read while WeasyPrint is
imported, in two halves, pictures handed to WeasyPrint as it would convert them."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import PROJECTS, library_pdf
from pressrun import forked
from pressrun.build import Request, Result, build
from pressrun.pdf.libraries import SONAMES, soname
from pressrun.problems import PressrunError

SPY = """
import subprocess, sys
started = []
class Spy(subprocess.Popen):
    def __init__(self, args, *rest, **options):
        started.append(args)
        super().__init__(args, *rest, **options)
subprocess.Popen = Spy
import {module}
from pressrun.pdf.libraries import SONAMES
stems = tuple(name.partition(".so")[0] + ".so" for name in SONAMES)
libraries = sorted({{path for path in (line.split()[-1] for line in open("/proc/self/maps"))
                    if path.rsplit("/", 1)[-1].startswith(stems)}})
print(repr((started, libraries)))
"""


def _import(module: str) -> tuple[list[object], list[str]]:
    """What importing ``module`` in a fresh Python started, and the libraries it mapped."""
    done = subprocess.run([sys.executable, "-c", SPY.format(module=module)],
                          capture_output=True, text=True, check=True)
    return ast.literal_eval(done.stdout.strip().splitlines()[-1])


def test_help_loads_neither_the_model_nor_the_forking_and_ends_at_once() -> None:
    # ``pressrun --help`` is Python's start, click's import and pressrun's options: the
    # model's dataclasses (made by exec, one per method: the profiles are named tuples),
    # the forking module's pickle and tempfile, logging and pathlib are not needed to list
    # them, and the end skips Python's own.
    done = subprocess.run([sys.executable, "-X", "importtime", "-c",
                           "import atexit, sys; sys.argv = ['pressrun', '--help']; "
                           "atexit.register(print, 'ended by Python'); "
                           "from pressrun.cli import main; main()"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Commands:" in done.stdout and "ended by Python" not in done.stdout
    loaded = {line.rpartition("|")[2].strip() for line in done.stderr.splitlines()}
    assert {"pressrun.cli", "pressrun.profiles", "pressrun.paper"} <= loaded
    assert not loaded & {"pressrun.model", "pressrun.forked", "pickle", "tempfile",
                         "weasyprint", "jinja2", "yaml", "logging", "pathlib", "dataclasses",
                         "pressrun.problems", "pressrun.progress", "pressrun.pdf"}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="sonames are Linux's")
def test_loading_weasyprint_starts_no_process_and_loads_the_same_libraries() -> None:
    started, ours = _import("pressrun.pdf.weasy")
    assert started == []  # no ldconfig, gcc or ld probing for library names
    probed, theirs = _import("weasyprint")
    assert probed, "WeasyPrint alone no longer probes: pressrun.pdf.libraries can go"
    assert ours == theirs and any("pango" in name for name in ours)


def test_every_name_weasyprint_tries_maps_to_its_own_library() -> None:
    assert soname("libgobject-2.0-0") == soname("gobject-2.0") == "libgobject-2.0.so.0"
    assert soname("libpango-1.0-0") == "libpango-1.0.so.0"
    assert soname("pangoft2-1.0-0") == "libpangoft2-1.0.so.0"
    assert soname("libharfbuzz-subset-0") == "libharfbuzz-subset.so.0"
    assert soname("harfbuzz-vector") == "libharfbuzz-vector.so.0"
    assert soname("libharfbuzz-0") == "libharfbuzz.so.0"
    assert soname("fontconfig-1") == "libfontconfig.so.1"
    assert soname("cairo") is None
    assert len(set(map(soname, SONAMES))) == len(SONAMES)


DEFERRED = """
import sys
import pressrun.pdf.weasy
from weasyprint.pdf import fonts
loaded = [name for name in ("fontTools.subset", "fontTools.subset.cff", "fontTools.varLib",
                            "fontTools.varLib.instancer") if name in sys.modules]
import fontTools.varLib.instancer as real
from fontTools.ttLib import getTableClass
import fontTools.subset
import fontTools.subset.cff
failures = []
for function in (fonts.instantiateVariableFont, real.instantiateVariableFont):
    try:
        function(None, {})
    except Exception as exc:
        failures.append((type(exc).__name__, str(exc)))
print(repr((loaded, fonts.subset.Subsetter is fontTools.subset.Subsetter,
            hasattr(getTableClass("GSUB"), "prune_lookups"), failures)))
"""


def test_fonttools_subsetter_and_instancer_are_loaded_when_used() -> None:
    """WeasyPrint imports them at start (0.13 s) for fonts the theme does not have:
    pressrun imports them at their first use, by fontTools' own import (the instancer
    needs what importing the subsetter adds to fontTools' tables), and the functions
    are fontTools' own."""
    done = subprocess.run([sys.executable, "-c", DEFERRED], capture_output=True, text=True,
                          check=True)
    loaded, same_subsetter, pruning, failures = ast.literal_eval(
        done.stdout.strip().splitlines()[-1])
    assert loaded == []
    assert same_subsetter and pruning
    assert len(failures) == 2 and failures[0] == failures[1]


ARRAYS = """
import pressrun.pdf.weasy
from weasyprint.text.ffi import ffi
from pressrun.pdf.libraries import before_writers
before_writers()  # the item types, parsed once
parse, parsed = ffi._parser.parse_type, []
ffi._parser.parse_type = lambda cdecl: parsed.append(cdecl)
lengths = (7919, 104729, 1299709)
made = [ffi.typeof(f"hb_codepoint_t[{n}]") for n in lengths] + \\
    [ffi.typeof("hb_tag_t[7919]"), ffi.typeof("char [7919]")]
assert parsed == [], parsed
names = [f"hb_codepoint_t[{n}]" for n in lengths] + ["hb_tag_t[7919]", "char[7919]"]
for name, ctype in zip(names, made, strict=True):
    with ffi._lock:  # as cffi makes a type it has parsed
        assert ctype is ffi._get_cached_btype(parse(name)), name
assert list(ffi.new("hb_codepoint_t[3]", [1, 2, 3])) == [1, 2, 3]
assert ffi.sizeof("hb_codepoint_t[7919]") == 4 * 7919
"""


def _python(code: str, cache: Path, *args: str | Path) -> str:
    """What ``code`` (or, with ``args``, pressrun's command line) prints in a fresh Python
    whose user cache is ``cache``."""
    command = [sys.executable, "-c", code] if not args else \
        [sys.executable, "-m", "pressrun", *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True,
                          env=dict(os.environ, XDG_CACHE_HOME=str(cache)))
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_array_types_are_cffis_own_made_without_parsing(tmp_path: Path) -> None:
    """WeasyPrint asks cffi for ``hb_codepoint_t[N]`` with a new N for each font of each
    PDF: made from the item's type, not parsed by pycparser (3-4 ms each), when cffi
    parses WeasyPrint's declarations (an empty user cache)."""
    _python(ARRAYS, tmp_path / "cache")


DECLARED = """
import sys
import pressrun.pdf.weasy
from weasyprint.text.ffi import ffi
print(repr((type(ffi).__name__, "pycparser" in sys.modules)))
"""


def test_weasyprints_declarations_are_parsed_once_and_kept(tmp_path: Path) -> None:
    """The first start parses WeasyPrint's C declarations; later ones make its ``FFI``
    from the tables kept, without pycparser, and write the same bytes."""
    cache, project = tmp_path / "cache", PROJECTS / "minimal"
    assert ast.literal_eval(_python(DECLARED, cache)) == ("FFI", True)
    assert ast.literal_eval(_python(DECLARED, cache)) == ("Declared", False)
    written = []
    for fresh in (tmp_path / "fresh", cache):
        out = tmp_path / f"{fresh.name}.pdf"
        _python("", fresh, "-q", "--no-cache", "pdf", "-C", project, "-o", out)
        written.append(out.read_bytes())
    assert written[0] == written[1]
    entry = next(path for path in (cache / "pressrun").rglob("*") if path.is_file()
                 and b"pango_layout_new" in path.read_bytes())
    entry.write_bytes(b"not tables")  # unusable: parsed again, and kept again
    assert ast.literal_eval(_python(DECLARED, cache)) == ("FFI", True)
    assert ast.literal_eval(_python(DECLARED, cache)) == ("Declared", False)


DEFAULT_SHEETS = """
import tinycss2
parsed, parse = [], tinycss2.parse_stylesheet
tinycss2.parse_stylesheet = lambda *args, **options: parsed.append(1) or parse(*args, **options)
import pressrun.pdf.weasy
import weasyprint, weasyprint.css, weasyprint.document, weasyprint.html
css = [module.CSS for module in (weasyprint.css, weasyprint.document, weasyprint.html)]
print(repr((len(parsed), all(each is weasyprint.CSS for each in css),
            isinstance(weasyprint.CSS, type))))
"""


def test_weasyprints_default_stylesheets_are_parsed_once_and_kept(tmp_path: Path) -> None:
    """Importing WeasyPrint parses its three default stylesheets (HTML5's, forms',
    presentational hints) the first time; later starts read them from the user's cache,
    WeasyPrint's ``CSS`` is its own everywhere, and the PDF is the same."""
    cache, project = tmp_path / "cache", PROJECTS / "minimal"
    written = []
    for used in (tmp_path / "empty", cache):
        if used == cache:
            for parses in (3, 0):
                assert ast.literal_eval(_python(DEFAULT_SHEETS, cache)) == (parses, True, True)
        out = tmp_path / f"{used.name}.pdf"
        _python("", used, "-q", "--no-cache", "pdf", "-C", project, "-o", out)
        written.append(out.read_bytes())
    assert written[0] == written[1]


def _build(root: Path, into: Path, **request: object) -> tuple[Result, dict[str, bytes]]:
    result = build(root, Request(output=into, cache=False, **request))  # type: ignore[arg-type]
    return result, {path.name: path.read_bytes() for path in sorted(into.iterdir())}


def _forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every fork made from now on (one entry each)."""
    forks: list[int] = []
    fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or fork())
    return forks


def _only_here(function: Any) -> Any:
    """``function``, failing in any process forked from this one."""
    here = os.getpid()

    def here_only(*args: Any) -> Any:
        if os.getpid() != here:
            raise RuntimeError("a forked process fails")
        return function(*args)

    return here_only


@pytest.mark.skipif(not forked.can_fork(), reason="writes in one process on this machine")
def test_the_pdf_written_beside_the_epub_is_byte_for_byte_a_sequential_build(
        project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pressrun.build import prepare
    from pressrun.pdf.render import print_sections

    root = project()  # its red star is under 300 dpi: a warning
    forks = _forks(monkeypatch)
    parallel, together = _build(root, tmp_path / "parallel", profile="press")
    # The EPUB's pictures, and the PDF's sections: at least the first one laid out.
    assert len(forks) >= 1 + (len(print_sections(prepare(root).pamphlet)) > 1)
    forked_before = len(forks)
    monkeypatch.setenv("PRESSRUN_SEQUENTIAL", "1")
    sequential, alone = _build(root, tmp_path / "sequential", profile="press")
    assert len(forks) == forked_before
    assert together == alone and set(together) == {"a-minimal-pamphlet-press.pdf",
                                                   "a-minimal-pamphlet.epub"}
    assert sorted(parallel.warnings) == sorted(sequential.warnings)
    assert any("dpi, below" in warning for warning in parallel.warnings)


@pytest.mark.skipif(not forked.can_fork(), reason="converts in one process on this machine")
def test_pictures_for_screens_are_converted_beside_the_layout(
        project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The EPUB's pictures are converted, and its cover drawn, in a forked process while
    the print edition is laid out (Ten Days: 2.7 s of its EPUB's 3.4 s; the pamphlet's
    cover 0.11 s of 0.18 s); a child that fails leaves them to the EPUB, with the same
    bytes."""
    import pressrun.epub.documents
    import pressrun.epub.package
    import pressrun.epub.picturecache as picturecache

    here, convert, converted_here = os.getpid(), picturecache.screen_image, []
    draw = pressrun.epub.documents.cover_png
    log, epub_bytes = tmp_path / "processes", pressrun.epub.package.epub_bytes

    def told(what: str) -> None:  # from whichever process
        with log.open("a") as file:
            file.write(f"{what} {os.getpid()}\n")

    def spied(image: Any, data: bytes) -> Any:
        if os.getpid() == here:
            converted_here.append(image.rel)
        told("converted")
        return convert(image, data)

    def drawn(metadata: Any) -> bytes:
        told("drawn")
        return draw(metadata)

    monkeypatch.setattr(picturecache, "screen_image", spied)
    monkeypatch.setattr(pressrun.epub.documents, "cover_png", drawn)
    monkeypatch.setattr(pressrun.epub.package, "epub_bytes",
                        lambda *args: told("packed") or epub_bytes(*args))
    root = project()
    _, together = _build(root, tmp_path / "ahead")
    build(root, Request(("epub",), output=tmp_path / "alone.epub", cache=False))
    assert converted_here == []
    steps = [line.split() for line in log.read_text().splitlines()]
    assert [step for step, _ in steps] == ["converted", "drawn", "packed"] * 2
    assert steps[0][1] == steps[1][1] != steps[2][1] == str(here)
    assert steps[3][1] == steps[4][1] != steps[5][1] == str(here)

    monkeypatch.setattr(picturecache, "screen_image", _only_here(spied))
    log.unlink()
    _, again = _build(root, tmp_path / "again")
    assert converted_here == ["images/red-star.png"]
    assert sorted(line.split() for line in log.read_text().splitlines()) == [
        ["converted", str(here)], ["drawn", str(here)], ["packed", str(here)]]
    monkeypatch.setenv("PRESSRUN_SEQUENTIAL", "1")
    _, alone = _build(root, tmp_path / "alone")
    assert together == again == alone
    assert (tmp_path / "alone.epub").read_bytes() in alone.values()


@pytest.mark.skipif(not forked.can_fork(), reason="forks nothing on this machine")
def test_a_child_ends_when_done_without_waiting_to_be_read() -> None:
    """A finished writer or converter frees its memory at once, however large its result
    (a pipe would hold it until this process read: Ten Days' pictures are 7 MB)."""
    import time

    def ended(pid: int) -> bool:  # reaped, or a zombie waiting to be
        try:
            return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z"
        except OSError:
            return True

    child = forked.Child(lambda: b"x" * 10_000_000)
    deadline = time.monotonic() + 30
    while not (child.ready() and ended(child.pid)) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert ended(child.pid)
    assert child.result() == b"x" * 10_000_000


@pytest.mark.skipif(not forked.can_fork(), reason="forks nothing on this machine")
def test_the_collector_passes_by_what_a_forked_process_shares_until_none_is_left() -> None:
    """A collection writes into every object it visits, and a page a forked process shares
    is copied when written: what was made before a fork is passed by while a child lives,
    in both processes, and garbage made of it meanwhile is collected once none does
    (``pressrun watch`` forks at every rebuild)."""
    import gc
    import weakref

    class Node:
        pass

    node = Node()
    node.loop = node  # type: ignore[attr-defined]
    alive = weakref.ref(node)
    child = forked.Child(gc.get_freeze_count)
    del node
    gc.collect()
    assert alive() is not None
    assert (child.result() or 0) > 0
    gc.collect()
    assert alive() is None and gc.get_freeze_count() == 0


@pytest.mark.skipif(not forked.can_fork(), reason="forks nothing on this machine")
def test_work_set_aside_is_done_while_waiting_for_a_child(monkeypatch) -> None:
    """pikepdf is imported while this process waits for a writer: work set aside with
    ``meanwhile`` is done before waiting, a failure in it changes nothing, and none is
    done when there is no wait."""
    import time

    done: list[str] = []
    monkeypatch.setattr(forked, "_IDLE", [])
    forked.meanwhile(lambda: done.append("first"))
    forked.meanwhile(lambda: 1 / 0)
    forked.meanwhile(lambda: done.append("third"))
    assert forked.Child(lambda: time.sleep(1.0) or "made").result() == "made"
    assert done == ["first", "third"] and forked._IDLE == []
    quick = forked.Child(lambda: "quick")
    while not quick.ready():
        time.sleep(0.01)
    withdraw = forked.meanwhile(lambda: done.append("never"))
    assert quick.result() == "quick" and "never" not in done
    withdraw()
    assert forked._IDLE == []


@pytest.mark.skipif(not forked.can_fork(), reason="forks nothing on this machine")
def test_the_assembler_is_imported_while_waiting_for_a_writer(
        project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pikepdf (0.03-0.09 s) is imported while this process waits for a forked writer,
    not before the layout; no work is left behind for a later wait."""
    import time

    from pressrun.pdf import pieces

    waits: list[tuple[bool, bool]] = []  # imported before and after each wait
    result = forked.Child.result

    def waiting(child: forked.Child) -> object:
        before = pieces.ASSEMBLER in sys.modules
        try:
            return result(child)
        finally:
            waits.append((before, pieces.ASSEMBLER in sys.modules))

    monkeypatch.setattr(forked.Child, "result", waiting)
    write, here = pieces.pdf_bytes, os.getpid()  # forked writers slow enough to wait for
    monkeypatch.setattr(pieces, "pdf_bytes", lambda *args: (
        os.getpid() != here and time.sleep(1.0)) or write(*args))
    monkeypatch.setattr(forked, "_IDLE", [])
    monkeypatch.delitem(sys.modules, pieces.ASSEMBLER, raising=False)
    _build(project(), tmp_path / "out")
    assert (False, True) in waits
    assert forked._IDLE == []


@pytest.mark.skipif(not forked.can_fork(), reason="reads in one process on this machine")
def test_parts_read_in_two_processes_are_read_as_in_one(
        project, monkeypatch: pytest.MonkeyPatch) -> None:
    """The manuscript's parts are shared between two processes (Ten Days' ``check`` 0.96 →
    0.66 s): the same model, the same problems in the same order, even when one process
    fails."""
    from pressrun.manuscript import loader
    from pressrun.project import Project

    root = project("study")
    manuscript = root / "manuscript"
    (manuscript / "02-guards.md").write_text("no front matter\n", encoding="utf-8")
    with (manuscript / "03-links.md").open("a", encoding="utf-8") as part:
        part.write("\n![A lost picture](../images/lost.png)\n\n[Nowhere](99-none.md)\n")
    (manuscript / "pamphlet.yaml").write_text((manuscript / "pamphlet.yaml").read_text(
        encoding="utf-8").replace("  - 03-links.md", "  - 03-links.md\n  - 04-none.md"),
        encoding="utf-8")
    forks = _forks(monkeypatch)
    shared = loader.read_project(Project(root))
    assert forks
    monkeypatch.setenv("PRESSRUN_SEQUENTIAL", "1")
    alone = loader.read_project(Project(root))
    assert shared[0] == alone[0] and shared[1].found == alone[1].found
    codes = [problem.code for problem in alone[1].found]
    assert {"no-front-matter", "missing-part"} <= set(codes), codes
    monkeypatch.delenv("PRESSRUN_SEQUENTIAL")
    monkeypatch.setattr(loader, "_load_part", _only_here(loader._load_part))
    again = loader.read_project(Project(root))
    assert again[0] == alone[0] and again[1].found == alone[1].found


READ_BESIDE = """
import os, sys
from pathlib import Path
from pressrun import build
read, log = build._read, Path(sys.argv[2])
def spied(project, *options):
    made = read(project, *options)
    with log.open("a") as file:
        print(os.getpid(), "weasyprint" in sys.modules, file=file)
    return made
build._read = spied
run = build.prepare(Path(sys.argv[1]), build.Request(("pdf",)))
alone = build.load(run.project)[0]
print(os.getpid(), "weasyprint" in sys.modules, run.pamphlet == alone)
"""


@pytest.mark.skipif(not forked.can_fork(), reason="reads in one process on this machine")
def test_the_project_is_read_in_a_forked_process_while_weasyprint_is_imported(
        project, tmp_path: Path) -> None:
    """A build that lays out the print edition reads the manuscript in a forked process
    while this one imports WeasyPrint (0.27 s; the pamphlet reads in 0.13 s), and gets
    the model it would have read itself; a read that fails is done again here, so that
    the error reads as in one process."""
    root, log = project("study"), tmp_path / "reads"
    found = subprocess.run([sys.executable, "-c", READ_BESIDE, str(root), str(log)],
                           capture_output=True, text=True, check=True).stdout.split()
    reads = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    assert found[1:] == ["True", "True"], found
    assert reads[0][0] != found[0] and reads[0][1] == "False", (reads, found)
    (root / "manuscript" / "02-guards.md").write_text("no front matter\n", encoding="utf-8")
    errors = [subprocess.run([sys.executable, "-m", "pressrun", "pdf", "--project", str(root),
                              "--strict"], capture_output=True, text=True,
                             env=dict(os.environ, PRESSRUN_SEQUENTIAL=sequential))
              for sequential in ("0", "1")]
    assert errors[0].returncode == errors[1].returncode == 1
    assert errors[0].stderr == errors[1].stderr and "02-guards.md" in errors[0].stderr


@pytest.mark.skipif(not forked.can_fork(), reason="writes in one process on this machine")
def test_the_epub_is_made_here_beside_one_writer_at_most(
        project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build's memory peaks at its end: the EPUB is made in this process, beside the
    forked writer of the PDF's last sections, not in a third process (Ten Days: 538 MiB
    for three processes, 440 MiB for two)."""
    import pressrun.epub.package

    here, made, epub_bytes = os.getpid(), [], pressrun.epub.package.epub_bytes

    def spied(*args: Any) -> bytes:
        made.append((os.getpid(), sum(not child.ready() for child in forked._LIVE)))
        return epub_bytes(*args)

    monkeypatch.setattr(pressrun.epub.package, "epub_bytes", spied)
    _build(project("study"), tmp_path / "out")
    assert len(made) == 1 and made[0][0] == here and made[0][1] <= 1, made


def test_a_format_that_fails_leaves_the_error_to_the_build(
        project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pressrun.epub

    def broken(*args: object) -> bytes:
        raise PressrunError("the EPUB cannot be written", code="write")

    monkeypatch.setattr(pressrun.epub.EpubFormat, "outputs", broken)
    with pytest.raises(PressrunError, match="the EPUB cannot be written"):
        _build(project(), tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.skipif(not forked.can_fork(), reason="writes in one process on this machine")
def test_sections_written_in_two_processes_are_byte_for_byte_one_process(
        project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The PDF's sections are written in a forked process as they are laid out, and the
    rest shared between two: the book has the bytes of one written in one process, and
    a forked writer that fails is made up for by this one."""
    import pressrun.pdf.pieces

    root = project("study")

    def pdf(name: str) -> bytes:
        return library_pdf(root, tmp_path / name)

    forks = _forks(monkeypatch)
    parallel = pdf("parallel.pdf")
    assert forks
    monkeypatch.setattr(pressrun.pdf.pieces, "pdf_bytes",
                        _only_here(pressrun.pdf.pieces.pdf_bytes))
    count = len(forks)
    recovered = pdf("recovered.pdf")
    assert len(forks) > count
    count = len(forks)
    monkeypatch.setenv("PRESSRUN_SEQUENTIAL", "1")
    sequential = pdf("sequential.pdf")
    assert len(forks) == count
    assert parallel == recovered == sequential


@pytest.mark.skipif(not forked.can_fork(), reason="writes in one process on this machine")
def test_pictures_encoded_by_a_forked_writer_are_kept_for_the_next_rebuild(
        project, monkeypatch: pytest.MonkeyPatch) -> None:
    """``pressrun watch`` keeps the PNG encoding of each picture: a section written in a
    forked process sends back what it encoded, so the next rebuild's writer, forked from
    this process again, does not encode it again (a second on a chapter of Ten Days)."""
    import pressrun.pdf.pieces
    from pressrun.pdf.sections import Layouts
    from pressrun.pdf.weasy import placed_anchors

    root, layouts = project("study"), Layouts()
    here, written = os.getpid(), pressrun.pdf.pieces.pdf_bytes
    where: list[bool] = []

    def writing(document: Any, *args: object) -> bytes:
        if any(anchor.startswith("01-councils") for anchor in placed_anchors(document)):
            where.append(os.getpid() == here)  # the part with the picture
        return written(document, *args)  # type: ignore[arg-type]

    def finished(child: forked.Child) -> bool:  # a writer asked about has finished, so
        if child.status is None:  # the sections laid out since go to another, never here
            child.status = os.waitpid(child.pid, 0)[1]  # (a busy machine made it so)
        return True

    monkeypatch.setattr(pressrun.pdf.pieces, "pdf_bytes", writing)
    monkeypatch.setattr(forked.Child, "ready", finished)
    build(root, Request(cache=False), layouts)
    assert layouts.shared is not None
    assert any(str(key).startswith("pressrun-png-") for key in layouts.shared.images)
    assert any(anchor.startswith("01-councils") for document in layouts.documents.values()
               for anchor in placed_anchors(document))
    assert where == []  # that part was written in a forked process, not here


@pytest.mark.parametrize("book", ["pamphlet", "manifesto", "ten_days"])
def test_the_books_built_side_by_side_are_the_recorded_bytes(book: str,
                                                              request: pytest.FixtureRequest
                                                              ) -> None:
    """The three books, built with the PDF written beside the EPUB (the suite's builds),
    give the bytes ``identical.json`` recorded from builds made one format at a time."""
    import hashlib
    import json

    import identical

    record = json.loads(identical.RECORD.read_text(encoding="utf-8"))
    if record["environment"] != identical.environment():
        pytest.skip("identical.json was recorded with other libraries or fonts")
    built = request.getfixturevalue(book)
    found = {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
             for path in (built.pdf, built.epub)}
    assert found == record["cases"][book.replace("_", "-")]


@pytest.mark.skipif(not forked.can_fork(), reason="writes in one process on this machine")
def test_a_build_that_fails_leaves_no_process_behind(
        project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sections already laid out are being written when a later one fails: the writer
    is stopped with the build (``pressrun watch`` lives on)."""
    import pressrun.pdf.sections

    root, calls = project("study"), []
    checked = pressrun.pdf.sections.layout_checked

    def failing(*args: object, **options: object) -> object:
        calls.append(1)
        if len(calls) == 3:
            raise PressrunError("a later section cannot be laid out", code="off-page")
        return checked(*args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(pressrun.pdf.sections, "layout_checked", failing)
    before = _children()  # the tests' EPUBCheck, say
    with pytest.raises(PressrunError, match="a later section"):
        build(root, Request(formats=("pdf",), output=tmp_path / "x.pdf", cache=False))
    assert not forked._LIVE
    assert _children() == before  # no child left, not even a zombie


def _children() -> set[int]:
    """This process's children, running or ended and not yet waited for."""
    return {int(pid) for task in Path("/proc/self/task").iterdir()
            for pid in (task / "children").read_text().split()}


SWING = """
import resource
from pressrun.framestack import with_room

def down(depth):
    return down(depth - 1) if depth else 0

def swing():
    for _ in range(2000):
        down(400)  # about 40 KB of frames: across two chunk ends, down and up again

def faults(function):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    function()
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

print(faults(swing), faults(lambda: with_room(swing)))
"""


@pytest.mark.skipif(sys.implementation.name != "cpython", reason="CPython's frame stack")
def test_deep_recursion_with_room_maps_no_frame_chunks_again_and_again() -> None:
    done = subprocess.run([sys.executable, "-c", SWING], capture_output=True, text=True,
                          check=True)
    alone, with_room = map(int, done.stdout.split())
    # A chunk mapped afresh is a page fault each time its first page is touched.
    assert with_room < 200, (alone, with_room)
    if sys.version_info < (3, 13):  # no spare chunk kept (gh-142183): each crossing maps one
        assert alone > 4000, (alone, with_room)


def test_the_layout_and_the_writing_run_with_room_below_them(
        project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint import HTML
    from weasyprint.document import Document

    from pressrun import framestack
    from pressrun.pdf import layout_faults

    callers: list[bool] = []

    def spied(method: Any) -> Any:
        def spy(*args: Any, **options: Any) -> Any:
            frame, found = sys._getframe(), False
            while frame is not None and not found:
                found, frame = frame.f_code is framestack.with_room.__code__, frame.f_back
            callers.append(found)
            return method(*args, **options)
        return spy

    monkeypatch.setattr(HTML, "render", spied(HTML.render))
    monkeypatch.setattr(Document, "write_pdf", spied(Document.write_pdf))
    monkeypatch.setenv("PRESSRUN_SEQUENTIAL", "1")  # every section written here
    root = project()
    build(root, Request(("pdf",), output=tmp_path / "out.pdf", cache=False))
    layout_faults(root)  # pressrun check --layout
    assert len(callers) >= 3 and all(callers)


@pytest.mark.skipif(not forked.can_fork(), reason="writes in one process on this machine")
def test_sections_left_after_the_layout_are_written_here_while_the_writer_writes(
        project, monkeypatch: pytest.MonkeyPatch) -> None:
    """At the end of the layout, the sections no writer has are written here one by one
    while the forked writer is busy, and the rest shared with a new forked process once it
    is done (Ten Days waited 2.9 s after its layout, 1.2 s now), with the same bytes."""
    from pressrun.build import prepare
    from pressrun.pdf import pieces, print_job
    from pressrun.pdf.sections import Layouts, layout_sections

    class Busy:
        """A writer with nothing of this book, busy until asked a second time."""

        asked = 0

        def ready(self) -> bool:
            self.asked += 1
            return self.asked > 1

        def result(self) -> tuple[list[bytes], dict[str, bytes]]:
            return [], {}

    job = print_job(prepare(project("study"), Request(("pdf",))))
    layouts, alone = Layouts(kept=False), Layouts(kept=False)
    layout_sections(job, layouts)
    layout_sections(job, alone)
    pipeline, write, calls = pieces.Pipeline("pdf/ua-1", keep=False), pieces._write, []
    pipeline.child = Busy()  # type: ignore[assignment]
    monkeypatch.setattr(pieces, "_write", lambda items, keep, encoded, fork=True: calls.append(
        (len(items), fork)) or write(items, keep, encoded, fork))
    data = pieces.book_pdf(layouts, "pdf/ua-1", pipeline)
    assert len(layouts.order) >= 3 and calls[:2] == [(1, False), (len(layouts.order) - 1, True)]
    assert data == pieces.book_pdf(alone, "pdf/ua-1")


@pytest.mark.skipif(not forked.can_fork(), reason="forks nothing on this machine")
def test_items_shared_by_two_ends_are_each_done_once_at_least() -> None:
    """A forked process takes items from the front while this one takes them from the
    back: every item is done, the child's from the first, this process's from the last."""
    import time

    for count in (0, 1, 12):
        ends = forked.Ends(count)

        def front(ends: forked.Ends = ends) -> list[int]:
            done = []
            for index in ends.front():
                time.sleep(0.05)
                done.append(index)
            return done

        child, waited = forked.Child(front), 0
        while count and ends.claims[0] < 0 and waited < 500:  # the child has begun
            time.sleep(0.01)
            waited += 1
        mine = []
        while (index := ends.back()) is not None:
            time.sleep(0.02)
            mine.append(index)
        theirs = child.result()
        assert theirs is not None and theirs == list(range(len(theirs)))
        assert mine == list(range(count - 1, count - 1 - len(mine), -1))
        assert set(theirs) | set(mine) == set(range(count))
        if count == 12:
            assert theirs and mine and len(set(theirs) & set(mine)) <= 1


@pytest.mark.skipif(not forked.can_fork(), reason="writes in one process on this machine")
def test_this_process_writes_the_back_of_a_busy_writers_sections(
        project, monkeypatch: pytest.MonkeyPatch) -> None:
    """Waiting for the forked writer at the end (Ten Days' last batch of 119 pages took it
    2.8 s, while this process made the EPUB in 0.7 s and then waited), this process takes
    the sections it has not reached from the back of its batch: the same bytes."""
    import time

    from pressrun.build import prepare
    from pressrun.pdf import pieces, print_job
    from pressrun.pdf.sections import Layouts, layout_sections

    job = print_job(prepare(project("study"), Request(("pdf",))))
    layouts = Layouts(kept=False)
    layout_sections(job, layouts)
    pipeline = pieces.Pipeline("pdf/ua-1", keep=False)
    pipeline.waiting = [(pieces._piece(key, "pdf/ua-1", layouts.documents[key]),
                         layouts.documents[key]) for key in layouts.order]
    here, written, where = os.getpid(), pieces.pdf_bytes, []

    def writing(document: Any, *args: object) -> bytes:
        if os.getpid() != here:
            time.sleep(0.5)  # a writer slower than this process
        where.append(os.getpid() == here)
        return written(document, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(pieces, "pdf_bytes", writing)
    pipeline.flush()
    data = pieces.book_pdf(layouts, "pdf/ua-1", pipeline)
    count, there = len(layouts.order), len(pipeline.written)
    assert count >= 3 and 1 <= there < count  # the front there, the back here
    assert len(where) + there in (count, count + 1)  # one written by both, at most
    assert layouts.written == count
    monkeypatch.setattr(pieces, "pdf_bytes", written)
    layouts.pdfs = {}  # written again, without a writer to take from
    assert data == pieces.book_pdf(layouts, "pdf/ua-1")


def _palette_png(**options: Any) -> bytes:
    """A small picture with a palette, saved as PNG with ``options``."""
    from io import BytesIO

    from PIL import Image

    picture = Image.new("P", (40, 30), 1)
    picture.putpalette([255, 255, 255, 200, 30, 30, 10, 10, 120] + [0] * 759)
    for x in range(10, 30):
        picture.putpixel((x, x % 30), 2)
    out = BytesIO()
    picture.save(out, format="PNG", **options)
    return out.getvalue()


@pytest.mark.parametrize("transparent", [True, False])
def test_pictures_weasyprint_converts_are_handed_to_it_converted(transparent: bool) -> None:
    """WeasyPrint converts a palette PNG when it loads it (to RGBA for a transparent
    colour) and stores the conversion at zlib's default compression, in the layout (Ten
    Days' eight illustrations: 2.7 s); the fetcher hands it the same conversion stored
    with the fastest (0.8 s), which it keeps as it is, and the PDF gets the same image."""
    from io import BytesIO

    from PIL import Image
    from weasyprint.images import RasterImage

    from pressrun.pdf.weasyimages import as_loaded

    data = _palette_png(transparency=0) if transparent else _palette_png()
    ready = as_loaded(data, "image/png")
    theirs, ours = (RasterImage(Image.open(BytesIO(each)), "id", each) for each in (data, ready))
    assert ours.image_data.data == ready and theirs.image_data.data not in (data, ready)
    assert ours.mode == theirs.mode == ("RGBA" if transparent else "RGB")

    def content(stream: Any) -> bytes:
        return b"".join(getattr(part, "data", part) for part in stream.stream)

    written = [image.get_x_object(True, 1) for image in (theirs, ours)]
    assert content(written[0]) == content(written[1])
    assert written[0].extra.keys() == written[1].extra.keys()
    assert ("SMask" in written[1].extra) is transparent
    if transparent:
        assert content(written[0].extra["SMask"]) == content(written[1].extra["SMask"])


def test_the_layout_s_fetcher_hands_pictures_over_as_loaded(tmp_path: Path) -> None:
    from pressrun.pdf.render import PROJECT_URL
    from pressrun.pdf.weasy import ProjectFetcher
    from pressrun.pdf.weasyimages import as_loaded
    from pressrun.project import Project

    (tmp_path / "images").mkdir()
    data = _palette_png(transparency=0)
    (tmp_path / "images" / "star.png").write_bytes(data)
    fetched = ProjectFetcher(Project(tmp_path)).fetch(PROJECT_URL + "images/star.png")
    assert fetched.read() == as_loaded(data, "image/png") != data


def test_pictures_weasyprint_keeps_are_handed_to_it_as_they_are() -> None:
    from io import BytesIO

    from PIL import Image

    from pressrun.pdf.weasyimages import as_loaded

    rgb = BytesIO()
    Image.new("RGB", (20, 10), "red").save(rgb, format="PNG")
    turned = _palette_png(exif=b"Exif\0\0MM\0*\0\0\0\x08\0\0")  # WeasyPrint's to turn
    for data, media_type in ((rgb.getvalue(), "image/png"), (_palette_png(), "image/gif"),
                             (turned, "image/png"), (b"not a picture", "image/png")):
        assert as_loaded(data, media_type) is data


class _Done:
    """A forked writer that has always finished."""

    def __init__(self, batch: list[Any]) -> None:
        self.batch = batch

    def ready(self) -> bool:
        return True

    def result(self) -> tuple[list[bytes], dict[str, bytes]]:
        return [b"%PDF"] * len(self.batch), {}


def test_a_book_of_many_short_parts_forks_few_writers(monkeypatch: pytest.MonkeyPatch
                                                      ) -> None:
    from types import SimpleNamespace

    from pressrun.pdf import pieces

    writers: list[_Done] = []
    monkeypatch.setattr(pieces, "_writer", lambda batch, keep, ends: writers.append(
        _Done(batch)) or writers[-1])
    pipeline = pieces.Pipeline("pdf/ua-1", keep=False)
    page = SimpleNamespace(anchors={}, links=[])
    for index in range(1000):  # one page each, every writer done before the next part
        pipeline.laid(f"part-{index}", SimpleNamespace(pages=[page]),  # type: ignore[arg-type]
                      (999 - index) / 1000)
    # Each fork costs the layout its memory's pages again: batches grow instead, and
    # shrink again towards the end, so that few pages are left to write after the layout.
    assert len(writers) <= 26, [len(writer.batch) for writer in writers]
    assert len(pipeline.waiting) < pieces.FEWEST
    given = [piece for writer in writers for piece, _ in writer.batch]
    left = [piece for piece, _ in pipeline.waiting]
    assert [key for key, *_ in given + left] == [f"part-{index}" for index in range(1000)]


def test_a_command_ends_at_once_and_still_says_everything(project, tmp_path: Path) -> None:
    # pressrun leaves without Python's freeing of every box (ending.leave): what it wrote
    # to a pipe must still arrive, and WeasyPrint's font folder must still go.
    root, temporary = project(), tmp_path / "tmp"
    temporary.mkdir()
    done = subprocess.run([sys.executable, "-m", "pressrun", "build", "-C", str(root)],
                          env={**os.environ, "TMPDIR": str(temporary)}, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("wrote ") and done.stdout.endswith("\n")
    assert ".pdf (" in done.stdout and ".epub (" in done.stdout
    assert list(temporary.iterdir()) == []
