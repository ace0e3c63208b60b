"""The surface protocol: the few things a workbook must let the plan walk read and change.

Three surfaces implement it: the package engine (a file, part by part), an xlwings Book (a
workbook open in Excel, desktop or remote) and an in-memory surface for tests. They hold no
business rules; `walk.apply_plan` and `read.read_book` are the one plan walk and the one reader
over all of them, so the file and the live path cannot drift.

Coordinates are Excel's: rows and columns count from 1. Values are plain Python values as a
person typed them (str, int, float, bool, date/datetime, None for blank), `CellError` for an
error cell and `Uncalculated` for a formula without a saved result; the plan's `Formula` and
`Link` are written as a formula and as text with a hyperlink.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from xlportfolio.core.plan import CellIs, ChartSpec, ColorScale, Link, PrintSetup

Cell = tuple[int, int]  # (row, column)
Prior = tuple[str, str, str]  # what a cell held before a mark: fill RGB ('' none), note, note author


@dataclass(frozen=True)
class TableInfo:
    """An Excel Table (ListObject): where it sits, header row first, totals row left out."""

    name: str
    sheet: str
    first_row: int
    first_col: int
    last_row: int
    last_col: int


@dataclass(frozen=True)
class CellStyle:
    """The look of cells on a generated sheet; None leaves an aspect as it is."""

    bold: bool | None = None
    font_color: str | None = None  # RGB
    font_size: float | None = None
    underline: bool | None = None
    fill: str | None = None  # RGB of a solid fill
    wrap: bool | None = None
    top: bool | None = None  # vertical alignment at the top
    number_format: str | None = None


class Surface(Protocol):
    source: str  # file path or book name, for messages

    # --- reading: plain grids -------------------------------------------------------------
    def sheet_names(self) -> list[str]: ...
    def tables(self) -> list[TableInfo]: ...
    def block(self, sheet: str, first_row: int, first_col: int, last_row: int, last_col: int) -> list[list[Any]]:
        """The values of a block, one list per row; rows past the sheet's last value may be left out."""
    def rows(self, sheet: str, first_row: int, first_col: int, last_row: int,
             last_col: int) -> Iterator[tuple[int, list[Any]]]:
        """(row, values) of the block's rows that hold a value, in order: a table body read at a
        cost of the rows present, however many rows its range claims."""
    def extent(self, sheet: str) -> tuple[int, int]:
        """(last row, last column) holding a value, counted from A1; (0, 0) for an empty sheet."""
    def merged(self, sheet: str) -> list[tuple[int, int, int, int]]:
        """Merged ranges as (first row, first column, last row, last column), where the surface can tell."""
    def name_text(self, name: str) -> str | None:
        """A workbook-level defined name's formula text, as stored (no leading '=')."""
    def set_name_text(self, name: str, text: str) -> None: ...
    def doc_property(self, name: str) -> str | None: ...
    def set_doc_property(self, name: str, value: str) -> None: ...

    # --- cells of any sheet -----------------------------------------------------------------
    def write(self, sheet: str, row: int, col: int, rows: Sequence[Sequence[Any]],
              number_format: str | None = None) -> None:
        """Values into the block at (row, col); text stays text, a None blanks the cell."""
    def paint(self, sheet: str, fills: dict[Cell, str]) -> None:
        """Solid fills by RGB; '' removes the fill."""
    def priors(self, sheet: str, cells: Sequence[Cell]) -> dict[Cell, Prior | None]:
        """What each cell holds now (fill, note, note author); None where a note cannot be read."""
    def set_notes(self, sheet: str, notes: dict[Cell, tuple[str, str] | None]) -> None:
        """Notes as (text, author); None removes the cell's note."""

    # --- tables ---------------------------------------------------------------------------------
    def resize_table(self, table: TableInfo, last_row: int, last_col: int, new_headers: Sequence[str]) -> TableInfo:
        """Grow a table to (last_row, last_col); `new_headers` name the columns added at its right."""
    def copy_formats(self, sheet: str, model_row: int, first_col: int, last_col: int, first_row: int,
                     last_row: int, marked: dict[Cell, str]) -> None:
        """New table rows (first_row to last_row) take the formats of a row a person typed: the
        first data row `model_row` (a surface that can only fill down takes the row above). A cell
        in `marked` carries a tool mark: the fill it replaced is copied, never the mark."""

    # --- generated sheets -----------------------------------------------------------------------
    def fresh_sheet(self, name: str, hidden: bool, before: str | None = None) -> None:
        """An empty sheet called `name`: cleared where it stands, or added before the tab `before`
        (after the last tab when None)."""
    def style(self, sheet: str, first_row: int, first_col: int, last_row: int, last_col: int,
              style: CellStyle) -> None: ...
    def links(self, sheet: str, links: Sequence[tuple[int, int, Link]]) -> None:
        """Hyperlinks to places in the workbook; the cells already hold the link text."""
    def widths(self, sheet: str, widths: Sequence[float]) -> None:
        """Column widths in characters, from column A."""
    def freeze(self, sheet: str, cell: str) -> None: ...
    def autofilter(self, sheet: str, ref: str) -> None: ...
    def chart(self, sheet: str, spec: ChartSpec, titles: Sequence[str]) -> None:
        """A native chart; `titles` are the series' header texts, in the order of `spec.series`."""
    def conditional(self, sheet: str, rule: ColorScale | CellIs) -> None: ...
    def print_setup(self, sheet: str, setup: PrintSetup) -> None:
        """Page setup, print titles and footer of a generated sheet (where the surface can set them)."""
    def activate(self, sheet: str) -> None:
        """The sheet the workbook opens on, the only one selected (a file's; an open book stays put)."""

    def finish(self) -> None:
        """The plan is applied (the live surface puts the person back on the sheet they were on)."""
