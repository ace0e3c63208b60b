"""The workbook as the core sees it: tables as DataFrames that remember their cells."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..schema import Table


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
