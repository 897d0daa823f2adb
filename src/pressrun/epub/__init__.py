"""The e-book: an EPUB 3 with the print edition's page numbers.

``EpubFormat`` is the format the build registers. Its documents are rendered through the
theme's EPUB templates (``documents``), packaged with ebooklib (``package``), with the
theme's fonts subset to the text (``fonts``) and pictures made small for screens
(``pictures``, kept between builds by ``picturecache``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pressrun.build import Output, Run


class EpubFormat:
    """The EPUB 3 e-book, marked with the print edition's page numbers."""

    name = "epub"

    def outputs(self, run: Run, folder: bool) -> list[Output]:
        from pressrun.build import Output
        from pressrun.epub.documents import EpubJob
        from pressrun.epub.package import epub_bytes
        from pressrun.epub.picturecache import folder_for
        from pressrun.pdf import page_map

        target = run.target(f"{run.pamphlet.slug}.epub", folder)
        pages = page_map(run)
        with run.progress.stage("write EPUB"):
            job = EpubJob(run.pamphlet, run.theme, run.pictures,
                          folder_for(run.project, target))
            data = epub_bytes(job, pages)
        return [Output(target, "epub", data)]
