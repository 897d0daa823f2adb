"""Fuzzing: generated manuscripts either build into valid files or fail with pressrun's errors.

Hypothesis writes whole projects (``manuscript/pamphlet.yaml``, Markdown parts,
``images/``) full of odd input: RTL text, combining marks, emoji, control
characters, lone surrogates written as YAML escapes, deeply nested lists,
blockquotes and containers (``::: aside`` in ``::: questions``, unknown names),
hundreds of footnotes, huge paragraphs, YAML of the wrong type, duplicate keys,
anchors and aliases, and pictures that are missing, broken, empty, misnamed or
decompression bombs. Every build must end one of two ways:

- it succeeds (exit status 0) and what it wrote is valid: the EPUB passes
  EPUBCheck, the PDF passes ``qpdf --check`` (without qpdf: pypdf reads every
  page), and no text was lost (each part ends with a word of its own, which the
  HTML and the EPUB must contain); or
- it fails the way pressrun fails: exit status 1 (``SystemExit``), stderr lines that
  all start with ``error:`` or ``warning:`` (or ``info:``), no traceback, nothing
  written.

Either way the project's own files are left as they were. An uncaught Python
exception fails the test, chained to the original traceback, with the manuscript
that caused it.

Three tests share the generators, from cheap to dear:

- ``test_fuzz_loader``: ``pressrun html`` (loading and the print HTML, no layout),
  on projects of every degree of brokenness;
- ``test_fuzz_epub``: ``pressrun epub`` (which also lays out the print edition for
  its page list), EPUBCheck on every EPUB written;
- ``test_fuzz_pdf``: ``pressrun pdf`` with a random print profile and booklet,
  ``qpdf --check`` on every PDF written.

They run with the rest of the suite (``pytest -k "not fuzz"`` leaves them out).
Environment:

- ``PRESSRUN_FUZZ_EXAMPLES`` (default 16): examples of the EPUB test; the loader
  test runs five times as many, the PDF test half as many: CI's examples take about
  100 s in all on a two-core machine (others take more or less, never much over two
  minutes in the runs so far);
- ``PRESSRUN_FUZZ_LONG=1``: 2000 examples in each test (hours);
- ``CI`` set: derandomized (the same examples on every run) and no shrinking;
  locally each run explores new input and shrinks what fails (up to five minutes
  a test); ``PRESSRUN_FUZZ_SHRINK=0`` or ``1`` overrides. ``CI=1
  PRESSRUN_FUZZ_SHRINK=1`` replays CI's examples and shrinks the failure.

What the fuzzer found, each now also a test of its own: text silently lost when
lists nest deeper than markdown-it reads, a part named ``nav.md`` replaced by the
EPUB's nav, tracebacks (YAML nested a thousand deep, a name too long for the file
system, a NUL in a picture name, an SVG ``viewBox="x"``, notes going on past the last
page of a section set again: ``test_resume``), EPUBs that EPUBCheck
refuses (page markers between list items, links to ``https://``, picture names
with spaces) and a message split over two lines (see docs/safety.md).
"""

from __future__ import annotations

import gc
import hashlib
import io
import os
import random
import re
import shutil
import struct
import subprocess
import tempfile
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from PIL import Image as PILImage

from conftest import epubcheck_problems, run

# --------------------------------------------------------------------------- budget

LONG = os.environ.get("PRESSRUN_FUZZ_LONG", "") == "1"
EXAMPLES = 2000 if LONG else int(os.environ.get("PRESSRUN_FUZZ_EXAMPLES", "16"))
CI = os.environ.get("CI", "").lower() not in ("", "0", "false")
SHRINK = os.environ.get("PRESSRUN_FUZZ_SHRINK", "0" if CI else "1") == "1"
"""Shrinking a failure takes many whole builds (Hypothesis gives up after five minutes),
too long for CI, which reports the failing example as found."""


def fuzz_settings(examples: int) -> settings:
    """Hypothesis settings for one fuzz test: whole builds are slow, so no deadline."""
    return settings(
        max_examples=max(1, examples),
        deadline=None,
        derandomize=CI,
        phases=tuple(phase for phase in Phase if SHRINK or phase is not Phase.shrink),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.large_base_example],
        print_blob=True,
    )


LOADER_EXAMPLES = EXAMPLES if LONG else 5 * EXAMPLES
EPUB_EXAMPLES = EXAMPLES
PDF_EXAMPLES = EXAMPLES if LONG else (EXAMPLES + 1) // 2

# --------------------------------------------------------------------------- text

WORDS = (
    "the", "soviet", "workers", "won", "in", "1917", "strike", "Petrograd", "Петроград",
    "советы", "Arbeiterräte", "grève", "naïve", "Ελλάδα", "שלום", "עולם", "مرحبا", "بالعالم",
    "東京", "工人", "노동자", "हड़ताल", "ไทย", "ǅemal", "straße", "İstanbul", "ﬁne", "e\u0301cole",
    "Zal\u0336\u0353\u0489go", "🏳️‍🌈", "👩🏽‍🔬", "🇩🇪", "1️⃣", "a\u200db", "x\u00ady", "₂",
)
"""Ordinary words from many scripts (and a few clusters that are single glyphs)."""

RTL = "\u05d0\u05d1\u05d2\u05e9\u05dc\u05d5\u05dd\u0645\u0631\u062d\u0628\u0627\u200f\u202b\u202e" \
      "\u202c\u2067\u2069\u061c"
PRINTABLE_ODD = st.one_of(
    st.sampled_from(RTL),
    st.characters(categories=["Mn", "Me"]),  # combining marks
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),  # emoji
    st.characters(categories=["Cf"]),  # bidi controls, ZWJ, soft hyphen, BOM
    st.sampled_from("\u2028\u2029\U0010ffff\ufffd\u00a0\u3000\U0001d11e\U000e0001\ufdd0"),
    st.sampled_from("*_[]()!#>|:-`~^\\<>&\"'.=+"),  # Markdown's own punctuation
    st.characters(codec="utf-8", exclude_categories=["Cc"]),  # any character but controls
)
CONTROLS = st.one_of(
    st.characters(categories=["Cc"]),  # NUL, the other C0 and the C1 controls
    st.sampled_from("\ufffe\uffff"),  # not characters
)
SURROGATES = st.characters(categories=["Cs"])
"""Lone surrogates: only a YAML escape like "\\ud800" can write one."""

ALLOW_CONTROLS = st.shared(st.integers(0, 99).map(lambda n: n >= 80), key="controls")
"""Whether this example's text may hold control characters and lone surrogates (one in
five): they make the whole manuscript fail, which would hide every other problem."""

words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join)
odd_text = ALLOW_CONTROLS.flatmap(lambda controls: st.text(
    st.one_of(PRINTABLE_ODD, CONTROLS) if controls else PRINTABLE_ODD, min_size=1, max_size=24))
text = st.one_of(words, words, odd_text)
"""A piece of text: mostly words, often anything at all."""
yaml_only_text = st.one_of(text, text, text, ALLOW_CONTROLS.flatmap(lambda controls: st.text(
    st.one_of(PRINTABLE_ODD, CONTROLS, SURROGATES) if controls else PRINTABLE_ODD,
    min_size=1, max_size=12)))
"""Text for YAML values, which can also hold lone surrogates."""


def chance(draw, percent: int) -> bool:
    """True about ``percent``% of the time; shrinks towards False (the plain case).

    The generators draw a ``chaos`` level (0–3) per project and make broken
    structure (wrong types, unknown names, bad pictures…) more likely the higher it is:
    at 0 the manuscript is well formed and only its text is odd, so builds get as far
    as the EPUB and the PDF.
    """
    return draw(st.integers(0, 99)) >= 100 - percent


def inline_safe(value: str) -> str:
    """``value`` on one line (generated inline text must not end the block it is in)."""
    return re.sub(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+", " ", value)


# --------------------------------------------------------------------------- pictures

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = zlib.compress(b"\0" * 4096)  # a few rows; the header is what a reader trusts
    return (PNG_SIGNATURE + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", rows)
            + png_chunk(b"IEND", b""))


def pillow_bytes(fmt: str, mode: str, size: tuple[int, int], seed: int, noisy: bool,
                 orientation: int = 1, frames: int = 1) -> bytes:
    """A real picture file made with Pillow: noise (photo-like) or a few flat colours."""
    rng = random.Random(seed)
    width, height = size
    if noisy:
        base = PILImage.frombytes("RGBA", size, rng.randbytes(width * height * 4))
    else:
        base = PILImage.new("RGBA", size, (rng.randrange(256), 30, 40, rng.choice((0, 128, 255))))
        base.paste((250, 250, 240, 255), (0, 0, max(1, width // 2), max(1, height // 2)))
    if mode == "I;16":
        picture = PILImage.frombytes("I;16", size, rng.randbytes(width * height * 2))
    else:
        picture = base.convert(mode)
    out = io.BytesIO()
    options: dict = {}
    if fmt == "JPEG" and orientation != 1:
        exif = PILImage.Exif()
        exif[0x0112] = orientation
        options["exif"] = exif.tobytes()
    if fmt == "GIF" and frames > 1:
        options["save_all"] = True
        options["append_images"] = [picture.rotate(90 * i) for i in range(1, frames)]
    picture.save(out, fmt, **options)
    return out.getvalue()


RASTER_MODES = {
    "PNG": ("RGB", "RGBA", "L", "LA", "P", "1", "I;16"),
    "JPEG": ("RGB", "L", "CMYK"),
    "GIF": ("P", "L"),
    "WEBP": ("RGB", "RGBA"),
    "TIFF": ("RGB",),
    "BMP": ("RGB",),
}
EXTENSIONS = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp", "TIFF": ".tiff",
              "BMP": ".bmp"}


@dataclass(frozen=True)
class Picture:
    """One entry of ``images/``: a file's bytes, or a folder or symlink standing in for one."""

    kind: str
    """What it is, for the report: ``PNG RGB 3x4``, ``bomb``, ``random bytes``…"""
    data: bytes = b""
    is_dir: bool = False
    link_to: str | None = None
    """Make a symlink to this path instead of a file."""
    good: bool = False
    """A picture pressrun should take (a real PNG, JPEG, GIF, WebP or SVG)."""


sizes = st.one_of(
    st.tuples(st.integers(1, 48), st.integers(1, 48)),
    st.tuples(st.integers(1, 3), st.integers(1, 2400)),  # very tall or very wide strips
    st.tuples(st.integers(1, 2400), st.integers(1, 3)),
)


GOOD_FORMATS = ("PNG", "JPEG", "GIF", "WEBP")


@st.composite
def raster(draw, formats=GOOD_FORMATS) -> tuple[Picture, str]:
    """A real raster picture and its natural extension."""
    fmt = draw(st.sampled_from(formats))
    mode = draw(st.sampled_from(RASTER_MODES[fmt]))
    size = draw(sizes)
    seed = draw(st.integers(0, 2**16))
    noisy = draw(st.booleans())
    orientation = draw(st.integers(1, 8)) if fmt == "JPEG" else 1
    frames = draw(st.integers(1, 3)) if fmt == "GIF" else 1
    data = pillow_bytes(fmt, mode, size, seed, noisy, orientation, frames)
    kind = f"{fmt} {mode} {size[0]}x{size[1]}" + (" noise" if noisy else " flat") + \
        (f" EXIF orientation {orientation}" if orientation != 1 else "") + \
        (f" {frames} frames" if frames > 1 else "")
    return Picture(kind, data, good=fmt in GOOD_FORMATS), EXTENSIONS[fmt]


SVG_NS = 'xmlns="http://www.w3.org/2000/svg"'
SVG_LENGTHS = ("10", "120px", "3cm", "0", "-5", "100%", "1e9", "abc", "")
SVG_BOXES = ("0 0 10 10", "0,0,300,100", "0 0 0 0", "x", "")


@st.composite
def svg(draw, chaos: int) -> Picture:
    """An SVG picture: proper, odd (sizes, references out of the project) or broken."""
    width = draw(st.sampled_from(SVG_LENGTHS))
    height = draw(st.sampled_from(SVG_LENGTHS))
    box = draw(st.sampled_from(SVG_BOXES))
    label = inline_safe(draw(text)).replace("&", "&amp;").replace("<", "&lt;")
    attrs = " ".join(f'{name}="{value}"' for name, value in
                     (("width", width), ("height", height), ("viewBox", box)) if value)
    inside = draw(st.sampled_from((
        '<rect width="10" height="10" fill="#b22222"/>',
        f'<text x="1" y="8" font-size="4">{label}</text>',
        '<image href="https://example.org/x.png" width="5" height="5"/>',
        '<image href="file:///etc/hostname" width="5" height="5"/>',
        '<image href="../images/missing.png" width="5" height="5"/>',
        '<image href="data:image/png;base64,iVBORw0KGgo=" width="5" height="5"/>',
        '<style>@import url("https://example.org/x.css");</style>',
        '<rect width="9" height="9" fill="url(http://example.org/p.svg#g)"/>',
        '<rect width="9" height="9" style="filter: url(file:///etc/hostname)"/>',
        '<script>alert(1)</script><rect width="9" height="9" onclick="x()"/>',
        '<foreignObject width="9" height="9"><div xmlns="http://www.w3.org/1999/xhtml">'
        'hi</div></foreignObject>',
    )))
    if not chance(draw, 25 * chaos):
        if "href" in inside or "@import" in inside or "url(" in inside:
            inside = ""
        document = f"<svg {SVG_NS} {attrs}>{inside}</svg>"
        return Picture(f"SVG {document[:70]!r}…", document.encode("utf-8", "surrogatepass"),
                       good=box != "x")
    document = draw(st.sampled_from((
        f"<svg {SVG_NS} {attrs}>{inside}</svg>",
        f'<?xml version="1.0"?>\n<svg {SVG_NS} {attrs}>{inside}</svg>',
        f"<svg {attrs}>{inside}</svg>",  # no namespace
        f"<html {SVG_NS}><body/></html>",  # not an SVG
        f"<svg {SVG_NS} {attrs}>{inside}",  # unclosed
        f'<!DOCTYPE svg [<!ENTITY a "{label}">]><svg {SVG_NS} {attrs}><text>&a;</text></svg>',
    )))
    return Picture(f"SVG {document[:60]!r}…", document.encode("utf-8", "surrogatepass"))


@st.composite
def picture_file(draw, stem: str, chaos: int) -> tuple[Picture, str]:
    """What to put in ``images/`` as ``stem.*``: a good picture, or a broken or dangerous one.

    Returns the picture and its file name.
    """
    choice = draw(st.integers(0, 12)) if chance(draw, 25 * chaos) else draw(st.integers(0, 4))
    if choice <= 3:
        picture, ext = draw(raster())
        return picture, stem + ext
    if choice == 4:
        return draw(svg(chaos)), stem + ".svg"
    if choice == 12:  # formats e-readers do not show
        picture, ext = draw(raster(("TIFF", "BMP")))
        return picture, stem + ext
    if choice == 5:  # a real PNG saved as .jpg
        picture, _ = draw(raster(("PNG",)))
        return Picture(f"PNG named .jpg: {picture.kind}", picture.data), stem + ".jpg"
    if choice == 6:
        data = draw(st.binary(min_size=1, max_size=256))
        ext = draw(st.sampled_from((".png", ".jpg", ".gif", ".svg")))
        return Picture(f"random bytes {data[:32].hex()}…", data), stem + ext
    if choice == 7:
        return Picture("zero bytes"), stem + draw(st.sampled_from((".png", ".jpg", ".svg")))
    if choice == 8:
        width = draw(st.sampled_from((100_000, 65_535, 20_000, 2**31 - 1)))
        height = draw(st.sampled_from((100_000, 20_000, 1_000, 1)))
        return Picture(f"PNG header claiming {width}x{height}", bomb_png(width, height)), \
            stem + ".png"
    if choice == 9:  # a real picture cut short
        picture, ext = draw(raster(("PNG", "JPEG", "GIF")))
        cut = draw(st.integers(1, max(1, len(picture.data) - 1)))
        return Picture(f"{picture.kind}, truncated to {cut} bytes", picture.data[:cut]), \
            stem + ext
    if choice == 10:
        return Picture("a folder", is_dir=True), stem + ".png"
    target = draw(st.sampled_from(("/etc/hostname", "../manuscript/pamphlet.yaml", "/dev/null",
                                   "nowhere.png")))
    return Picture(f"symlink to {target}", link_to=target), stem + ".png"



# --------------------------------------------------------------------------- YAML

_YAML_PRINTABLE = re.compile("[\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def yaml_double_quoted(value: str, raw: bool = False) -> str:
    """``value`` as a double-quoted YAML scalar, escaping what YAML cannot hold raw.

    With ``raw``, control characters are left unescaped (YAML refuses them);
    surrogates are always escaped, as ``"\\ud800"``.
    """
    out = []
    for char in value:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif 0xD800 <= code <= 0xDFFF or (not raw and not _YAML_PRINTABLE.fullmatch(char)):
            out.append("\\0" if code == 0 else f"\\x{code:02x}" if code < 0x100
                       else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


@st.composite
def yaml_text(draw, source=yaml_only_text, block: bool = True) -> str:
    """A YAML scalar meant as text, in one of YAML's styles (``block``: may be a literal).

    Now and then its characters are written raw even where YAML refuses them.
    """
    value = draw(source)
    style = draw(st.integers(0, 4))
    raw = chance(draw, 5)
    printable = all(_YAML_PRINTABLE.fullmatch(c) for c in value) or raw
    if style == 0 and re.fullmatch(r"[^\W_][\w .’()-]*", value):
        return value  # plain (it may still read as a number, a date or yes/no)
    has_surrogate = any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    if style == 1 and printable and not has_surrogate:
        return "'" + value.replace("'", "''").replace("\n", "\n\n") + "'"
    if style == 2 and block and printable and not has_surrogate and "\n" not in value:
        return "|\n  " + value  # a literal block
    return yaml_double_quoted(value, raw=raw)


ODD_YAML = (
    "42", "-0", "0x1F", "0o17", "1e400", ".inf", "-.nan", "1_000", "12:30:00", "3.14", "yes",
    "no", "true", "False", "on", "~", "null", "", "2017-10-25", "2017-02-30", "0000-01-01",
    "2017-10-25T10:00:00Z", "2001-12-14 21:59:43.10 -5", "[a, b]", "[]", "{}", "{a: b}",
    "[[x]]", "{a: [1, 2]}", "[1, null, true]", "!!binary aGVsbG8=", "!!float abc", "!!int abc",
    "!!bool maybe", "!!timestamp nope", "!!set {a, b}", "!!omap [a: 1]",
    "!!python/object/apply:os.system [echo]", "!custom x", "!!str 12", "*undefined",
    "&anchor", "|", ">", "'unterminated", '"unterminated', "[unclosed", "{a: b", "- a", "? x",
    "a: b", "@x", "`x`", "%x", "#comment", "&r [*r]", "\n  - &x [a, b]\n  - *x",
    "\n  - - nested\n    - list\n  - {k: v}",
)
"""YAML values of the wrong type, or not quite YAML."""


@st.composite
def odd_yaml(draw) -> str:
    """A YAML value that is not text: numbers, yes/no, null, collections, tags, errors."""
    choice = draw(st.integers(0, 9))
    if choice == 9:  # deep flow nesting
        depth = draw(st.sampled_from((2, 30, 300, 1000)))
        return "[" * depth + "]" * depth
    if choice == 8:  # a small billion laughs
        width, levels = draw(st.integers(2, 5)), draw(st.integers(1, 5))
        first = f"&l0 [{', '.join(['lol'] * width)}]"
        return first if levels == 1 else "{" + ", ".join(
            [f"a0: {first}"] + [f"a{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]"
                                for i in range(1, levels)]) + "}"
    return draw(st.sampled_from(ODD_YAML))


@dataclass(frozen=True)
class Key:
    """How to write one key's value: good values, and near misses (or None)."""

    good: st.SearchStrategy[str]
    near: st.SearchStrategy[str] | None = None
    text: bool = False
    """Whether the value is text (an alias between two text keys is fine)."""


@st.composite
def yaml_value(draw, key: Key, chaos: int) -> str:
    """A value for one key: a good one mostly, then near misses, wrong types and bad YAML."""
    if chance(draw, 3 * chaos):
        return draw(odd_yaml())
    if key.near is not None and chance(draw, 5 * chaos):
        return draw(key.near)
    return draw(key.good)


def block_list(items: list[str], flow: bool) -> str:
    """A YAML list: ``[a, b]`` or one ``- item`` per line."""
    if flow:
        return "[" + ", ".join(items) + "]"
    return "".join(f"\n  - {item}" for item in items) if items else "[]"


@st.composite
def yaml_list(draw) -> str:
    """A list of text items, in flow or block style."""
    items = draw(st.lists(yaml_text(text, block=False), max_size=4))
    return block_list(items, flow=draw(st.booleans()))


ODD_KEYS = ("titel", "subtitel", "url", "questions", "paragraph_numbers", "notes_pages", "Title",
            "1", "~", "true", '"\\ud800"', '"a\\nb"', '""', "? [a, b]", "? {a: 1}", "'quoted'",
            '"ti\\0tle"', '"x\\u2028y"', "<<", "&k title", "[a, b]")


@st.composite
def yaml_mapping(draw, schema: dict[str, Key], required: tuple[str, ...], chaos: int) -> str:
    """A YAML mapping for ``schema``, with YAML's oddities as ``chaos`` allows."""
    keys = [key for key in schema if key in required or draw(st.booleans())]
    if chance(draw, 4 * chaos):
        keys = [key for key in keys if not chance(draw, 30)]  # required keys go too
    entries = [(key, draw(yaml_value(schema[key], chaos))) for key in keys]
    entries = draw(st.permutations(entries))
    if entries and chance(draw, 3 * chaos):  # the same key twice
        entries.append((entries[draw(st.integers(0, len(entries) - 1))][0],
                        draw(yaml_text(words))))
    if chance(draw, 3 * chaos):  # unknown, planned or strange keys
        key = draw(st.sampled_from(ODD_KEYS))
        value = "{title: merged}" if key == "<<" else draw(yaml_text(words))
        entries.insert(draw(st.integers(0, len(entries))), (key, value))
    aliasable = [i for i, (key, _) in enumerate(entries)
                 if chaos or (key in schema and schema[key].text)]
    if len(aliasable) >= 2 and chance(draw, 20):  # an anchor, and an alias to it
        first = draw(st.sampled_from(aliasable[:-1]))
        second = draw(st.sampled_from([i for i in aliasable if i > first]))
        key, value = entries[first]
        if value and not value.startswith(("&", "*", "!", "|", ">", "%", "@", "`", "#")):
            entries[first] = (key, f"&v{first}" + ("" if value.startswith("\n") else " ") + value)
            entries[second] = (entries[second][0], f"*v{first}")
    if chance(draw, 2 * chaos):  # a merge key
        entries.append(("<<", draw(st.sampled_from(("{title: merged}", "*v0", "[{a: b}]")))))
    lines = [f"{key}:{value}" if value.startswith("\n") else f"{key}: {value}".rstrip()
             for key, value in entries]
    return "\n".join(lines) + "\n"


DATES = ("2017", "2017-10", "2017-10-25", "'2024-05-01'", "1917-11-07", '"1848-02"')
NEAR_DATES = ("2017-13-45", "'2017-02-30'", "'0000-00-00'", "25 October 1917", "2017-1-5",
              "'9999-12-31'", "1999-12-31T23:59:59Z", "'2017-10-25 '")
LANGUAGES = ("en", "en-GB", "de", "fr", "ru", "he", "ar", "ja", "zh-Hant-TW", "pt-BR", "sv", "da",
             "pl", "nl", "uk", "es", "it", "fa", "yi")
NEAR_LANGUAGES = ("en-a", "xx", "abc-12345678", "de-x", "EN-gb", "qaa", "en-GB-oed", "zz-ZZ-zz",
                  "English", "e", "en_GB", "12", "'de '", "x-klingon", "en-GB-GB")
PAGE_SIZES = ("A5", "A4", "A6", "letter", "half-letter", "a5", "'120mm 190mm'", "'50mm 50mm'",
              "'1000mm 1000mm'", "'50mm 1000mm'", "'1000mm 50mm'", "'120.5mm 190mm'",
              "' 100 mm  60mm '")
NEAR_PAGE_SIZES = ("'49mm 100mm'", "'120.5 mm 190mm'", "B5", "'0mm 0mm'", "'1e3mm 5mm'",
                   "'100mm'", "A5 landscape")
ROLES = ("chapter", "preface", "introduction", "sidebar", "appendix", "afterword", "notes")


# --------------------------------------------------------------------------- Markdown

LINK_TARGETS = ("https://example.org/", "mailto:study@example.org", "#a-heading",
                "javascript:alert(1)", "ftp://example.org/x", "", "http:x", "file:///etc/passwd",
                "https://example.org/%zz", "https://example.org/ü?x=1&y=2#f", "https://",
                "mailto:", "data:text/html,<b>x</b>", "../README.md", "http://[::1",
                "https://example.org/a b", "HTTPS://EXAMPLE.ORG/", "mailto:ü@example.org")
CONTAINERS = ("aside", "pullquote", "questions", "further-reading")
ODD_CONTAINERS = ("sidebar", "Aside", "aside extra words", "questions{.x}", "ä", "box")
FENCE_LANGUAGES = ("", "python", '"><script>', "ü", "a b")
HTML = ("<b>bold</b>", "<br>", "<!-- comment -->", "<span style='x'>y</span>", "&nbsp;", "&#0;",
        "&#x10FFFF;", "&#xD800;", "&#1;", "&bogus;", "&amp;", "<?php x ?>", "<![CDATA[x]]>")
LABELS = ("1", "2", "note", "ü", "a-1", "x_y", "٣", "^", "*x*", "9999999999", "a.b", "N")


@dataclass
class Names:
    """What a generated part can refer to, and how odd it may be."""

    images: list[str]
    """Picture references as written in Markdown (relative to manuscript/)."""
    parts: list[str]
    """The parts' file names, for links between parts."""
    chaos: int
    """0 (well-formed structure, odd text) to 3."""


def md_destination(ref: str) -> str:
    """``ref`` as a Markdown link destination (spaces and brackets need ``<…>``)."""
    if re.search(r"[\s()<>]", ref):
        return "<" + ref.replace("<", "%3C").replace(">", "%3E") + ">"
    return ref


def md_title(value: str) -> str:
    """A quoted link or picture title."""
    return '"' + inline_safe(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


@st.composite
def inline(draw, names: Names, labels: tuple[str, ...]) -> str:
    """Inline Markdown: text, emphasis, code, links, note calls, pictures, raw HTML, breaks."""
    pieces = []
    for _ in range(draw(st.integers(1, 8))):
        piece = inline_safe(draw(text))
        kind = draw(st.integers(0, 15))
        if kind == 1:
            piece = f"*{piece}*"
        elif kind == 2:
            piece = f"**{piece}**"
        elif kind == 3:
            piece = f"~~{piece}~~"
        elif kind == 4:
            piece = "`" + piece.replace("`", "") + "`"
        elif kind == 5:
            target = draw(st.sampled_from(LINK_TARGETS + tuple(names.parts)))
            title = f" {md_title(draw(text))}" if draw(st.booleans()) else ""
            piece = f"[{piece}]({md_destination(target)}{title})"
        elif kind == 6 and labels:
            piece += f"[^{draw(st.sampled_from(labels))}]"
        elif kind == 7 and names.images:
            piece = f"a ![{piece}]({md_destination(draw(st.sampled_from(names.images)))}) b"
        elif kind == 8:
            piece = draw(st.sampled_from(HTML))
        elif kind == 9:
            piece = f"<{draw(st.sampled_from(('https://example.org/a', 'mailto:a@b.c')))}>"
        elif kind == 10:
            piece += draw(st.sampled_from(("  \n", "\\\n", "\n")))  # hard or soft break
        elif kind == 11 and chance(draw, 10):
            piece = f"^[{piece}]"  # an inline note, in the footnote plugin's syntax
        pieces.append(piece)
    return " ".join(pieces)


@st.composite
def figure(draw, names: Names) -> str:
    """A picture in a paragraph of its own, with or without a caption."""
    ref = draw(st.sampled_from(names.images)) if names.images else "../images/none.png"
    alt = inline_safe(draw(st.one_of(words, text, st.just("")))).replace("]", "")
    caption = f" {md_title(draw(text))}" if draw(st.booleans()) else ""
    return f"![{alt}]({md_destination(ref)}{caption})"


@st.composite
def table(draw, names: Names, labels: tuple[str, ...]) -> str:
    """A pipe table; rows may have too few or too many cells."""
    columns = draw(st.integers(1, 4))

    def row(count: int) -> str:
        cells = [draw(inline(names, labels)).replace("|", "\\|").replace("\n", " ")
                 for _ in range(count)]
        return "| " + " | ".join(cells) + " |"

    align = "|" + "|".join(draw(st.sampled_from(("---", ":--", "--:", ":-:")))
                           for _ in range(columns)) + "|"
    rows = [row(draw(st.integers(1, columns + 1))) for _ in range(draw(st.integers(0, 3)))]
    return "\n".join([row(columns), align, *rows])


@st.composite
def huge_paragraph(draw) -> str:
    """A paragraph of up to about 20 KB: words, or one unbreakable run of characters."""
    unit = inline_safe(draw(st.one_of(words, odd_text))).strip() or "x"
    separator = draw(st.sampled_from((" ", " ", "", "\n")))
    count = draw(st.integers(1, max(1, 20_000 // (len(unit) + 1))))
    return separator.join([unit] * count)


DEEPEST = 40
"""The deepest list or blockquote written. markdown-it reads 20 levels (a list counts two)
and pressrun refuses deeper ones, so most are written shallower, to be built."""


@st.composite
def leaf_block(draw, names: Names, labels: tuple[str, ...]) -> str:
    """A block without blocks inside."""
    kind = draw(st.integers(0, 11))
    if kind <= 2:
        return "\n".join(draw(st.lists(inline(names, labels), min_size=1, max_size=3)))
    if kind == 3:
        level = draw(st.integers(1, 6))
        return "#" * level + " " + draw(inline(names, labels)).replace("\n", " ")
    if kind == 4:
        fence = draw(st.sampled_from(("```", "~~~")))
        body = draw(st.one_of(words, odd_text)).replace(fence, "")
        return f"{fence}{draw(st.sampled_from(FENCE_LANGUAGES))}\n{body}\n{fence}"
    if kind == 5:
        return draw(st.sampled_from(("***", "---", "___", "* * *")))
    if kind == 6:
        return draw(table(names, labels))
    if kind == 7:
        return draw(figure(names))
    if kind == 8:
        return draw(st.sampled_from(("<div>\nraw *html*\n</div>", "<!-- a comment -->",
                                     "<script>alert(1)</script>", "<table><tr><td>x</td></tr>",
                                     "<?xml version='1.0'?>")))
    if kind == 9:
        return draw(inline(names, labels)).replace("\n", " ") + "\n" + \
            draw(st.sampled_from(("===", "---")))  # setext heading
    if kind == 10:  # nested deeper than nested_block goes
        depth = draw(st.integers(1, DEEPEST)) if chance(draw, 25) else draw(st.integers(1, 8))
        line = draw(words)
        if draw(st.booleans()):
            return "> " * depth + line
        return "\n".join("  " * i + f"- {line} {i}" for i in range(depth))
    if chance(draw, 10 * names.chaos):
        return draw(odd_text)  # a line of anything: it may open a fence or a container
    return draw(words)


def indent(block: str, first: str, rest: str) -> str:
    """``block`` with ``first`` before its first line and ``rest`` before the others."""
    lines = block.split("\n")
    return "\n".join([first + lines[0]] + [(rest + line) if line.strip() else line.rstrip()
                                           for line in lines[1:]])


def colons_in(block: str) -> int:
    """The longest container fence inside ``block``."""
    return max((len(m) for m in re.findall(r"^[ >]*(:{3,})", block, re.M)), default=0)


@st.composite
def nested_block(draw, names: Names, labels: tuple[str, ...], depth: int = 4) -> str:
    """A block, or blocks nested in blockquotes, lists and containers up to ``depth`` deep."""
    if depth == 0 or not chance(draw, 45):
        return draw(leaf_block(names, labels))
    children = [draw(nested_block(names, labels, depth - 1))
                for _ in range(draw(st.integers(1, 2)))]
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return "\n".join(indent(child, "> ", "> ") for child in children)
    if kind == 1:
        marker = draw(st.sampled_from("-*+"))
        return "\n".join(indent(child, f"{marker} ", "  ") for child in children)
    if kind == 2:
        start = draw(st.sampled_from((1, 0, 7, 999_999_999)))
        return "\n".join(indent(child, f"{start + i}. ", " " * (len(str(start + i)) + 2))
                         for i, child in enumerate(children))
    name = draw(st.sampled_from(ODD_CONTAINERS)) if chance(draw, 5 * names.chaos) \
        else draw(st.sampled_from(CONTAINERS))
    body = "\n\n".join(children)
    # An outer fence longer than the ones inside, or (ambiguous) the same three colons.
    fence = ":" * draw(st.sampled_from((max(3, colons_in(body) + 1), 3)))
    return f"{fence} {name}\n{body}\n{fence}"


@st.composite
def part_body(draw, names: Names) -> str:
    """A part's Markdown after the front matter, with every note it calls defined."""
    labels = tuple(draw(st.lists(st.sampled_from(LABELS), min_size=1, max_size=4, unique=True)))
    blocks = draw(st.lists(nested_block(names, labels), min_size=1, max_size=6))
    if chance(draw, 20):
        blocks.insert(draw(st.integers(0, len(blocks))), draw(huge_paragraph()))
    many = draw(st.integers(1, 300)) if chance(draw, 15) else 0
    if many:  # hundreds of notes, in paragraphs of twenty calls
        calls = [f"call {i}[^m{i}]" for i in range(many)]
        blocks += [" ".join(calls[i:i + 20]) for i in range(0, many, 20)]
        blocks += [f"[^m{i}]: Note {i}." for i in range(many)]
    body = "\n\n".join(blocks)
    definitions: list[str] = []
    defined = {f"m{i}" for i in range(many)}
    for _ in range(2):  # notes may call notes: define those too
        called = set(re.findall(r"\[\^([^\]\s]+)\]", body + "\n".join(definitions))) - defined
        for label in sorted(called):
            defined.add(label)
            if chance(draw, 5 * names.chaos):
                continue  # a note that is never defined
            first = draw(inline(names, labels)).replace("\n", " ")
            more = draw(st.lists(leaf_block(names, ()), max_size=2))
            definitions.append("\n\n".join([f"[^{label}]: {first}"]
                                           + [indent(b, "    ", "    ") for b in more]))
    notes = "\n\n".join(definitions)
    if draw(st.booleans()):  # notes may come first: then nothing can swallow them
        return notes + "\n\n" + body + "\n"
    return body + "\n\n" + notes + "\n"


@st.composite
def front_matter(draw, chaos: int) -> str:
    """A part's front matter, or (with chaos) none, an empty one, or one never closed."""
    schema = {
        "title": Key(yaml_text(words), yaml_text(), text=True),
        "subtitle": Key(yaml_text(), text=True),
        "standfirst": Key(st.one_of(yaml_text(), st.just(
            '"An *introduction* with a [link](https://example.org/) and a note[^1]."')),
            st.just('"A picture ![in it](../images/a.png), which a standfirst cannot hold"'),
            text=True),
        "role": Key(st.sampled_from(ROLES), st.sampled_from(("chaptre", "Chapter", "sidebar "))),
        "creators": Key(yaml_list(), yaml_text()),
        "source": Key(yaml_text(), text=True),
        "date": Key(st.sampled_from(DATES), st.sampled_from(NEAR_DATES)),
    }
    mapping = draw(yaml_mapping(schema, ("title",), chaos))
    style = draw(st.integers(1, 5)) if chance(draw, 3 * chaos) else 0
    if style == 1:
        return ""  # no front matter
    if style == 2:
        return "---\n---\n"
    if style == 3:
        return "---\n" + mapping  # never closed
    if style == 4:
        return "\n---\n" + mapping + "---\n"  # not on the first line
    return "---\n" + mapping + "---\n"


# --------------------------------------------------------------------------- projects

PART_NAMES = ("01-first.md", "02-second.md", "03 third.md", "ünïcode.md", "nav.md", "cover.md",
              "titlepage.md", "questions.md", "glossary.md", "front.md", "日本.md",
              "notes.markdown", "a.b.md", "-.md")
"""Part file names, some the same as the EPUB's own documents (``nav.xhtml``…)."""
ODD_PART_NAMES = ("01-First.md", "中文.md", "missing.md", "../README.md", "/etc/passwd", ".",
                  "pamphlet.yaml", '"a\\0b.md"', '"\\ud800.md"', '"\\udcff.md"', "x" * 300 + ".md",
                  "42", "[x]", "''", "images")
IMAGE_STEMS = ("real", "photo", "map", "Ünïcode bild", "with space", "UPPER", ".hidden", "a",
               "100%")
ODD_IMAGE_REFS = ("../images/missing.png", "../images/not yet.jpg", "../images/Missing%20Art.png",
                  "../images/", "../build/x.png", "../../outside.png", "/etc/hostname",
                  "https://example.org/x.png", "data:image/png;base64,iVBORw0KGgo=",
                  "../manuscript/pamphlet.yaml", "../images/a%00b.png",
                  "../images/" + "x" * 300 + ".png", "../images/missing.png#fragment",
                  "../images/%E2%80%AE.png", "", "../images/%ED%A0%80.png")


@dataclass
class Project:
    """A generated project: files by project-relative path."""

    files: dict[str, bytes] = field(default_factory=dict)
    pictures: dict[str, Picture] = field(default_factory=dict)
    """By path relative to the project (``images/…``)."""
    sentinels: list[str] = field(default_factory=list)
    """The word that ends each part: a build that succeeds must not lose it."""

    def write(self, root: Path) -> None:
        """Create the project's files below ``root``."""
        for rel, data in self.files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        (root / "images").mkdir(parents=True, exist_ok=True)
        for rel, picture in self.pictures.items():
            path = root / rel
            if picture.is_dir:
                path.mkdir()
            elif picture.link_to is not None:
                path.symlink_to(picture.link_to)
            else:
                path.write_bytes(picture.data)

    def __str__(self) -> str:
        """The whole manuscript, readable, with invisible and odd characters escaped."""
        out = []
        for rel, data in self.files.items():
            try:
                content = data.decode("utf-8")
            except UnicodeDecodeError:
                out.append(f"=== {rel} (not UTF-8: {len(data)} bytes) ===\n{data[:3000]!r}")
                continue
            if len(content) > 4000:
                content = (content[:3000] + f"\n[… {len(content) - 3500} characters …]\n"
                           + content[-500:])
            out.append(f"=== {rel} ===\n{show(content)}")
        for rel, picture in self.pictures.items():
            out.append(f"=== {rel}: {picture.kind} ({len(picture.data)} bytes) ===")
        return "\n".join(out)

    def __repr__(self) -> str:
        return f"<project of {', '.join(list(self.files) + list(self.pictures))}>"

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        # How Hypothesis shows the falsifying example: the files are in the error message.
        printer.text(repr(self))


def show(value: str) -> str:
    """``value`` with control, format, surrogate and unassigned characters as escapes."""
    return "".join(
        c if c == "\n" or unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Cn", "Zl", "Zp")
        else f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}"
        for c in value)


WELL_FORMED = st.sampled_from((0, 0, 0, 0, 1, 1, 2, 3))
"""How broken a project's structure may be: half of them well formed, so that most builds
get as far as writing the EPUB or the PDF."""
ANY_SHAPE = st.sampled_from((0, 1, 2, 3))
"""For the loader: every level of brokenness alike."""
RARELY_STRICT = st.integers(0, 3).map(lambda n: n == 0)
"""``--strict`` one build in four: it refuses the raw HTML and missing art most
manuscripts have, so more would rarely get as far as writing the EPUB or the PDF."""


@st.composite
def projects(draw, chaos_levels: st.SearchStrategy[int] = WELL_FORMED) -> Project:
    """A whole project: pamphlet.yaml, one to three parts, and images/."""
    chaos = draw(chaos_levels)
    project = Project()

    # Pictures first: the manuscript refers to them (and to some that do not exist).
    image_refs, good_pictures = [], []
    for stem in draw(st.lists(st.sampled_from(IMAGE_STEMS), max_size=4, unique=True)):
        picture, name = draw(picture_file(stem, chaos))
        project.pictures[f"images/{name}"] = picture
        image_refs.append(f"../images/{name}")
        if picture.good:
            good_pictures.append(image_refs[-1])
    image_refs += draw(st.lists(st.sampled_from(ODD_IMAGE_REFS[:2]), max_size=1))  # to come
    if chance(draw, 10 * chaos):
        image_refs += draw(st.lists(st.sampled_from(ODD_IMAGE_REFS), min_size=1, max_size=2))

    part_names = draw(st.lists(st.sampled_from(PART_NAMES), min_size=1, max_size=3, unique=True))
    if chance(draw, 3 * chaos):
        part_names.append(draw(st.sampled_from(ODD_PART_NAMES[:2])))  # same file name stem
    names = Names(image_refs, part_names, chaos)
    for number, part in enumerate(part_names):
        # Each part ends with a word of its own, after everything else (notes included),
        # so that text the build silently drops shows.
        sentinel = f"Endofpart{number}zz"
        project.sentinels.append(sentinel)
        markdown = draw(front_matter(chaos)) + "\n" + draw(part_body(names)) + \
            f"\n{sentinel}\n"
        if chance(draw, 5):
            markdown = markdown.replace("\n", "\r\n")
        encoding = draw(st.sampled_from(("utf-8-sig", "utf-16", "latin-1"))) \
            if chance(draw, 3 * chaos) else "utf-8"
        errors = "surrogatepass" if encoding.startswith("utf") else "replace"
        project.files[f"manuscript/{part}"] = markdown.encode(encoding, errors)

    contents = [p if re.fullmatch(r"[\w.-]+", p) else yaml_double_quoted(p) for p in part_names]
    if chance(draw, 4 * chaos):
        contents.insert(draw(st.integers(0, len(contents))), draw(st.one_of(
            st.sampled_from((*ODD_PART_NAMES[2:], contents[0])), yaml_text())))
    schema = {
        "title": Key(yaml_text(words), yaml_text(), text=True),
        "subtitle": Key(yaml_text(), text=True),
        "language": Key(st.sampled_from(LANGUAGES), st.sampled_from(NEAR_LANGUAGES)),
        "creators": Key(yaml_list(), yaml_text()),
        "publisher": Key(yaml_text(), text=True),
        "source": Key(yaml_text(), text=True),
        "date": Key(st.sampled_from(DATES), st.sampled_from(NEAR_DATES)),
        "rights": Key(yaml_text(), text=True),
        "identifier": Key(st.one_of(st.just("urn:isbn:9781234567897"), yaml_text()), text=True),
        "cover": Key(st.sampled_from(good_pictures).map(yaml_double_quoted) if good_pictures
                     else st.just("~"),
                     st.sampled_from(image_refs or ["../images/missing.png"])
                     .map(yaml_double_quoted)),
        "page_size": Key(st.sampled_from(PAGE_SIZES), st.sampled_from(NEAR_PAGE_SIZES)),
        "notes": Key(st.sampled_from(("footnotes", "endnotes")), st.just("sidenotes")),
        "epub_fonts": Key(st.sampled_from(("true", "false", "yes", "no"))),
        "contents": Key(st.just(block_list(contents, flow=False)),
                        st.just(block_list(contents, flow=True))),
    }
    yaml_source = draw(yaml_mapping(schema, ("title", "language", "contents"), chaos))
    if chance(draw, 2 * chaos):
        yaml_data = draw(st.sampled_from((b"\xef\xbb\xbf", b""))) + yaml_source.encode("utf-16")
    else:
        yaml_data = yaml_source.encode("utf-8")
    project.files = {"manuscript/pamphlet.yaml": yaml_data, **project.files}
    return project


# --------------------------------------------------------------------------- checks

ALLOWED_PREFIXES = ("error: ", "warning: ", "info: ")
"""How every stderr line starts: ``info:`` lines come from pressrun's logger too (a note set
under its paragraph), and may precede an error found after layout."""


def snapshot(root: Path) -> dict[str, str]:
    """Every file below ``root`` (not following symlinks) with a hash of its bytes."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            found[str(path.relative_to(root))] = "-> " + os.readlink(path)
        elif path.is_file():
            found[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def pdf_problems(path: Path) -> list[str]:
    """What ``qpdf --check`` finds wrong (without qpdf: whether pypdf reads every page)."""
    if shutil.which("qpdf"):
        done = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True,
                              timeout=300)
        return [] if done.returncode == 0 else [f"qpdf exit {done.returncode}: "
                                                f"{done.stdout}{done.stderr}"]
    from pypdf import PdfReader

    try:
        reader = PdfReader(path, strict=True)
        for page in reader.pages:
            page.extract_text()
    except Exception as exc:
        return [f"pypdf: {type(exc).__name__}: {exc}"]
    return [] if len(reader.pages) else ["pypdf: no pages"]


def lost_text(project: Project, text: str) -> list[str]:
    """Problems if a part's last word is missing from ``text`` (the output of a build)."""
    return [f"the end of part {number + 1} ({sentinel!r}) is missing from the output: text "
            "was dropped without an error" for number, sentinel in enumerate(project.sentinels)
            if sentinel not in text]


def epub_text(path: Path) -> str:
    """The XHTML of every document of an EPUB, run together."""
    with zipfile.ZipFile(path) as archive:
        return "\n".join(archive.read(name).decode("utf-8", "replace")
                         for name in archive.namelist() if name.endswith(".xhtml"))


def build(project: Project, command: str, name: str, *options: str,
          check=None) -> None:
    """Build ``project`` with ``pressrun COMMAND -o OUT/NAME``; check the outcome.

    ``check(out)`` validates the files of a successful build and returns problems.
    """
    with tempfile.TemporaryDirectory(prefix="pressrun-fuzz-") as tmp:
        root, out = Path(tmp) / "project", Path(tmp) / "out"
        project.write(root)
        out.mkdir()
        sources = snapshot(root)
        result = run(command, "-C", root, "-o", out / name, *options)
        # An earlier failed build may leave objects whose finalizers print (an unclosed
        # zip): let them run now, not inside the next example's build.
        gc.collect()
        written = sorted(p.name for p in out.iterdir())
        event("build succeeded" if result.exit_code == 0 else "build refused")
        context = (f"\n\ncommand: pressrun {command} -o OUT/{name} {' '.join(options)}\n"
                   f"exit code: {result.exit_code}\nstdout:\n{result.stdout}\n"
                   f"stderr:\n{result.stderr}\nmanuscript:\n{project}")

        exc = result.exception
        if exc is not None and not isinstance(exc, SystemExit):
            try:
                raise exc
            except BaseException as uncaught:  # chained, so the traceback is shown too
                raise AssertionError(f"uncaught {type(exc).__name__}: {exc}"
                                     + context) from uncaught

        for stream in (result.stdout, result.stderr):
            assert "Traceback" not in stream, "a traceback was printed" + context
        lines = [line for line in result.stderr.split("\n") if line]
        strays = [line for line in lines if not line.startswith(ALLOWED_PREFIXES)]
        assert not strays, f"stderr lines that are not 'error:' or 'warning:': {strays}" + context
        assert snapshot(root) == sources, "the build changed the project's files" + context

        if result.exit_code == 0:
            assert not [line for line in lines if line.startswith("error: ")], \
                "a successful build reported errors" + context
            assert name in written, "exit status 0 but nothing written" + context
            stray_files = [w for w in written if not w.startswith(Path(name).stem)]
            assert not stray_files, f"stray files written: {stray_files}" + context
            if check is not None:
                problems = check(out)
                assert problems == [], f"invalid output: {problems}" + context
        else:
            assert result.exit_code == 1, "a failed build must exit with status 1" + context
            assert isinstance(exc, SystemExit), "a failed build must end in sys.exit" + context
            assert any(line.startswith("error: ") for line in lines), \
                "a failed build must say why on stderr, as 'error: …'" + context
            assert written == [], f"a failed build wrote {written}" + context


# --------------------------------------------------------------------------- tests


@fuzz_settings(LOADER_EXAMPLES)
@given(project=projects(ANY_SHAPE), strict=st.booleans())
def test_fuzz_loader(project: Project, strict: bool) -> None:
    """Loading any manuscript, and writing its print HTML, never crashes or loses text."""

    def check(out: Path) -> list[str]:
        return lost_text(project, (out / "book.html").read_text(encoding="utf-8", errors="replace"))

    build(project, "html", "book.html", *(["--strict"] if strict else []), check=check)


@fuzz_settings(EPUB_EXAMPLES)
@given(project=projects(), strict=RARELY_STRICT)
def test_fuzz_epub(project: Project, strict: bool) -> None:
    """Any manuscript gives a valid EPUB (EPUBCheck: no errors or warnings), or an error."""

    def check(out: Path) -> list[str]:
        return lost_text(project, epub_text(out / "book.epub")) or \
            epubcheck_problems(out / "book.epub")

    build(project, "epub", "book.epub", *(["--strict"] if strict else []), check=check)


@fuzz_settings(PDF_EXAMPLES)
@given(project=projects(), profile=st.sampled_from(("home", "grayscale", "press")),
       booklet=st.booleans(), strict=RARELY_STRICT)
def test_fuzz_pdf(project: Project, profile: str, booklet: bool, strict: bool) -> None:
    """Any manuscript gives a PDF qpdf accepts (and its booklet), or an error."""
    booklet = booklet and profile != "press"  # a usage error, not a manuscript one
    options = ["--profile", profile] + (["--booklet"] if booklet else []) + \
        (["--strict"] if strict else [])

    def check(out: Path) -> list[str]:
        pdfs = sorted(out.glob("*.pdf"))
        expected = ["book-booklet.pdf", "book.pdf"] if booklet else ["book.pdf"]
        if [p.name for p in pdfs] != expected:
            return [f"expected {expected}, found {[p.name for p in pdfs]}"]
        return [problem for pdf in pdfs for problem in pdf_problems(pdf)]

    build(project, "pdf", "book.pdf", *options, check=check)


def test_bomb_png_is_tiny_and_claims_to_be_huge() -> None:
    """The hand-written decompression bomb the generators use is what they think it is."""
    data = bomb_png()
    assert len(data) < 200
    with pytest.raises(PILImage.DecompressionBombError):
        PILImage.open(io.BytesIO(data))
