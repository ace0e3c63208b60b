"""Every command's --help, read as a person reads it: no Python type names, usage lines that read
`validate [OPTIONS] BOOK`, and nothing of the help text lost to markup."""
from __future__ import annotations

import re

import click
import pytest
import typer.main
from typer.testing import CliRunner

from xlportfolio.cli import app
from xlportfolio.registry import COMMANDS

runner = CliRunner()


def command_paths(command: click.Command, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    """The root, every group and every command under it, as the words a person types."""
    found = [(path, command)]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found += command_paths(sub, (*path, name))
    return found


ROOT = typer.main.get_command(app)
PATHS = command_paths(ROOT)
TYPE_NAMES = re.compile(r"<(bool|str|float|int|list\[[^\]]*\]|int range|Path)>|\{[a-z_]+\}")


def help_text(path: tuple[str, ...]) -> str:
    result = runner.invoke(app, [*path, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_walk_reaches_every_registered_command_and_the_others():
    names = {p[0] for p, _ in PATHS if len(p) == 1}
    assert {c.id for c in COMMANDS} <= names
    assert {"new", "demo", "version", "addin", "serve", "schema"} <= names
    assert {("new", "intake"), ("new", "portfolio"), ("addin", "build"), ("addin", "install"),
            ("addin", "manifest")} <= {p for p, _ in PATHS}


@pytest.mark.parametrize("path", [p for p, _ in PATHS], ids=[" ".join(p) or "xlportfolio" for p, _ in PATHS])
def test_help_shows_no_type_names_and_plain_usage(path):
    text = help_text(path)
    assert not TYPE_NAMES.search(text), TYPE_NAMES.search(text).group(0)
    usage = next(line for line in text.splitlines() if "Usage:" in line)
    command = dict(PATHS)[path]
    for param in command.params:
        if param.param_type_name == "argument":
            name = param.name.upper()
            assert (name if param.required else f"[{name}]") in usage.split(), usage
    # A switch takes no value: its row holds the option's name and its help, nothing between.
    for param in command.params:
        if getattr(param, "is_flag", False):
            row = next(line for line in text.splitlines() if f"{param.opts[0]} " in line)
            between = row.split(param.opts[0], 1)[1].split(param.help.split()[0], 1)[0]
            assert re.fullmatch(r"\s*(-\w\s*)?", between), row
    # --help itself is a switch too
    help_row = next(line for line in text.splitlines() if "--help" in line and "Show this message" in line)
    assert re.search(r"--help\s+Show this message", help_row), help_row


@pytest.mark.parametrize("path, label", [(("validate",), "--as-of"), (("report",), "--since"),
                                         (("select",), "--budget"), (("demo",), "--seed"),
                                         (("validate",), "--output")])
def test_a_value_says_what_to_type(path, label):
    row = next(line for line in help_text(path).splitlines() if label + " " in line)
    assert re.search(r"<(date|number|integer|path|text|amount)>|[A-Z]{3,}", row.split(label, 1)[1]), row


def test_square_brackets_in_help_text_are_kept():
    """Rich markup would eat '[ledger]' as a style tag; the text must say where the key goes."""
    assert "[ledger]" in help_text(("verify",))
