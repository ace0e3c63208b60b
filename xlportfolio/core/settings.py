"""The workbook's settings as the commands use them, with a finding for every value they cannot.

A workbook made before the Settings table existed (or with a row deleted) reads the defaults;
a value that is not allowed reads the default too, and the finding names its cell.
"""
from __future__ import annotations

from dataclasses import dataclass

from xlportfolio.core.book import Book, SheetTable
from xlportfolio.core.checks.settings import SETTING_INVALID, SETTING_TWICE
from xlportfolio.core.codes import finding
from xlportfolio.core.findings import Finding
from xlportfolio.core.values import is_blank
from xlportfolio.schema.settings import CURRENCY, DECIMAL_SEPARATOR, DEFAULTS, SEPARATORS, SETTINGS


@dataclass(frozen=True)
class Settings:
    currency: str = DEFAULTS[CURRENCY]
    decimal_separator: str = DEFAULTS[DECIMAL_SEPARATOR]
    findings: tuple[Finding, ...] = ()

    @property
    def thousands_separator(self) -> str:
        return "," if self.decimal_separator == "." else "."


def read_settings(book: Book) -> Settings:
    """The Settings table's values, each checked; the defaults where the table, a row or a valid value is missing."""
    table = book.table(SETTINGS.table.name)
    if table is None or not {"setting", "value"} <= set(table.frame.columns):
        return Settings()
    currencies = tuple(book.lists.get("Currency") or ()) or (DEFAULTS[CURRENCY],)
    allowed = {CURRENCY: currencies, DECIMAL_SEPARATOR: SEPARATORS}
    values: dict[str, str] = {}
    first_row: dict[str, int] = {}
    findings: list[Finding] = []
    for row, name, value in zip(table.frame.index, table.frame["setting"], table.frame["value"]):
        setting = next((s for s in allowed if not is_blank(name) and str(name).strip().casefold() == s.casefold()),
                       None)
        if setting is None:
            continue  # a row of the PMO's own, or a setting of a later version
        if setting in first_row:
            findings.append(finding(SETTING_TWICE, table, int(row), "setting", name, setting=setting,
                                    first=first_row[setting]))
            continue
        first_row[setting] = int(row)
        text = "" if is_blank(value) else str(value).strip()
        match = next((a for a in allowed[setting] if a.casefold() == text.casefold()), None)
        if match is None:
            findings.append(_invalid(table, int(row), setting, value, allowed[setting]))
            continue
        values[setting] = match
    return Settings(values.get(CURRENCY, DEFAULTS[CURRENCY]), values.get(DECIMAL_SEPARATOR, DEFAULTS[DECIMAL_SEPARATOR]),
                    tuple(findings))


def _invalid(table: SheetTable, row: int, setting: str, value: object, allowed: tuple[str, ...]) -> Finding:
    shown = ", ".join(f"'{a}'" for a in allowed)
    return finding(SETTING_INVALID, table, row, "value", "" if is_blank(value) else value, setting=setting,
                   allowed=shown, default=f"'{DEFAULTS[setting]}'")

