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
    assert set(names) - set(ids) <= {"new", "demo", "version", "addin", "serve", "schema"}


def test_each_command_is_run_on_a_workbook_with_its_options():
    for command in registry.COMMANDS:
        assert command.run.endswith(":run"), command.id
        params = list(inspect.signature(command.function()).parameters)
        assert params[:2] == ["wb", "options"], command.id
        if command.ribbon:  # the ribbon runs it with the defaults: no option may be required
            command.module().Options()


def test_control_ids_are_unique_and_valid_for_ribbon_xml():
    ids = [c.control_id for c in registry.ribbon_commands()]
    assert len(ids) == len(set(ids))
    assert all(i.replace("_", "").isalnum() and i[0].isalpha() for i in ids)
    assert set(registry.BY_CONTROL) == set(ids)
    assert [c.group for c in registry.ribbon_commands()] == sorted(
        (c.group for c in registry.ribbon_commands()), key=registry.GROUPS.index)
