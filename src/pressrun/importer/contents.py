"""A part added to ``contents`` in ``pamphlet.yaml``, by editing the text: the rest of
the file (comments, order, quoting) stays byte for byte as the author wrote it."""

from __future__ import annotations

from functools import lru_cache

import yaml

from pressrun.manuscript.schema import EmptyDocument, compose, yaml_scalar
from pressrun.model import SourceLocation
from pressrun.problems import PressrunError, Problems
from pressrun.project import CONFIG


def listed(text: str) -> list[str]:
    """The parts ``contents`` lists."""
    node = _contents(text)[1]
    return [str(item.value) for item in node.value] if isinstance(node, yaml.SequenceNode) \
        else []


def add_to_contents(text: str, name: str, after: str | None = None) -> str:
    """``pamphlet.yaml``'s text with ``name`` added to ``contents``: after the part
    ``after``, or last."""
    key, node = _contents(text)
    items = list(node.value) if isinstance(node, yaml.SequenceNode) else []
    if after is not None and after not in [item.value for item in items]:
        raise PressrunError(f"--after {after}: no such part in contents; name one of "
                            f"{', '.join(item.value for item in items) or 'none'}",
                            CONFIG, code="import-after")
    entry = yaml_scalar(name)
    if isinstance(node, yaml.SequenceNode) and node.flow_style:
        if not items:
            at = node.end_mark.index - 1
            return text[:at] + entry + text[at:]
        anchor = next(i for i in items if i.value == after) if after else items[-1]
        return text[:anchor.end_mark.index] + ", " + entry + text[anchor.end_mark.index:]
    if not items:  # "contents:" with nothing under it
        end = _line_end(text, key.end_mark.index)
        return text[:end] + f"\n  - {entry}" + text[end:]
    anchor = next(i for i in items if i.value == after) if after else items[-1]
    start = text.rfind("\n", 0, anchor.start_mark.index) + 1
    prefix = text[start:anchor.start_mark.index]  # "  - "
    end = _line_end(text, anchor.end_mark.index)
    return text[:end] + "\n" + prefix + entry + text[end:]


def _line_end(text: str, index: int) -> int:
    end = text.find("\n", index)
    return len(text) if end < 0 else end


def language(text: str) -> str | None:
    """The ``language`` pamphlet.yaml gives, if any."""
    root = _root(text)
    for key, value in root.value if isinstance(root, yaml.MappingNode) else ():
        if key.value == "language" and isinstance(value, yaml.ScalarNode):
            return str(value.value)
    return None


@lru_cache(maxsize=2)
def _root(text: str) -> yaml.Node | None:
    """pamphlet.yaml's nodes, read as a build reads them (its aliases bounded); its
    mistakes raised as a build reports them."""
    problems = Problems()
    try:
        root = compose(text, SourceLocation(CONFIG, 1), problems)
    except EmptyDocument:
        return None
    problems.raise_errors()
    return root


def _contents(text: str) -> tuple[yaml.Node, yaml.Node]:
    """The ``contents`` key's node and its value's."""
    root = _root(text)
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "contents" and isinstance(value, yaml.SequenceNode | yaml.ScalarNode):
                return key, value
    raise PressrunError("has no 'contents' list to add the part to: add 'contents:' with the "
                        "parts, one per line", CONFIG, code="import-config")
