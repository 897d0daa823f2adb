"""The print edition: the PDF (with its booklet and handouts) and the print HTML preview.

``PdfFormat`` and ``PrintHtmlFormat`` are the formats the build registers. The print
layout is made once per build (``print_layout``) and shared with the EPUB, whose page
list needs the printed pages (``page_map``). WeasyPrint is imported only when a PDF is
laid out: the command line and the preview start without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pressrun.problems import WARNING, Problem, log

if TYPE_CHECKING:
    from weasyprint.document import Document

    from pressrun.build import Output, Run
    from pressrun.html.pagemap import PageMap
    from pressrun.pdf.pieces import Pipeline
    from pressrun.pdf.press import OutputIntent
    from pressrun.pdf.quality import LayoutReport
    from pressrun.pdf.render import PrintJob
    from pressrun.pdf.sections import Layouts


def print_job(run: Run) -> PrintJob:
    """What the run's print edition is made of."""
    from pressrun.pdf.render import PrintJob

    return PrintJob(run.pamphlet, run.theme, run.pictures, run.profile, run.edition)


def print_layout(run: Run) -> Document:
    """The print edition laid out, once per build (reusing the run's kept layouts)."""

    def lay_out() -> Document:
        from pressrun.pdf.sections import layout_sections

        with run.progress.stage("layout"):
            writer = pipeline(run)
            document = layout_sections(print_job(run), section_layouts(run),
                                       None if writer is None else writer.laid)
        run.progress.note(f"laid out {len(document.pages)} pages")
        if run.layouts is not None:
            run.progress.note(f"sections laid out again: {run.layouts.laid_out}")
        return document

    return run.once("print layout", lay_out)


def pipeline(run: Run) -> Pipeline | None:
    """What writes the sections' PDFs in a forked process as they are laid out, when the
    run makes a PDF and can fork."""
    from pressrun.forked import can_fork
    from pressrun.pdf.pieces import Pipeline

    wanted = PdfFormat.name in run.request.formats and can_fork()
    return run.once("pipeline", lambda: Pipeline(run.profile.pdf_variant,
                                                 section_layouts(run).kept) if wanted else None)


def section_layouts(run: Run) -> Layouts:
    """The run's layouts of the print edition's sections: kept from the last build
    (``pressrun watch``), or this build's own."""
    from pressrun.pdf.sections import Layouts

    if run.layouts is not None:
        return run.layouts
    return run.once("section layouts", lambda: Layouts(kept=False))


def layout_faults(root: Path, edition: str = "standard") -> LayoutReport:
    """What a book designer would send back in the print ``edition`` of the project at
    ``root`` (see ``pdf.quality``)."""
    from pressrun.build import Request, prepare
    from pressrun.pdf.quality import LayoutReport

    return LayoutReport.of(print_layout(prepare(root, Request(("pdf",), edition=edition))))


def page_map(run: Run) -> PageMap:
    """Where each page of the run's print edition begins, for the EPUB's page list."""
    from pressrun.html.ids import block_texts
    from pressrun.pdf.pagestarts import joined
    from pressrun.pdf.pagestarts import page_map as starts

    def read() -> PageMap:
        print_layout(run)
        layouts, texts = section_layouts(run), block_texts(run.pamphlet)
        for key in layouts.order:
            if key not in layouts.starts:
                layouts.starts[key] = starts(layouts.documents[key], texts)
        return joined(layouts.starts[key] for key in layouts.order)

    return run.once("page map", read)


class PdfFormat:
    """The print edition as PDF, with its booklet and handouts when asked for."""

    name = "pdf"

    imports = ("pressrun.pdf.sections",)
    """WeasyPrint (0.2-0.3 s)."""

    def outputs(self, run: Run, folder: bool) -> list[Output]:
        from pressrun.build import Output
        from pressrun.pdf.pieces import book_pdf
        from pressrun.pdf.weasyboxes import image_resolutions
        from pressrun.profiles import variant

        stem = "-".join(filter(None, (run.pamphlet.slug, variant(run.profile, run.edition))))
        target = run.target(f"{stem}.pdf", folder)
        document = print_layout(run)
        with run.progress.stage("write PDF"):
            if run.profile.min_dpi:
                _check_resolution(image_resolutions(document), run.profile.min_dpi)
            data = _finished(run, book_pdf(section_layouts(run), run.profile.pdf_variant,
                                           pipeline(run)))
        if run.layouts is not None:
            run.progress.note(f"sections written again: {run.layouts.written}")
        outputs = [Output(target, "pdf", data, len(document.pages))]
        if run.request.booklet:
            outputs.append(_booklet(run, target, data, len(document.pages)))
        if run.request.handouts:
            with run.progress.stage("handouts"):
                outputs += _handouts(run, target)
        return outputs


def written(run: Run, document: Document) -> bytes:
    """The laid-out ``document`` as the run's profile wants the PDF: tagged, and finished
    as PDF/X-4 for the press."""
    from pressrun.pdf.weasy import pdf_bytes

    return _finished(run, pdf_bytes(document, run.profile.pdf_variant))


def _finished(run: Run, data: bytes) -> bytes:
    """The PDF ``data`` finished as the run's profile wants it: as PDF/X-4 for the press."""
    if not run.profile.output_intent:
        return data
    from pressrun.pdf.press import press_ready

    return press_ready(data, *run.once("colour profiles", lambda: _profiles(run)))


def _profiles(run: Run) -> tuple[OutputIntent, bytes]:
    """The printing condition of the run's press file (``styles/output-intent.icc``, else
    the bundled FOGRA39 characterisation) and the sRGB profile, read once a build (the
    handouts share them)."""
    from pressrun.pdf.press import OutputIntent
    from pressrun.project import DEFAULT_THEME

    path = run.theme.find("output-intent.icc")
    bundled = path.resolve().is_relative_to(DEFAULT_THEME)
    intent = OutputIntent.of(run.project.read_bytes(path), run.project.rel(path), bundled)
    return intent, run.project.read_bytes(DEFAULT_THEME / "srgb.icc")


def _check_resolution(found: dict[str, float], minimum: int) -> None:
    for rel, dpi in sorted(found.items()):
        if dpi < minimum:
            log.warning("%s", Problem(rel, None, f"printed at {int(dpi)} dpi, below the "
                                      f"{minimum} dpi a press needs: supply a larger picture "
                                      "or print it smaller", WARNING, "low-resolution"))


def _booklet(run: Run, target: Path, data: bytes, pages: int) -> Output:
    """The PDF imposed two pages to a sheet side: its pages in order, ruled notes pages
    up to the back cover, and the back cover."""
    from pressrun.build import Output
    from pressrun.pdf.impose import impose, summary
    from pressrun.pdf.sections import layout_whole
    from pressrun.pdf.weasy import pdf_bytes

    job, variant = print_job(run), run.profile.pdf_variant
    filler = pdf_bytes(layout_whole(job, notes_only=2), variant) if (pages + 1) % 4 else None
    back = pdf_bytes(layout_whole(job, back_cover=True, start=2), variant)
    imposed = impose(data, filler, rtl=run.theme.words.direction == "rtl", back_cover=back)
    sheets = target.with_name(f"{target.stem}-booklet.pdf")
    run.project.check_target(sheets)
    return Output(sheets, "booklet", imposed.data, imposed.padded_pages // 2,
                  tuple(summary(imposed)))


def _handouts(run: Run, target: Path) -> list[Output]:
    """One PDF per part in ``handouts/`` beside the PDF, each paged from 1."""
    from pressrun.build import Output
    from pressrun.pdf.sections import layout_whole

    outputs = []
    for part in run.pamphlet.parts:
        path = target.parent / "handouts" / f"{part.slug}.pdf"
        run.project.check_target(path)
        document = layout_whole(print_job(run), handout=part)
        outputs.append(Output(path, "handout", written(run, document),
                              len(document.pages)))
    return outputs


class PrintHtmlFormat:
    """The print HTML that WeasyPrint lays out, with real file paths, to open in a browser."""

    name = "html"

    def outputs(self, run: Run, folder: bool) -> list[Output]:
        from pressrun.build import Output
        from pressrun.pdf.render import print_html

        target = run.target(f"{run.pamphlet.slug}.html", folder)
        with run.progress.stage("render"):
            data = print_html(print_job(run), preview=True).html.encode()
        return [Output(target, "html", data)]
