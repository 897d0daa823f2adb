"""The paragraphs of the sections ahead planned in a forked process, while this one lays
them out.

Planning a justified paragraph's lines (``weasylines``: measuring its words, choosing its
breaks) is a fifth of a book's layout, and a plan depends only on the paragraph's texts,
styles and measure, never on the page it lands on. So once the first section is laid
out, a forked process goes through the sections after it (``Ahead``), from the one this
process is laying out, each laid out with its paragraphs planned but no line set: a
cheap layout, about a third of the real one, whose pages mean nothing. Each plan is sent
back as soon as it is made, and this process takes those sent before it plans a
paragraph itself, keeping them with its own (``Shared.plans``): in the pamphlet's part,
the planner is ahead of the layout from its second paragraph on. A plan not there in
time is made here, as before, and a plan made here is never replaced, so the pages are
the same, to the byte, whoever planned them. A section's pictures are sent when it is
done: converted as the layout loads them and encoded as a writer does (``weasyimages``,
``weasy``), each by a hash of what it is made from.
"""

from __future__ import annotations

# Before WeasyPrint: its C libraries loaded by soname, with no compiler run.
import pressrun.pdf.libraries  # noqa: F401

# isort: split
from collections.abc import Callable
from typing import Any

from weasyprint.layout import block

from pressrun.forked import Feed
from pressrun.pdf import weasylines
from pressrun.pdf.render import PrintJob, print_html
from pressrun.pdf.weasy import PICTURE_KEY, Shared, _encode_pictures_once, layout
from pressrun.pdf.weasyfonts import own_folder, remove_folder
from pressrun.pdf.weasyimages import LOADED

PICTURES = (LOADED, PICTURE_KEY)
"""What the forked process sends of WeasyPrint's picture cache, besides the plans: the
pictures it converted on loading them, and encoded for the PDF, by their keys' starts."""
Sent = tuple[list[tuple[Any, Any]], dict[str, bytes]]
"""What the forked process sends: plans (signature, plan), each as soon as it is made, and
a section's pictures (``PICTURES``) by their keys when the section is done."""


class Ahead:
    """The sections ``names`` (in the order they are laid out) planned in a forked process."""

    def __init__(self, job: PrintJob, shared: Shared, names: list[str]) -> None:
        self.names, self.shared = names, shared
        self.feed: Feed[Sent] = Feed(
            lambda send, told: _plan(job, shared, names, send, told))
        weasylines.FEEDS.add(self.take)

    def laying_out(self, name: str) -> None:
        """Before section ``name`` is laid out here: take what was sent so far, and have the
        forked process go on from ``name``, if it is behind."""
        if name in self.names:
            self.feed.tell(self.names.index(name))
        self.take()

    def take(self) -> None:
        """Take the plans and pictures sent so far (where this process made one too, its
        own stays); if they cannot be read, take no more: this process plans the rest."""
        try:
            sent = self.feed.take()
        except Exception:  # made here instead, as if never sent
            sent = []
            weasylines.FEEDS.discard(self.take)
        for plans, pictures in sent:
            for signature, plan in plans:
                self.shared.plans.setdefault(signature, plan)
            for key, data in pictures.items():
                self.shared.images.setdefault(key, data)

    def stop(self) -> None:
        """End the forked process, and remove its fonts' folder."""
        weasylines.FEEDS.discard(self.take)
        self.feed.stop()
        remove_folder(self.feed.child.pid)


def _plan(job: PrintJob, shared: Shared, names: list[str],
          send: Callable[[Sent], None],
          told: Callable[[], int]) -> None:
    """In the forked process: lay out each of ``names`` from the one the process that
    forked it is laying out (``told``), planning its paragraphs without setting their
    lines, ``send`` each plan as it is made, and each section's pictures, converted and
    encoded, when it is done."""
    _only_plan()
    own_folder(shared.font_config)
    shared.plans = _Sending(shared.plans, send)
    sent, encoded = set(shared.images), set[int]()
    for index, name in enumerate(names):
        if index < told():
            continue
        try:
            layout(print_html(job, section=name), job.theme.project, shared)
            _encode(shared.images, encoded)
        except Exception:  # it fails again in the process laying it out, if it does
            continue
        made = [key for key in shared.images if key not in sent
                and isinstance(key, str) and key.startswith(PICTURES)]
        sent.update(made)
        send(([], {key: shared.images[key] for key in made}))


class _Sending(dict):
    """In the forked process: the plans, each new one sent as soon as it is made."""

    def __init__(self, plans: dict, send: Callable[[Sent], None]) -> None:
        super().__init__(plans)
        self.send = send

    def __setitem__(self, signature: Any, plan: Any) -> None:
        super().__setitem__(signature, plan)
        self.send(([(signature, plan)], {}))


def _encode(images: dict, encoded: set[int]) -> None:
    """Encode the PNG pictures of WeasyPrint's picture cache ``images`` not ``encoded`` yet
    as a writer does, keeping the encoding in the cache (``weasy``)."""
    from weasyprint.images import RasterImage

    _encode_pictures_once()
    for image in list(images.values()):
        if isinstance(image, RasterImage) and image.format == "PNG" and \
                id(image) not in encoded:
            encoded.add(id(image))
            image.get_x_object(True, 1)


def _only_plan() -> None:
    """Make WeasyPrint plan each paragraph (``weasylines``) and set none of its lines."""
    weasylines.patch()
    planned = block.iter_line_boxes

    def no_lines(*args: Any) -> Any:
        planned(*args)  # plans now; its lines would come from the generator it returns
        return iter(())

    block.iter_line_boxes = no_lines

