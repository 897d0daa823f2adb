"""The pictures of one build: each drawn or converted once, then shared.

A build makes one ``Pictures`` and passes it down; nothing is kept from one build to the
next (a picture may change under the same name while ``pressrun watch`` runs).
Placeholders for missing art (vector drawings) are the same bytes in both formats; a format's own
conversions (grey for the grayscale print profile, smaller copies for screens) are kept
by kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pressrun.html.drawing import placeholder_svg
from pressrun.html.words import Words
from pressrun.model import Image
from pressrun.project import Project


@dataclass
class Pictures:
    """Pictures drawn or converted during one build."""

    project: Project
    """Where picture files are read from."""
    words: Words
    """The words placeholders are drawn with."""
    render: Callable[..., str]
    """Renders a theme template (the placeholder's ``placeholder.svg``)."""
    _done: dict[tuple[str, Image | None], Any] = field(default_factory=dict)

    def placeholder(self, image: Image, grey: bool = False) -> bytes:
        """The SVG drawn for missing art (in greys for the grayscale print profile)."""
        return self.converted("grey placeholder" if grey else "placeholder", image,
                              lambda missing: placeholder_svg(missing, self.words,
                                                              self.render, grey))

    def read(self, image: Image) -> bytes:
        """The bytes of a picture's file."""
        return self.project.read_bytes(image.path)

    def given(self, kind: str, image: Image | None, converted: Any) -> None:
        """Keep ``converted``, made elsewhere (in a forked process), as this build's
        conversion of ``image`` of that ``kind`` (None: its picture ``drawn``)."""
        self._done.setdefault((kind, image), converted)

    def drawn(self, kind: str, draw: Callable[[], bytes]) -> bytes:
        """``draw()``, once per build: a picture drawn from the book, not from a file (the
        EPUB's cover when the project has none)."""
        return self._once((kind, None), draw)

    def converted(self, kind: str, image: Image, convert: Callable[[Image], Any]) -> Any:
        """``convert(image)``, once per build for each ``kind`` of conversion."""
        return self._once((kind, image), lambda: convert(image))

    def _once(self, key: tuple[str, Image | None], make: Callable[[], Any]) -> Any:
        if key not in self._done:
            self._done[key] = make()
        return self._done[key]
