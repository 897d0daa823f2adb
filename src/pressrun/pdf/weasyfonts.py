"""The fonts WeasyPrint lays out with: the theme's and the project's, never the computer's.

WeasyPrint asks fontconfig for fonts, and fontconfig fills every character a font lacks
from whatever the computer has installed (DejaVu, say): the PDF then depends on the
machine, and a character no chosen font covers is set in a font nobody chose. pressrun
gives WeasyPrint a configuration that knows no installed font (``fonts.conf``): the
fonts come from ``@font-face`` rules (the theme's ``fonts.css``, a project's stylesheets),
and from installed families a project's stylesheets name. With ``weasy`` and
``weasyboxes`` and ``weasytags``, the only modules that touch WeasyPrint's internals.

WeasyPrint makes a Pango layout for every line it tries and every line it draws, and a
font description for each from the style's font properties: a third of the time making
a layout takes (8 of 23 us; 0.8 s of Ten Days' layout and more of its writing). The
descriptions are made once here for each set of those properties (``describe_once``);
Pango copies the one it is given into the layout, and the fonts are the same.
"""

from __future__ import annotations

# Before WeasyPrint: its C libraries loaded by soname, with no compiler run.
import pressrun.pdf.libraries  # noqa: F401

# isort: split
import os
import shutil
import tempfile
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from weasyprint.text import line_break
from weasyprint.text.fonts import FontConfiguration

from pressrun.project import TEMPORARY, remove_abandoned

CONFIG = Path(__file__).with_name("fonts.conf")
STYLES = ("Regular", "Italic", "Bold", "Bold Italic")
FOLDER = "pressrun-fonts-"
"""How the font folder given to WeasyPrint is named, before its process's id."""
DESCRIBED = ("font_family", "font_style", "font_stretch", "font_weight", "font_size",
             "font_variant_caps", "font_variation_settings")
"""The properties WeasyPrint's ``get_font_description`` reads."""
DESCRIBE = line_break.get_font_description
"""WeasyPrint's own: a new font description for every layout."""


def font_configuration(named: Iterable[str] = ()) -> FontConfiguration:
    """WeasyPrint's fonts, with no installed font but those of the families ``named`` (by a
    project's stylesheets)."""
    saved = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = str(CONFIG)
    try:
        fonts = FontConfiguration()
    finally:
        if saved is None:
            del os.environ["FONTCONFIG_FILE"]
        else:
            os.environ["FONTCONFIG_FILE"] = saved
    remove_abandoned(Path(tempfile.gettempdir()), FOLDER + "*" + TEMPORARY.format(pid="*"))
    own_folder(fonts)
    for path in installed(named):
        _add(fonts, path)
    return fonts


@cache
def describe_once() -> None:
    """Give WeasyPrint's text layouts one font description for each set of ``DESCRIBED``
    values, made the first time it is asked for (once)."""
    described: dict[tuple, Any] = {}

    def font_description(style: Any) -> Any:
        key = tuple(style[name] for name in DESCRIBED)
        try:
            description = described.get(key)
        except TypeError:  # a value that is a list (the family of an SVG's text): afresh
            return DESCRIBE(style)
        if description is None:
            description = described[key] = DESCRIBE(style)
        return description

    line_break.get_font_description = font_description


def own_folder(fonts: FontConfiguration) -> None:
    """Give ``fonts`` a new folder of this process's own. WeasyPrint copies @font-face fonts
    into a temporary folder it removes when done; one named after this process lets a
    later build remove what a killed one left, and a forked process adding fonts does not
    write into the files its parent reads."""
    fonts._folder = Path(tempfile.mkdtemp(prefix=FOLDER,
                                          suffix=TEMPORARY.format(pid=os.getpid()),
                                          dir=tempfile.gettempdir()))


def remove_folder(pid: int | None = None) -> None:
    """Remove the font folders of this process (or of the ended process ``pid``):
    WeasyPrint removes one when its font configuration is freed, which a process ended at
    once (``ending.leave``) never does."""
    own = FOLDER + "*" + TEMPORARY.format(pid=os.getpid() if pid is None else pid)
    for path in Path(tempfile.gettempdir()).glob(own):
        shutil.rmtree(path, ignore_errors=True)


def installed(families: Iterable[str]) -> list[str]:
    """The files of the installed fonts of ``families`` (each style the computer has)."""
    from weasyprint.text.ffi import ffi, fontconfig

    wanted = {family.casefold(): family for family in families}
    if not wanted:
        return []
    system = ffi.gc(fontconfig.FcInitLoadConfigAndFonts(), fontconfig.FcConfigDestroy)
    found: list[str] = []
    for family in wanted.values():
        for style in STYLES:
            pattern = ffi.gc(fontconfig.FcPatternCreate(), fontconfig.FcPatternDestroy)
            fontconfig.FcPatternAddString(pattern, b"family", family.encode())
            fontconfig.FcPatternAddString(pattern, b"style", style.encode())
            fontconfig.FcConfigSubstitute(system, pattern, 0)  # FcMatchPattern
            fontconfig.FcDefaultSubstitute(pattern)
            result = ffi.new("FcResult *")
            match = fontconfig.FcFontMatch(system, pattern, result)
            if match == ffi.NULL:
                continue
            match = ffi.gc(match, fontconfig.FcPatternDestroy)
            name, path = _string(match, b"family"), _string(match, b"file")
            if name is not None and path and name.casefold() in wanted and path not in found:
                found.append(path)
    return found


def _string(pattern: object, key: bytes) -> str | None:
    from weasyprint.text.ffi import ffi, fontconfig

    value = ffi.new("FcChar8 **")
    if fontconfig.FcPatternGetString(pattern, key, 0, value) != 0:  # FcResultMatch
        return None
    return ffi.string(ffi.cast("char *", value[0])).decode("utf-8", "replace")


def _add(fonts: FontConfiguration, path: str) -> None:
    """Make an installed font file known to ``fonts`` (WeasyPrint's fontconfig config)."""
    from weasyprint.text.ffi import ffi, fontconfig, pangoft2

    if fontconfig.FcConfigAppFontAddFile(fonts._config, path.encode()):
        pangoft2.pango_fc_font_map_config_changed(ffi.cast("PangoFcFontMap *", fonts.font_map))
