"""The schema of pamphlet.yaml and front matter: YAML mappings read with the line of every key.

Validation is table-driven: each key has a type and whether it is required;
every problem is reported with its file and line.
"""

from __future__ import annotations

import datetime
import difflib
import math
import re
import reprlib
from dataclasses import dataclass
from typing import Any

import yaml

from pressrun.model import SourceLocation
from pressrun.paper import PAGE_SIZES, PAPER, PageSize
from pressrun.problems import Problems

_CUSTOM_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*mm\s+(\d+(?:\.\d+)?)\s*mm\s*$", re.IGNORECASE)
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")

TEXT, LIST, DATE, BOOL, COUNT, URL = ("text", "list of text", "date", "yes/no", "count",
                                      "web address")
MAX_COUNT = 100
_WEB_ADDRESS = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+[^\s]*$", re.IGNORECASE)


@dataclass(frozen=True)
class Key:
    """How one key of a mapping is checked."""

    kind: str
    """``TEXT``, ``LIST``, ``DATE``, ``BOOL``, ``COUNT`` (0–100) or ``URL``."""
    required: bool = False
    """Whether the key must be present and non-empty."""
    choices: tuple[str, ...] = ()
    """Allowed values of a ``TEXT`` key, when limited."""


@dataclass(frozen=True)
class Fields:
    """A validated mapping: values by key, and where each was written."""

    values: dict[str, Any]
    """Clean values: ``str``, ``tuple[str, ...]``, or absent."""
    lines: dict[str, int]
    """1-based line of each key."""
    item_lines: dict[str, tuple[int, ...]]
    """1-based line of each item of a list value."""

    def line(self, key: str) -> int | None:
        """The line of ``key``, if it was written."""
        return self.lines.get(key)


def read_mapping(
    text: str, location: SourceLocation, schema: dict[str, Key], problems: Problems, what: str
) -> Fields:
    """Parse YAML ``text`` (which starts at ``location.line``) and check it against ``schema``."""
    offset = (location.line or 1) - 1
    at = lambda line: SourceLocation(location.path, line)  # noqa: E731
    parsed = _parse(text, location, problems, what)
    if parsed is None:
        return Fields({}, {}, {})
    node, data = parsed
    lines: dict[str, int] = {}
    item_lines: dict[str, tuple[int, ...]] = {}
    for key_node, value_node in node.value if node else ():
        key = str(key_node.value)
        line = offset + key_node.start_mark.line + 1
        if key in lines:
            problems.error(at(line), "duplicate-key",
                           f"'{key}' is given twice (first on line {lines[key]}): keep one")
        lines[key] = line
        if isinstance(value_node, yaml.SequenceNode):
            item_lines[key] = tuple(offset + item.start_mark.line + 1
                                    for item in value_node.value)
    values: dict[str, Any] = {}
    for key, value in data.items():
        key = str(key)
        line = lines.get(key, location.line)
        spec = schema.get(key)
        if spec is None:
            close = difflib.get_close_matches(key, schema, n=1)
            hint = f"did you mean '{close[0]}'?" if close else \
                "the keys are " + ", ".join(sorted(schema))
            problems.error(at(line), "unknown-key", f"unknown key '{key}' in {what}: {hint}")
            continue
        clean = _clean(value, spec)
        if isinstance(clean, _Invalid):
            problems.error(at(line), "bad-value", f"'{key}' {clean.reason}")
        elif clean not in (None, "", ()):
            values[key] = clean
    for key, spec in schema.items():
        if not spec.required or key in values:
            continue
        if key not in lines:
            # Reported at the file's first line (the opening '---' of front matter).
            problems.error(at(max(offset, 1)), "missing-key",
                           f"{what} has no '{key}': add a line '{key}: …'")
        elif not any(p.line == lines[key] for p in problems.errors):
            problems.error(at(lines[key]), "empty-key", f"'{key}' is empty: give it a value")
    return Fields(values, lines, item_lines)


def _parse(text: str, location: SourceLocation, problems: Problems,
           what: str) -> tuple[yaml.Node | None, dict] | None:
    """The YAML ``text`` as a node (for lines) and as data, or None when it is not a mapping
    that can be read (the problem is reported)."""
    offset = (location.line or 1) - 1
    at = lambda line: SourceLocation(location.path, line)  # noqa: E731
    try:
        node = compose(text, location, problems)
    except EmptyDocument:
        return None, {}
    if node is None:
        return None
    try:
        data = yaml.safe_load(text)
    except (ValueError, KeyError, AttributeError, TypeError, OverflowError,
            yaml.YAMLError) as exc:
        # PyYAML's constructors fail this way on some odd values, e.g. '!!bool maybe'
        # or an impossible date.
        problems.error(at(location.line), "yaml-value", f"a value cannot be read "
                       f"({type(exc).__name__}: {shown(str(exc))}): quote it, or remove any "
                       "'!!' tag")
        return None
    if not isinstance(node, yaml.MappingNode) or not isinstance(data, dict):
        problems.error(at(offset + node.start_mark.line + 1), "not-a-mapping",
                       f"{what} must be a list of 'key: value' lines, like 'title: My title'")
        return None
    return node, data


@dataclass(frozen=True)
class _Invalid:
    reason: str


def _clean(value: Any, spec: Key) -> Any:
    """The value as the model wants it, or ``_Invalid`` saying why not."""
    if value is None:
        return None
    texts = value if isinstance(value, list) else [value]
    for text in texts:
        if isinstance(text, str) and (char := bad_character(text)):
            return _Invalid(f"contains the invisible control character {char}, which no "
                            "e-book or PDF can hold: remove it")
    if spec.kind == BOOL:
        if isinstance(value, bool):
            return value
        return _Invalid(f"must be true or false (got {shown(value)})")
    if spec.kind == COUNT:
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT:
            return value
        return _Invalid(f"must be a whole number from 0 to {MAX_COUNT} (got {shown(value)})")
    if spec.kind == URL:
        text = _scalar_text(value)
        if text is None or not _WEB_ADDRESS.match(text.strip()):
            return _Invalid(f"must be a web address starting with https:// (got {shown(value)})")
        return text.strip()
    if spec.kind == LIST:
        if not isinstance(value, list):
            return _Invalid(f"must be a list, one item per line starting with '- ' "
                            f"(got {_describe(value)})")
        items = [_scalar_text(item) for item in value]
        texts = [item.strip() for item in items if item is not None]
        if len(texts) != len(items):
            return _Invalid("must be a list of text items")
        return tuple(text for text in texts if text)
    if spec.kind == DATE:
        if isinstance(value, datetime.date):
            return value.isoformat()[:10]
        text = _scalar_text(value)
        if text is None or not _ISO_DATE.match(text.strip()):
            return _Invalid(f"must be an ISO date like 2017-10-25 (got {shown(value)})")
        return text.strip()
    text = _scalar_text(value)
    if text is None:
        return _Invalid(f"must be text (got {_describe(value)}); quote it if it contains ': '")
    text = text.strip()
    if spec.choices and text not in spec.choices:
        return _Invalid(f"must be one of {', '.join(spec.choices)} (got '{text}')")
    return text


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return None


_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def bad_character(text: str) -> str | None:
    """The first character that cannot appear in a publication's text (control characters,
    lone surrogates), as ``U+XXXX``, or None."""
    match = _BAD.search(text)
    return f"U+{ord(match[0]):04X}" if match else None


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"yes/no value {value}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return shown(value)


_SHOWN = reprlib.Repr()
_SHOWN.maxstring = _SHOWN.maxother = 60
_SHOWN.maxlevel, _SHOWN.maxlist, _SHOWN.maxdict = 2, 4, 4


def shown(value: Any) -> str:
    """A short excerpt of a value for a message, however large the value is."""
    return _SHOWN.repr(value)


MAX_VALUES = 10_000
"""The most values a YAML file may stand for once its aliases (``*name``) are expanded."""


def compose(text: str, location: SourceLocation, problems: Problems) -> yaml.Node | None:
    """The YAML ``text`` (starting at ``location.line``) as a node graph, or None when it
    cannot be read or its aliases expand past ``MAX_VALUES`` (reported); raises
    ``EmptyDocument`` for a document with nothing in it."""
    offset = (location.line or 1) - 1
    at = lambda line: SourceLocation(location.path, line)  # noqa: E731
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        if node is not None and _expanded(node, {}) > MAX_VALUES:
            sizes: dict[int, int] = {}
            pairs = node.value if isinstance(node, yaml.MappingNode) else []
            big = next((key for key, value in pairs if _expanded(value, sizes) > MAX_VALUES),
                       node)
            problems.error(at(offset + big.start_mark.line + 1), "yaml-aliases",
                           f"YAML aliases (*name) here stand for more than {MAX_VALUES:,} "
                           "values: write the values out")
            return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.context_mark or exc.problem_mark
        line = offset + mark.line + 1 if mark else location.line
        problem = exc.problem or exc.context or "invalid YAML"
        problems.error(at(line), "yaml-syntax", f"YAML syntax error: {problem} (check the "
                       "indentation, and quote text containing ': ' or '#')")
        return None
    except yaml.YAMLError as exc:
        problems.error(at(location.line), "yaml-syntax", f"YAML error: {shown(str(exc))}")
        return None
    except RecursionError:  # PyYAML parses nested collections recursively
        problems.error(at(location.line), "yaml-nesting", "YAML nested too deeply (lists or "
                       "mappings inside hundreds of others): write plain 'key: value' lines")
        return None
    if node is None:
        raise EmptyDocument
    return node


class EmptyDocument(Exception):
    """A YAML document with no value at all."""


def _expanded(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values ``node`` stands for with its aliases expanded (counting stops a
    little past ``MAX_VALUES``: billion-laugh files are refused, not counted)."""
    if id(node) in sizes:
        return sizes[id(node)]
    size = 1
    if isinstance(node, yaml.SequenceNode):
        for child in node.value:
            size += _expanded(child, sizes)
            if size > MAX_VALUES:
                break
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            size += _expanded(key, sizes) + _expanded(value, sizes)
            if size > MAX_VALUES:
                break
    sizes[id(node)] = size
    return size


def check_language(tag: str) -> str | None:
    """Why ``tag`` is not a usable BCP 47 tag, or None."""
    if _LANGUAGE.match(tag):
        return None
    return f"'{tag}' is not a BCP 47 language tag: use a tag like en-GB, de or pt-BR"


def parse_page_size(text: str) -> PageSize | str:
    """The page size named by ``text``, or why it is not one."""
    named = {name.lower(): PAPER[name] for name in PAGE_SIZES}.get(text.strip().lower())
    if named:
        return PageSize(text.strip(), named.width_mm, named.height_mm)
    match = _CUSTOM_SIZE.match(text)
    if match:
        width, height = float(match[1]), float(match[2])
        if 50 <= width <= 1000 and 50 <= height <= 1000:
            return PageSize(text.strip(), width, height)
        return f"page size '{text}' is out of range: each side must be 50–1000 mm"
    return (f"unknown page size '{text}': use A5, A4, A6, letter, half-letter "
            "or 'WIDTHmm HEIGHTmm'")


def yaml_scalar(value: str) -> str:
    """``value`` as a YAML scalar on one line, quoted when it needs to be."""
    dumped = yaml.safe_dump(value, allow_unicode=True, width=math.inf)
    return dumped.removesuffix("...\n").strip()
