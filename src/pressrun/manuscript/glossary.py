"""The glossary: reading ``manuscript/glossary.yaml`` and marking each term's first use.

Marking is a pure function of the model: it returns parts whose first use of
each term is wrapped in a ``glossterm`` node, which the writers render as a
note (print) or a link to the Glossary (EPUB).
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace

import yaml

from pressrun.manuscript.schema import EmptyDocument, bad_character, compose
from pressrun.model import GlossaryEntry, Node, Part, SourceLocation, slugify
from pressrun.problems import Problems
from pressrun.project import GLOSSARY

_SKIP = {"heading", "link", "code", "code_block", "figure", "image", "footnote_ref",
         "glossterm"}
"""Nodes whose text is never marked: headings, links, code and captions."""


def parse_glossary(text: str, report: Problems) -> tuple[GlossaryEntry, ...]:
    """The entries of glossary.yaml, sorted by term; problems go to ``report``."""
    at = lambda line: SourceLocation(GLOSSARY, line)  # noqa: E731
    try:
        node = compose(text, SourceLocation(GLOSSARY, 1), report)
    except EmptyDocument:
        return ()
    if node is None:
        return ()
    if not isinstance(node, yaml.MappingNode):
        report.error(at(node.start_mark.line + 1), "not-a-mapping",
                     "the glossary must be 'term: definition' "
                     "lines, like 'soviet: A workers’ council.'")
        return ()
    entries: dict[str, GlossaryEntry] = {}
    forms: dict[str, str] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        entry = _entry(key_node, value_node, line, report)
        if entry is None:
            continue
        for form in (entry.term, *entry.aliases):
            if form.casefold() in forms:
                report.error(at(line), "duplicate-term",
                             f"'{form}' is already a form of "
                             f"'{forms[form.casefold()]}': list it once")
                break
            forms[form.casefold()] = entry.term
        else:
            entries[entry.term] = entry
    return _unique_slugs(sorted(entries.values(), key=lambda e: e.term.casefold()))


def _unique_slugs(entries: list[GlossaryEntry]) -> tuple[GlossaryEntry, ...]:
    """The entries, each with its own slug: a second term that makes the same slug (two
    spellings, two scripts) gets ``-2``, a third ``-3``."""
    taken: set[str] = set()
    unique = []
    for entry in entries:
        base = slugify(entry.term, "term")
        slug, count = base, 1
        while slug in taken:
            count += 1
            slug = f"{base}-{count}"
        taken.add(slug)
        unique.append(replace(entry, slug=slug))
    return tuple(unique)


def _entry(key_node: yaml.Node, value_node: yaml.Node, line: int,
           report: Problems) -> GlossaryEntry | None:
    at = SourceLocation(GLOSSARY, line)
    term = str(key_node.value).strip() if isinstance(key_node, yaml.ScalarNode) else ""
    if not term:
        report.error(at, "bad-term", "a glossary term must be text: write 'term: definition'")
        return None
    aliases: list[str] = []
    if isinstance(value_node, yaml.ScalarNode):
        definition = str(value_node.value)
    elif isinstance(value_node, yaml.MappingNode):
        fields = {str(k.value): v for k, v in value_node.value}
        unknown = sorted(fields.keys() - {"definition", "aliases"})
        if unknown:
            report.error(at, "unknown-key",
                         f"'{term}' has unknown key '{unknown[0]}': an entry takes "
                         "'definition' and 'aliases'")
            return None
        definition_node = fields.get("definition")
        definition = str(definition_node.value) if isinstance(
            definition_node, yaml.ScalarNode) else ""
        alias_node = fields.get("aliases")
        if alias_node is not None:
            if isinstance(alias_node, yaml.ScalarNode):
                aliases = [str(alias_node.value)]
            elif isinstance(alias_node, yaml.SequenceNode) and all(
                    isinstance(a, yaml.ScalarNode) for a in alias_node.value):
                aliases = [str(a.value) for a in alias_node.value]
            else:
                report.error(at, "bad-value", f"the aliases of '{term}' must be a list of words, "
                                              "like [soviets]")
                return None
    else:
        report.error(at, "no-definition",
                     f"'{term}' needs a definition: write '{term}: what it means'")
        return None
    definition = " ".join(definition.split())
    if not definition:
        report.error(at, "no-definition",
                     f"'{term}' has no definition: write '{term}: what it means'")
        return None
    for text in (term, definition, *aliases):
        if char := bad_character(text):
            report.error(at, "control-character",
                         f"'{term}' contains the invisible control character {char}: "
                         "remove it")
            return None
    aliases = [a.strip() for a in aliases if a.strip() and a.strip() != term]
    return GlossaryEntry(term, definition, tuple(dict.fromkeys(aliases)), line)


def _pattern(form: str) -> str:
    """A form as a regex: exact, except that a lowercase form may start a sentence."""
    head, *rest = form.split()
    first = re.escape(head[0])
    if head[0].islower():
        first = f"[{first}{re.escape(head[0].upper())}]"
    return first + re.escape(head[1:]) + "".join(r"\s+" + re.escape(word) for word in rest)


@functools.lru_cache(maxsize=8)
def term_matcher(entries: tuple[GlossaryEntry, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One regex for every form of every term (longest first), and the term slug of each
    form by its case-folded text."""
    slugs = {form.casefold(): entry.slug for entry in entries
             for form in (entry.term, *entry.aliases)}
    forms = sorted(slugs, key=len, reverse=True)
    originals = {form.casefold(): form for entry in entries
                 for form in (entry.term, *entry.aliases)}
    alternatives = "|".join(_pattern(originals[form]) for form in forms)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)"), slugs


def mark_terms(part: Part, entries: tuple[GlossaryEntry, ...],
               questions_at_end: bool = False) -> Part:
    """``part`` with the first use of each glossary term in its body marked.

    With ``questions_at_end``, questions are not searched: they move to the end.
    """
    if not entries:
        return part
    pattern, slugs = term_matcher(entries)
    seen: set[str] = set()

    def split(text: str) -> tuple[Node, ...]:
        pieces: list[Node] = []
        start = 0
        for match in pattern.finditer(text):
            slug = slugs[" ".join(match[0].split()).casefold()]
            if slug in seen:
                continue
            seen.add(slug)
            if match.start() > start:
                pieces.append(Node("text", text=text[start:match.start()]))
            pieces.append(Node("glossterm", (Node("text", text=match[0]),),
                               attrs=(("term", slug),)))
            start = match.end()
        if not pieces:
            return (Node("text", text=text),)
        if start < len(text):
            pieces.append(Node("text", text=text[start:]))
        return tuple(pieces)

    def walk(node: Node) -> Node:
        skipped = ("pullquote", "questions") if questions_at_end else ("pullquote",)
        if node.kind in _SKIP or (node.kind == "container" and node.attr("name") in skipped):
            return node
        if not node.children:
            return node
        children: list[Node] = []
        for child in node.children:
            if child.kind == "text":
                children.extend(split(child.text))
            else:
                children.append(walk(child))
        return replace(node, children=tuple(children))

    return replace(part, blocks=tuple(walk(block) for block in part.blocks))


def used_terms(parts: tuple[Part, ...]) -> set[str]:
    """The slugs of the terms marked anywhere in ``parts``."""
    return {node.attr("term") for part in parts for block in part.blocks
            for node in block.walk() if node.kind == "glossterm"}
