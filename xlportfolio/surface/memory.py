"""A workbook held in dicts: the surface tests use to see what the plan walk does, cell by cell."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from xlportfolio.core.plan import CellIs, ChartSpec, ColorScale, Link, PrintSetup
from xlportfolio.surface.protocol import Cell, CellStyle, Prior, TableInfo


@dataclass
class MemorySheet:
    name: str
    cells: dict[Cell, Any] = field(default_factory=dict)
    fills: dict[Cell, str] = field(default_factory=dict)
    notes: dict[Cell, tuple[str, str]] = field(default_factory=dict)
    styles: dict[Cell, CellStyle] = field(default_factory=dict)
    links: dict[Cell, Link] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    widths: tuple[float, ...] = ()
    freeze: str | None = None
    autofilter: str | None = None
    hidden: bool = False
    charts: list[tuple[ChartSpec, tuple[str, ...]]] = field(default_factory=list)
    conditional: list[ColorScale | CellIs] = field(default_factory=list)
    print: PrintSetup | None = None

    def value(self, coord: str) -> Any:
        from xlportfolio.core.book import split_cell

        return self.cells.get(split_cell(coord))


class MemorySurface:
    """Sheets in tab order, Excel Tables, names and document properties, all in memory."""

    def __init__(self, source: str = "memory.xlsx"):
        self.source = source
        self.sheets: dict[str, MemorySheet] = {}
        self.tables_: list[TableInfo] = []
        self.names: dict[str, str] = {}
        self.properties: dict[str, str] = {}
        self.active: str | None = None

    # --- building a workbook in a test ----------------------------------------------------------
    def add_sheet(self, name: str, rows: Sequence[Sequence[Any]] = (), *, top: int = 1, left: int = 1) -> MemorySheet:
        sheet = self.sheets.setdefault(name, MemorySheet(name))
        for r, values in enumerate(rows, start=top):
            for c, value in enumerate(values, start=left):
                if value is not None:
                    sheet.cells[(r, c)] = value
        return sheet

    def add_table(self, name: str, sheet: str, rows: Sequence[Sequence[Any]], *, top: int = 1, left: int = 1) -> TableInfo:
        self.add_sheet(sheet, rows, top=top, left=left)
        info = TableInfo(name, sheet, top, left, top + len(rows) - 1, left + len(rows[0]) - 1)
        self.tables_.append(info)
        return info

    def __getitem__(self, name: str) -> MemorySheet:
        return self.sheets[name]

    # --- reading --------------------------------------------------------------------------------
    def sheet_names(self) -> list[str]:
        return list(self.sheets)

    def tables(self) -> list[TableInfo]:
        return list(self.tables_)

    def block(self, sheet: str, first_row: int, first_col: int, last_row: int, last_col: int) -> list[list[Any]]:
        cells = self.sheets[sheet].cells
        return [[cells.get((r, c)) for c in range(first_col, last_col + 1)] for r in range(first_row, last_row + 1)]

    def rows(self, sheet: str, first_row: int, first_col: int, last_row: int, last_col: int):
        cells = self.sheets[sheet].cells
        present = sorted({r for (r, c), v in cells.items() if first_row <= r <= last_row and first_col <= c <= last_col
                          and v is not None and v != ""})
        for r in present:
            yield r, [cells.get((r, c)) for c in range(first_col, last_col + 1)]

    def extent(self, sheet: str) -> tuple[int, int]:
        cells = [k for k, v in self.sheets[sheet].cells.items() if v is not None and v != ""]
        return (max((r for r, _ in cells), default=0), max((c for _, c in cells), default=0))

    def merged(self, sheet: str) -> list[tuple[int, int, int, int]]:
        return list(self.sheets[sheet].merged)

    def name_text(self, name: str) -> str | None:
        return next((v for k, v in self.names.items() if k.casefold() == name.casefold()), None)

    def set_name_text(self, name: str, text: str) -> None:
        self.names[name] = text

    def doc_property(self, name: str) -> str | None:
        return self.properties.get(name)

    def set_doc_property(self, name: str, value: str) -> None:
        self.properties[name] = value

    # --- cells ----------------------------------------------------------------------------------
    def write(self, sheet: str, row: int, col: int, rows: Sequence[Sequence[Any]],
              number_format: str | None = None) -> None:
        target = self.sheets[sheet]
        for r, values in enumerate(rows, start=row):
            for c, value in enumerate(values, start=col):
                if isinstance(value, Link):
                    value = value.text
                if value is None:
                    target.cells.pop((r, c), None)
                else:
                    target.cells[(r, c)] = value
                if number_format:
                    target.styles[(r, c)] = _merge(target.styles.get((r, c)), CellStyle(number_format=number_format))

    def paint(self, sheet: str, fills: dict[Cell, str]) -> None:
        target = self.sheets[sheet]
        for cell, fill in fills.items():
            if fill:
                target.fills[cell] = fill
            else:
                target.fills.pop(cell, None)

    def priors(self, sheet: str, cells: Sequence[Cell]) -> dict[Cell, Prior | None]:
        target = self.sheets[sheet]
        return {cell: (target.fills.get(cell, ""), *target.notes.get(cell, ("", ""))) for cell in cells}

    def set_notes(self, sheet: str, notes: dict[Cell, tuple[str, str] | None]) -> None:
        target = self.sheets[sheet]
        for cell, note in notes.items():
            if note is None:
                target.notes.pop(cell, None)
            else:
                target.notes[cell] = note

    # --- tables ---------------------------------------------------------------------------------
    def resize_table(self, table: TableInfo, last_row: int, last_col: int, new_headers: Sequence[str]) -> TableInfo:
        grown = replace(table, last_row=last_row, last_col=last_col)
        self.tables_ = [grown if t.name == table.name else t for t in self.tables_]
        return grown

    def copy_formats(self, sheet: str, model_row: int, first_col: int, last_col: int, first_row: int,
                     last_row: int, marked: dict[Cell, str]) -> None:
        target = self.sheets[sheet]
        for c in range(first_col, last_col + 1):
            fill = marked.get((model_row, c), target.fills.get((model_row, c)))
            for r in range(first_row, last_row + 1):
                if fill:
                    target.fills[(r, c)] = fill
                if (model_row, c) in target.styles:
                    target.styles[(r, c)] = target.styles[(model_row, c)]

    # --- generated sheets -----------------------------------------------------------------------
    def fresh_sheet(self, name: str, hidden: bool, before: str | None = None) -> None:
        if name in self.sheets or before not in self.sheets:
            self.sheets[name] = MemorySheet(name, hidden=hidden)  # an existing key keeps its place
            return
        order = list(self.sheets.items())
        at = [n for n, _ in order].index(before)
        self.sheets = dict([*order[:at], (name, MemorySheet(name, hidden=hidden)), *order[at:]])

    def style(self, sheet: str, first_row: int, first_col: int, last_row: int, last_col: int,
              style: CellStyle) -> None:
        target = self.sheets[sheet]
        for r in range(first_row, last_row + 1):
            for c in range(first_col, last_col + 1):
                target.styles[(r, c)] = _merge(target.styles.get((r, c)), style)

    def links(self, sheet: str, links: Sequence[tuple[int, int, Link]]) -> None:
        self.sheets[sheet].links.update({(r, c): link for r, c, link in links})

    def widths(self, sheet: str, widths: Sequence[float]) -> None:
        self.sheets[sheet].widths = tuple(widths)

    def freeze(self, sheet: str, cell: str) -> None:
        self.sheets[sheet].freeze = cell

    def autofilter(self, sheet: str, ref: str) -> None:
        self.sheets[sheet].autofilter = ref

    def chart(self, sheet: str, spec: ChartSpec, titles: Sequence[str]) -> None:
        self.sheets[sheet].charts.append((spec, tuple(titles)))

    def conditional(self, sheet: str, rule: ColorScale | CellIs) -> None:
        self.sheets[sheet].conditional.append(rule)

    def print_setup(self, sheet: str, setup: PrintSetup) -> None:
        self.sheets[sheet].print = setup

    def activate(self, sheet: str) -> None:
        self.active = sheet

    def finish(self) -> None:
        pass


def _merge(old: CellStyle | None, new: CellStyle) -> CellStyle:
    if old is None:
        return new
    return CellStyle(**{k: v if v is not None else getattr(old, k) for k, v in vars(new).items()})
