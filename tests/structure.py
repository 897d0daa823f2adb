"""Reading a tagged PDF as a screen reader does: through its structure tree.

``read(path)`` gives the text of every piece of marked content in the order of the
structure tree (an element's ``/ActualText`` standing for its content), with the
structure types above it; what nothing in the tree reaches; text outside marked content;
and the text drawn as artifacts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from pypdf import PdfReader


@dataclass
class Reading:
    """A tagged PDF read through its structure tree."""

    pieces: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    """(structure types from the top, text) of each piece, in reading order."""
    unreached: list[tuple[int, int, str]] = field(default_factory=list)
    """(page, MCID, text) of marked content no element reaches."""
    unmarked: list[tuple[int, str]] = field(default_factory=list)
    """(page, text) drawn outside any marked content."""
    artifacts: list[tuple[int, str]] = field(default_factory=list)
    """(page, text) drawn as artifacts."""
    elements: list[pikepdf.Dictionary] = field(default_factory=list)
    """Every structure element, in order."""
    pdf: pikepdf.Pdf | None = None
    """The PDF, kept open while its elements are looked at."""

    def text(self, skip: tuple[str, ...] = ()) -> str:
        """The text read aloud, leaving out elements of the types ``skip``."""
        return "".join(text for types, text in self.pieces
                       if not any(kind in skip for kind in types))

    def of_type(self, kind: str) -> list[pikepdf.Dictionary]:
        """The elements of structure type ``kind`` (``/P``)."""
        return [element for element in self.elements if kind == element.S]


def _marked_texts(path: Path) -> list[tuple[dict[int, str], list[str], list[str]]]:
    """For each page: text by MCID, text outside marked content, text in artifacts."""
    pages = []
    for page in PdfReader(path).pages:
        stack: list[tuple[str, int | None]] = []
        texts: dict[int, str] = {}
        loose: list[str] = []
        artifacts: list[str] = []

        def before(op, args, cm, tm, stack=stack) -> None:
            if op == b"BDC":
                props = args[1] if len(args) > 1 else {}
                mcid = props.get("/MCID") if hasattr(props, "get") else None
                kind = "mcid" if mcid is not None else (
                    "artifact" if args[0] == "/Artifact" else "other")
                stack.append((kind, None if mcid is None else int(mcid)))
            elif op == b"BMC":
                stack.append(("artifact" if args[0] == "/Artifact" else "other", None))
            elif op == b"EMC" and stack:
                stack.pop()

        def text(value, cm, tm, font, size, stack=stack, texts=texts, loose=loose,
                 artifacts=artifacts) -> None:
            if not value.strip():
                return
            for kind, mcid in reversed(stack):
                if kind == "mcid":
                    texts[mcid] = texts.get(mcid, "") + value  # type: ignore[index]
                    return
                if kind == "artifact":
                    artifacts.append(value)
                    return
            loose.append(value)

        page.extract_text(visitor_operand_before=before, visitor_text=text)
        pages.append((texts, loose, artifacts))
    return pages


def read(path: Path) -> Reading:
    """The PDF at ``path`` read through its structure tree."""
    marked = _marked_texts(path)
    reading = Reading()
    used: set[tuple[int, int]] = set()
    pdf = reading.pdf = pikepdf.open(path)
    index = {page.obj.objgen: number for number, page in enumerate(pdf.pages)}

    def kids(element: pikepdf.Dictionary) -> list:
        found = element.get("/K")
        return [] if found is None else list(found) if isinstance(
            found, pikepdf.Array) else [found]

    def walk(element: pikepdf.Dictionary, types: tuple[str, ...], spoken: bool) -> None:
        reading.elements.append(element)
        types += (str(element.S),)
        if "/ActualText" in element and spoken:
            reading.pieces.append((types, str(element.ActualText)))
            spoken = False
        page = index.get(element.Pg.objgen) if "/Pg" in element else None
        for kid in kids(element):
            if isinstance(kid, int):
                content(types, page, kid, spoken)
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                content(types, index[kid.Pg.objgen], int(kid.MCID), spoken)
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                walk(kid, types, spoken)

    def content(types: tuple[str, ...], page: int | None, mcid: int, spoken: bool) -> None:
        assert page is not None
        used.add((page, mcid))
        if spoken:
            reading.pieces.append((types, marked[page][0].get(mcid, "")))

    for top in pdf.Root.StructTreeRoot.K if isinstance(
            pdf.Root.StructTreeRoot.K, pikepdf.Array) else [pdf.Root.StructTreeRoot.K]:
        walk(top, (), True)
    for page, (texts, loose, artifacts) in enumerate(marked):
        reading.unreached += [(page, mcid, text) for mcid, text in texts.items()
                              if (page, mcid) not in used]
        reading.unmarked += [(page, text) for text in loose]
        reading.artifacts += [(page, text) for text in artifacts]
    return reading
