"""What an SVG picture may hold: drawing, and nothing that runs or reaches outside it.

An SVG is a document that can carry scripts, event handlers (``onload``), HTML inside a
``<foreignObject>``, and references to other files or to the network in links, ``url()``
values and stylesheets. ``inspect`` finds both kinds: references make the picture an
error (a picture must be self-contained, in print and in the e-book alike); scripts,
handlers and foreign objects are left out of both formats by ``clean``, with a warning.
A picture with nothing to leave out is used byte for byte as it is.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
XHTML = "http://www.w3.org/1999/xhtml"
_DROPPED = ("script", "foreignObject", "handler", "listener")
"""Elements that run code or hold another kind of document."""
_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.I | re.S)


@dataclass(frozen=True)
class Findings:
    """What an SVG holds beyond drawing."""

    dropped: tuple[str, ...]
    """What ``clean`` leaves out, described for a warning (``a <script>``, ``onload``)."""
    reference: str | None
    """The first reference to another file or to the network, if any."""


def _name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _external(value: str) -> str | None:
    """The first URL in an attribute value or stylesheet that leaves the picture."""
    if "(" not in value and "@" not in value:  # a map's long paths: no need to search
        return None
    for match in _URL.finditer(value):
        target = (match[2] if match[2] is not None else match[4] or "").strip()
        if target and not target.startswith(("#", "data:")):
            return target
    return None


def inspect(root: ET.Element) -> Findings:
    """What the SVG whose root element is ``root`` holds beyond drawing."""
    dropped: list[str] = []
    references: list[str] = []

    def walk(element: ET.Element) -> None:
        name = _name(str(element.tag))
        if _removed(element):
            dropped.append(f"a <{name}>")
            return
        for attribute, value in element.attrib.items():
            local = _name(attribute)
            if local.lower().startswith("on"):
                dropped.append(f"an {local} handler")
            elif local == "href":
                if not value.startswith(("#", "data:")):
                    references.append(value)
            elif found := _external(value):
                references.append(found)
        if name == "style" and (found := _external("".join(element.itertext()))):
            references.append(found)
        for child in element:
            walk(child)

    walk(root)
    return Findings(tuple(dict.fromkeys(dropped)), references[0] if references else None)


def _removed(element: ET.Element) -> bool:
    tag = str(element.tag)
    return _name(tag) in _DROPPED or tag.startswith(f"{{{XHTML}}}")


def clean(data: bytes) -> bytes:
    """The SVG ``data`` without scripts, event handlers and foreign objects: ``data`` itself
    when it has none (or cannot be read, which loading has reported already)."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return data
    if not inspect(root).dropped:
        return data
    ET.register_namespace("", SVG)
    ET.register_namespace("xlink", XLINK)
    _strip(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _strip(element: ET.Element) -> None:
    for child in list(element):
        if _removed(child):
            element.remove(child)
        else:
            _strip(child)
    for attribute in list(element.attrib):
        if _name(attribute).lower().startswith("on"):
            del element.attrib[attribute]
