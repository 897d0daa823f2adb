"""Shared fixtures: test projects copied to tmp_path, and outputs built once per session."""

from __future__ import annotations

import functools
import math
import os
import re
import shutil
import time
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result

import epubchecker
from pressrun import usercache
from pressrun.cli import cli

if TYPE_CHECKING:
    from pressrun.pdf.sections import Layouts

ROOT = Path(__file__).resolve().parents[1]
PROJECTS = Path(__file__).resolve().parent / "projects"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus-next"  # ../corpus with every foreign passage marked {lang=…}
SOURCE = SHARED / "source" / "how-workers-won-in-1917.txt"


@pytest.fixture(autouse=True, scope="session")
def _user_cache(tmp_path_factory: pytest.TempPathFactory):
    """The user's cache (``pressrun.usercache``) in a folder of the session's own, for this
    process and the builds it starts, never the real one."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(usercache.VARIABLE, str(tmp_path_factory.mktemp("user-cache")))
        usercache.folder.cache_clear()
        yield
    usercache.folder.cache_clear()


@pytest.fixture(autouse=True, scope="session")
def _no_quick_exit():
    """A command run through ``cli.main`` ends with ``os._exit`` (``ending.leave``): in
    this process that would end the test run at once, silently and with status 0."""
    import sys

    from pressrun import ending

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ending, "leave", lambda: sys.exit(0))
        yield


def run(*args: str | Path) -> Result:
    """Run the CLI in-process, as a user would call it."""
    return CliRunner().invoke(cli, [str(a) for a in args])


def library_pdf(root: Path, target: Path, layouts: Layouts | None = None) -> bytes:
    """The PDF of the project at ``root``, built through the library (no click, no build
    cache) into ``target``, reusing ``layouts`` as ``pressrun watch`` does."""
    from pressrun.build import Request, build

    build(root, Request(formats=("pdf",), output=target, cache=False), layouts)
    return target.read_bytes()


def settle(*paths: Path) -> None:
    """Date the files' last modification a minute back, as if saved long before the next
    run: a file modified within seconds is read or hashed again (``project.settled``)."""
    past = time.time_ns() - 60_000_000_000
    for path in paths:
        os.utime(path, ns=(past, past))


@pytest.fixture
def project(tmp_path: Path):
    """Copy a project under tests/projects/ to a writable temporary folder."""

    def copy(name: str = "minimal") -> Path:
        target = tmp_path / name
        shutil.copytree(PROJECTS / name, target)
        return target

    return copy


@dataclass(frozen=True)
class Built:
    """A project built once: its PDF and EPUB."""

    pdf: Path
    epub: Path
    output: str


def _build(project: Path, out: Path) -> Built:
    result = run("build", "-C", project, "-o", out)
    assert result.exit_code == 0, result.output + (result.stderr or "")
    pdfs, epubs = list(out.glob("*.pdf")), list(out.glob("*.epub"))
    assert len(pdfs) == 1 and len(epubs) == 1
    return Built(pdfs[0], epubs[0], result.output)


def _corpus(name: str) -> Path:
    path = CORPUS / name
    if not path.is_dir():
        pytest.skip(f"corpus {path} is not present (it lives in ../shared beside the checkout)")
    return path


@pytest.fixture(scope="session")
def pamphlet(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The bundled pamphlet, built into a temporary folder."""
    return _build(ROOT, tmp_path_factory.mktemp("pamphlet"))


@pytest.fixture(scope="session")
def minimal(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """tests/projects/minimal, built once."""
    return _build(PROJECTS / "minimal", tmp_path_factory.mktemp("minimal"))


@pytest.fixture(scope="session")
def study(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """tests/projects/study (every study-group feature switched on), built once."""
    return _build(PROJECTS / "study", tmp_path_factory.mktemp("study"))


@pytest.fixture(scope="session")
def manifesto(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The Communist Manifesto corpus, built unchanged."""
    return _build(_corpus("communist-manifesto"), tmp_path_factory.mktemp("manifesto"))


@pytest.fixture(scope="session")
def ten_days(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Ten Days That Shook the World, built unchanged."""
    return _build(_corpus("ten-days-that-shook-the-world"), tmp_path_factory.mktemp("ten-days"))


def squash(text: str) -> str:
    """Text reduced to what survives line breaking: no whitespace, hyphens, soft hyphens
    or word joiners (invisible; the one before an em dash keeps it off a line's start)."""
    text = unicodedata.normalize("NFC", text)
    return re.sub(r"[\s\u00ad\u2010\u2011\u2060-]+", "", text)


def pdf_text(path: Path) -> list[str]:
    """The text of each page of a PDF (read once while the file is unchanged: Ten Days'
    397 pages take pypdf 16 s)."""
    stat = Path(path).stat()
    return list(_pdf_text(str(path), stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=8)
def _pdf_text(path: str, mtime: int, size: int) -> tuple[str, ...]:
    from pypdf import PdfReader

    return tuple(page.extract_text() or "" for page in PdfReader(path).pages)


def epub_texts(path: Path) -> dict[str, str]:
    """The visible text of each XHTML document of an EPUB, by name."""
    from xml.etree import ElementTree as ET

    texts = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith(".xhtml"):
                root = ET.fromstring(archive.read(name))
                texts[name] = " ".join(root.itertext())
    return texts


def article_sentences() -> list[str]:
    """Every sentence of the article, without the web page's boilerplate."""
    text = SOURCE.read_text(encoding="utf-8")
    body = text[text.index("The Provisional Government assembled"):
                text.index("Sign up for our daily email")]
    sentences = []
    for line in body.splitlines():
        line = line.strip()
        if line:
            sentences.extend(s for s in re.split(r"(?<=[.!?”’])\s+(?=[“A-Z])", line) if s)
    return sentences


def epubcheck_problems(path: Path) -> list[str]:
    """EPUBCheck's errors and warnings (an empty list means the EPUB is valid, 0/0)."""
    return epubchecker.problems(path)


def structure_languages(path: Path) -> Counter[str]:
    """How many elements of a tagged PDF's structure tree carry each language (/Lang)."""
    from pypdf import PdfReader

    found: Counter[str] = Counter()

    def walk(node) -> None:
        node = node.get_object()
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif hasattr(node, "get"):
            if "/Lang" in node:
                found[str(node["/Lang"])] += 1
            if "/K" in node:
                walk(node["/K"])

    walk(PdfReader(path).trailer["/Root"]["/StructTreeRoot"])
    return found


def unembedded_fonts(path: Path) -> list[str]:
    """Names of fonts used in a PDF without their font file embedded."""
    from pypdf import PdfReader

    missing = set()
    for page in PdfReader(path).pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            if font.get("/Subtype") == "/Type3":
                continue
            descriptor_owner = font["/DescendantFonts"][0].get_object() \
                if font.get("/Subtype") == "/Type0" else font
            descriptor = descriptor_owner.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                missing.add(str(font.get("/BaseFont")))
    return sorted(missing)


def font_sizes(pdf: Path, containing: str = "") -> dict[float, str]:
    """The effective size (pt) of every piece of text in a PDF (that has ``containing``
    in it), with a sample of it."""
    from pypdf import PdfReader

    sizes: dict[float, str] = {}

    def visit(text, cm, tm, font, size) -> None:
        if text.strip() and containing in text:
            a, b = tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3]
            c, d = tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]
            sizes.setdefault(round(size * math.sqrt(abs(a * d - b * c)), 1), text.strip())

    for page in PdfReader(pdf).pages:
        page.extract_text(visitor_text=visit)
    return sizes


def drawn_texts(path: Path) -> list[str]:
    """The text of each form XObject of a PDF, once each: a vector picture's words, which
    ``extract_text`` does not read."""
    from pypdf import PageObject, PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    found, seen, writer = [], set(), PdfWriter()
    for page in PdfReader(path).pages:
        for ref in page["/Resources"].get("/XObject", {}).values():
            form = ref.get_object()
            if form.get("/Subtype") != "/Form" or ref.idnum in seen:
                continue
            seen.add(ref.idnum)
            sheet = PageObject.create_blank_page(writer, 3000, 3000)
            sheet[NameObject("/Resources")] = form.get("/Resources", {})
            stream = DecodedStreamObject()
            stream.set_data(form.get_data())
            sheet.replace_contents(stream)
            found.append(sheet.extract_text())
    return found
