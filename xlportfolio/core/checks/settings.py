"""The Settings table's check: a value the commands cannot use is named by its cell."""
from __future__ import annotations

from xlportfolio.core.book import Book, SheetTable
from xlportfolio.core.checks.registry import Context, check
from xlportfolio.core.config.models import SETTING_INVALID, SETTING_TWICE
from xlportfolio.core.findings import Finding
from xlportfolio.schema.settings import SETTINGS


@check("settings", SETTINGS.table.name, [SETTING_INVALID, SETTING_TWICE])
def check_settings(table: SheetTable, book: Book, context: Context) -> list[Finding]:
    from xlportfolio.core.settings import read_settings  # core.settings imports the checks' package: read it late

    return list(read_settings(book).findings)
