"""Work done side by side in forked processes: the PDF's sections written while the next
are laid out, and its last ones while this process makes the EPUB (see ``pdf.pieces``);
the EPUB's pictures converted for screens while the print edition is laid out (see
``epub.screens``); the manuscript read while WeasyPrint is imported (``build.prepare``),
its parts in two halves (``split``); the paragraphs of the sections ahead planned while
this process lays them out (``Feed``: see ``pdf.weasyahead``).

WeasyPrint's layouts hold C pointers and cannot be sent to another process, but a fork
shares them: a child sends back plain data (PDF bytes, pictures, parts), the warnings
it gave and what it told the user (``-v``'s stage timings), which this process passes
on. If a child fails in any way, its work is done again here, so that an error reads
exactly as in a build made in one process. The EPUB is made here, not in a third
process: a build's peak memory is at its end, and a process forked then copies every
page of the layout it reads (Ten Days: 538 MiB for three processes, 440 MiB for two).
``PRESSRUN_SEQUENTIAL=1``, a system other than Linux, a single core or another Python
thread running make everything one after another (``pressrun watch`` forks too: its
file watcher is a thread of watchfiles' Rust code, which the child never touches).
Either way the bytes are the same.
"""

from __future__ import annotations

import contextlib
import gc
import io
import logging
import mmap
import os
import pickle
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Generic, TypeVar

import click

from pressrun.problems import log

if TYPE_CHECKING:
    from pressrun.build import Output, Run

T = TypeVar("T")
R = TypeVar("R")

EPUB = "epub"
"""The format made here while the PDF's last sections are written."""
PDF = "pdf"
"""The format whose layout it needs."""


def outputs(run: Run, names: tuple[str, ...], folder: bool) -> list[Output]:
    """Every output of the formats ``names``, in their order; no child is left running."""
    try:
        return _outputs(run, names, folder)
    finally:
        reap()


def _outputs(run: Run, names: tuple[str, ...], folder: bool) -> list[Output]:
    from pressrun.build import format_named

    if EPUB in names:
        from pressrun.epub import screens

        screens.start(run, folder)  # its pictures converted beside the layout
    order = list(names)
    if EPUB in names and PDF in names:
        from pressrun.pdf import page_map, pipeline

        page_map(run)  # the layout and its page map, made once
        writer = pipeline(run)
        if writer is not None:
            writer.flush()  # the sections waiting are written while the EPUB is made
        order.sort(key=lambda name: name != EPUB)
    made = {name: format_named(name).outputs(run, folder) for name in order}
    return [output for name in names for output in made[name]]


def split(work: Callable[[list[int]], list[R]], weights: list[float]) -> list[R]:
    """``work(indices)`` for the indices of ``weights``, shared by weight between this
    process and a forked one when there is a core for it (the heaviest first, each to the
    process with less), and done here again if the child fails; the results in the order
    of ``weights``. ``work`` must give its results as plain data, and tell nothing."""
    if len(weights) < 2 or not can_fork():
        return work(list(range(len(weights))))
    halves: tuple[list[int], list[int]] = ([], [])
    load = [0.0, 0.0]
    for index in sorted(range(len(weights)), key=lambda i: -weights[i]):
        side = 0 if load[0] <= load[1] else 1
        halves[side].append(index)
        load[side] += weights[index]
    mine, theirs = sorted(halves[0]), sorted(halves[1])
    child = Child(lambda: work(theirs))
    try:
        done = dict(zip(mine, work(mine), strict=True))
    finally:
        made = child.result()
    done.update(zip(theirs, made if made is not None else work(theirs), strict=True))
    return [done[index] for index in range(len(weights))]


def can_fork() -> bool:
    """Whether work may go to a forked process: Linux, more than one core, no other
    Python thread, and ``PRESSRUN_SEQUENTIAL`` unset."""
    return (sys.platform.startswith("linux")
            and os.environ.get("PRESSRUN_SEQUENTIAL", "") in ("", "0")
            and len(os.sched_getaffinity(0)) > 1 and threading.active_count() == 1)


class _Collect(logging.Handler):
    """The child's warnings, to be given again by the parent."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.levelno, record.getMessage()))


class Child(Generic[T]):
    """``make()`` run in a forked process; ``result()`` is what it returned, or None.

    The child leaves what it made in an unnamed temporary file and ends at once: through
    a pipe, it would wait for this process to read, holding its memory meanwhile."""

    def __init__(self, make: Callable[[], T], nicer: int = 0) -> None:
        self.out = tempfile.TemporaryFile()  # noqa: SIM115 (closed by result or reap)
        self.status: int | None = None
        gc.freeze()  # see ``_thaw``
        self.pid = os.fork()
        if self.pid == 0:  # the child: make, send, and leave without the parent's exit hooks
            os.nice(nicer)  # work beside this process's, not instead of it (see ``beside``)
            _run_child(make, self.out.fileno())
        _LIVE.append(self)

    def ready(self) -> bool:
        """Whether the child has finished (its result can be read without waiting)."""
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            self.status = status if pid else None
        return self.status is not None

    def result(self) -> T | None:
        """Wait for the child, doing the work set aside for a wait (``meanwhile``) first if
        it has not finished; its outputs (its warnings given here), or None if it failed."""
        while _IDLE and not self.ready():
            with contextlib.suppress(Exception):  # it is done again where it is needed
                _IDLE.pop(0)()
        _LIVE.remove(self)
        status = self.status if self.status is not None else os.waitpid(self.pid, 0)[1]
        _thaw()
        with self.out:
            self.out.seek(0)
            data = self.out.read()
        try:
            made, records, told = pickle.loads(data)
        except Exception:  # any failure: the parent makes it again
            return None
        if status != 0 or made is None:
            return None
        for level, message in records:
            log.log(level, "%s", message)
        click.echo(told, err=True, nl=False)
        return made

    def stop(self) -> None:
        """End the child now if it has not finished; its result is not read."""
        if self in _LIVE:
            _LIVE.remove(self)
        if not self.ready():
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        self.out.close()
        _thaw()


def _thaw() -> None:
    """Let the cyclic garbage collector see again the objects made before a fork, once no
    forked process is left. Until then it passes them by (``gc.freeze()`` before each
    fork), in both processes: a collection writes into every object it visits, and each
    page it writes to that the processes still share is copied. The pamphlet's two
    processes together peaked at 111-115 MiB with every object seen, 104-108 MiB with
    those frozen (five runs each, side by side); what became garbage meanwhile waits for
    the first collection after."""
    if not _LIVE:
        gc.unfreeze()


NICER = 5
"""How much lower than this process a writer runs while a ``Feed``'s producer works beside
them both (see ``beside``)."""


def beside() -> int:
    """How much lower than this process a helper forked now is to run: ``NICER`` while a
    ``Feed``'s producer is at work (the layout's plans), else as high. The helpers are
    there to speed the layout up, and three processes at one priority on two cores each
    get two thirds of one, the layout's too; with one helper besides, the layout has its
    core whatever the priority, and a writer let run as high finishes sooner."""
    return NICER if any(not feed.child.ready() for feed in _FEEDS) else 0


class Feed(Generic[T]):
    """``produce(send, told)`` run in a forked process, every record it ``send``s read here
    as soon as it is sent (``take``), without waiting: work done ahead, which this process
    does itself when it is not there in time. ``tell(n)`` says how far this process has
    got, which the producer reads as ``told()``, to skip what is no longer wanted. The
    producer tells the user nothing."""

    def __init__(self, produce: Callable[[Callable[[T], None], Callable[[], int]], object]
                 ) -> None:
        self.frames = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop)
        self.taken = 0
        """Bytes of the frames read so far."""
        self.told = _numbers(0)
        """What ``tell`` says, shared with the forked process."""
        frames, told = self.frames.fileno(), self.told

        def make() -> bool:
            logging.disable(logging.CRITICAL)
            produce(lambda record: _send(frames, record),
                    lambda: told[0])
            return True

        self.child: Child[bool] = Child(make)
        _FEEDS.append(self)

    def tell(self, position: int) -> None:
        """Tell the producer how far this process has got."""
        self.told[0] = position

    def take(self) -> list[T]:
        """The records sent since the last ``take``, in order."""
        taken, frames = [], self.frames.fileno()
        size = os.fstat(frames).st_size
        while self.taken + 8 <= size:
            length = int.from_bytes(os.pread(frames, 8, self.taken), "big")
            if self.taken + 8 + length > size:
                break  # still being written
            taken.append(pickle.loads(os.pread(frames, length, self.taken + 8)))
            self.taken += 8 + length
        return taken

    def stop(self) -> None:
        """End the producer, finished or not."""
        if self in _FEEDS:
            _FEEDS.remove(self)
        self.child.stop()
        self.frames.close()
        self.told.release()


class Ends:
    """The indices of ``count`` items shared by two processes: a forked one takes them
    from the front (``front``), this one from the back while it would otherwise wait for
    it (``back``). Each reads the other's last claim from memory they share; an item
    claimed by both at the same instant is done twice, and one that neither did (a
    claim misread) is left to the caller to do, as after a failed child."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.claims = _numbers(-1, count)
        """The item the forked process is at, and the first taken from the back."""

    def front(self) -> Iterator[int]:
        """In the forked process: the items to do, in order, until one taken from the
        back."""
        for index in range(self.count):
            self.claims[0] = index
            if index >= self.claims[1]:
                return
            yield index

    def back(self) -> int | None:
        """Here: the last item the forked process has not reached, now taken from it; None
        when it has reached the back."""
        last = self.claims[1] - 1
        if last <= self.claims[0]:
            return None
        self.claims[1] = last
        return last


def _numbers(*values: int) -> memoryview:
    """``values`` in memory shared with the processes forked after: each read or written
    whole (an aligned 8-byte integer)."""
    numbers = memoryview(mmap.mmap(-1, 8 * len(values))).cast("q")
    for index, value in enumerate(values):
        numbers[index] = value
    return numbers


def _send(frames: int, record: object) -> None:
    """Append ``record`` to the file ``frames`` as one frame: its length, then its pickle."""
    data = pickle.dumps(record)
    frame = memoryview(len(data).to_bytes(8, "big") + data)
    while frame:
        frame = frame[os.write(frames, frame):]


_LIVE: list[Child] = []
"""Children whose result has not been read."""
_FEEDS: list[Feed] = []
"""Feeds not stopped."""
_IDLE: list[Callable[[], object]] = []
"""Work to do while waiting for a child (see ``meanwhile``)."""


def meanwhile(work: Callable[[], object]) -> Callable[[], None]:
    """Have ``work`` done the next time this process would wait for a child, if it does
    before it needs what ``work`` does (which must be done again then, at no cost: an
    import, say; a failure is left to show there). Returns what withdraws ``work`` once
    it is no longer wanted."""
    _IDLE.append(work)
    return lambda: _IDLE.remove(work) if work in _IDLE else None


def reap() -> None:
    """Stop the children whose result no one will read (a build that failed)."""
    while _LIVE:
        _LIVE[-1].stop()


def _run_child(make: Callable[[], object], out: int) -> None:
    collect, told = _Collect(), io.StringIO()
    _IDLE.clear()  # the parent's, to be done there
    log.handlers, log.propagate, sys.stderr = [collect], False, told
    try:
        payload = pickle.dumps((make(), collect.records, told.getvalue()))
    except BaseException:  # the parent makes it again, and reports what failed
        payload = pickle.dumps((None, [], ""))
    try:
        with os.fdopen(out, "wb") as file:
            file.write(payload)
    finally:
        os._exit(0)
