"""Turn one export column's raw cells into the typed values of its Intake column.

A cell that cannot be read surely keeps its raw text, and a finding says why: Validate then
reports the text again in the workbook, so nothing is ever guessed and nothing is lost. Text
stays exactly as exported (only surrounding spaces go), so '=HYPERLINK(...)' or '@SUM(1)' in a
description arrive as the plain strings they were, for the writer to store as text.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from openpyxl.utils.datetime import from_excel

from xlportfolio.core.findings import Finding
from xlportfolio.core.values import CellError, is_blank, is_number, show
from xlportfolio.crm.codes import (
    AMBIGUOUS_DATE,
    AMBIGUOUS_NUMBER,
    ERROR_VALUE,
    ID_CLEANED,
    UNPARSED_DATE,
    UNPARSED_NUMBER,
    cell_finding,
)
from xlportfolio.crm.dates import DAY_FIRST, MONTH_FIRST, column_order, parse_date
from xlportfolio.crm.numbers import AMBIGUOUS, column_decimal, parse_number
from xlportfolio.crm.source import Export
from xlportfolio.crm.texts import clean_id, visible
from xlportfolio.schema import Column, ColumnType

Problem = tuple[str, dict[str, Any]] | None  # (finding code, template fields)

_CURRENCIES = {"euro": "EUR", "€": "EUR", "us dollar": "USD", "$": "USD", "us$": "USD",
               "pound sterling": "GBP", "british pound": "GBP", "£": "GBP", "swiss franc": "CHF"}
_SERIALS = (18264, 109574)  # Excel serial numbers of 1950-01-01 and 2199-12-31


def convert_column(export: Export, index: int, column: Column, *, date_order: str | None = None,
                   id_prefix: str = "") -> tuple[list[Any], list[Finding]]:
    """The column's values, one per export row, and a finding for each cell kept as raw text."""
    cells = [cells[index] for _, cells in export.rows]
    texts = [c for c in cells if isinstance(c, str)]
    if column.type.is_numeric:
        decimal = column_decimal(texts)
        read = [number_value(c, decimal) for c in cells]
    elif column.type.is_date:
        order = column_order(texts) or date_order
        read = [date_value(c, order, export.epoch) for c in cells]
    else:
        read = [text_value(c, column, id_prefix) for c in cells]
    findings = [  # the finding's value is the text kept in the row
        cell_finding(problem[0], export.sheet, row, export.letter(index), export.headers[index], value,
                     **problem[1])
        for (row, _), (value, problem) in zip(export.rows, read) if problem
    ]
    return [value for value, _ in read], findings


def number_value(cell: Any, decimal: str | None) -> tuple[Any, Problem]:
    if is_blank(cell):
        return None, None
    if is_number(cell):
        return cell, None
    if isinstance(cell, CellError):
        return str(cell), (ERROR_VALUE, {})
    text = cell if isinstance(cell, str) else show(cell)
    value, why = parse_number(text, decimal)
    if why is None:
        return value, None
    if why == AMBIGUOUS:
        mark = next(c for c in text if c in ".,")
        grouped = parse_number(text, "," if mark == "." else ".")[0]
        return text, (AMBIGUOUS_NUMBER, {"grouped": show(grouped), "decimal": show(parse_number(text, mark)[0])})
    return text, (UNPARSED_NUMBER, {})


def date_value(cell: Any, order: str | None, epoch: dt.datetime | None) -> tuple[Any, Problem]:
    if is_blank(cell):
        return None, None
    if isinstance(cell, dt.datetime):
        return cell.date(), None
    if isinstance(cell, dt.date):
        return cell, None
    if isinstance(cell, CellError):
        return str(cell), (ERROR_VALUE, {})
    if is_number(cell) and epoch is not None and _SERIALS[0] <= cell <= _SERIALS[1]:
        return from_excel(cell, epoch).date(), None  # a date cell formatted as a number
    if not isinstance(cell, str):
        return cell, (UNPARSED_DATE, {})
    value, why = parse_date(cell, order)
    if why is None:
        return value, None
    if why == AMBIGUOUS:
        return cell, (AMBIGUOUS_DATE, {"day_first": parse_date(cell, DAY_FIRST)[0],
                                       "month_first": parse_date(cell, MONTH_FIRST)[0]})
    return cell, (UNPARSED_DATE, {})


def text_value(cell: Any, column: Column, id_prefix: str = "") -> tuple[Any, Problem]:
    if is_blank(cell):
        return None, None
    if isinstance(cell, CellError):
        return str(cell), (ERROR_VALUE, {})
    if isinstance(cell, bool):
        text = "TRUE" if cell else "FALSE"
    elif isinstance(cell, str):
        text = cell.strip(" ")  # only spaces: a leading tab or '=' is part of the text
    else:
        text = show(cell)  # 1001.0 -> '1001', a date -> '2026-03-31'
    if column.choices == "Currency":
        code = text.strip()
        text = _CURRENCIES.get(code.lower(), code.upper() if len(code) == 3 and code.isalpha() else text)
    if column.type is ColumnType.ID:
        return _id_value(text, id_prefix)
    return text, None


def _id_value(text: str, id_prefix: str) -> tuple[Any, Problem]:
    """The request ID: the CRM's ID as a person sees it (see texts.clean_id), after the preset's prefix."""
    clean, removed = clean_id(text)
    rid = id_prefix + clean if clean else None
    if not removed:
        return rid, None
    return rid, (ID_CLEANED, {"raw": visible(text), "removed": _listed(removed), "rid": rid or "blank"})


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
