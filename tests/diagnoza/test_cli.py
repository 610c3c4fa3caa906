"""The command line's own text (`diagnoza.cli`): its errors are tested with each command's behaviour elsewhere."""

from __future__ import annotations

import inspect

from typer.main import get_command

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
