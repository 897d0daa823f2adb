"""The shape of the code a newcomer carries on with: small modules, short functions, and a
package that installs without touching the project's build/ folder."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

SOURCE = ROOT / "src" / "pressrun"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
REASON = "Long because"
"""How a docstring says why its function is longer than ``MAX_FUNCTION_LINES``."""


def modules() -> list[Path]:
    return sorted(SOURCE.rglob("*.py"))


def test_no_module_is_over_400_lines() -> None:
    long = {path.relative_to(ROOT).as_posix(): lines for path in modules()
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def test_no_function_is_over_60_lines_without_saying_why() -> None:
    long = []
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES and REASON not in (ast.get_docstring(node) or ""):
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines})")
    assert long == []


def test_the_project_folders_are_named_in_one_module() -> None:
    """``manuscript/``, ``images/``, ``styles/`` and ``build/`` as paths are the gate's."""
    spelled = []
    for path in modules():
        if path.name == "project.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in ("manuscript", "images",
                                                                 "styles", "build"):
                spelled.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    assert spelled == []


def test_installing_leaves_no_build_folders_in_the_source_tree(tmp_path: Path) -> None:
    """The wheel is built elsewhere: the project's build/ is for PDFs and EPUBs only."""
    pytest.importorskip("hatchling")
    clone = tmp_path / "clone"
    clone.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, clone / name)
    shutil.copytree(SOURCE, clone / "src" / "pressrun",
                    ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                           "--no-build-isolation", "-q", "-w", str(tmp_path / "wheels"),
                           str(clone)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert not (clone / "build").exists(), sorted(p.name for p in (clone / "build").iterdir())
    [wheel] = (tmp_path / "wheels").glob("pressrun-*.whl")
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    for packaged in ("pressrun/theme/print.html", "pressrun/theme/locales/en.yaml",
                     "pressrun/theme/fonts/CharisSIL-Regular.ttf", "pressrun/pdf/__init__.py"):
        assert packaged in names
