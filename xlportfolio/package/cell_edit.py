"""What a plan changes in a user's sheet, as the sheet rewrite (`sheet_edit`) takes it: an edit
per cell, the rows a table grew by, and the workbook context the new cells need.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xlportfolio.package.styles import KEEP, StyleBook

Cell = tuple[int, int]


@dataclass(slots=True)
class CellEdit:
    """What a plan changes in one cell; KEEP leaves an aspect as it is."""

    value: Any = KEEP
    fill: Any = KEEP  # RGB, or '' for no fill
    number_format: Any = KEEP
    model: Cell | None = None  # a new table row's cell takes this cell's style ...
    model_fill: Any = KEEP  # ... with this fill where a tool mark covers the model


@dataclass(frozen=True)
class Grown:
    """Rows a table grew by: their cells look like the model row's (a tool mark's prior fill
    standing in where a mark covers the model), whether or not a value goes in."""

    first_row: int
    last_row: int
    first_col: int
    last_col: int
    model_row: int
    marked: dict[int, str]  # column -> the fill a tool mark on the model cell replaced

    def edit(self, col: int) -> CellEdit:
        return CellEdit(model=(self.model_row, col), model_fill=self.marked.get(col, KEEP))


@dataclass
class SheetContext:
    styles: StyleBook
    date1904: bool
    legacy: tuple[str, str] | None = None  # ("add", rId) or ("remove", rId)



def with_model(edit: CellEdit, model: CellEdit) -> CellEdit:
    """The edit, taking the look of a grown table row's model unless it has a model of its own."""
    if edit.model is not None:
        return edit
    return CellEdit(edit.value, edit.fill, edit.number_format, model.model, model.model_fill)
