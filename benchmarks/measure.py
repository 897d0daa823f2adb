"""Timing whole child processes: wall-clock seconds and the child's own peak RSS."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import sysconfig
import tempfile
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


def run_child(argv: Sequence[str], cwd: Path) -> Sample:
    """Run ``argv`` in ``cwd`` to completion; time it and read its peak RSS from ``wait4``.

    ``wait4`` reports the resource use of exactly this child, unlike deltas of
    ``getrusage(RUSAGE_CHILDREN)``, whose ``ru_maxrss`` is a maximum over all children.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(list(argv), cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    if process.returncode != 0:
        raise BenchmarkError(f"{' '.join(argv)} (in {cwd}) exited with {process.returncode}:\n"
                             f"{stderr[-2000:]}")
    return Sample(seconds, usage.ru_utime + usage.ru_stime, rss_kib(usage.ru_maxrss), stdout)


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
                       int(found[0]) if found else None, note)
