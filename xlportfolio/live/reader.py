"""Read governed tables from a workbook open in Excel, as `files.reader` reads them from a file.

Everything goes through xlwings' Book API as its desktop engines (Windows, macOS) and its
remote engine (xlwings Server, Office.js) all implement it: a table is read with one `.value`
of its whole range, never cell by cell, and the same rules as the file reader apply (header
matching, blank rows dropped, frame index = Excel row).

What the remote engine cannot tell, and how this degrades:
- merged header cells: it cannot read merge areas synchronously, so a merged header shows as
  a blank header cell, which aborts with the same "a header cell is blank" message;
- error values (#N/A, ...) arrive as their text, so a text cell that literally reads "#N/A"
  is taken for the error too;
- formulas: Excel hands over their results, so a table never holds `Uncalculated` here.
A table on a plain sheet (no Excel Table) ends at its last row holding a value; the file reader
also counts formatted blank cells, which only changes `last_row`.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter

from ..core.book import Book, SheetTable
from ..core.values import ERROR_CODES, CellError, is_blank
from ..errors import TemplateError
from ..schema import LISTS, Table


class TableIndex:
    """Every Excel Table (ListObject) of the book by case-folded name, found in one pass.

    Desktop engines pay a round trip per object they touch, so the sheets are walked once per
    command, not once per table looked up.
    """

    def __init__(self, book: Any):
        self.book = book
        self.tables: dict[str, tuple[Any, Any]] = {}
        for sheet in book.sheets:
            for table in sheet.tables:
                self.tables.setdefault(table.name.casefold(), (sheet, table))

    def find(self, name: str) -> tuple[Any, Any] | None:
        return self.tables.get(name.casefold())


def sheet_named(book: Any, name: str) -> Any | None:
    """The sheet called `name`; Excel's sheet names ignore case."""
    for sheet in book.sheets:
        if sheet.name.casefold() == name.casefold():
            return sheet
    return None


def table_bounds(table: Any) -> tuple[int, int, int, int]:
    """(first row, first column, last row, last column) of a table, totals row left out."""
    rng = table.range
    rows, cols = rng.shape
    last_row = rng.row + rows - 1 - (1 if table.show_totals else 0)
    return rng.row, rng.column, last_row, rng.column + cols - 1


def read_block(sheet: Any, first_row: int, first_col: int, last_row: int, last_col: int) -> list[list[Any]]:
    """The cell values of a block in one read, as the file reader would see them."""
    values = sheet.range((first_row, first_col), (last_row, last_col)).options(ndim=2, err_to_str=True).value
    return [[cell_value(v) for v in row] for row in values]


def cell_value(value: Any) -> Any:
    """One value as read through xlwings, made to match what openpyxl gives for the same cell.

    Desktop Excel hands every number over as a float: whole numbers become ints again, so an ID
    typed as 1001 or a ledger's Seq reads (and hashes) the same from a file and from Excel.
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value in ERROR_CODES:
        return CellError(value)
    return value


def used_block(sheet: Any) -> tuple[int, int]:
    """(last row, last column) of the sheet's used range, counted from A1."""
    last = sheet.used_range.last_cell
    return last.row, last.column


def read_table(index: TableIndex, schema: Table, source: str) -> SheetTable | None:
    """Read `schema` from its Excel Table, or from row 1 of a sheet of that name, or None."""
    found = index.find(schema.name)
    if found:
        sheet, table = found
        first_row, first_col, last_row, last_col = table_bounds(table)
        rows = read_block(sheet, first_row, first_col, last_row, last_col)
        name = table.name
    else:
        sheet = sheet_named(index.book, schema.sheet)
        if sheet is None:
            return None
        first_row, first_col = 1, 1
        rows = read_block(sheet, 1, 1, *used_block(sheet))
        last_col = max((c for c, v in enumerate(rows[0], start=1) if not is_blank(v)), default=1)
        rows = [row[:last_col] for row in rows]
        # The last row holding a value under the headers; trailing blank rows are not the table's.
        last_row = max((r for r, row in enumerate(rows, start=1) if any(not is_blank(v) for v in row)), default=1)
        rows = rows[:last_row]
        name = None
    headers = _headers(sheet.name, rows[0], first_row, first_col, source)
    return _frame(sheet.name, schema, headers, rows[1:], first_row, last_row, name)


def _headers(sheet: str, row: list[Any], header_row: int, first_col: int, source: str) -> dict[int, str]:
    """Column index -> header text; a blank or duplicate header aborts naming the cell."""
    headers: dict[int, str] = {}
    seen: dict[str, str] = {}
    for col, value in enumerate(row, start=first_col):
        coord = f"{get_column_letter(col)}{header_row}"
        if is_blank(value):
            raise TemplateError(source, f"sheet '{sheet}', {coord}: a header cell is blank; "
                                "give the column a name.")
        text = str(value).strip()
        if text.casefold() in seen:
            raise TemplateError(source, f"sheet '{sheet}', {coord}: header '{text}' appears twice "
                                f"(also {seen[text.casefold()]}); rename one of them.")
        seen[text.casefold()] = coord
        headers[col] = text
    return headers


def _frame(sheet: str, schema: Table, headers: dict[int, str], body: list[list[Any]], header_row: int,
           last_row: int, table_name: str | None) -> SheetTable:
    names: dict[int, str] = {}
    for col, text in headers.items():
        match = schema.match_header(text)
        names[col] = match.name if match and match.name not in names.values() else text
    index, records = [], []
    for row, record in enumerate(body, start=header_row + 1):
        if all(is_blank(v) for v in record):
            continue
        index.append(row)
        records.append(record)
    cols = list(headers)
    frame = pd.DataFrame(records, index=pd.Index(index, name="row"),
                         columns=[names[c] for c in cols], dtype=object)
    return SheetTable(
        schema=schema, sheet=sheet, frame=frame,
        letters={names[c]: get_column_letter(c) for c in cols},
        headers={names[c]: headers[c] for c in cols},
        header_row=header_row, table_name=table_name, last_row=last_row,
    )


def read_lists(index: TableIndex) -> dict[str, tuple[str, ...]]:
    """The value lists from the Lists sheet's tables; schema defaults where a list is missing."""
    lists = {}
    for lst in LISTS:
        found = index.find(lst.table_name)
        if not found:
            lists[lst.name] = lst.values
            continue
        sheet, table = found
        first_row, first_col, last_row, _ = table_bounds(table)
        if last_row <= first_row:
            lists[lst.name] = ()
            continue
        values = read_block(sheet, first_row + 1, first_col, last_row, first_col)
        lists[lst.name] = tuple(str(v).strip() for (v,) in values if not is_blank(v))
    return lists



def read_book(book: Any, source: str, tables: Sequence[Table]) -> Book:
    index = TableIndex(book)
    out = Book(source=source, lists=read_lists(index))
    for schema in tables:
        table = read_table(index, schema, source)
        if table is not None:
            out.tables[schema.name] = table
    return out
