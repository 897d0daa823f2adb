"""The pictures converted for screens beside the print layout, in a forked process.

Converting a book's pictures for screens is most of the time its EPUB takes to write
(Ten Days: 2.7 s of 3.4 s, cold), and needs nothing of the print layout, which the EPUB
must wait for (its page list). So a build that makes the EPUB and can fork starts the
conversions first, in a forked process, while this one lays out the print edition (one
core of two is idle through most of it); the EPUB then takes them from there. The child
converts exactly as the EPUB would (through ``picturecache``), so the bytes are the
same; if it fails, the EPUB converts them itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pressrun.epub.documents import SCREEN, EpubJob
from pressrun.epub.picturecache import folder_for
from pressrun.forked import Child, can_fork

if TYPE_CHECKING:
    from pressrun.build import Run
    from pressrun.epub.pictures import ScreenImage
    from pressrun.model import Image

AHEAD = "screens converted ahead"
"""The key of the converting child in the run (``Run.once``)."""

Converted = list[tuple["Image", "ScreenImage"]]


def job(run: Run, folder: bool) -> EpubJob:
    """The run's EPUB, written to its target (``folder``: ``-o`` names a folder)."""
    target = run.target(f"{run.pamphlet.slug}.epub", folder)
    return EpubJob(run.pamphlet, run.theme, run.pictures, folder_for(run.project, target))


def start(run: Run, folder: bool) -> None:
    """Start converting the run's pictures for screens in a forked process, if it has
    pictures to convert and can fork."""
    pamphlet = run.pamphlet
    pictures = [image for image in pamphlet.images if not image.missing
                and image is not pamphlet.metadata.cover]
    if pictures and can_fork():
        epub = job(run, folder)
        run.once(AHEAD, lambda: [Child(lambda: [(image, epub.screen(image))
                                                for image in pictures])])


def gather(run: Run) -> None:
    """Wait for the conversions started ahead, if any, and give them to the run's
    pictures (once; a failed child gives none, and the EPUB converts them itself)."""
    children: list[Child[Converted]] = run.once(AHEAD, list)
    while children:
        for image, screen in children.pop().result() or []:
            run.pictures.given(SCREEN, image, screen)
