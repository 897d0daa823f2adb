"""docs/cli.md is generated from the click commands and must match them."""

from __future__ import annotations

import re
from pathlib import Path

import click

from pressrun.cli import cli
from pressrun.clidoc import cli_reference

CLI_MD = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
STALE = "docs/cli.md is out of date: run python -m pressrun.clidoc > docs/cli.md"


def _sections(text: str) -> dict[str, str]:
    """Each ``## heading`` of ``text`` and the text under it."""
    pieces = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
    return dict(zip(pieces[1::2], pieces[2::2], strict=True))


def _help_block(section: str) -> str:
    match = re.search(r"^```text\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)
    assert match, "section has no ```text help block"
    return match.group(1)


def _visible_commands() -> dict[str, click.Command]:
    return {name: command for name, command in cli.commands.items() if not command.hidden}


def test_cli_md_is_up_to_date() -> None:
    assert CLI_MD.is_file(), STALE
    assert CLI_MD.read_text(encoding="utf-8") == cli_reference(cli), STALE


def test_reference_is_deterministic() -> None:
    assert cli_reference(cli) == cli_reference(cli)


def test_every_command_has_a_section_with_all_its_options() -> None:
    sections = _sections(cli_reference(cli))
    assert next(iter(sections)) == "pressrun"
    for name, command in _visible_commands().items():
        heading = f"pressrun {name}"
        assert heading in sections, f"no '## {heading}' section: {STALE}"
        block = _help_block(sections[heading])
        assert f"Usage: pressrun {name} " in block
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                for option in param.opts + param.secondary_opts:
                    assert option in block, f"{option} missing from '## {heading}': {STALE}"


def test_commands_are_sorted_and_completion_is_documented() -> None:
    sections = _sections(cli_reference(cli))
    commands = [h.removeprefix("pressrun ") for h in sections if h.startswith("pressrun ")]
    assert commands == sorted(_visible_commands())
    completion = sections["Shell completion"]
    for line in ('eval "$(_PRESSRUN_COMPLETE=bash_source pressrun)"',
                 'eval "$(_PRESSRUN_COMPLETE=zsh_source pressrun)"',
                 "_PRESSRUN_COMPLETE=fish_source pressrun > "
                 "~/.config/fish/completions/pressrun.fish"):
        assert line in completion


def test_root_options_are_documented() -> None:
    block = _help_block(_sections(cli_reference(cli))["pressrun"])
    for option in ("--version", "-v", "--verbose", "-h", "--help"):
        assert option in block
