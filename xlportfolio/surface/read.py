"""The one reader: governed tables from any surface's plain values, built by the core once."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xlportfolio.core.book import Book, SheetTable, column_letter, table_from_grid
from xlportfolio.core.values import CellError, Uncalculated, is_blank
from xlportfolio.schema import LISTS, SETTINGS, Table
from xlportfolio.surface.protocol import Surface, TableInfo


def table_index(surface: Surface) -> dict[str, TableInfo]:
    """Every Excel Table by case-folded name (the first one wins, as Excel allows no twins)."""
    found: dict[str, TableInfo] = {}
    for info in surface.tables():
        found.setdefault(info.name.casefold(), info)
    return found


def sheet_named(surface: Surface, name: str) -> str | None:
    """The sheet called `name` as the workbook spells it; Excel's sheet names ignore case."""
    return next((s for s in surface.sheet_names() if s.casefold() == name.casefold()), None)


def header_of(surface: Surface, sheet: str, row: int, first_col: int, last_col: int) -> list[Any]:
    found = surface.block(sheet, row, first_col, row, last_col)
    return list(found[0]) if found else [None] * (last_col - first_col + 1)


def read_table(surface: Surface, index: dict[str, TableInfo], schema: Table, source: str) -> SheetTable | None:
    """`schema` from its Excel Table, or from row 1 of a sheet of that name, or None."""
    info = index.get(schema.name.casefold())
    if info is not None:
        # One read for header and body: a desktop engine pays a round trip per read.
        rows = surface.rows(info.sheet, info.first_row, info.first_col, info.last_row, info.last_col)
        first = next(rows, None)
        width = info.last_col - info.first_col + 1
        header = list(first[1]) if first is not None and first[0] == info.first_row else [None] * width
        body = rows if first is None or first[0] == info.first_row else _chain(first, rows)
        return table_from_grid(schema, info.sheet, header, body, header_row=info.first_row, first_col=info.first_col,
                               last_row=info.last_row, table_name=info.name, source=source,
                               merged=surface.merged(info.sheet))
    sheet = sheet_named(surface, schema.sheet)
    if sheet is None:
        return None
    # A plain range: headers are row 1 up to its last non-blank cell; the table ends at the last
    # row holding a value in those columns.
    last_row, last_col = surface.extent(sheet)
    header = header_of(surface, sheet, 1, 1, max(last_col, 1))
    width = max((c for c, v in enumerate(header, start=1) if not is_blank(v)), default=1)
    body = list(surface.rows(sheet, 2, 1, max(last_row, 1), width))
    last = body[-1][0] if body else 1
    return table_from_grid(schema, sheet, header[:width], body, header_row=1, first_col=1, last_row=last,
                           table_name=None, source=source, merged=surface.merged(sheet))


def _chain(first, rest):
    yield first
    yield from rest


def read_lists(surface: Surface, index: dict[str, TableInfo]) -> dict[str, tuple[str, ...]]:
    """The value lists from the Lists sheet's tables; schema defaults where a list is missing."""
    lists = {}
    for lst in LISTS:
        info = index.get(lst.table_name.casefold())
        if info is None:
            lists[lst.name] = lst.values
            continue
        values = surface.rows(info.sheet, info.first_row + 1, info.first_col, info.last_row, info.first_col)
        lists[lst.name] = tuple(str(v[0]).strip() for _, v in values if not is_blank(v[0]))
    return lists


def read_book(surface: Surface, source: str, tables: Sequence[Table]) -> Book:
    index = table_index(surface)
    book = Book(source=source, lists=read_lists(surface, index))
    for schema in tables:
        table = read_table(surface, index, schema, source)
        if table is not None:
            book.tables[schema.name] = table
    # Every command may need the settings (the currency of its money cells); only the Excel Table
    # is read, never a sheet of the name, which may well be a person's own.
    settings = SETTINGS.table
    if settings.name not in book.tables and settings.name.casefold() in index:
        book.tables[settings.name] = read_table(surface, index, settings, source)
    return book


def sheet_rows(surface: Surface, name: str) -> list[tuple] | None:
    """All values of a sheet from A1 to its last value, row 1 first; None for no such sheet.

    An error cell gives its code as text and a formula its saved result, on every surface.
    """
    sheet = sheet_named(surface, name)
    if sheet is None:
        return None
    last_row, last_col = surface.extent(sheet)
    if not last_row:
        return []
    out = [(None,) * last_col] * last_row
    for row, values in surface.rows(sheet, 1, 1, last_row, last_col):
        out[row - 1] = tuple(_raw(v) for v in values)
    return out


def table_grid(surface: Surface, name: str) -> tuple[str, str, list[list]] | None:
    """An Excel Table's cells, header row first, with where it sits: (sheet, ref, rows)."""
    info = table_index(surface).get(name.casefold())
    if info is None:
        return None
    ref = f"{column_letter(info.first_col)}{info.first_row}:{column_letter(info.last_col)}{info.last_row}"
    width = info.last_col - info.first_col + 1
    rows = [[None] * width for _ in range(info.last_row - info.first_row + 1)]
    for row, values in surface.rows(info.sheet, info.first_row, info.first_col, info.last_row, info.last_col):
        rows[row - info.first_row] = [_raw(v) if isinstance(v, Uncalculated) else v for v in values]
    return info.sheet, ref, rows


def _raw(value: Any) -> Any:
    if isinstance(value, CellError):
        return value.code
    if isinstance(value, Uncalculated):
        return None
    return value
