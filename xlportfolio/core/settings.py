"""The workbook's settings as the commands use them, with a finding for every value they cannot.

A workbook made before the Settings table existed (or with a row deleted) reads the defaults;
a value that is not allowed reads the default too, and the finding names its cell.
"""
from __future__ import annotations

from dataclasses import dataclass

from xlportfolio.core.book import Book
from xlportfolio.core.codes import finding
from xlportfolio.core.config import Setting, read_rows
from xlportfolio.core.config.models import SETTING_TWICE
from xlportfolio.core.findings import Finding, Report
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
    read = read_rows(table, Setting, {"allowed": {CURRENCY: currencies, DECIMAL_SEPARATOR: SEPARATORS}})
    # A setting typed twice is read from its first row, whether that row's value is usable or not.
    first: dict[str, int] = {}
    findings: list[Finding] = []
    for row, name in zip(table.frame.index, table.frame["setting"]):
        setting = Setting.known(name, {"allowed": DEFAULTS})
        if setting is None:
            continue
        if setting in first:
            findings.append(finding(SETTING_TWICE, table, int(row), "setting", name, setting=setting,
                                    first=first[setting]))
        else:
            first[setting] = int(row)
    findings += [f for f in read.findings if f.row == first.get(Setting.known(f.item, {"allowed": DEFAULTS}))]
    values = {s.setting: s.value for s in read.rows if s.row == first.get(s.setting)}
    return Settings(values.get(CURRENCY, DEFAULTS[CURRENCY]), values.get(DECIMAL_SEPARATOR, DEFAULTS[DECIMAL_SEPARATOR]),
                    tuple(Report.of(findings).findings))
