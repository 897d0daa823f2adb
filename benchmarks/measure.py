"""Timing whole child processes: wall-clock seconds, the child's own peak RSS, and the peak
memory of the child and the processes it forks, counted together."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PAGES = re.compile(r"^wrote \S+\.pdf \((\d+) pages", re.MULTILINE)


class BenchmarkError(RuntimeError):
    """A command under measurement failed, so its figures would mean nothing."""


@dataclass(frozen=True)
class Sample:
    """One timed run of one child process."""

    seconds: float
    """Wall-clock time from start to exit."""
    cpu_seconds: float
    """User plus system CPU time of the child (less sensitive than wall time to a busy machine)."""
    max_rss_kib: int
    """The child's peak resident set size (``ru_maxrss`` from ``wait4``), in KiB."""
    memory_kib: int | None
    """The peak memory of the child and its descendants together, in KiB (see
    ``TreeMemory``), in the runs that sample it; else ``None``."""
    stdout: str
    """What the child printed on stdout."""


@dataclass
class Measurement:
    """The timed runs of one figure for one corpus (empty when it was not measured)."""

    corpus: str
    """Corpus key, e.g. ``ten-days``."""
    key: str
    """Figure key, e.g. ``cold-pdf``."""
    label: str
    """What was measured, for the tables."""
    seconds: list[float] = field(default_factory=list)
    """Every timed run (warm-ups excluded)."""
    cpu_seconds: list[float] = field(default_factory=list)
    """CPU time (user + system) of every timed run, where known."""
    rss_kib: list[int] = field(default_factory=list)
    """Peak RSS of every timed run, where known."""
    memory_kib: list[int] = field(default_factory=list)
    """Peak memory of every timed run's processes together, where known."""
    pages: int | None = None
    """Pages of the PDF written, where the command reports them."""
    note: str = ""
    """Why it was not measured, or how to read it."""

    @property
    def measured(self) -> bool:
        return bool(self.seconds)

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None

    @property
    def median_cpu(self) -> float | None:
        return statistics.median(self.cpu_seconds) if self.cpu_seconds else None

    @property
    def median_rss_kib(self) -> float | None:
        return statistics.median(self.rss_kib) if self.rss_kib else None

    @property
    def median_memory_kib(self) -> float | None:
        return statistics.median(self.memory_kib) if self.memory_kib else None

    @property
    def per_page(self) -> float | None:
        return self.median / self.pages if self.median is not None and self.pages else None


@dataclass(frozen=True)
class Plan:
    """How often each figure is measured."""

    warmups: int
    """Untimed runs before the timed ones."""
    runs: int
    """Timed runs; each figure is their median."""


def pressrun_command() -> list[str]:
    """The ``pressrun`` console script of this interpreter (never a version-manager shim)."""
    script = Path(sysconfig.get_path("scripts")) / "pressrun"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "pressrun"]


class TreeMemory(threading.Thread):
    """The peak memory of a process and its descendants together, sampled every
    ``INTERVAL`` seconds until ``stop()``: the sum of their proportional set sizes
    (``Pss`` in ``/proc/PID/smaps_rollup``), which counts a page that forked processes
    share once, split between them, where adding their RSS would count it in each.
    Reading a large process's page tables takes milliseconds of a core, so runs that
    sample are not the timed ones."""

    INTERVAL = 0.02

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak = pid, 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(self.INTERVAL):
            total = sum(_pss_kib(pid) for pid in _tree(self.pid))
            self.peak = max(self.peak, total)

    def stop(self) -> int | None:
        """Stop sampling; the peak, or ``None`` when nothing could be read."""
        self._done.set()
        self.join()
        return self.peak or None


def _tree(pid: int) -> list[int]:
    """``pid`` and every process descended from it that is still running."""
    found, index = [pid], 0
    while index < len(found):
        try:
            for task in Path(f"/proc/{found[index]}/task").iterdir():
                found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
        index += 1
    return found


def _pss_kib(pid: int) -> int:
    """The proportional set size of ``pid`` in KiB; 0 when it has ended."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    found = re.search(r"^Pss:\s+(\d+) kB", text, re.MULTILINE)
    return int(found[1]) if found else 0


def run_child(argv: Sequence[str], cwd: Path, memory: bool = False) -> Sample:
    """Run ``argv`` in ``cwd`` to completion; time it, read its peak RSS from ``wait4``
    and, with ``memory``, sample the memory of it and its children together
    (``TreeMemory``).

    ``wait4`` reports the resource use of exactly this child, unlike deltas of
    ``getrusage(RUSAGE_CHILDREN)``, whose ``ru_maxrss`` is a maximum over all children.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(list(argv), cwd=cwd, stdout=out, stderr=err)
        sampler = TreeMemory(process.pid) if memory else None
        if sampler is not None:
            sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        peak = sampler.stop() if sampler is not None else None
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    if process.returncode != 0:
        raise BenchmarkError(f"{' '.join(argv)} (in {cwd}) exited with {process.returncode}:\n"
                             f"{stderr[-2000:]}")
    return Sample(seconds, usage.ru_utime + usage.ru_stime, rss_kib(usage.ru_maxrss), peak,
                  stdout)


def rss_kib(ru_maxrss: int) -> int:
    """``ru_maxrss`` in KiB (Linux reports KiB, macOS bytes)."""
    return ru_maxrss // 1024 if sys.platform == "darwin" else ru_maxrss


def repeat(step: Callable[[], Sample], plan: Plan) -> list[Sample]:
    """Run ``step`` for the warm-ups, then return the samples of the timed runs."""
    for _ in range(plan.warmups):
        step()
    return [step() for _ in range(plan.runs)]


def repeat_together(steps: dict[str, Callable[[], Sample]], plan: Plan) -> dict[str, list[Sample]]:
    """Run ``steps`` in turn, round after round (warm-ups first): the figures a ratio
    compares are then taken at the same moments, so a shared machine's slow and fast
    spells fall on both alike."""
    for _ in range(plan.warmups):
        for step in steps.values():
            step()
    samples: dict[str, list[Sample]] = {key: [] for key in steps}
    for _ in range(plan.runs):
        for key, step in steps.items():
            samples[key].append(step())
    return samples


def measurement(corpus: str, key: str, label: str, samples: list[Sample],
                note: str = "") -> Measurement:
    """The figures of ``samples``, with the page count the last run reported."""
    found = PAGES.findall(samples[-1].stdout) if samples else []
    return Measurement(corpus, key, label, [s.seconds for s in samples],
                       [s.cpu_seconds for s in samples], [s.max_rss_kib for s in samples],
                       [s.memory_kib for s in samples if s.memory_kib is not None],
                       int(found[0]) if found else None, note)
