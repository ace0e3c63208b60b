"""Read governed tables from an openpyxl workbook into DataFrames that remember their cells."""
from __future__ import annotations

from typing import Any

import pandas as pd
from openpyxl.cell.rich_text import CellRichText
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..core.book import Book, SheetTable
from ..core.values import CellError, Uncalculated, is_blank
from ..errors import TemplateError
from ..schema import LISTS, Table


def find_table(wb: Workbook, name: str) -> tuple[Worksheet, Any] | None:
    """The Excel Table (ListObject) called `name`, case-insensitively, on any sheet."""
    wanted = name.casefold()
    for ws in wb.worksheets:
        for table in ws.tables.values():
            if table.name.casefold() == wanted:
                return ws, table
    return None


def read_table(wb: Workbook, schema: Table, source: str) -> SheetTable | None:
    """Read `schema` from its Excel Table, or from row 1 of a sheet of that name, or None."""
    found = find_table(wb, schema.name)
    if found:
        ws, table = found
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        max_row -= table.totalsRowCount or 0
        name = table.name
    elif schema.sheet in wb.sheetnames:
        ws = wb[schema.sheet]
        min_row, min_col = 1, 1
        max_col = last_header_column(ws)
        max_row = last_data_row(ws, min_col, max_col)
        name = None
    else:
        return None
    headers = _headers(ws, min_row, min_col, max_col, source)
    return _frame(ws, schema, headers, min_row, max_row, name)


def last_data_row(ws: Worksheet, first_col: int, last_col: int) -> int:
    """The last row holding a cell within the columns (not ws.max_row: one far cell inflates it)."""
    return max((r for (r, c) in ws._cells if first_col <= c <= last_col), default=1)


def last_header_column(ws: Worksheet) -> int:
    cols = [c for (r, c), cell in ws._cells.items() if r == 1 and not is_blank(cell.value)]
    return max(cols, default=1)


def _headers(ws: Worksheet, row: int, first: int, last: int, source: str) -> dict[int, str]:
    """Column index -> header text; blank, duplicate or merged headers abort with the cell."""
    for merged in ws.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= last and merged.max_col >= first:
            raise TemplateError(source, f"sheet '{ws.title}', {merged.coord}: the header row has merged "
                                "cells; unmerge them so each column has its own header.")
    headers: dict[int, str] = {}
    seen: dict[str, str] = {}
    for col in range(first, last + 1):
        cell = ws._cells.get((row, col))
        coord = f"{get_column_letter(col)}{row}"
        if cell is None or is_blank(cell.value):
            raise TemplateError(source, f"sheet '{ws.title}', {coord}: a header cell is blank; "
                                "give the column a name.")
        text = str(cell.value).strip()
        if text.casefold() in seen:
            raise TemplateError(source, f"sheet '{ws.title}', {coord}: header '{text}' appears twice "
                                f"(also {seen[text.casefold()]}); rename one of them.")
        seen[text.casefold()] = coord
        headers[col] = text
    return headers


def _frame(ws: Worksheet, schema: Table, headers: dict[int, str], header_row: int,
           max_row: int, table_name: str | None) -> SheetTable:
    names: dict[int, str] = {}
    for col, text in headers.items():
        match = schema.match_header(text)
        names[col] = match.name if match and match.name not in names.values() else text
    cols = list(headers)
    # Only rows that hold cells are read: a range that claims a million rows costs nothing.
    cells = ws._cells
    occupied = sorted({r for (r, c) in cells if header_row < r <= max_row and cols[0] <= c <= cols[-1]})
    index, records = [], []
    for r in occupied:
        record = [_value(cells.get((r, c))) for c in cols]
        if all(is_blank(v) for v in record):
            continue
        index.append(r)
        records.append(record)
    frame = pd.DataFrame(records, index=pd.Index(index, name="row"),
                         columns=[names[c] for c in cols], dtype=object)
    return SheetTable(
        schema=schema, sheet=ws.title, frame=frame,
        letters={names[c]: get_column_letter(c) for c in cols},
        headers={names[c]: headers[c] for c in cols},
        header_row=header_row, table_name=table_name, last_row=max_row,
    )


def _value(cell: Any) -> Any:
    if cell is None:
        return None
    if cell.data_type == "e":
        return CellError(str(cell.value))
    value = cell.value
    if cell.data_type == "f":
        # The formula text is what openpyxl keeps; its cached result is read separately.
        return Uncalculated(str(getattr(value, "text", value)))
    if isinstance(value, CellRichText):  # the checks read the text; the formatting stays in the cell
        return str(value)
    return value


def read_lists(wb: Workbook) -> dict[str, tuple[str, ...]]:
    """The value lists from the Lists sheet's tables; schema defaults where a list is missing."""
    lists = {}
    for lst in LISTS:
        found = find_table(wb, lst.table_name)
        if not found:
            lists[lst.name] = lst.values
            continue
        ws, table = found
        min_col, min_row, _, max_row = range_boundaries(table.ref)
        values = [ws._cells.get((r, min_col)) for r in range(min_row + 1, max_row + 1)]
        lists[lst.name] = tuple(str(c.value).strip() for c in values if c is not None and not is_blank(c.value))
    return lists


def read_book(wb: Workbook, source: str, tables: list[Table]) -> Book:
    book = Book(source=source, lists=read_lists(wb))
    for schema in tables:
        table = read_table(wb, schema, source)
        if table is not None:
            book.tables[schema.name] = table
    return book


def resolve_formulas(path: str, book: Book) -> None:
    """Replace formula placeholders by the results the spreadsheet saved with the file.

    openpyxl keeps either formulas or their cached results, never both; a second, read-only
    pass fetches the results only when a governed table holds formulas at all.
    """
    pending = {name: _formula_cells(t) for name, t in book.tables.items()}
    if not any(pending.values()):
        return
    from openpyxl import load_workbook

    cached = load_workbook(path, read_only=True, data_only=True)
    try:
        for name, cells in pending.items():
            if cells:
                _fill_cached(cached[book.tables[name].sheet], book.tables[name], cells)
    finally:
        cached.close()


def _formula_cells(table: SheetTable) -> dict[tuple[int, int], str]:
    """(row, column index) -> frame column, for every formula placeholder in the table."""
    out = {}
    for col, series in table.frame.items():
        index = column_index_from_string(table.letters[col])
        for row, value in series.items():
            if isinstance(value, Uncalculated):
                out[(int(row), index)] = col
    return out


def _fill_cached(ws: Any, table: SheetTable, cells: dict[tuple[int, int], str]) -> None:
    rows = [r for r, _ in cells]
    for line in ws.iter_rows(min_row=min(rows), max_row=max(rows)):
        for cell in line:
            col = cells.get((getattr(cell, "row", None), getattr(cell, "column", None)))
            if col is None or cell.value is None:
                continue  # never calculated: the placeholder stays and is reported
            value = CellError(str(cell.value)) if cell.data_type == "e" else cell.value
            table.frame.at[cell.row, col] = value
