"""The theme: Jinja2 templates and stylesheets, a project's ``styles/`` first, then the default.

A project overrides any template or stylesheet by putting a file of the same name in
``styles/`` (the MkDocs ``custom_dir`` pattern); every file is read through the
project's gate. The Jinja2 environment is made once per build, with the globals every
template may use: ``words`` (the fixed words of the manuscript's language), ``ids`` and
``reading_minutes``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from jinja2 import BaseLoader, Environment, StrictUndefined, select_autoescape
from jinja2 import TemplateError as JinjaTemplateError

from pressrun import __version__
from pressrun.dates import build_date
from pressrun.html import ids
from pressrun.html.words import Words
from pressrun.model import Pamphlet
from pressrun.problems import PressrunError
from pressrun.project import DEFAULT_THEME, Project
from pressrun.study import reading_minutes

__all__ = ["DEFAULT_THEME", "Theme", "base_context"]


def base_context(pamphlet: Pamphlet) -> dict[str, object]:
    """What every template of either format is given: the metadata, the glossary, the
    version of pressrun and the build's date."""
    when = build_date(pamphlet.metadata).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"meta": pamphlet.metadata, "version": __version__, "build_date": when,
            "glossary": pamphlet.glossary}


class _Loader(BaseLoader):
    """Templates from the project's ``styles/`` or the default theme, read through the gate."""

    def __init__(self, project: Project) -> None:
        self.project = project

    def get_source(self, environment: Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        path = self.project.theme_file(template)
        return self.project.read_bytes(path).decode("utf-8"), self.project.rel(path), \
            lambda: True


class Theme:
    """Finds theme files and renders templates for one project."""

    def __init__(self, project: Project, words: Words) -> None:
        self.project = project
        self.words = words
        self.env = Environment(
            loader=_Loader(project),
            autoescape=select_autoescape(["html", "xhtml", "xml"], default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.globals.update(words=words, ids=ids.FOR_TEMPLATES,
                                reading_minutes=reading_minutes)

    def find(self, name: str) -> Path:
        """The file ``name`` from the first theme folder that has it."""
        return self.project.theme_file(name)

    def read(self, name: str) -> bytes:
        """The content of theme file ``name``."""
        return self.project.read_bytes(self.find(name))

    def render(self, template: str, **context: object) -> str:
        """Render ``template`` with ``context``; a broken template is a one-line error."""
        try:
            return self.env.get_template(template).render(**context)
        except JinjaTemplateError as exc:
            where = getattr(exc, "filename", None) or template
            raise PressrunError(f"template error: {exc.message}", str(where),
                                getattr(exc, "lineno", None), "template") from None
