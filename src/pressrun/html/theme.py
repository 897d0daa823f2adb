"""The theme: Jinja2 templates and stylesheets, a project's ``styles/`` first, then the default.

A project overrides any template or stylesheet by putting a file of the same name in
``styles/`` (the MkDocs ``custom_dir`` pattern); every file is read through the
project's gate. Templates run in Jinja2's sandbox, so a theme from a stranger can lay
out pages but cannot run code, reach Python's internals or open files. The environment
is made once per build, with the globals every template may use: ``words`` (the fixed
words of the manuscript's language), ``ids`` and ``reading_minutes``.
"""

from __future__ import annotations

import pickle
import traceback
from collections.abc import Callable
from pathlib import Path, PurePath
from types import ModuleType
from typing import Any

from jinja2 import BaseLoader, Environment, StrictUndefined, select_autoescape
from jinja2 import TemplateError as JinjaTemplateError
from jinja2 import __version__ as jinja_version
from jinja2.bccache import Bucket, BytecodeCache
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from pressrun import __version__, usercache
from pressrun.dates import build_date
from pressrun.html import ids
from pressrun.html.body import together
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


class Sandbox(SandboxedEnvironment):
    """Jinja2's sandbox, closed further: no file paths, modules or classes reach a template
    (a path's methods would read and write files)."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return super().is_safe_attribute(obj, attr, value) and not isinstance(
            obj, PurePath) and not isinstance(value, PurePath | ModuleType | type)


ESCAPED = ("html", "xhtml", "xml", "svg")
"""The templates whose output Jinja2 escapes, by extension (and templates from strings)."""
SETTINGS = {"trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True}
"""How the templates are parsed."""


class _Compiled(BytecodeCache):
    """Templates compiled by Jinja2, kept in the user's cache (``usercache``) under a hash
    of Jinja2's version and the environment's settings: Jinja2 compiles a template again
    when its source changed, and so does this when the entry cannot be read."""

    def load_bytecode(self, bucket: Bucket) -> None:
        data = usercache.read(_entry(bucket))
        if data is not None:
            try:
                bucket.bytecode_from_string(data)
            except (EOFError, ValueError, TypeError, pickle.UnpicklingError):
                bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        usercache.write(_entry(bucket), bucket.bytecode_to_string())


def _entry(bucket: Bucket) -> str:
    return usercache.name("jinja2", jinja_version, type(bucket.environment).__qualname__,
                          ESCAPED, SETTINGS, bucket.key)


class Theme:
    """Finds theme files and renders templates for one project."""

    def __init__(self, project: Project, words: Words) -> None:
        self.project = project
        self.words = words
        self.env = Sandbox(
            loader=_Loader(project),
            autoescape=select_autoescape(ESCAPED, default_for_string=True),
            undefined=StrictUndefined,
            bytecode_cache=_Compiled(),
            **SETTINGS,
        )
        self.env.globals.update(words=words, ids=ids.FOR_TEMPLATES,
                                reading_minutes=reading_minutes)
        self.env.filters["together"] = together

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
        except SecurityError as exc:
            where, line = _place(exc, template)
            raise PressrunError(f"template error: {(exc.message or '').rstrip('.')}: templates "
                                "run in a sandbox "
                                "and cannot reach Python's internals or files", where, line,
                                "template") from None
        except JinjaTemplateError as exc:
            where, line = _place(exc, template)
            raise PressrunError(f"template error: {exc.message}", where, line,
                                "template") from None


def _place(exc: JinjaTemplateError, template: str) -> tuple[str, int | None]:
    """The template file and line an error comes from: where Jinja says, else the template
    frame nearest to the error (Jinja names its frames after the template files)."""
    if filename := getattr(exc, "filename", None):
        return str(filename), getattr(exc, "lineno", None)
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".xhtml", ".css")):
            return frame.filename, frame.lineno
    return template, None
