"""pressrun's benchmarks (issues #8, #19): ``python benchmarks/run.py [--quick] [--corpus NAME]``.

Every figure is a whole process, timed from start to exit, with its own peak RSS;
each is the median of the timed runs after a warm-up. The floor, WeasyPrint alone
laying out pressrun's own print HTML, is measured in the same run, so the ratios
to it hold on any machine. Results go to ``build/benchmarks/results.{md,json}``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from itertools import count
from pathlib import Path

import targets
from manuscripts import (
    copy_project,
    edit_paragraph,
    edit_stylesheet,
    generate_notes_project,
    generate_parts_project,
    generate_prose_project,
    install_stylesheet,
    middle_part,
    pandoc_markdown,
    reset_build,
)
from measure import (
    BenchmarkError,
    Measurement,
    Plan,
    Sample,
    measurement,
    pressrun_command,
    repeat,
    repeat_together,
    run_child,
)
from pypdf import PdfReader
from report import machine, markdown, seconds, write
from watching import WatchSession

REPO = Path(__file__).resolve().parent.parent
CORPORA = {"pamphlet": REPO, "manifesto": Path("communist-manifesto"),
           "ten-days": Path("ten-days-that-shook-the-world")}
"""The corpora: the bundled pamphlet is this repository; the others live in ``--corpora``."""
SCALING_PAGES = (4, 40, 400)
SCALING_COUNTS = (10, 100, 1000)
"""Parts and footnotes in the generated projects for the cost of one part and one note."""
SCALING_SOURCE = "ten-days"
WATCH_TIMEOUT = 900.0
MEMORY = ("cold-build", "floor", "floor-ua")
"""The figures whose processes' memory together is sampled, in a run of their own."""
MEMORY_ROUNDS = 3
"""Untimed runs of each of ``MEMORY`` for its memory (at most the timed runs' count)."""
FLOOR_SCRIPT = ("import sys\nfrom weasyprint import HTML\n"
                "HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])")
FLOOR_UA_SCRIPT = ("import sys\nfrom weasyprint import HTML\n"
                   "HTML(filename=sys.argv[1]).write_pdf(sys.argv[2], "
                   "pdf_variant='pdf/ua-1', pdf_tags=True)")
"""The floor writing the PDF pressrun writes: PDF/UA-1, tagged (the home profile)."""
PRESSRUN = pressrun_command()
LABELS = {
    "help": "python -m pressrun --help",
    "processes": "processes started by importing pressrun's PDF writer",
    "check": "pressrun check (after a build: the parts it read kept)",
    "check-cold": "pressrun check, no build/ folder (every part read)",
    "cold-pdf": "cold pressrun pdf",
    "cold-epub": "cold pressrun epub",
    "cold-build": "cold pressrun build",
    "floor": "floor: WeasyPrint alone on pressrun's print HTML",
    "floor-ua": "floor, writing PDF/UA-1 with tags as pressrun does",
    "pandoc-pdf": "pandoc --pdf-engine=weasyprint",
    "pandoc-epub": "pandoc EPUB",
    "no-change": "rebuild, nothing changed",
    "edit-paragraph": "rebuild after appending a word to one paragraph",
    "edit-stylesheet": "rebuild after editing styles/print.css",
    "watch": "pressrun watch, rebuild after editing one part",
    "watch-cold": "cold pressrun build, in turns with the watch's rebuilds",
    **{f"pdf-{pages}": f"cold pressrun pdf, ~{pages} pages of prose" for pages in SCALING_PAGES},
    **{f"parts-{n}": f"cold pressrun build, {n} short parts" for n in SCALING_COUNTS},
    **{f"notes-{n}": f"cold pressrun build, one part with {n} footnotes"
       for n in SCALING_COUNTS},
}
"""What each figure measures, by key (the keys of results.json)."""


def log(message: str) -> None:
    """Progress, on stderr (stdout gets the results table)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def attempt(corpus: str, keys: tuple[str, ...],
            measure: Callable[[], list[Measurement]]) -> list[Measurement]:
    """Run ``measure``; if a command fails, record the figures ``keys`` as failed."""
    try:
        results = measure()
    except (BenchmarkError, OSError, ValueError) as exc:
        log(f"{corpus}: FAILED {', '.join(keys)}: {exc}")
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return [Measurement(corpus, key, LABELS[key], note=f"failed: {first}") for key in keys]
    for m in results:
        log(f"{corpus}: {m.label}: {seconds(m.median)} {m.note}")
    return results


def _pressrun(project: Path, *args: str) -> Callable[[], Sample]:
    return lambda: run_child([*PRESSRUN, *args], project)


def _cold(project: Path, command: str) -> Callable[..., Sample]:
    def step(memory: bool = False) -> Sample:
        reset_build(project)
        return run_child([*PRESSRUN, command], project, memory)
    return step


def _after(change: Callable[[], None], step: Callable[[], Sample]) -> Callable[[], Sample]:
    def changed_step() -> Sample:
        change()
        return step()
    return changed_step


def cold_runs(corpus: str, project: Path, folder: Path, plan: Plan) -> list[Measurement]:
    """Cold ``pressrun pdf``, ``epub`` and ``build`` (no ``build/`` folder, so no outputs
    and no cache), the floors, and pandoc when installed, taken in interleaved rounds;
    then builds and floors untimed, in ``MEMORY_ROUNDS`` rounds, for the median of their
    processes' memory together."""
    steps: dict[str, Callable[..., Sample]] = {
        f"cold-{command}": _cold(project, command) for command in ("pdf", "epub", "build")}
    steps["check"] = _pressrun(project, "check")
    steps["check-cold"] = _cold(project, "check")
    html, pdf = folder / "print.html", folder / "floor.pdf"
    run_child([*PRESSRUN, "html", "-o", str(html)], project)
    for key, script in (("floor", FLOOR_SCRIPT), ("floor-ua", FLOOR_UA_SCRIPT)):
        steps[key] = lambda script=script, memory=False: run_child(
            [sys.executable, "-c", script, str(html), str(pdf)], folder, memory)
    steps.update(pandoc_steps(project, folder))
    samples = repeat_together(steps, plan)
    results = [measurement(corpus, key, LABELS[key], found) for key, found in samples.items()]
    measured = [result for result in results if result.key in MEMORY]
    for _ in range(min(MEMORY_ROUNDS, plan.runs)):  # one sample moved by a tenth run to run
        for result in measured:
            kib = steps[result.key](memory=True).memory_kib
            result.memory_kib += [kib] if kib is not None else []
    pages = len(PdfReader(pdf).pages)
    for result in results:
        if result.key.startswith("floor"):
            result.pages = pages
    if not shutil.which("pandoc"):
        results += [Measurement(corpus, key, LABELS[key], note="skipped (pandoc not installed)")
                    for key in ("pandoc-pdf", "pandoc-epub")]
    return results


def pandoc_steps(project: Path, folder: Path) -> dict[str, Callable[[], Sample]]:
    """pandoc's EPUB writer, and pandoc with WeasyPrint as PDF engine, on the parts
    (none when pandoc is not installed)."""
    if not shutil.which("pandoc"):
        return {}
    source = pandoc_markdown(project, folder / "pandoc.md")
    engine = Path(sys.executable).parent / "weasyprint"
    base = ["pandoc", str(source), "--from=markdown", "--standalone",
            f"--resource-path={project / 'manuscript'}"]
    commands = {
        "pandoc-pdf": [*base, f"--pdf-engine={engine if engine.is_file() else 'weasyprint'}",
                       "-o", str(folder / "pandoc.pdf")],
        "pandoc-epub": [*base, "-o", str(folder / "pandoc.epub")],
    }
    return {key: lambda argv=argv: run_child(argv, project / "manuscript")
            for key, argv in commands.items()}


def rebuilds(corpus: str, project: Path, plan: Plan) -> list[Measurement]:
    """``pressrun build`` again: with nothing changed, after a one-word edit, after a CSS edit."""
    stylesheet = install_stylesheet(project)
    build = _pressrun(project, "build")
    build()
    no_change = repeat(build, plan)
    part = middle_part(project)
    edit_one = repeat(_after(lambda: edit_paragraph(part), build), plan)
    numbers = count(1)
    restyle = repeat(_after(lambda: edit_stylesheet(stylesheet, next(numbers)), build), plan)
    where = f"{part.name}, middle paragraph"
    return [
        measurement(corpus, "no-change", LABELS["no-change"], no_change),
        measurement(corpus, "edit-paragraph", LABELS["edit-paragraph"], edit_one, where),
        measurement(corpus, "edit-stylesheet", LABELS["edit-stylesheet"], restyle,
                    "a rule appended to a copy of the theme's print.css"),
    ]


def watch(corpus: str, project: Path, cold: Path, plan: Plan) -> list[Measurement]:
    """``pressrun watch``: from saving a one-word edit to the rebuild's "built in" line, in
    turns with cold builds of another copy, ``cold`` (the watcher idle meanwhile)."""
    part = middle_part(project)
    times, builds = [], []
    with WatchSession([*PRESSRUN, "watch"], project) as session:
        session.wait_built(WATCH_TIMEOUT)
        for _ in range(plan.warmups + plan.runs):
            session.settle()
            builds.append(_cold(cold, "build")())
            edit_paragraph(part)
            start = time.perf_counter()
            times.append(session.wait_built(WATCH_TIMEOUT) - start)
        session.settle()
        peak = session.stop()
    return [Measurement(corpus, "watch", LABELS["watch"], times[plan.warmups:], rss_kib=[peak],
                        note=f"save → 'built in' line; edits {part.name}; RSS: whole session"),
            measurement(corpus, "watch-cold", LABELS["watch-cold"], builds[plan.warmups:])]


def bench_corpus(corpus: str, source: Path, work: Path, plan: Plan) -> list[Measurement]:
    """Every figure of one corpus, each in its own copy of the project."""
    folder = work / corpus
    project = copy_project(source, folder / "cold")
    results = attempt(corpus, ("cold-pdf", "cold-epub", "cold-build", "check", "check-cold",
                               "floor", "floor-ua", "pandoc-pdf", "pandoc-epub"),
                      lambda: cold_runs(corpus, project, folder, plan))
    rebuild = copy_project(source, folder / "rebuild")
    results += attempt(corpus, ("no-change", "edit-paragraph", "edit-stylesheet"),
                       lambda: rebuilds(corpus, rebuild, plan))
    watched = copy_project(source, folder / "watch")
    results += attempt(corpus, ("watch", "watch-cold"),
                       lambda: watch(corpus, watched, project, plan))
    return results


def scaling(source: Path, work: Path, plan: Plan) -> list[Measurement]:
    """Cold ``pressrun pdf`` of generated prose projects of about 4, 40 and 400 pages, and
    cold ``pressrun build`` of 10, 100 and 1,000 parts, and of notes; a series at a time."""

    def pages() -> list[Measurement]:
        results = series({f"pdf-{n}": _cold(generate_prose_project(
            source, work / "scaling" / str(n), n), "pdf") for n in SCALING_PAGES}, plan)
        for result in results:
            per_page = result.per_page
            result.note = "" if per_page is None else f"{per_page * 1000:.0f} ms per page"
        return results

    results = attempt("scaling", tuple(f"pdf-{n}" for n in SCALING_PAGES), pages)
    for kind, generate in (("parts", generate_parts_project), ("notes", generate_notes_project)):
        def counts(kind: str = kind, generate: Callable[[Path, int], Path] = generate
                   ) -> list[Measurement]:
            return series({f"{kind}-{n}": _cold(generate(
                work / "scaling" / f"{kind}-{n}", n), "build") for n in SCALING_COUNTS}, plan)

        results += attempt("scaling", tuple(f"{kind}-{n}" for n in SCALING_COUNTS), counts)
    return results


def series(steps: dict[str, Callable[[], Sample]], plan: Plan) -> list[Measurement]:
    """The sizes of one series (``steps`` by key) in interleaved rounds: the figures that
    a per-page or per-item ratio divides are taken at the same moments."""
    samples = repeat_together(steps, plan)
    return [measurement("scaling", key, LABELS[key], found) for key, found in samples.items()]


def startup(plan: Plan) -> list[Measurement]:
    """``python -m pressrun --help`` with this interpreter, beside Python importing click
    alone (the part of it pressrun cannot shorten), and the processes that loading
    WeasyPrint starts (counted with strace, when it is installed)."""
    samples = repeat_together({
        "help": lambda: run_child([sys.executable, "-m", "pressrun", "--help"], REPO),
        "click": lambda: run_child([sys.executable, "-c", "import click"], REPO)}, plan)
    click_alone = statistics.median(sample.seconds for sample in samples["click"])
    help_ = measurement("cli", "help", LABELS["help"], samples["help"],
                        note=f"Python importing click alone: {click_alone * 1000:.0f} ms")
    counts = [started(module) for module in ("pressrun.pdf.weasy", "weasyprint")]
    note = ("skipped (strace not installed)" if None in counts else
            f"{counts[0]} (WeasyPrint alone: {counts[1]}), the interpreter not counted")
    return [help_, Measurement("cli", "processes", LABELS["processes"], note=note)]


def started(module: str) -> int | None:
    """How many programs a fresh interpreter starts while importing ``module``."""
    if not shutil.which("strace"):
        return None
    with tempfile.NamedTemporaryFile(suffix=".strace") as trace:
        run_child(["strace", "-f", "-qq", "-e", "trace=execve", "-o", trace.name,
                   sys.executable, "-c", f"import {module}"], REPO)
        return Path(trace.name).read_text().count("execve(") - 1


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="1 warm-up + 2 timed runs per figure, for development")
    parser.add_argument("--runs", type=int, default=5,
                        help="timed runs per figure without --quick (at least 5; default 5)")
    parser.add_argument("--corpus", action="append", choices=[*CORPORA, "scaling"],
                        help="measure only this corpus (repeatable); 'scaling' is the "
                             "4/40/400-page series. Default: all")
    parser.add_argument("--corpora", type=Path, default=REPO.parent / "shared" / "corpus-next",
                        help="folder holding the Manifesto and Ten Days (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=REPO / "build" / "benchmarks",
                        help="where to write results.md and results.json (default: %(default)s)")
    args = parser.parse_args(argv)
    if not args.quick and args.runs < 5:
        parser.error("--runs must be at least 5 (use --quick for fewer)")
    return args


def corpus_source(corpus: str, corpora: Path) -> Path:
    path = CORPORA[corpus]
    return path if path.is_absolute() else corpora / path


def compiled() -> str:
    """pressrun's modules compiled to bytecode before anything is timed, as ``pip install .``
    leaves them (WeasyPrint's, installed by pip, are): an editable install run under
    PYTHONDONTWRITEBYTECODE, as on the machines these figures come from, would compile
    them from source in every run, 0.1 s of each."""
    spec = importlib.util.find_spec("pressrun")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        subprocess.run([sys.executable, "-m", "compileall", "-q", folder], check=True)
    return f"pressrun's modules compiled ({', '.join(folders)})"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    plan = Plan(warmups=1, runs=2) if args.quick else Plan(warmups=1, runs=args.runs)
    selected = args.corpus or [*CORPORA, "scaling"]
    info = machine(REPO)
    info["bytecode"] = compiled()
    log(f"pressrun benchmarks: {', '.join(selected)}; {plan.warmups} warm-up + "
        f"{plan.runs} runs each; pressrun is {' '.join(PRESSRUN)}")
    with tempfile.TemporaryDirectory(prefix="pressrun-bench-") as tmp:
        work = Path(tmp)
        results = attempt("cli", ("help",), lambda: startup(plan))
        for corpus in selected:
            source = corpus_source(SCALING_SOURCE if corpus == "scaling" else corpus,
                                   args.corpora)
            if not (source / "manuscript").is_dir():
                log(f"{corpus}: skipped, no project at {source}")
                continue
            if corpus == "scaling":
                results += scaling(source, work, plan)
            else:
                results += bench_corpus(corpus, source, work, plan)
    info["load average at end"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    checks = targets.checks(results)
    text = markdown(info, plan, checks, results)
    write(args.out, text, info, plan, checks, results)
    print(text)
    log(f"wrote {args.out / 'results.md'} and {args.out / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
