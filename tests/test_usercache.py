"""The user's cache (#19): templates compiled, hyphenation patterns parsed, the theme's
stylesheets parsed and a language's direction and plural rules read once for every build
of any project, and a cache that is missing, broken, shared or unwritable changes nothing
but the time."""

from __future__ import annotations

import io
import pickle
import types
from collections import Counter
from pathlib import Path
from typing import Any

import pyphen
import pytest

from conftest import run
from pressrun import usercache
from pressrun.html import theme, words
from pressrun.html.words import Words
from pressrun.pdf import hyphens, weasy, weasysheets
from pressrun.pdf.render import THEME_URL
from pressrun.project import DEFAULT_THEME

WORDS = ("revolution", "Petrograd", "soviets", "organisation", "unconditionally",
         "Bolshevik", "demonstrations", "co-operation", "a", "extraordinarily")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty user cache of this test's own."""
    monkeypatch.setenv(usercache.VARIABLE, str(tmp_path / "cache"))
    usercache.folder.cache_clear()
    yield tmp_path / "cache"
    usercache.folder.cache_clear()


def _forget_dictionaries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every parsed dictionary this process holds forgotten, as in a new process."""
    monkeypatch.setattr(pyphen, "hdcache", {})
    for memo in (hyphens._pyphen, hyphens._dictionary, hyphens.hyphens):
        memo.cache_clear()


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """How many templates Jinja2 compiles, pyphen dictionaries and the theme's stylesheets
    are parsed, from a process's start (every parsed dictionary forgotten)."""
    counts: Counter = Counter()
    compile_, parse, css = theme.Sandbox.compile, hyphens._PARSE, weasy.CSS

    def parsed_sheet(**source: Any) -> Any:
        if str(source.get("url") or source.get("base_url")).startswith(THEME_URL):
            counts["stylesheets"] += 1
        return css(**source)

    def compiled(self, *args, **kwargs):
        counts["compiled"] += 1
        return compile_(self, *args, **kwargs)

    class Parsed(parse):
        def __init__(self, path: Path) -> None:
            counts["parsed"] += 1
            super().__init__(path)

    monkeypatch.setattr(theme.Sandbox, "compile", compiled)
    monkeypatch.setattr(hyphens, "_PARSE", Parsed)
    monkeypatch.setattr(weasy, "CSS", parsed_sheet)
    _forget_dictionaries(monkeypatch)
    return counts


def _pdf(project: Path, out: Path) -> bytes:
    result = run("pdf", "-C", project, "-o", out / "book.pdf", "--no-cache")
    assert result.exit_code == 0, result.output
    return (out / "book.pdf").read_bytes()


def test_a_second_build_compiles_no_template_and_parses_no_patterns(
        project, tmp_path, cache, work, monkeypatch):
    source = project("minimal")
    first = _pdf(source, tmp_path / "one")
    assert work["compiled"] > 0 and work["parsed"] == 1 and work["stylesheets"] == 3
    assert len(list(cache.rglob("*"))) > work["compiled"]
    work.clear()
    _forget_dictionaries(monkeypatch)
    assert _pdf(source, tmp_path / "two") == first
    assert work == {}


def test_a_broken_cache_is_made_again_and_changes_nothing(project, tmp_path, cache, work,
                                                          monkeypatch):
    source = project("minimal")
    first = _pdf(source, tmp_path / "one")
    entries = [path for path in cache.rglob("*") if path.is_file()]
    for path in entries:
        path.write_bytes(b"\x00garbage" * 3)
    work.clear()
    _forget_dictionaries(monkeypatch)
    assert _pdf(source, tmp_path / "two") == first
    assert work["compiled"] > 0 and work["parsed"] == 1 and work["stylesheets"] == 3
    assert all(b"garbage" not in path.read_bytes() for path in entries)


@pytest.mark.parametrize("spoil", ["a file", "open to all"])
def test_without_a_usable_cache_folder_the_build_is_the_same(project, tmp_path, cache, work,
                                                             monkeypatch, spoil):
    source = project("minimal")
    first = _pdf(source, tmp_path / "one")
    if spoil == "a file":
        usercache.folder.cache_clear()
        cache.rename(tmp_path / "old")
        cache.write_text("not a folder")
    else:
        for folder in [cache, *cache.rglob("*")]:
            if folder.is_dir():
                folder.chmod(0o777)
        usercache.folder.cache_clear()
    assert usercache.folder() is None
    work.clear()
    _forget_dictionaries(monkeypatch)
    assert _pdf(source, tmp_path / "two") == first
    assert work["compiled"] > 0 and work["parsed"] == 1


@pytest.mark.parametrize("language", ["en_GB", "de_DE", "ru_RU", "hu_HU"])
def test_kept_patterns_hyphenate_as_parsed_ones(cache, language):
    path = pyphen.LANGUAGES[language]
    parsed = hyphens._PARSE(path)
    hyphens._patterns(path)
    kept = hyphens._patterns(path)
    assert vars(kept).keys() == vars(parsed).keys()
    assert [kept.positions(word) for word in WORDS] == [parsed.positions(word) for word in WORDS]
    stored = [path for path in cache.rglob("*") if path.is_file()]
    # Hungarian's patterns have alternative spellings, pyphen's own numbers: not kept.
    assert len(stored) == (0 if language == "hu_HU" else 1)


@pytest.mark.parametrize("language", ["en-GB", "de", "ru", "ar", "pl", "cy", "he", "zz"])
def test_kept_language_facts_are_babels(cache, monkeypatch, language):
    import babel

    def facts() -> tuple[str, list[str]]:
        table = Words({}, language)
        return table.direction, [table._plural(count) for count in range(250)]

    words._cldr.cache_clear()
    made = facts()
    try:
        locale = babel.Locale.parse(language, sep="-")
    except babel.UnknownLocaleError:
        assert made == ("ltr", ["one" if count == 1 else "other" for count in range(250)])
    else:
        assert made == (locale.text_direction,
                        [locale.plural_form(count) for count in range(250)])

    def unread(*args: object, **kwargs: object) -> None:
        raise AssertionError("babel's data read again")

    monkeypatch.setattr(babel.Locale, "parse", unread)
    words._cldr.cache_clear()
    assert facts() == made
    words._cldr.cache_clear()


def _same(made: Any, kept: Any, seen: set[tuple[int, int]] | None = None) -> bool:
    """Whether ``kept`` is ``made`` again: the same types and values throughout, functions
    with the same code."""
    seen = set() if seen is None else seen
    if (id(made), id(kept)) in seen:
        return True
    seen.add((id(made), id(kept)))
    if type(made) is not type(kept):
        return False
    if isinstance(made, types.FunctionType):
        return made.__code__ == kept.__code__
    if isinstance(made, dict):
        return list(made) == list(kept) and all(_same(made[key], kept[key], seen)
                                                for key in made)
    if isinstance(made, list | tuple):
        return len(made) == len(kept) and all(_same(one, other, seen)
                                              for one, other in zip(made, kept, strict=True))
    if isinstance(made, str | bytes | int | float | frozenset | set | type(None)):
        return bool(made == kept)
    return _same(_fields(made), _fields(kept), seen)


def _fields(instance: object) -> dict[str, Any]:
    """An object's attributes, in its ``__dict__`` or its classes' ``__slots__``."""
    slots = [name for cls in type(instance).__mro__ for name in getattr(cls, "__slots__", ())]
    return {**{name: getattr(instance, name) for name in slots if hasattr(instance, name)},
            **getattr(instance, "__dict__", {})}


class Fonts:
    """Fonts that record the ``@font-face`` rules added to them."""

    def __init__(self) -> None:
        self.faces: list[Any] = []

    def add_font_face(self, descriptors: Any, fetcher: Any) -> None:
        self.faces.append(descriptors)


@pytest.mark.parametrize("name", ["fonts.css", "common.css", "print.css", "grayscale.css",
                                  "large-print.css"])
def test_a_kept_stylesheet_is_the_one_parsed(cache, name):
    from weasyprint import CSS

    url, text = THEME_URL + name, (DEFAULT_THEME / name).read_bytes()
    parsed, kept = Fonts(), Fonts()
    made = CSS(string=text.decode(), base_url=url, font_config=parsed)
    weasysheets.kept(lambda fonts: CSS(string=text.decode(), base_url=url, font_config=fonts),
                     text, url, Fonts())
    assert len([path for path in cache.rglob("*") if path.is_file()]) == 1

    def unparsed(fonts: Any) -> None:
        raise AssertionError("parsed again")

    read = weasysheets.kept(unparsed, text, url, kept)
    assert read is not made and _same(made, read)
    assert _same(parsed.faces, kept.faces) and len(kept.faces) == (20 if name == "fonts.css" else 0)


class Touch:
    """What a spoilt entry would make: a file, when it is unpickled."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, tuple[Path]]:
        return Path.touch, (self.path,)


def test_a_kept_stylesheet_makes_nothing_but_a_stylesheet(project, tmp_path, cache):
    source = project("minimal")
    first = _pdf(source, tmp_path / "one")
    touched = tmp_path / "touched"
    sheets = [path for path in cache.rglob("*") if path.is_file()
              and b"cssselect2" in path.read_bytes()]
    assert len(sheets) == 3
    spoilt = pickle.dumps(Touch(touched))
    pickle.loads(spoilt)  # what it does, unpickled
    assert touched.exists()
    touched.unlink()
    for path in sheets:
        path.write_bytes(spoilt)
    assert _pdf(source, tmp_path / "two") == first
    assert not touched.exists()
    assert all(b"cssselect2" in path.read_bytes() for path in sheets)  # kept again


@pytest.mark.parametrize(("module", "name"), [
    ("weasyprint.urls", "os.system"), ("weasyprint.urls", "Path"),
    ("weasyprint.text.fonts", "mkdtemp"), ("builtins", "eval"), ("os", "system")])
def test_a_kept_stylesheet_is_read_with_its_libraries_classes_only(module, name):
    """Not a function of theirs, nor a class or function they import from elsewhere."""
    with pytest.raises(pickle.UnpicklingError):
        weasysheets._Unpickler(io.BytesIO(b"")).find_class(module, name)


def test_a_damaged_or_misplaced_stylesheet_is_not_read(cache):
    from weasyprint import CSS

    url, text = THEME_URL + "common.css", (DEFAULT_THEME / "common.css").read_bytes()
    weasysheets.kept(lambda fonts: CSS(string=text.decode(), base_url=url), text, url)
    (entry,) = [path for path in cache.rglob("*") if path.is_file()]
    kept = entry.read_bytes()
    assert weasysheets._loads(entry.name, kept)
    for name, data in (("another", kept),  # misplaced
                       (entry.name, kept[:-1] + bytes([kept[-1] ^ 1]))):  # damaged
        with pytest.raises(ValueError):
            weasysheets._loads(name, data)
