"""The theme: Jinja2 templates and stylesheets, a project's ``styles/`` first, then the default.

A project overrides any template or stylesheet by putting a file of the same
name in ``styles/`` (the MkDocs ``custom_dir`` pattern). Templates there are
trusted code: they run with the builder's rights.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2 import TemplateError as JinjaTemplateError

from pressrun.errors import PressrunError

DEFAULT_THEME = Path(__file__).parent / "theme"


class Theme:
    """Finds theme files and renders templates for one project."""

    def __init__(self, project: Path) -> None:
        styles = project / "styles"
        self.dirs = ([styles] if styles.is_dir() else []) + [DEFAULT_THEME]

    def find(self, name: str) -> Path:
        """The file ``name`` from the first theme folder that has it."""
        for folder in self.dirs:
            candidate = folder / name
            if candidate.is_file():
                return candidate
        raise PressrunError(f"theme file '{name}' not found in styles/ or the default theme")

    @cached_property
    def env(self) -> Environment:
        """The Jinja2 environment: autoescaping, strict about undefined names."""
        return Environment(
            loader=ChoiceLoader([FileSystemLoader(str(d)) for d in self.dirs]),
            autoescape=select_autoescape(["html", "xhtml", "xml"], default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )

    def render(self, template: str, **context: object) -> str:
        """Render ``template`` with ``context``; a broken template is a one-line error."""
        try:
            return self.env.get_template(template).render(**context)
        except JinjaTemplateError as exc:
            where = getattr(exc, "filename", None) or template
            raise PressrunError(f"template error: {exc.message}", str(where),
                                getattr(exc, "lineno", None)) from None
