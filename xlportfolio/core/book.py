"""The workbook as the core sees it: tables as DataFrames that remember their cells."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from xlportfolio.core.values import is_blank
from xlportfolio.errors import TemplateError
from xlportfolio.schema import Table


@dataclass
class SheetTable:
    """One governed table read from a workbook.

    `frame` holds the raw cell values; its index is the Excel row a person sees, and its
    columns are the schema's column names (extra user columns keep their header text).
    Blank rows are left out.
    """

    schema: Table
    sheet: str
    frame: pd.DataFrame
    letters: dict[str, str]  # frame column -> column letter
    headers: dict[str, str]  # frame column -> header text as it stands in the workbook
    header_row: int
    table_name: str | None = None  # the Excel Table's name, None for a plain range
    last_row: int | None = None  # last row of the table's range, blank rows included

    @property
    def missing_columns(self) -> list[str]:
        return [c.name for c in self.schema.columns if c.name not in self.letters]

    def header(self, name: str) -> str:
        return self.headers.get(name) or self.schema.column(name).label


@dataclass
class Book:
    """What the adapters hand the core: the tables found plus the workbook's lists."""

    source: str  # file path or workbook name, for messages
    tables: dict[str, SheetTable] = field(default_factory=dict)
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def table(self, name: str) -> SheetTable | None:
        return self.tables.get(name)


def column_letter(column: int) -> str:
    """Column number (1 = A) to its letters."""
    out = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


def column_number(letters: str) -> int:
    """Column letters to their number (A = 1)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def split_cell(coord: str) -> tuple[int, int]:
    """'E12' -> (row 12, column 5)."""
    letters = coord.rstrip("0123456789")
    return int(coord[len(letters):]), column_number(letters.lstrip("$").rstrip("$"))


def table_from_grid(schema: Table, sheet: str, header: list, body: Iterable[tuple[int, list]], *,
                    header_row: int, first_col: int, last_row: int, table_name: str | None, source: str,
                    merged: Iterable[tuple[int, int, int, int]] = ()) -> SheetTable:
    """The core's table from plain values as any surface reads them: the header row's values and
    the body's (row, values) pairs (blank rows are left out of the frame, whose index is the row).

    A blank, duplicate or merged header aborts naming the cell, since the columns could not be
    told apart.
    """
    for top, left, bottom, right in merged:
        if top <= header_row <= bottom and left <= first_col + len(header) - 1 and right >= first_col:
            coord = f"{column_letter(left)}{top}:{column_letter(right)}{bottom}"
            raise TemplateError(source, f"sheet '{sheet}', {coord}: the header row has merged cells; "
                                "unmerge them so each column has its own header.")
    headers = _headers(sheet, header, header_row, first_col, source)
    names: dict[int, str] = {}
    for col, text in headers.items():
        match = schema.match_header(text)
        names[col] = match.name if match and match.name not in names.values() else text
    index, records = [], []
    width = len(headers)
    for row, record in body:
        for v in record:  # a row with any value is kept (most rows: the first cell decides)
            if v is not None and not is_blank(v):
                index.append(row)
                records.append(record if len(record) == width else (list(record) + [None] * width)[:width])
                break
    cols = list(headers)
    frame = pd.DataFrame(records, index=pd.Index(index, name="row"), columns=[names[c] for c in cols], dtype=object)
    return SheetTable(
        schema=schema, sheet=sheet, frame=frame,
        letters={names[c]: column_letter(c) for c in cols},
        headers={names[c]: headers[c] for c in cols},
        header_row=header_row, table_name=table_name, last_row=last_row,
    )


def _headers(sheet: str, row: list, header_row: int, first_col: int, source: str) -> dict[int, str]:
    """Column number -> header text; a blank or duplicate header aborts naming the cell."""
    headers: dict[int, str] = {}
    seen: dict[str, str] = {}
    for col, value in enumerate(row, start=first_col):
        coord = f"{column_letter(col)}{header_row}"
        if is_blank(value):
            raise TemplateError(source, f"sheet '{sheet}', {coord}: a header cell is blank; give the column a name.")
        text = str(value).strip()
        if text.casefold() in seen:
            raise TemplateError(source, f"sheet '{sheet}', {coord}: header '{text}' appears twice "
                                f"(also {seen[text.casefold()]}); rename one of them.")
        seen[text.casefold()] = coord
        headers[col] = text
    return headers
