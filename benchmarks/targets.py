"""The targets of issues #8 and #19 (the stricter where both set one), checked against the
medians of one run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from measure import Measurement
from report import CORPUS_NAMES, Check, mib, seconds

Value = Callable[[Measurement], float | None]
ALL = ("pamphlet", "manifesto", "ten-days")


def _median(m: Measurement) -> float | None:
    return m.median


def _rss(m: Measurement) -> float | None:
    return m.median_rss_kib


def _memory(m: Measurement) -> float | None:
    return m.median_memory_kib


def _per_page(m: Measurement) -> float | None:
    return m.per_page


@dataclass(frozen=True)
class Ratio:
    """A figure divided by others of the same corpus, with the issue's limit per corpus."""

    figure: str
    """What is compared, as shown."""
    numerator: str
    """Measurement key on top."""
    denominators: tuple[str, ...]
    """Measurement keys whose values are added below."""
    limits: dict[str, float] = field(default_factory=dict)
    """The largest passing ratio, by corpus; corpora not listed are only reported."""
    value: Value = _median
    """What is taken of each measurement."""
    show: Callable[[float | None], str] = seconds
    """How each value is shown."""
    strict: bool = False
    """The ratio must be below the limit, not just at most it."""


@dataclass(frozen=True)
class Limit:
    """An absolute time limit for one measurement."""

    figure: str
    corpus: str
    key: str
    seconds: float


RATIOS = (
    Ratio("pdf ÷ floor", "cold-pdf", ("floor",),
          {"pamphlet": 0.90, "manifesto": 0.95, "ten-days": 1.10}),
    Ratio("pdf ÷ floor writing PDF/UA-1 with tags", "cold-pdf", ("floor-ua",),
          dict.fromkeys(ALL, 1.10)),
    Ratio("build ÷ pdf", "cold-build", ("cold-pdf",), dict.fromkeys(ALL, 1.25)),
    Ratio("check after a build ÷ cold build", "check", ("cold-build",), {"ten-days": 0.03}),
    Ratio("check, no build/ ÷ cold build", "check-cold", ("cold-build",)),
    Ratio("no-change rebuild ÷ cold build", "no-change", ("cold-build",), {"ten-days": 0.05}),
    Ratio("edit one paragraph ÷ cold build", "edit-paragraph", ("cold-build",)),
    Ratio("edit stylesheet ÷ cold build", "edit-stylesheet", ("cold-build",)),
    Ratio("watch, edit one part ÷ cold build", "watch", ("watch-cold",), {"ten-days": 0.15}),
    Ratio("build ÷ pandoc (EPUB + PDF)", "cold-build", ("pandoc-epub", "pandoc-pdf"),
          {"pamphlet": 1.0, "ten-days": 0.70}),
    Ratio("peak memory, build ÷ floor, processes together", "cold-build", ("floor",),
          dict.fromkeys(ALL, 1.5), _memory, mib),
    Ratio("peak RSS, build ÷ floor, the largest process", "cold-build", ("floor",),
          dict.fromkeys(ALL, 1.5), _rss, mib),
    Ratio("per page, ~400 ÷ ~40 pages", "pdf-400", ("pdf-40",), {"scaling": 1.2}, _per_page,
          lambda v: "—" if v is None else f"{v * 1000:.0f} ms/page"),
)


@dataclass(frozen=True)
class Marginal:
    """The cost of one more item (a part, a note) at a large count over a small one: the
    time the last 90% of items added, per item, at each of two counts ten times apart."""

    figure: str
    kind: str
    """``parts`` or ``notes``: measurements ``KIND-10``, ``KIND-100``, ``KIND-1000``."""
    limit: float


MARGINALS = (
    Marginal("cost per part, 1,000 ÷ 100 parts", "parts", 1.2),
    Marginal("cost per footnote, 1,000 ÷ 100 notes", "notes", 1.2),
)
LIMITS = (
    Limit("no-change rebuild", "pamphlet", "no-change", 0.25),
    Limit("pressrun --help", "cli", "help", 0.10),
)


def checks(measurements: list[Measurement]) -> list[Check]:
    """Every target row, corpus by corpus, for the corpora that were measured."""
    found = {(m.corpus, m.key): m for m in measurements}
    rows = []
    for corpus in dict.fromkeys(m.corpus for m in measurements):
        rows += [_ratio(r, corpus, found) for r in RATIOS if (corpus, r.numerator) in found]
        rows += [_limit(lim, found[corpus, lim.key]) for lim in LIMITS
                 if lim.corpus == corpus and (corpus, lim.key) in found]
        rows += [_marginal(m, corpus, found) for m in MARGINALS
                 if (corpus, f"{m.kind}-1000") in found]
    return rows


def _marginal(marginal: Marginal, corpus: str,
              found: dict[tuple[str, str], Measurement]) -> Check:
    name = CORPUS_NAMES.get(corpus, corpus)
    target = f"≤ {marginal.limit:.2f}×"
    parts = [found.get((corpus, f"{marginal.kind}-{n}")) for n in (10, 100, 1000)]
    why = _missing(parts)
    if why:
        return Check(name, marginal.figure, "—", "—", target, why)
    t10, t100, t1000 = (m.median or 0.0 for m in parts if m is not None)
    small, large = (t100 - t10) / 90, (t1000 - t100) / 900
    if small <= 0:
        return Check(name, marginal.figure, "—", "—", target, "not measured")
    value = large / small
    medians = f"{large * 1000:.1f} ÷ {small * 1000:.1f} ms per {marginal.kind[:-1]}"
    return Check(name, marginal.figure, medians, f"{value:.2f}×", target,
                 _verdict(value, marginal.limit))


def _missing(parts: list[Measurement | None]) -> str | None:
    """Why a figure cannot be computed, if one of its measurements is missing."""
    for part in parts:
        if part is None:
            return "not measured"
        if not part.measured:
            return part.note or "not measured"
    return None


def _ratio(ratio: Ratio, corpus: str, found: dict[tuple[str, str], Measurement]) -> Check:
    top = found[corpus, ratio.numerator]
    bottom = [found.get((corpus, key)) for key in ratio.denominators]
    limit = ratio.limits.get(corpus)
    target = "—" if limit is None else f"{'<' if ratio.strict else '≤'} {limit:.2f}×"
    name = CORPUS_NAMES.get(corpus, corpus)
    why = _missing([top, *bottom])
    if why:
        return Check(name, ratio.figure, "—", "—", target, why)
    values = [ratio.value(m) for m in bottom if m is not None]
    numerator = ratio.value(top)
    if numerator is None or any(v is None for v in values) or not sum(v or 0 for v in values):
        return Check(name, ratio.figure, "—", "—", target, "not measured")
    denominator = sum(v or 0 for v in values)
    value = numerator / denominator
    medians = f"{ratio.show(numerator)} ÷ " + " + ".join(ratio.show(v) for v in values)
    return Check(name, ratio.figure, medians, f"{value:.2f}×", target,
                 _verdict(value, limit, ratio.strict))


def _limit(limit: Limit, m: Measurement) -> Check:
    name = CORPUS_NAMES.get(m.corpus, m.corpus)
    target = f"≤ {seconds(limit.seconds)}"
    if m.median is None:
        return Check(name, limit.figure, "—", "—", target, m.note or "not measured")
    return Check(name, limit.figure, seconds(m.median), seconds(m.median), target,
                 _verdict(m.median, limit.seconds))


def _verdict(value: float, limit: float | None, strict: bool = False) -> str:
    if limit is None:
        return "—"
    passed = value < limit if strict else value <= limit
    return "pass" if passed else "fail"
