"""The results: the machine, the issue's targets with pass/fail, and every median."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from measure import Measurement, Plan

CORPUS_NAMES = {"pamphlet": "pamphlet", "manifesto": "Manifesto", "ten-days": "Ten Days",
                "scaling": "generated prose", "cli": "—"}


@dataclass(frozen=True)
class Check:
    """One row of the targets table: a ratio (or a time) set against the issue's target."""

    corpus: str
    """Corpus name as shown."""
    figure: str
    """What is compared, e.g. ``pdf ÷ floor``."""
    medians: str
    """The absolute medians the ratio is made of."""
    value: str
    """The ratio or time."""
    target: str
    """The issue's target, or ``—`` when the figure is only reported."""
    result: str
    """``pass``, ``fail``, ``—`` (no target), or why it was not measured."""


def machine(repo: Path) -> dict[str, str]:
    """What the figures were measured on."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": _cpu_model(),
        "cores": str(os.cpu_count()),
        "load average at start": load,
        "os": platform.platform(),
        "python": f"{platform.python_version()} ({sys.executable})",
        "weasyprint": _version("weasyprint"),
        "pressrun": f"{_version('pressrun')} ({_git_describe(repo)})",
        "pandoc": _pandoc_version(),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def _git_describe(repo: Path) -> str:
    # GIT_OPTIONAL_LOCKS=0: do not refresh the index of a tree someone may be working in.
    result = subprocess.run(["git", "-C", str(repo), "describe", "--always", "--dirty"],
                            capture_output=True, text=True, check=False,
                            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"})
    return result.stdout.strip() or "not a git checkout"


def _pandoc_version() -> str:
    if not shutil.which("pandoc"):
        return "not installed"
    result = subprocess.run(["pandoc", "--version"], capture_output=True, text=True, check=False)
    return result.stdout.splitlines()[0] if result.stdout else "unknown"


def seconds(value: float | None) -> str:
    """A time for the tables."""
    if value is None:
        return "—"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def mib(kib: float | None) -> str:
    """A memory size for the tables."""
    return "—" if kib is None else f"{kib / 1024:.0f} MiB"


def markdown(info: dict[str, str], plan: Plan, checks: list[Check],
             measurements: list[Measurement]) -> str:
    """The results as Markdown: machine, targets table, medians table."""
    lines = ["# pressrun benchmarks (issues #8 and #19)", ""]
    lines += [f"- **{key}**: {value}" for key, value in info.items()]
    lines += [f"- **runs**: {plan.warmups} warm-up + {plan.runs} timed, median reported", ""]
    lines += ["## Targets", "",
              "| corpus | figure | medians | value | target | result |",
              "|---|---|---|---|---|---|"]
    lines += [f"| {c.corpus} | {c.figure} | {c.medians} | {c.value} | {c.target} | {c.result} |"
              for c in checks]
    lines += ["", "## Medians", "",
              "| corpus | measurement | median | min – max | CPU | peak RSS | memory, all "
              "processes | pages | note |",
              "|---|---|---|---|---|---|---|---|---|"]
    lines += [_median_row(m) for m in measurements]
    return "\n".join(lines) + "\n"


def _median_row(m: Measurement) -> str:
    spread = f"{seconds(min(m.seconds))} – {seconds(max(m.seconds))}" if m.seconds else "—"
    pages = str(m.pages) if m.pages else "—"
    return (f"| {CORPUS_NAMES.get(m.corpus, m.corpus)} | {m.label} | {seconds(m.median)} | "
            f"{spread} | {seconds(m.median_cpu)} | {mib(m.median_rss_kib)} | "
            f"{mib(m.median_memory_kib)} | {pages} | {m.note} |")


def write(out: Path, text: str, info: dict[str, str], plan: Plan, checks: list[Check],
          measurements: list[Measurement]) -> None:
    """Write ``results.md`` and ``results.json`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.md").write_text(text, encoding="utf-8")
    data = {
        "machine": info,
        "plan": asdict(plan),
        "checks": [asdict(c) for c in checks],
        "measurements": [{**asdict(m), "median_seconds": m.median,
                          "median_cpu_seconds": m.median_cpu,
                          "median_rss_kib": m.median_rss_kib,
                          "median_memory_kib": m.median_memory_kib,
                          "seconds_per_page": m.per_page} for m in measurements],
    }
    (out / "results.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
