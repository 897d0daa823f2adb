"""The e-book: an EPUB 3 with the print edition's page numbers.

``EpubFormat`` is the format the build registers. Its documents are rendered through the
theme's EPUB templates (``documents``), packaged with ebooklib (``package``), with the
theme's fonts subset to the text (``fonts``) and pictures made small for screens
(``pictures``, kept between builds by ``picturecache``, converted beside the print
layout by ``screens``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pressrun.build import Output, Run


class EpubFormat:
    """The EPUB 3 e-book, marked with the print edition's page numbers."""

    name = "epub"

    imports = ("pressrun.pdf.sections",)
    """WeasyPrint, which lays out the print edition whose pages the EPUB lists."""

    def outputs(self, run: Run, folder: bool) -> list[Output]:
        from pressrun.build import Output
        from pressrun.epub import screens
        from pressrun.epub.package import epub_bytes
        from pressrun.pdf import page_map

        job = screens.job(run, folder)
        pages = page_map(run)
        with run.progress.stage("write EPUB"):
            screens.gather(run)
            data = epub_bytes(job, pages)
        return [Output(run.target(f"{run.pamphlet.slug}.epub", folder), "epub", data)]
