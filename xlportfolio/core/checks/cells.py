"""Cell-level checks any governed table gets from its schema: presence, types, lists."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from ...schema import Column, ColumnType
from ..book import Book, SheetTable
from ..findings import Finding, Severity
from ..values import CellError, Uncalculated, date_in_text, is_blank, is_date, is_number, number_in_text
from .registry import Context, check, define, finding

MISSING_COLUMN = define(
    "missing-column", Severity.ERROR,
    "Required column '{label}' is missing from table {table_name}; add it to the header row "
    "(the Instructions sheet lists every column).")
OPTIONAL_COLUMN = define(
    "optional-column-missing", Severity.WARNING,
    "Column '{label}' is missing from table {table_name}; add it to the header row to use it.")
MISSING_VALUE = define(
    "missing-value", Severity.ERROR, "{header} is required; enter {what}.")
ERROR_VALUE = define(
    "error-value", Severity.ERROR,
    "The cell holds the error {value}; fix the formula or type the value.")
NOT_A_NUMBER = define(
    "not-a-number", Severity.ERROR,
    "'{value}' is not a number; type a plain number such as 12500 (no text, units or currency signs).")
NUMBER_AS_TEXT = define(
    "number-as-text", Severity.ERROR,
    "{value} is stored as text, so Excel will not add it up; retype it as a number.")
NOT_WHOLE = define(
    "not-a-whole-number", Severity.ERROR, "{header} takes a whole number; {value} has decimals.")
NEGATIVE = define(
    "negative-amount", Severity.ERROR, "{header} cannot be negative ({value}); enter the amount as a positive number.")
NOT_A_DATE = define(
    "not-a-date", Severity.ERROR, "'{value}' is not a date; type a date such as {example}.")
DATE_AS_TEXT = define(
    "date-as-text", Severity.ERROR,
    "The date '{value}' is typed as text, so Excel cannot compute with it; retype it as a date ({iso}).")
IMPLAUSIBLE_DATE = define(
    "implausible-date", Severity.ERROR,
    "{value} is outside 1990-2100; check the year.")
UNCALCULATED = define(
    "uncalculated-formula", Severity.ERROR,
    "The formula {value} has no calculated result saved; open the workbook in Excel, save it, and run again.")
CHOICE_CASE = define(
    "choice-spelling", Severity.WARNING,
    "'{value}' is spelt differently from the {list} list; write it as '{exact}'.")
UNKNOWN_CHOICE = define(
    "unknown-choice", Severity.ERROR,
    "'{value}' is not in the {list} list; {hint}")

# Amounts and effort are never negative in intake; a refund is a benefit, not a negative cost.
_NON_NEGATIVE = (ColumnType.MONEY, ColumnType.NUMBER, ColumnType.INTEGER, ColumnType.PERCENT)
_EARLIEST, _LATEST = dt.date(1990, 1, 1), dt.date(2100, 12, 31)


def cell_checks(table_name: str) -> None:
    """Register the schema-driven cell checks for one table."""

    @check(f"{table_name.lower()}-columns", table_name, [MISSING_COLUMN, OPTIONAL_COLUMN])
    def columns(table: SheetTable, book: Book, context: Context) -> Iterator[Finding]:
        for name in table.missing_columns:
            col = table.schema.column(name)
            if col.computed:
                continue  # commands add their own columns
            yield finding(MISSING_COLUMN if col.required else OPTIONAL_COLUMN, table, table.header_row, None,
                          label=col.label, table_name=table.table_name or table.sheet)

    codes = [MISSING_VALUE, ERROR_VALUE, NOT_A_NUMBER, NUMBER_AS_TEXT, NOT_WHOLE, NEGATIVE,
             NOT_A_DATE, DATE_AS_TEXT, IMPLAUSIBLE_DATE, UNCALCULATED, CHOICE_CASE, UNKNOWN_CHOICE]

    @check(f"{table_name.lower()}-cells", table_name, codes)
    def cells(table: SheetTable, book: Book, context: Context) -> Iterator[Finding]:
        for col in table.schema.input_columns:
            if col.name not in table.frame.columns:
                continue
            allowed = book.lists.get(col.choices, ()) if col.choices else ()
            lookup = {v.casefold().strip(): v for v in allowed}
            for row, value in table.frame[col.name].items():
                yield from _cell(table, col, int(row), value, lookup)


def _cell(table: SheetTable, col: Column, row: int, value: Any,
          allowed: dict[str, str]) -> Iterator[Finding]:
    if is_blank(value):
        if col.required:
            yield finding(MISSING_VALUE, table, row, col.name, what=_what(col))
        return
    if isinstance(value, CellError):
        yield finding(ERROR_VALUE, table, row, col.name, value)
        return
    if isinstance(value, Uncalculated):
        yield finding(UNCALCULATED, table, row, col.name, value)
        return
    kind = col.type
    if kind.is_numeric:
        yield from _number(table, col, row, value)
    elif kind.is_date:
        yield from _date(table, col, row, value)
    elif kind is ColumnType.CHOICE:
        yield from _choice(table, col, row, value, allowed)


def _number(table: SheetTable, col: Column, row: int, value: Any) -> Iterator[Finding]:
    if isinstance(value, str):
        code = NUMBER_AS_TEXT if number_in_text(value) else NOT_A_NUMBER
        yield finding(code, table, row, col.name, value)
    elif not is_number(value):
        yield finding(NOT_A_NUMBER, table, row, col.name, value)
    elif value < 0 and col.type in _NON_NEGATIVE:
        yield finding(NEGATIVE, table, row, col.name, value)
    elif col.type is ColumnType.INTEGER and not float(value).is_integer():
        yield finding(NOT_WHOLE, table, row, col.name, value)


def _date(table: SheetTable, col: Column, row: int, value: Any) -> Iterator[Finding]:
    if is_date(value):
        day = value.date() if isinstance(value, dt.datetime) else value
        if not _EARLIEST <= day <= _LATEST:
            yield finding(IMPLAUSIBLE_DATE, table, row, col.name, value)
        return
    if isinstance(value, str) and (parsed := date_in_text(value)):
        yield finding(DATE_AS_TEXT, table, row, col.name, value, iso=parsed.isoformat())
        return
    yield finding(NOT_A_DATE, table, row, col.name, value, example="2026-03-31")


def _choice(table: SheetTable, col: Column, row: int, value: Any,
            allowed: dict[str, str]) -> Iterator[Finding]:
    text = str(value).strip()
    if text in allowed.values():
        return
    near = allowed.get(text.casefold())
    if near:  # Excel compares without case, so rollups still count it: a warning, not an error
        yield finding(CHOICE_CASE, table, row, col.name, value, list=col.choices, exact=near)
        return
    shown = ", ".join(list(allowed.values())[:12])
    hint = f"choose one of: {shown} (or ask the PMO to add it on the Lists sheet)."
    yield finding(UNKNOWN_CHOICE, table, row, col.name, value, list=col.choices, hint=hint)


def _what(col: Column) -> str:
    if col.type is ColumnType.CHOICE:
        return "a value from the dropdown"
    if col.type.is_date:
        return "a date"
    if col.type.is_numeric:
        return "a number"
    if col.description:
        return f"a value ({col.description.rstrip('.')})"
    return "a value"
