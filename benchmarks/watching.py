"""Timing ``pressrun watch``: from saving an edit to the line that says the rebuild is done."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from measure import BenchmarkError, rss_kib

DONE = "built in "
FAILED = "not rebuilt"
STOP_TIMEOUT = 60.0
"""Seconds to wait for the watcher to finish a rebuild and exit before killing it."""


class WatchSession:
    """A running ``pressrun watch`` whose output lines are read, with their arrival times."""

    def __init__(self, argv: Sequence[str], cwd: Path) -> None:
        self.process = subprocess.Popen(
            list(argv), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.lines: queue.Queue[tuple[float, str | None]] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put((time.perf_counter(), line.rstrip("\n")))
        self.lines.put((time.perf_counter(), None))

    def _next(self, timeout: float) -> tuple[float, str | None]:
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            raise BenchmarkError(f"pressrun watch printed nothing for {timeout:.0f} s; "
                                 "last lines:\n" + "\n".join(self.output[-10:])) from None

    def wait_built(self, timeout: float) -> float:
        """Wait for the next finished rebuild; return when its line arrived (``perf_counter``)."""
        deadline = time.perf_counter() + timeout
        while True:
            arrived, line = self._next(max(deadline - time.perf_counter(), 0.001))
            if line is None:
                raise BenchmarkError("pressrun watch exited:\n" + "\n".join(self.output[-10:]))
            self.output.append(line)
            if line.startswith(DONE):
                return arrived
            if line.startswith(FAILED):
                raise BenchmarkError("pressrun watch could not rebuild:\n"
                                     + "\n".join(self.output[-10:]))

    def settle(self, quiet: float = 0.5) -> None:
        """Wait until the watcher has printed nothing for ``quiet`` seconds."""
        while True:
            try:
                _, line = self.lines.get(timeout=quiet)
            except queue.Empty:
                return
            if line is None:
                raise BenchmarkError("pressrun watch exited:\n" + "\n".join(self.output[-10:]))
            self.output.append(line)

    def stop(self) -> int:
        """Stop the watcher as Ctrl-C would; return its peak RSS over the session, in KiB."""
        if self.process.returncode is not None:
            return 0
        self.process.send_signal(signal.SIGTERM)
        deadline = time.perf_counter() + STOP_TIMEOUT
        pid, status, usage = os.wait4(self.process.pid, os.WNOHANG)
        while pid == 0 and time.perf_counter() < deadline:
            time.sleep(0.1)
            pid, status, usage = os.wait4(self.process.pid, os.WNOHANG)
        if pid == 0:
            self.process.kill()
            pid, status, usage = os.wait4(self.process.pid, 0)
        self.process.returncode = os.waitstatus_to_exitcode(status)
        return rss_kib(usage.ru_maxrss)

    def __enter__(self) -> WatchSession:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()
