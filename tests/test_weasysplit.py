"""Planned lines set without WeasyPrint's search for their end (``pdf/weasysplit.py``,
#19): each is the line WeasyPrint's own search sets, and the PDF is the same bytes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from weasyprint.text import line_break

from conftest import ROOT, run
from pressrun.pdf import weasysplit


def _pdf(out: Path) -> bytes:
    result = run("pdf", "-C", ROOT, "-o", out, "--no-cache")
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def _line(laid: tuple[Any, ...]) -> tuple[Any, ...]:
    """A split's text, length, resume index and metrics."""
    layout, *rest = laid
    return layout.text, *rest


def test_every_planned_line_is_the_line_weasyprints_search_sets(tmp_path, monkeypatch):
    compared: Counter = Counter()
    made = weasysplit._set

    def checked(text: str, style: Any, context: Any, width: float, spacing: float,
                end: int, hyphenated: bool) -> Any:
        laid = made(text, style, context, width, spacing, end, hyphenated)
        if laid is not None:
            own = line_break.split_first_line(text, style, context, width, spacing)
            assert _line(laid) == _line(own)
            compared["hyphenated" if hyphenated else "at a space"] += 1
            # Where Pango would not end the line, or it would not fit: WeasyPrint's search.
            assert made(text, style, context, width, spacing, end - 1, False) is None
            assert made(text, style, context, laid[3] - 1, spacing, end, hyphenated) is None
        return laid

    monkeypatch.setattr(weasysplit, "_set", checked)
    _pdf(tmp_path / "pamphlet.pdf")
    assert compared["at a space"] > 40 and compared["hyphenated"] >= 3, compared


def test_the_pdf_is_the_same_when_weasyprint_searches_every_line(tmp_path, monkeypatch):
    calls: Counter = Counter()
    made = weasysplit._set

    def counted(*args: Any) -> Any:
        calls["set"] += 1
        return made(*args)

    monkeypatch.setattr(weasysplit, "_set", counted)
    planned = _pdf(tmp_path / "planned.pdf")
    assert calls["set"] > 40
    monkeypatch.setattr(weasysplit, "_set", lambda *args: None)
    assert _pdf(tmp_path / "searched.pdf") == planned
