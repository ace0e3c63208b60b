"""The Settings table's check: a value the commands cannot use is named by its cell."""
from __future__ import annotations

from xlportfolio.core.book import Book, SheetTable
from xlportfolio.core.checks.registry import Context, check
from xlportfolio.core.codes import define
from xlportfolio.core.findings import Finding, Severity
from xlportfolio.schema.settings import SETTINGS

SETTING_INVALID = define(
    "setting-invalid", Severity.ERROR,
    "{setting} '{value}' is not one of {allowed}; choose one of them. Until then {default} is used.")
SETTING_TWICE = define(
    "setting-twice", Severity.WARNING,
    "{setting} is set twice (also row {first}); the first is used. Delete one of the rows.")


@check("settings", SETTINGS.table.name, [SETTING_INVALID, SETTING_TWICE])
def check_settings(table: SheetTable, book: Book, context: Context) -> list[Finding]:
    from xlportfolio.core.settings import read_settings  # the reader builds its findings with this module's codes

    return list(read_settings(book).findings)
