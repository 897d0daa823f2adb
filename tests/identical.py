"""Output fingerprints: the SHA-256 of every file a set of builds writes.

A change meant to leave the outputs alone (a refactoring) must give the same bytes::

    python tests/identical.py record            # before: writes tests/identical.json
    python tests/identical.py check             # after: lists every file that differs
    python tests/identical.py check --small     # the small projects only (seconds)

The bytes depend on the machine's libraries too (Pango, HarfBuzz, fontconfig and the
fonts it finds), so the record carries the versions it was taken with; ``check`` on a
machine with other versions says so instead of comparing. ``test_identical.py`` runs
the small cases in the test suite.
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus-next"  # the corpora with their languages marked
RECORD = Path(__file__).with_name("identical.json")

PAMPHLET = ROOT
MINIMAL = ROOT / "tests" / "projects" / "minimal"
STUDY = ROOT / "tests" / "projects" / "study"
MANIFESTO = CORPUS / "communist-manifesto"
TEN_DAYS = CORPUS / "ten-days-that-shook-the-world"

# name: (project, pressrun arguments); every case writes into a folder of its own.
CASES: dict[str, tuple[Path, tuple[str, ...]]] = {
    "minimal": (MINIMAL, ("build",)),
    "study": (STUDY, ("build",)),
    "study-booklet": (STUDY, ("pdf", "--booklet")),
    "study-handouts": (STUDY, ("pdf", "--handouts")),
    "pamphlet": (PAMPHLET, ("build",)),
    "pamphlet-booklet": (PAMPHLET, ("pdf", "--booklet")),
    "pamphlet-press": (PAMPHLET, ("pdf", "--profile", "press")),
    "pamphlet-grayscale": (PAMPHLET, ("pdf", "--profile", "grayscale")),
    "pamphlet-large-print": (PAMPHLET, ("pdf", "--edition", "large-print")),
    "pamphlet-handouts": (PAMPHLET, ("pdf", "--handouts")),
    "manifesto": (MANIFESTO, ("build",)),
    "ten-days": (TEN_DAYS, ("build",)),
}
SMALL = ("minimal", "study", "study-booklet", "study-handouts")


def environment() -> dict[str, str]:
    """The versions the bytes depend on, besides pressrun's own code."""
    from importlib.metadata import version

    from weasyprint.text.ffi import pango

    found = {name: version(name) for name in
             ("weasyprint", "pydyf", "pillow", "ebooklib", "uharfbuzz", "tinycss2", "qrcode",
              "pikepdf")}
    found["pango"] = str(pango.pango_version())
    for library in ("libharfbuzz.so.0", "libharfbuzz-subset.so.0"):
        try:
            ctypes.CDLL(library)
        except OSError:
            found[library] = "absent"
        else:
            found[library] = "present"
    fonts = subprocess.run(["fc-list", ":", "file"], capture_output=True, text=True,
                           check=False).stdout
    found["fonts"] = hashlib.sha256("".join(sorted(fonts.splitlines())).encode()).hexdigest()
    return found


def run_case(name: str, into: Path) -> dict[str, str]:
    """Build case ``name`` into a new folder below ``into``; the hash of every file written,
    by its name relative to that folder."""
    project, args = CASES[name]
    out = into / name
    out.mkdir(parents=True)
    command = [sys.executable, "-m", "pressrun", "-q", "--no-cache", *args, "-C", str(project),
               "-o", str(out if args[0] == "build" else out / "out.pdf")]
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode:
        raise SystemExit(f"{name}: {' '.join(command)} failed:\n{done.stderr}")
    return {path.relative_to(out).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(out.rglob("*")) if path.is_file()}


def hashes(names: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """Every case in ``names`` built, as ``{case: {file: sha256}}``."""
    folder = Path(tempfile.mkdtemp(prefix="pressrun-identical-"))
    try:
        return {name: run_case(name, folder) for name in names}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def differences(names: tuple[str, ...]) -> list[str]:
    """What differs from the record for the cases ``names`` (empty: byte-identical)."""
    record = json.loads(RECORD.read_text(encoding="utf-8"))
    if record["environment"] != environment():
        return [f"recorded with {record['environment']}, this machine has {environment()}"]
    found = hashes(names)
    problems = []
    for name in names:
        want, got = record["cases"][name], found[name]
        for file in sorted(want.keys() | got.keys()):
            if want.get(file) != got.get(file):
                problems.append(f"{name}: {file} differs" if file in want and file in got
                                else f"{name}: {file} {'missing' if file in want else 'new'}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("record", "check"))
    parser.add_argument("--small", action="store_true", help="only the small test projects")
    args = parser.parse_args()
    names = SMALL if args.small else tuple(CASES)
    if args.action == "record":
        record = {"environment": environment(), "cases": hashes(names)}
        RECORD.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"recorded {sum(len(files) for files in record['cases'].values())} files "
              f"of {len(names)} builds in {RECORD.relative_to(ROOT)}")
        return
    problems = differences(names)
    for line in problems:
        print(line)
    print("byte-identical" if not problems else f"{len(problems)} differences")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
