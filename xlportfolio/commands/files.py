"""One way to run any command on a workbook file: open it, run the command, save it once.

    outcome = on_file("validate", "book.xlsx", validate.Options(as_of=day), output="checked.xlsx")

Opening refuses what cannot be used (errors.XlPortfolioError, exit 2) before any work; a command
that only reads (verify, report) never writes the workbook back.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from xlportfolio import registry
from xlportfolio.commands.base import STATUS_PREFIX, Outcome
from xlportfolio.errors import XlPortfolioError
from xlportfolio.files.workbook import open_book, read_book_file


def on_file(command: str, path: str | Path, options: BaseModel | None = None, output: str | Path | None = None,
            on_step: Callable[[str], None] | None = None) -> Outcome:
    """Run registry command `command` on the workbook file at `path` with `options` (default: its
    defaults); save in place, or to `output`. `on_step` hears each step a command names (run's
    commands, consolidate's files) and then "save"."""
    spec = registry.BY_ID[command]
    module = spec.module()
    options = module.Options() if options is None else options
    if not spec.saves:
        if output is not None:
            raise XlPortfolioError(path, f"{command} only reads the workbook; it has no --output.")
        with read_book_file(path) as wb:
            return module.run(wb, options)
    with open_book(path, output=output, on_status=_step_names(on_step)) as wb:
        outcome = module.run(wb, options)
        if on_step:
            on_step("save")
        outcome.written = wb.save()
    return outcome


def _step_names(on_step: Callable[[str], None] | None) -> Callable[[str], None] | None:
    """The status texts a command shows in Excel's status bar, as step names ("" only clears it)."""
    if on_step is None:
        return None

    def status(text: str) -> None:
        if text:
            on_step(text.removeprefix(STATUS_PREFIX).rstrip("…").strip())
    return status
