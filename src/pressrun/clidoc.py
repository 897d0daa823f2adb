"""The command-line reference (``docs/cli.md``), generated from the click command tree.

``cli_reference`` renders the group's ``--help`` and each command's ``--help`` into
Markdown, always 100 columns wide, so the output does not depend on the terminal it
is run in. Regenerate the file with::

    python -m pressrun.clidoc > docs/cli.md

``tests/test_clidoc.py`` fails when the file and the commands disagree.
"""

from __future__ import annotations

import click

#: Width of the rendered ``--help`` text, fixed so the reference is the same everywhere.
WIDTH = 100

REGENERATE = "python -m pressrun.clidoc > docs/cli.md"


def _context(command: click.Command, info_name: str,
             parent: click.Context | None = None) -> click.Context:
    """A context like the one click makes for ``--help``, at a fixed width."""
    settings = {**command.context_settings, "terminal_width": WIDTH,
                "max_content_width": WIDTH}
    return click.Context(command, info_name=info_name, parent=parent, **settings)


def _help_text(command: click.Command) -> str:
    """The command's help text, without anything after click's ``\\f`` cut-off."""
    text = command.help or command.short_help or ""
    return text.split("\f", 1)[0].strip()


def _fence(text: str) -> list[str]:
    return ["```text", text.rstrip("\n"), "```"]


def _completion(prog_name: str) -> list[str]:
    """How to turn on click's shell completion for bash, zsh and fish."""
    var = "_" + prog_name.replace("-", "_").upper() + "_COMPLETE"
    return [
        "## Shell completion",
        "",
        f"`{prog_name}` can complete its commands and options in bash, zsh and fish. Add "
        "one line to your shell's start-up file, then open a new terminal.",
        "",
        "bash, in `~/.bashrc`:",
        "",
        "```sh",
        f'eval "$({var}=bash_source {prog_name})"',
        "```",
        "",
        "zsh, in `~/.zshrc`:",
        "",
        "```sh",
        f'eval "$({var}=zsh_source {prog_name})"',
        "```",
        "",
        "fish: run this once to write the completion file:",
        "",
        "```sh",
        f"{var}=fish_source {prog_name} > ~/.config/fish/completions/{prog_name}.fish",
        "```",
    ]


def cli_reference(group: click.Group, prog_name: str = "pressrun") -> str:
    """Markdown documenting ``group`` and each of its (visible) commands, sorted by name."""
    root_ctx = _context(group, prog_name)
    lines = [
        "# Command-line reference",
        "",
        f"This file is generated from `{prog_name} --help` by `{REGENERATE}` "
        "and checked by a test: do not edit it by hand.",
        "",
        f"## {prog_name}",
        "",
    ]
    if _help_text(group):
        lines += [_help_text(group), ""]
    lines += [*_fence(group.get_help(root_ctx)), ""]
    for name, command in sorted(group.commands.items()):
        if command.hidden:
            continue
        # With the root as parent, click prints the path "pressrun NAME" by itself.
        ctx = _context(command, name, root_ctx)
        lines += [f"## {prog_name} {name}", ""]
        if _help_text(command):
            lines += [_help_text(command), ""]
        lines += [*_fence(command.get_help(ctx)), ""]
    lines += _completion(prog_name)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    from pressrun.cli import cli

    print(cli_reference(cli), end="")
