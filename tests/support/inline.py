"""Build governed tables from text drawn like the sheet a person sees, for readable tests.

    | Request ID | Title   | Due date   |
    | REQ-1      | Portal  | 2026-03-31 |      <- Excel row 2
    | REQ-2      |         | '15.03.2026' |    <- quoted: text, as typed into a cell

Cells: blank -> empty; 12 or 1.5 -> number; 2026-03-31 -> a date cell; '...' -> text;
#REF! and friends -> an error cell. Columns are matched to the schema by header.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter

from xlportfolio.core.book import Book, SheetTable
from xlportfolio.core.values import ERROR_CODES, CellError
from xlportfolio.schema import LISTS, Table


def cell(text: str) -> Any:
    text = text.strip()
    if not text:
        return None
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1]
    if text in ERROR_CODES:
        return CellError(text)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return dt.date.fromisoformat(text)
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    return text


def table(schema: Table, text: str, sheet: str | None = None) -> SheetTable:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    rows = [[c for c in ln.strip("|").split("|")] for ln in lines]
    headers = [h.strip() for h in rows[0]]
    names = []
    for h in headers:
        col = schema.match_header(h)
        names.append(col.name if col else h)
    records = [[cell(c) for c in r] for r in rows[1:]]
    frame = pd.DataFrame(records, index=pd.Index(range(2, 2 + len(records)), name="row"),
                         columns=names, dtype=object)
    return SheetTable(schema=schema, sheet=sheet or schema.sheet, frame=frame,
                      letters={n: get_column_letter(i + 1) for i, n in enumerate(names)},
                      headers=dict(zip(names, headers)), header_row=1, table_name=schema.name,
                      last_row=1 + len(records))


def book(*tables: SheetTable, lists: dict[str, tuple[str, ...]] | None = None) -> Book:
    defaults = {lst.name: lst.values for lst in LISTS}
    return Book(source="test.xlsx", tables={t.schema.name: t for t in tables},
                lists=defaults | (lists or {}))
