"""The paragraphs of the sections ahead planned, their pictures converted and encoded, in a
forked process while this one lays them out (``pdf.weasyahead``): what it sends is used,
the PDF is the same bytes, and nothing is left behind."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest

from conftest import library_pdf
from pressrun import forked
from pressrun.pdf import weasyahead, weasyimages, weasylines
from pressrun.pdf.weasy import PICTURE_KEY
from pressrun.pdf.weasyfonts import FOLDER

pytestmark = pytest.mark.skipif(not forked.can_fork(), reason="plans here on this machine")


def _wait(child: forked.Child) -> None:
    deadline = time.monotonic() + 60
    while not child.ready() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert child.ready()


def test_a_feed_gives_each_record_as_it_is_sent_and_is_told_how_far_this_process_is() -> None:
    def produce(send, told) -> None:
        send(("first", told()))
        while told() < 2:  # waits for this process
            time.sleep(0.01)
        send(("second", told()))
        send(("large", b"x" * 3_000_000))

    feed = forked.Feed(produce)
    deadline = time.monotonic() + 30
    taken: list = []
    while not taken and time.monotonic() < deadline:
        taken = feed.take()
    assert taken == [("first", 0)]
    assert feed.take() == []  # nothing more until told
    feed.tell(2)
    _wait(feed.child)
    assert feed.take() == [("second", 2), ("large", b"x" * 3_000_000)]
    feed.stop()
    assert feed.child not in forked._LIVE


def test_a_feed_stopped_while_producing_leaves_no_process() -> None:
    feed = forked.Feed(lambda send, told: time.sleep(60))
    feed.stop()
    with pytest.raises(ChildProcessError):
        os.waitpid(feed.child.pid, os.WNOHANG)


def _made_here(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[int]:
    """One entry for each call of ``module.name`` in this process from now on (paragraphs
    planned, pictures converted)."""
    made: list[int] = []
    function = getattr(module, name)
    here = os.getpid()

    def counted(*args):
        if os.getpid() == here:
            made.append(1)
        return function(*args)

    monkeypatch.setattr(module, name, counted)
    return made


def test_plans_and_pictures_made_ahead_are_used_and_the_pdf_is_the_same_bytes(
        project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the planning process let finish before the layout goes on, the parts' paragraphs
    are all planned there, and their picture converted and encoded: this process plans
    only the front matter's and what the real layout alone meets (notes at the page
    foot), converts nothing, and writes the bytes of a build that does it all itself."""
    from PIL import Image

    root = project("study")
    star = root / "images" / "red-star.png"
    Image.open(star).convert("P").save(star)  # WeasyPrint converts it when it loads it
    planned = _made_here(monkeypatch, weasylines, "_setting")
    converted = _made_here(monkeypatch, weasyimages, "_converted")
    monkeypatch.setenv("PRESSRUN_SEQUENTIAL", "1")
    alone = library_pdf(root, tmp_path / "alone.pdf")
    every = len(planned)
    assert converted
    monkeypatch.delenv("PRESSRUN_SEQUENTIAL")
    started, taking = weasyahead.Ahead.__init__, weasyahead.Ahead.laying_out
    pids: list[int] = []
    images: list[dict] = []

    def finished_first(self, *args) -> None:
        started(self, *args)
        _wait(self.feed.child)
        pids.append(self.feed.child.pid)

    def laying_out(self, name) -> None:
        taking(self, name)
        images.append(self.shared.images)

    monkeypatch.setattr(weasyahead.Ahead, "__init__", finished_first)
    monkeypatch.setattr(weasyahead.Ahead, "laying_out", laying_out)
    planned.clear()
    converted.clear()
    assert library_pdf(root, tmp_path / "ahead.pdf") == alone
    assert pids and len(planned) < every / 2 and not converted
    assert any(str(key).startswith(PICTURE_KEY) for key in images[0])  # encoded there
    assert not list(Path(tempfile.gettempdir()).glob(f"{FOLDER}*{pids[0]}*"))


def test_a_planning_process_that_fails_changes_nothing(
        project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project("study")
    alone = library_pdf(root, tmp_path / "alone.pdf")

    def failing(*args) -> None:
        raise RuntimeError("the planning process fails")

    monkeypatch.setattr(weasyahead, "_plan", failing)
    planned = _made_here(monkeypatch, weasylines, "_setting")
    assert library_pdf(root, tmp_path / "ahead.pdf") == alone
    assert planned


def test_a_writer_runs_lower_only_while_a_feed_works_beside_the_layout() -> None:
    """Three processes on two cores: the planner and the layout keep a core each, the
    writers forked meanwhile run lower; with no planner, a writer runs as high."""
    assert forked.beside() == 0
    feed = forked.Feed(lambda send, told: time.sleep(60))
    try:
        assert forked.Child(lambda: os.nice(0), forked.beside()).result() == \
            os.nice(0) + forked.NICER
    finally:
        feed.stop()
    assert forked.beside() == 0
    assert forked.Child(lambda: os.nice(0), forked.beside()).result() == os.nice(0)




def test_a_plan_sent_while_its_section_is_laid_out_here_is_taken_before_its_paragraph(
        project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The planner starts with the section this process is laying out (the pamphlet has
    but one after its front matter), and this process takes the plans sent before it
    plans a paragraph itself: here, made to wait for the planner as it plans the first
    paragraph of the part, it plans fewer than half of the paragraphs, and writes the
    same bytes."""
    root = project("minimal")
    planned = _made_here(monkeypatch, weasylines, "_setting")
    monkeypatch.setenv("PRESSRUN_SEQUENTIAL", "1")
    alone = library_pdf(root, tmp_path / "alone.pdf")
    every = len(planned)
    monkeypatch.delenv("PRESSRUN_SEQUENTIAL")
    started, taking = weasyahead.Ahead.__init__, weasyahead.Ahead.laying_out
    plan, setting = weasyahead._plan, weasylines._setting
    aheads: list[weasyahead.Ahead] = []
    told, here = tmp_path / "told", os.getpid()

    def init(self, *args) -> None:
        aheads.append(self)
        started(self, *args)

    def laying_out(self, name) -> None:  # told where this process is, then the planner starts
        taking(self, name)
        told.touch()

    def planning(*args) -> None:
        while not told.exists():
            time.sleep(0.01)
        plan(*args)

    def slower(*args):  # this process slower than the planner, once it is there
        if aheads and os.getpid() == here:
            _wait(aheads[0].feed.child)
        return setting(*args)

    monkeypatch.setattr(weasyahead.Ahead, "__init__", init)
    monkeypatch.setattr(weasyahead.Ahead, "laying_out", laying_out)
    monkeypatch.setattr(weasyahead, "_plan", planning)
    monkeypatch.setattr(weasylines, "_setting", slower)
    planned.clear()
    assert library_pdf(root, tmp_path / "ahead.pdf") == alone
    assert aheads and every > 2 and len(planned) < every / 2, (len(planned), every)


class _Sent:
    """A feed whose records are given, or which cannot be read."""

    def __init__(self, records: list | None) -> None:
        self.records = records

    def take(self) -> list:
        if self.records is None:
            raise EOFError("a frame cut short")
        return self.records


def test_a_plan_made_here_is_never_replaced_and_an_unreadable_feed_is_let_go() -> None:
    ahead = object.__new__(weasyahead.Ahead)
    ahead.shared = weasyahead.Shared(font_config=None)  # type: ignore[arg-type]
    ahead.shared.plans.update({"ours": "made here"})
    ahead.feed = _Sent([([("ours", "made there"), ("theirs", "made there")], {"p": b"1"})])
    ahead.take()
    assert ahead.shared.plans == {"ours": "made here", "theirs": "made there"}
    assert ahead.shared.images == {"p": b"1"}
    weasylines.FEEDS.add(ahead.take)
    ahead.feed = _Sent(None)
    ahead.take()  # planned here from now on
    assert ahead.take not in weasylines.FEEDS
    assert ahead.shared.plans == {"ours": "made here", "theirs": "made there"}
