"""Cell-level checks any governed table gets from its schema: presence, types, lists."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import partial
from operator import itemgetter
from typing import Any

from xlportfolio.core.book import Book, SheetTable
from xlportfolio.core.checks.registry import Context, check
from xlportfolio.core.codes import define, finding
from xlportfolio.core.findings import Finding, Severity
from xlportfolio.core.values import (
    CellError,
    Uncalculated,
    date_in_text,
    is_blank,
    is_date,
    is_number,
    number_in_text,
    read_once,
)
from xlportfolio.schema import Column, ColumnType

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
        rows = [int(r) for r in table.frame.index]
        for col in table.schema.input_columns:
            if col.name not in table.frame.columns:
                continue
            allowed = book.lists.get(col.choices, ()) if col.choices else ()
            lookup = {v.casefold().strip(): v for v in allowed}
            values = table.frame[col.name].tolist()
            verdicts = zip(rows, values, read_once(values, partial(_cell, col, lookup)))
            for row, value, (code, fields) in filter(itemgetter(2), verdicts):  # the cells with something wrong
                yield finding(code, table, row, col.name, None if code == MISSING_VALUE else value, **fields)


Verdict = tuple[str, dict[str, Any]] | None  # what is wrong with a cell: a finding code and its fields


def _cell(col: Column, allowed: dict[str, str], value: Any) -> Verdict:
    """What is wrong with one cell of a column, judged from its value alone (and the column's list)."""
    if is_blank(value):
        return (MISSING_VALUE, {"what": _what(col)}) if col.required else None
    if isinstance(value, CellError):
        return ERROR_VALUE, {}
    if isinstance(value, Uncalculated):
        return UNCALCULATED, {}
    kind = col.type
    if kind.is_numeric:
        return _number(col, value)
    if kind.is_date:
        return _date(value)
    if kind is ColumnType.CHOICE:
        return _choice(col, value, allowed)
    return None


def _number(col: Column, value: Any) -> Verdict:
    if isinstance(value, str):
        return (NUMBER_AS_TEXT if number_in_text(value) else NOT_A_NUMBER), {}
    if not is_number(value):
        return NOT_A_NUMBER, {}
    if value < 0 and col.type in _NON_NEGATIVE:
        return NEGATIVE, {}
    if col.type is ColumnType.INTEGER and not float(value).is_integer():
        return NOT_WHOLE, {}
    return None


def _date(value: Any) -> Verdict:
    if is_date(value):
        day = value.date() if isinstance(value, dt.datetime) else value
        return None if _EARLIEST <= day <= _LATEST else (IMPLAUSIBLE_DATE, {})
    if isinstance(value, str) and (parsed := date_in_text(value)):
        return DATE_AS_TEXT, {"iso": parsed.isoformat()}
    return NOT_A_DATE, {"example": "2026-03-31"}


def _choice(col: Column, value: Any, allowed: dict[str, str]) -> Verdict:
    text = str(value).strip()
    if text in allowed.values():
        return None
    near = allowed.get(text.casefold())
    if near:  # Excel compares without case, so rollups still count it: a warning, not an error
        return CHOICE_CASE, {"list": col.choices, "exact": near}
    shown = ", ".join(list(allowed.values())[:12])
    hint = f"choose one of: {shown} (or ask the PMO to add it on the Lists sheet)."
    return UNKNOWN_CHOICE, {"list": col.choices, "hint": hint}


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
