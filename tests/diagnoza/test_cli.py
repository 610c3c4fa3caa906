"""The command line's own text (`diagnoza.cli`): its errors are tested with each command's behaviour elsewhere."""

from __future__ import annotations

import inspect

from typer.main import get_command
from typer.testing import CliRunner

from diagnoza.cli import app


def commands(command=None, name="diagnoza"):
    """(name, click command) of every command, through the groups (`data`)."""
    command = command or get_command(app)
    if not hasattr(command, "commands"):
        return [(name, command)]
    return [found for sub, child in command.commands.items() for found in commands(child, f"{name} {sub}")]


def test_every_paragraph_of_a_commands_help_is_wrapped_by_the_terminal_not_by_its_docstring():
    # Typer keeps a paragraph's line breaks after the first: `diagnoza publish --help` printed a docstring
    # wrapped at 110 characters in an 80-column terminal, every other line a stub of a word or two.
    listed = commands()
    assert len(listed) > 10 and ("diagnoza data fetch" in dict(listed))
    for name, command in listed:
        paragraphs = inspect.cleandoc(command.help or "").split("\n\n")[1:]
        assert not [p for p in paragraphs if "\n" in p], f"{name}: a paragraph of its help is broken into lines"


def test_no_flag_is_shown_as_if_it_took_a_value():
    # Typer 0.29 listed flags as `--force <bool>`: an analyst who then typed `--force true` was told of an
    # unexpected extra argument. A flag's line names the flag and what it does, and the flag alone works.
    runner = CliRunner()
    for name, command in commands():
        flags = [p for p in command.params if getattr(p, "is_flag", False) and p.name != "help"]
        shown = runner.invoke(app, [*name.split()[1:], "--help"], terminal_width=200).output
        assert "<bool>" not in shown, f"{name} --help shows a flag as taking a value"
        for flag in flags:
            line = next(line for line in shown.splitlines() if f" {flag.opts[0]} " in line)
            assert line.split(flag.opts[0], 1)[1].split()[0] not in {"<bool>", "BOOLEAN"}, f"{name}: {line}"
    build_flags = [p.opts[0] for p in dict(commands())["diagnoza build"].params if getattr(p, "is_flag", False)]
    assert "--force" in build_flags and "--dry-run" in build_flags
