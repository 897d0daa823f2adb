"""The pictures converted for screens beside the print layout, in a forked process.

Converting a book's pictures for screens is most of the time its EPUB takes to write
(Ten Days: 2.7 s of 3.4 s, cold), and drawing its cover when the project has none (a
1600 × 2560 PNG) most of the rest (the pamphlet: 0.11 s of 0.18 s); neither needs
anything of the print layout, which the EPUB must wait for (its page list). So a build
that makes the EPUB and can fork starts them first, in a forked process, while this one
lays out the print edition (one core of two is idle through most of it); the EPUB then
takes them from there. The child converts and draws exactly as the EPUB would (through
``picturecache``), so the bytes are the same; if it fails, the EPUB does it itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pressrun.epub.documents import DRAWN_COVER, SCREEN, EpubJob
from pressrun.epub.picturecache import folder_for
from pressrun.forked import Child, can_fork

if TYPE_CHECKING:
    from pressrun.build import Run
    from pressrun.epub.pictures import ScreenImage
    from pressrun.model import Image

AHEAD = "screens converted ahead"
"""The key of the converting child in the run (``Run.once``)."""

Converted = tuple[list[tuple["Image", "ScreenImage"]], bytes | None]
"""The pictures converted for screens, and the cover drawn (None: not drawn here)."""


def job(run: Run, folder: bool) -> EpubJob:
    """The run's EPUB, written to its target (``folder``: ``-o`` names a folder)."""
    target = run.target(f"{run.pamphlet.slug}.epub", folder)
    return EpubJob(run.pamphlet, run.theme, run.pictures, folder_for(run.project, target))


def start(run: Run, folder: bool) -> None:
    """Start converting the run's pictures for screens, and drawing its cover, in a forked
    process, if there is any to do and it can fork."""
    pamphlet, epub = run.pamphlet, job(run, folder)
    pictures = [image for image in pamphlet.images if not image.missing
                and image is not pamphlet.metadata.cover]
    drawn = epub.cover_picture() is None
    if (pictures or drawn) and can_fork():
        run.once(AHEAD, lambda: [Child(lambda: (
            [(image, epub.screen(image)) for image in pictures],
            epub.drawn_cover() if drawn else None))])


def gather(run: Run) -> None:
    """Wait for the conversions started ahead, if any, and give them to the run's
    pictures (once; a failed child gives none, and the EPUB converts them itself)."""
    children: list[Child[Converted]] = run.once(AHEAD, list)
    while children:
        screens, cover = children.pop().result() or ([], None)
        for image, screen in screens:
            run.pictures.given(SCREEN, image, screen)
        if cover is not None:
            run.pictures.given(DRAWN_COVER, None, cover)
