"""Planned lines set without WeasyPrint's search for their end (``pdf/weasysplit.py``,
#19): each is the line WeasyPrint's own search sets, and the PDF is the same bytes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from weasyprint.text import line_break

from conftest import ROOT, run
from pressrun.pdf import weasysplit
from pressrun.pdf.weasyboxes import text_width, tracking
from pressrun.pdf.weasylines import SLACK


def _pdf(out: Path) -> bytes:
    result = run("pdf", "-C", ROOT, "-o", out, "--no-cache")
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def _line(laid: tuple[Any, ...]) -> tuple[Any, ...]:
    """A split's text, length, resume index and metrics."""
    layout, *rest = laid
    return layout.text, *rest


def _searched(text: str, style: Any, context: Any, width: float, spacing: float, end: int,
              hyphenated: bool) -> Any:
    """WeasyPrint's own search for the line's end, offered the line's width as
    ``weasylines`` offered it before ``weasysplit``."""
    line = text.encode()[:end].decode() + style["hyphenate_character"] * hyphenated
    offered = text_width(line, style, context) + SLACK + abs(tracking(style))
    return line_break.split_first_line(text, style, context, offered, spacing)


def test_every_planned_line_is_the_line_weasyprints_search_sets(tmp_path, monkeypatch):
    compared: Counter = Counter()
    made = weasysplit._set

    def checked(text: str, style: Any, context: Any, width: float, spacing: float,
                end: int, hyphenated: bool) -> Any:
        laid = made(text, style, context, width, spacing, end, hyphenated)
        if laid is not None:
            own = _searched(text, style, context, width, spacing, end, hyphenated)
            assert _line(laid) == _line(own)
            compared["hyphenated" if hyphenated else "at a space"] += 1
            # A line that would not fit is left to WeasyPrint's search.
            assert made(text, style, context, laid[3] - 0.01, spacing, end, hyphenated) is None
        return laid

    monkeypatch.setattr(weasysplit, "_set", checked)
    _pdf(tmp_path / "pamphlet.pdf")
    assert compared["at a space"] > 40 and compared["hyphenated"] >= 3, compared


def test_the_pdf_is_the_same_when_weasyprint_searches_every_planned_line(tmp_path,
                                                                         monkeypatch):
    calls: Counter = Counter()
    made = weasysplit._set

    def counted(*args: Any) -> Any:
        calls["set"] += 1
        return made(*args)

    monkeypatch.setattr(weasysplit, "_set", counted)
    planned = _pdf(tmp_path / "planned.pdf")
    assert calls["set"] > 40
    monkeypatch.setattr(weasysplit, "_set", _searched)
    assert _pdf(tmp_path / "searched.pdf") == planned
