"""The registry is the one list of commands: the CLI, the ribbon and dispatch all come from it."""
import inspect

import typer.main

from xlportfolio import registry
from xlportfolio.cli import app


def cli_commands() -> list[str]:
    group = typer.main.get_group(app)
    return list(group.commands)


def test_every_registry_command_is_a_cli_command_in_registry_order():
    names = cli_commands()
    ids = [c.id for c in registry.COMMANDS]
    assert [n for n in names if n in ids] == ids
    # Everything else on the CLI is housekeeping, not a workbook command.
    assert set(names) - set(ids) <= {"new", "demo", "version", "addin", "serve"}


def test_each_command_names_a_function_that_takes_a_workbook():
    for command in registry.COMMANDS:
        func = command.function()
        params = list(inspect.signature(func).parameters)
        assert params, command.id
        if command.ribbon:
            assert params == ["wb"], f"{command.id}: a ribbon command runs on the open workbook alone"


def test_control_ids_are_unique_and_valid_for_ribbon_xml():
    ids = [c.control_id for c in registry.ribbon_commands()]
    assert len(ids) == len(set(ids))
    assert all(i.replace("_", "").isalnum() and i[0].isalpha() for i in ids)
    assert set(registry.BY_CONTROL) == set(ids)
    assert [c.group for c in registry.ribbon_commands()] == sorted(
        (c.group for c in registry.ribbon_commands()), key=registry.GROUPS.index)
