"""Loading a project folder into the document model: the only stage that reads the manuscript."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from pressrun.manuscript.coverage import uncovered
from pressrun.manuscript.glossary import mark_terms, parse_glossary, used_terms
from pressrun.manuscript.markdown import ParsedPart, parse_inline, parse_part, typeset
from pressrun.manuscript.pictures import resolve_image
from pressrun.manuscript.reread import Read, Status, keep, kept, status
from pressrun.manuscript.schema import (
    BOOL,
    COUNT,
    DATE,
    LIST,
    TEXT,
    URL,
    Fields,
    Key,
    bad_character,
    check_language,
    parse_page_size,
    read_mapping,
)
from pressrun.manuscript.stylesheets import check_stylesheets
from pressrun.model import (
    PAPER,
    ROLES,
    GlossaryEntry,
    Metadata,
    Pamphlet,
    Part,
    SourceLocation,
    slugify,
)
from pressrun.problems import PressrunError, Problem, Problems
from pressrun.project import CONFIG, GLOSSARY, LOCALES, MANUSCRIPT, Project

PAMPHLET_KEYS = {
    "title": Key(TEXT, required=True),
    "subtitle": Key(TEXT),
    "language": Key(TEXT, required=True),
    "creators": Key(LIST),
    "publisher": Key(TEXT),
    "source": Key(TEXT),
    "date": Key(DATE),
    "rights": Key(TEXT),
    "identifier": Key(TEXT),
    "cover": Key(TEXT),
    "page_size": Key(TEXT),
    "notes": Key(TEXT, choices=("footnotes", "endnotes")),
    "epub_fonts": Key(BOOL),
    "url": Key(URL),
    "questions": Key(TEXT, choices=("inline", "end")),
    "paragraph_numbers": Key(BOOL),
    "notes_pages": Key(COUNT),
    "part_start": Key(TEXT, choices=("next", "right")),
    "back_cover": Key(TEXT),
    "contents": Key(LIST, required=True),
}

PART_KEYS = {
    "title": Key(TEXT, required=True),
    "subtitle": Key(TEXT),
    "standfirst": Key(TEXT),
    "role": Key(TEXT, choices=ROLES),
    "creators": Key(LIST),
    "source": Key(TEXT),
    "date": Key(DATE),
    "language": Key(TEXT),
}


def load_pamphlet(project: Project, strict: bool = False) -> tuple[Pamphlet, Problems]:
    """Read the project's manuscript; raise one ``PressrunError`` listing every error found
    (with ``strict``, every warning and missing picture too).

    Returns the pamphlet and the problems, whose warnings are logged.
    """
    pamphlet, problems = read_project(project)
    if strict:
        for image in pamphlet.missing_art:
            problems.error(image.location, "missing-art", f"picture '{image.rel}' does not "
                           "exist (--strict makes missing art an error): add the file, or "
                           "build without --strict to get a placeholder")
        for problem in problems.warnings:
            problems.error(problem.location, problem.code,
                           f"{problem.message} (--strict makes {problem.code} an error)")
        problems.found = problems.errors
    problems.raise_errors()
    return pamphlet, problems


def read_project(project: Project) -> tuple[Pamphlet, Problems]:
    """Read the project's manuscript, collecting every problem (raising none).

    Only a missing pamphlet.yaml raises: without it there is nothing to read.
    """
    config_path = project.path(CONFIG)
    if not project.is_file(config_path):
        raise PressrunError(
            f"not found: is {project.root} a pressrun project? Run pressrun in the folder "
            "that holds manuscript/, or pass -C DIR", CONFIG, code="not-a-project")
    report = Problems()
    fields = read_mapping(read_text(project, config_path), SourceLocation(CONFIG, 1),
                          PAMPHLET_KEYS, report, "pamphlet.yaml")
    metadata = _metadata(project, fields, report)
    parts = []
    lines = fields.item_lines.get("contents", ())
    entries = [(entry, SourceLocation(CONFIG, lines[index] if index < len(lines)
                                      else fields.line("contents")))
               for index, entry in enumerate(fields.values.get("contents", ()))]
    for part, found in _load_parts(project, entries, metadata.language):
        report.found.extend(found)
        if part:
            parts.append(part)
    _check_duplicate_slugs(parts, report)
    if len(parts) == len(fields.values.get("contents", ())):  # a link may be to a lost one
        _check_links(parts, report)
    glossary = _read_glossary(project, report)
    marked = tuple(mark_terms(part, glossary, metadata.questions == "end") for part in parts)
    used = used_terms(marked)
    for entry in glossary:
        if entry.slug not in used:
            report.warning(SourceLocation(GLOSSARY, entry.line), "unused-term",
                           f"'{entry.term}' is not used in any part: remove it, or add "
                           "the form the text uses to its aliases")
    check_stylesheets(project, report)
    pamphlet = Pamphlet(project.root, metadata, marked, glossary)
    uncovered(project, pamphlet, report)
    return pamphlet, report


def _metadata(project: Project, fields: Fields, report: Problems) -> Metadata:
    """The publication's metadata from pamphlet.yaml's checked ``fields``."""
    values = fields.values
    at = lambda key: SourceLocation(CONFIG, fields.line(key))  # noqa: E731
    language = values.get("language", "en")
    if "language" in values and (problem := check_language(language)):
        report.error(at("language"), "bad-language", problem)
        language = "en"
    primary = language.split("-")[0].lower()
    if primary != "en" and not project.theme_files(f"{LOCALES}/{primary}.yaml"):
        report.warning(at("language"), "no-words",
                       f"pressrun has no table of its own words in '{primary}': headings "
                       "such as 'Contents' stay in English; translate them in "
                       f"styles/locales/{primary}.yaml (see docs/languages.md)")
    page_size = parse_page_size(values.get("page_size", "A5"))
    if isinstance(page_size, str):
        report.error(at("page_size"), "bad-page-size", page_size)
        page_size = PAPER["A5"]
    cover = None
    if "cover" in values:
        cover = resolve_image(values["cover"], f"Cover of {values.get('title', '')}", "",
                              project.path(MANUSCRIPT), project, at("cover"), report)
        if cover.missing:
            report.error(at("cover"), "missing-cover",
                         f"cover '{values['cover']}' does not exist (paths are relative to "
                         "manuscript/, e.g. ../images/cover.jpg); remove 'cover' to have one "
                         "generated")
    return Metadata(
        title=typeset(values.get("title", ""), language),
        language=language,
        subtitle=values.get("subtitle") and typeset(values["subtitle"], language),
        creators=values.get("creators", ()),
        publisher=values.get("publisher"),
        source=values.get("source"),
        date=values.get("date"),
        rights=values.get("rights"),
        identifier=values.get("identifier"),
        cover=cover,
        page_size=page_size,
        notes=values.get("notes", "footnotes"),
        epub_fonts=values.get("epub_fonts", True),
        url=values.get("url"),
        questions=values.get("questions", "inline"),
        paragraph_numbers=values.get("paragraph_numbers", False),
        notes_pages=values.get("notes_pages", 0),
        part_start=values.get("part_start", "next"),
        back_cover=values.get("back_cover") and typeset(values["back_cover"], language),
    )


def _read_glossary(project: Project, report: Problems) -> tuple[GlossaryEntry, ...]:
    """The entries of manuscript/glossary.yaml, if the project has one."""
    path = project.path(GLOSSARY)
    if not (path.is_symlink() or path.exists()):
        return ()
    try:
        text = read_text(project, path)
    except PressrunError as exc:
        report.found.extend(exc.problems)
        return ()
    return parse_glossary(text, report)


def read_text(project: Project, path: Path) -> str:
    """The text of a manuscript file: UTF-8 without control characters, or an error naming
    the file and line."""
    rel = project.rel(path)
    data = project.read_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PressrunError(
            f"is not UTF-8 text (byte {exc.start}): save it with UTF-8 encoding "
            "(in most editors: Save As… → Encoding → UTF-8)", rel, line, "not-utf8") from None
    if char := bad_character(text):
        index = text.index(chr(int(char[2:], 16)))
        raise PressrunError(
            f"contains the invisible control character {char}, which no e-book or PDF can "
            "hold: delete it (it often comes with text pasted from a web page)", rel,
            text.count("\n", 0, index) + 1, "control-character")
    return text


def _part_path(project: Project, entry: str, listed_at: SourceLocation,
               report: Problems) -> Path | None:
    """The file of the contents entry ``entry``; None when there is none (reported)."""
    manuscript = project.path(MANUSCRIPT)
    path = (manuscript / entry).resolve()
    if not path.is_relative_to(manuscript.resolve()):
        report.error(listed_at, "outside-manuscript",
                     f"'{entry}' in contents is outside "
                     "manuscript/: list files of the manuscript folder only")
        return None
    try:
        found = path.is_file()
    except OSError:  # a name too long for the file system, say
        found = False
    if not found:
        report.error(listed_at, "missing-part",
                     f"'{entry}' in contents does not exist in "
                     "manuscript/: check the file name, or remove the line")
        return None
    return path


def _parse(
    project: Project, path: Path, text: str, language: str, files: list[tuple[str, Status]]
) -> tuple[ParsedPart, Problems]:
    """The part's Markdown read in ``language``, and what was found wrong in it; each
    picture it names goes into ``files``, with its status before it was looked at."""
    rel = project.rel(path)
    problems = Problems()

    def resolve(ref: str, alt: str, caption: str, line: int):
        named = path.parent / unquote(ref)
        files.append((str(named), status(named)))
        return resolve_image(ref, alt, caption, path.parent, project,
                             SourceLocation(rel, line), problems)

    return parse_part(text, language, SourceLocation(rel), resolve, problems), problems


def _load_parts(project: Project, entries: list[tuple[str, SourceLocation]], language: str
                ) -> list[tuple[Part | None, list[Problem]]]:
    """Each contents entry's part (None when it cannot be read) and the problems found in
    it. A part whose files are as they were at the last read is taken from it (``reread``);
    the others are shared by size with a forked process when there is a core for it
    (``forked.split``: Ten Days' 27 parts take 0.45 s to read in one process)."""
    from pressrun.forked import split

    def load(indices: list[int]) -> list[Read]:
        loaded: list[Read] = []
        for index in indices:
            report, files = Problems(), list[tuple[str, Status]]()
            part = _load_part(project, *entries[index], language, report, files)
            loaded.append(((part, report.found), tuple(files)))
        return loaded

    paths = [project.path(MANUSCRIPT) / entry for entry, _ in entries]
    done = {index: found for index, path in enumerate(paths)
            if (found := kept(path, language)) is not None}
    todo = [index for index in range(len(entries)) if index not in done]
    sizes = [getattr(project.regular(paths[index]), "st_size", 0) for index in todo]
    done.update(zip(todo, split(lambda chosen: load([todo[i] for i in chosen]), sizes),
                    strict=True))
    keep({(str(paths[index]), language): read for index, read in done.items() if read[1]})
    return [done[index][0] for index in range(len(entries))]


def _load_part(
    project: Project, entry: str, listed_at: SourceLocation, language: str, report: Problems,
    files: list[tuple[str, Status]],
) -> Part | None:
    """The part ``entry`` of the contents, read in ``language`` (the publication's) or in
    its own (front matter ``language:``); None when it cannot be read (reported). The
    files it is read from go into ``files``, with their status before they were read."""
    path = _part_path(project, entry, listed_at, report)
    if path is None:
        return None
    files.append((str(project.path(MANUSCRIPT) / entry), status(path)))
    rel = project.rel(path)
    try:
        text = read_text(project, path)
    except PressrunError as exc:
        report.found.extend(exc.problems)
        return None
    parsed, problems = _parse(project, path, text, language, files)
    if parsed.front_matter is None:
        report.found.extend(problems.found)
        report.error(SourceLocation(rel, 1), "no-front-matter",
                     "no front matter: start the "
                     "file with a '---' line, 'title: …', and another '---' line")
        return None
    fields = read_mapping(parsed.front_matter, SourceLocation(rel, 2), PART_KEYS, report,
                          "front matter")
    values = fields.values
    own = values.get("language")
    if own is not None and (problem := check_language(own)):
        report.error(SourceLocation(rel, fields.line("language")), "bad-language", problem)
        own = None
    if own is not None and own != language:  # read again, with the part's quotation marks
        parsed, problems = _parse(project, path, text, own, files)
    report.found.extend(problems.found)
    if "title" not in values:
        return None
    part_language = own or language
    standfirst = parse_inline(values["standfirst"], part_language,
                              SourceLocation(rel, fields.line("standfirst")), report) \
        if "standfirst" in values else ()
    return Part(
        location=SourceLocation(rel),
        slug=slugify(path.stem, "part"),
        title=typeset(values["title"], part_language),
        role=values.get("role", "chapter"),
        subtitle=values.get("subtitle") and typeset(values["subtitle"], part_language),
        standfirst=standfirst,
        creators=values.get("creators", ()),
        source=values.get("source"),
        date=values.get("date"),
        blocks=parsed.blocks,
        footnotes=parsed.footnotes,
        language=own if own != language else None,
    )


def _check_links(parts: list[Part], report: Problems) -> None:
    """Warn about links to no address and no part: they are printed as their text only."""
    names = {part.location.path.removeprefix(f"{MANUSCRIPT}/") for part in parts}
    for part in parts:
        for block in part.blocks + tuple(b for note in part.footnotes for b in note.blocks):
            for node in block.walk():
                href = node.attr("href")
                target = urlsplit(href)
                if node.kind == "link" and not target.scheme and target.path not in names:
                    report.warning(SourceLocation(part.location.path, node.line), "dead-link",
                                   f"link to {href[:60]!r} leads to no part of the pamphlet: "
                                   "it is printed as its text only; link to a part by its "
                                   "file name (02-soviets.md) or to a web address")


def _check_duplicate_slugs(parts: list[Part], report: Problems) -> None:
    seen: dict[str, Part] = {}
    for part in parts:
        if part.slug in seen:
            report.error(SourceLocation(part.location.path, 1), "duplicate-part",
                         f"is listed twice in contents (or shares its name with "
                         f"{seen[part.slug].location.path}): list each part once")
        seen[part.slug] = part
