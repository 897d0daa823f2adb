"""The words pressrun writes itself (headings, labels, landmarks, placeholder text, the
accessibility summary), from one table per language.

The tables are YAML files in the theme's ``locales/`` folder, named by language
(``en.yaml``, ``de.yaml``, ``pt-BR.yaml``). For a manuscript in ``de-AT`` the words are
English, overlaid by ``de.yaml``, then ``de-AT.yaml``, each from the default theme and
then from the project's ``styles/locales/``: a project changes a word by giving only that
key. Python code and templates read the same ``Words``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path

import yaml

from pressrun import usercache
from pressrun.problems import PressrunError
from pressrun.project import LOCALES, Project

DEFAULT = "en"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")

Table = dict[str, object]


class Words:
    """The fixed words of one language."""

    def __init__(self, table: Table, language: str) -> None:
        self.table = table
        """Each key's text, or its texts by plural category (``one``, ``other``…)."""
        self.language = language
        """The BCP 47 tag the words are for."""

    def __call__(self, key: str, count: int | None = None, **values: object) -> str:
        """The text of ``key`` with ``{name}`` filled in from ``values``; for a key with
        plural forms, the form ``count`` takes (``count`` is then ``{count}``)."""
        text = self.table.get(key)
        if isinstance(text, Mapping):
            if count is None:
                raise ValueError(f"the words '{key}' need a count")
            text = text.get(self._plural(count), text.get("other"))
            values["count"] = count
        elif count is not None:
            values["count"] = count
        if not isinstance(text, str):
            raise PressrunError(f"no words for '{key}' in the word tables (locales/*.yaml): "
                                f"add a line '{key}: …'", code="missing-words")
        return _PLACEHOLDER.sub(lambda match: str(values.get(match[1], match[0])), text)

    def container(self, name: str) -> str:
        """The heading of a ``::: name`` box (the name itself when the tables have none)."""
        titles = self.table.get("containers")
        title = titles.get(name) if isinstance(titles, Mapping) else None
        return title if isinstance(title, str) else name

    @property
    def direction(self) -> str:
        """``rtl`` or ``ltr``: how the publication's language is written."""
        return direction(self.language)

    def _plural(self, count: int) -> str:
        """The CLDR plural category of ``count`` in this language (English's when unknown)."""
        rules = _cldr(self.language)[1]
        if rules is None:
            return "one" if count == 1 else "other"
        return str(_rule(rules)(count))


def direction(language: str) -> str:
    """``rtl`` for a language written right to left (Arabic, Hebrew, Persian…, by CLDR),
    else ``ltr``."""
    return _cldr(language)[0]


Facts = tuple[str, tuple[tuple[str, str], ...] | None]
"""How a language is written, ``rtl`` or ``ltr``, and its CLDR plural rules, if known."""


@lru_cache(maxsize=64)
def _cldr(language: str) -> Facts:
    """How CLDR says ``language`` is written, and its plural rules (``None`` for a
    language it does not know), from babel's data, kept in the user's cache
    (``usercache``): loading a language's data takes babel 0.04 s or more."""
    import babel

    def read() -> Facts:
        try:
            locale = babel.Locale.parse(language, sep="-")
        except (babel.UnknownLocaleError, ValueError):
            return "ltr", None
        return str(locale.text_direction), tuple(sorted(locale.plural_form.rules.items()))

    return usercache.kept(("cldr", babel.__version__, language), read,
                          lambda found: json.dumps(found).encode(), _facts)


def _facts(data: bytes) -> Facts:
    """The facts kept as ``data``."""
    way, rules = json.loads(data)
    return str(way), None if rules is None else tuple((str(tag), str(rule))
                                                      for tag, rule in rules)


@lru_cache(maxsize=64)
def _rule(rules: tuple[tuple[str, str], ...]) -> Callable[[int], str]:
    """The plural rule made of CLDR's ``rules``."""
    from babel.plural import PluralRule

    return PluralRule(rules)


def names(language: str) -> list[str]:
    """The table files for ``language``, most general first: ``de-AT`` → en, de, de-AT."""
    subtags = language.split("-")
    tags = [DEFAULT] + ["-".join(subtags[:n]) for n in range(1, len(subtags) + 1)]
    return [f"{LOCALES}/{tag}.yaml" for tag in dict.fromkeys(tags)]


def load_words(project: Project, language: str) -> Words:
    """The words for ``language``: each table of ``names(language)`` that the default theme
    or the project has, the project's last, overlaid key by key."""
    table: Table = {}
    for name in names(language):
        for path in project.theme_files(name):
            _merge(table, _read(project, path))
    return Words(table, language)


def _read(project: Project, path: Path) -> Table:
    rel = project.rel(path)
    try:
        data = yaml.safe_load(project.read_bytes(path).decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PressrunError(f"cannot be read as a table of words: {exc}", rel,
                            mark.line + 1 if mark else None, "bad-words") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(value, str | dict)
                                             for value in data.values()):
        raise PressrunError("must be 'key: words' lines (see pressrun's theme/locales/en.yaml)",
                            rel, code="bad-words")
    return data


def _merge(table: Table, overlay: Table) -> None:
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(table.get(key), dict):
            table[key] = {**table[key], **value}  # type: ignore[dict-item]
        else:
            table[key] = value
