"""A part added to ``contents`` in ``pamphlet.yaml``, by editing the text: the rest of
the file (comments, order, quoting) stays byte for byte as the author wrote it."""

from __future__ import annotations

import yaml

from pressrun.manuscript.schema import yaml_scalar
from pressrun.problems import PressrunError
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


def _contents(text: str) -> tuple[yaml.Node, yaml.Node]:
    """The ``contents`` key's node and its value's."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise PressrunError(f"cannot read it to add the part ({exc.__class__.__name__}): run "
                            "pressrun check to find the mistake", CONFIG,
                            code="import-config") from None
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "contents" and isinstance(value, yaml.SequenceNode | yaml.ScalarNode):
                return key, value
    raise PressrunError("has no 'contents' list to add the part to: add 'contents:' with the "
                        "parts, one per line", CONFIG, code="import-config")
