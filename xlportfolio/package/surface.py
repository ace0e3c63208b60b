"""The package engine as a surface: the plan walk reads and edits a workbook file through it.

Reads come from python-calamine (made safe and exact by `reading`), cached per sheet for the
whole command chain; writes update that cache, so a later command of a `run` reads what an
earlier one wrote, and are collected as edits. Nothing is written until `write`: then each
changed user sheet is rewritten once (only the cells in the plan), each generated sheet is
written fresh, and every other part is copied byte for byte.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any, BinaryIO

from xlportfolio.core.book import split_cell
from xlportfolio.core.plan import CellIs, ChartSpec, ColorScale, Formula, Link, PrintSetup
from xlportfolio.package import opc
from xlportfolio.package.book import Package
from xlportfolio.package.cell_edit import CellEdit, Grown
from xlportfolio.package.cells import same
from xlportfolio.package.generated import Generated, print_area_ref, print_titles_ref
from xlportfolio.package.notes import R_THREADED, SheetNotes
from xlportfolio.package.sheet_reads import SheetReads, table_info
from xlportfolio.package.styles import KEEP
from xlportfolio.package.writing import commit
from xlportfolio.surface.protocol import Cell, CellStyle, Prior, TableInfo


class PackageSurface(SheetReads):
    def __init__(self, package: Package):
        super().__init__(package)
        self.generated: dict[str, Generated] = {}  # by case-folded name
        self.edits: dict[str, dict[Cell, CellEdit]] = {}
        self.notes: dict[str, SheetNotes] = {}
        self.resized: dict[str, tuple[TableInfo, list[str]]] = {}
        self.grown: dict[str, list[Grown]] = {}

    def _gen(self, name: str) -> Generated | None:
        return self.generated.get(name.casefold())

    # --- reading --------------------------------------------------------------------------------
    def sheet_names(self) -> list[str]:
        return [s.name for s in self.package.sheets]

    def tables(self) -> list[TableInfo]:
        out = []
        for part in self.package.tables():
            if part.name.casefold() in self.resized:
                out.append(self.resized[part.name.casefold()][0])
                continue
            info = table_info(part)
            if info is not None and self._gen(info.sheet) is None:
                out.append(info)
        return out

    def block(self, sheet: str, first_row: int, first_col: int, last_row: int, last_col: int) -> list[list[Any]]:
        gen = self._gen(sheet)
        if gen is not None:
            last_row = min(last_row, gen.extent()[0])
            rows = dict(gen.rows(first_row, first_col, last_row, last_col))
            blank = [None] * (last_col - first_col + 1)
            return [rows.get(r, blank) for r in range(first_row, last_row + 1)]
        return self._sheet_values(sheet).block(first_row, first_col, last_row, last_col)

    def rows(self, sheet: str, first_row: int, first_col: int, last_row: int,
             last_col: int) -> Iterator[tuple[int, list[Any]]]:
        gen = self._gen(sheet)
        if gen is not None:
            yield from gen.rows(first_row, first_col, last_row, last_col)
            return
        yield from self._sheet_values(sheet).rows(first_row, first_col, last_row, last_col)

    def extent(self, sheet: str) -> tuple[int, int]:
        gen = self._gen(sheet)
        return gen.extent() if gen is not None else self._sheet_values(sheet).extent()

    def merged(self, sheet: str) -> list[tuple[int, int, int, int]]:
        if self._gen(sheet) is not None:
            return []
        self._sheet_values(sheet)
        return self._merged.get(sheet, [])

    def name_text(self, name: str) -> str | None:
        return self.package.defined_name(name)

    def set_name_text(self, name: str, text: str) -> None:
        self.package.set_defined_name(name, text)

    def doc_property(self, name: str) -> str | None:
        return self.package.doc_property(name)

    def set_doc_property(self, name: str, value: str) -> None:
        self.package.set_doc_property(name, value)

    # --- cells ----------------------------------------------------------------------------------
    def write(self, sheet: str, row: int, col: int, rows: Sequence[Sequence[Any]],
              number_format: str | None = None) -> None:
        gen = self._gen(sheet)
        if gen is not None:
            gen.write(row, col, rows)
            if number_format:
                width = max((len(r) for r in rows), default=1)
                gen.styles.append((row, col, row + len(rows) - 1, col + width - 1,
                                   CellStyle(number_format=number_format)))
            return
        values = self._sheet_values(sheet)
        edits = self.edits.setdefault(sheet, {})
        for r, line in enumerate(rows, start=row):
            for c, value in enumerate(line, start=col):
                if value == "":
                    value = None  # an empty text is a blank cell, as Excel keeps it
                old = values.get(r, c)
                if not same(old, value):
                    edits.setdefault((r, c), CellEdit()).value = value
                    values.set(r, c, _as_read(value))
                if number_format and (value is not None or old is not None):
                    edits.setdefault((r, c), CellEdit()).number_format = number_format

    def paint(self, sheet: str, fills: dict[Cell, str]) -> None:
        edits = self.edits.setdefault(sheet, {})
        for cell, fill in fills.items():
            edits.setdefault(cell, CellEdit()).fill = fill or ""

    def _notes(self, sheet: str) -> SheetNotes:
        if sheet not in self.notes:
            ref = self.package.worksheet(sheet)
            comments = next(iter(self.package.related(ref.part, opc.R_COMMENTS)), None) if ref else None
            vml = next(iter(self.package.related(ref.part, opc.R_VML)), None) if ref else None
            notes = SheetNotes(comments, vml, self.package.read(comments) if comments else b"")
            for part in (self.package.related(ref.part, R_THREADED) if ref else []):
                notes.threaded |= {split_cell(m.decode()) for m in
                                   re.findall(rb'\bref="([A-Z]{1,3}\d{1,7})"', self.package.read(part))}
            self.notes[sheet] = notes
        return self.notes[sheet]

    def priors(self, sheet: str, cells: Sequence[Cell]) -> dict[Cell, Prior | None]:
        notes = self._notes(sheet)
        edits = self.edits.get(sheet, {})
        grown = self.grown.get(sheet, [])
        current = {cell: self._edit_now(edits.get(cell), grown, cell) for cell in cells}
        models = {e.model for e in current.values() if e is not None and e.model is not None}
        styles = self.cell_styles(sheet, [*cells, *models])
        out: dict[Cell, Prior | None] = {}
        for cell in cells:
            if cell in notes.threaded:
                out[cell] = None  # a threaded comment's stand-in note: never written over
                continue
            note = notes.get(cell)
            out[cell] = (self._fill_now(current[cell], styles, cell), *(note or ("", "")))
        return out

    @staticmethod
    def _edit_now(edit: CellEdit | None, grown: list[Grown], cell: Cell) -> CellEdit | None:
        """The cell's pending edit, with the model of the table rows it was added in."""
        if edit is not None and edit.model is not None:
            return edit
        for g in grown:
            if g.first_row <= cell[0] <= g.last_row and g.first_col <= cell[1] <= g.last_col:
                model = g.edit(cell[1])
                return model if edit is None else CellEdit(edit.value, edit.fill, edit.number_format, model.model,
                                                           model.model_fill)
        return edit

    def _fill_now(self, edit: CellEdit | None, styles: dict[Cell, int], cell: Cell) -> str:
        """A cell's fill as this command chain has left it so far."""
        if edit is not None and edit.fill is not KEEP:
            return edit.fill
        if edit is not None and edit.model is not None and cell not in styles:
            if edit.model_fill is not KEEP:
                return edit.model_fill
            return self.styles.fill_rgb(styles.get(edit.model, 0))
        return self.styles.fill_rgb(styles.get(cell, 0))

    def cell_styles(self, sheet: str, cells: Sequence[Cell]) -> dict[Cell, int]:
        """The style index each cell has in the file (0 for a cell that is not there)."""
        from xlportfolio.package.sheet_cells import cell_styles

        ref = self.package.worksheet(sheet)
        if ref is None or not cells:
            return {}
        try:
            return cell_styles(self.sheet_bytes(ref), cells, self.shape(ref).regular)
        except (ValueError, IndexError, AttributeError) as exc:  # XML no spreadsheet program writes
            from xlportfolio.package.writing import unreadable

            raise unreadable(self.source, sheet, exc) from None

    def set_notes(self, sheet: str, notes: dict[Cell, tuple[str, str] | None]) -> None:
        target = self._notes(sheet)
        for cell, note in notes.items():
            target.set(cell, note)

    # --- tables ---------------------------------------------------------------------------------
    def resize_table(self, table: TableInfo, last_row: int, last_col: int, new_headers: Sequence[str]) -> TableInfo:
        key = table.name.casefold()
        headers = self.resized[key][1] if key in self.resized else []
        grown = TableInfo(table.name, table.sheet, table.first_row, table.first_col, last_row, last_col)
        self.resized[key] = (grown, [*headers, *new_headers])
        return grown

    def copy_formats(self, sheet: str, model_row: int, first_col: int, last_col: int, first_row: int,
                     last_row: int, marked: dict[Cell, str]) -> None:
        fills = {c: fill for (r, c), fill in marked.items() if r == model_row}
        self.grown.setdefault(sheet, []).append(Grown(first_row, last_row, first_col, last_col, model_row, fills))

    # --- generated sheets -----------------------------------------------------------------------
    def fresh_sheet(self, name: str, hidden: bool, before: str | None = None) -> None:
        ref = self.package.sheet(name)
        if ref is None:
            ref = self.package.add_sheet(name, hidden, before)
        else:
            self.package.set_hidden(ref, hidden)
        self.generated[name.casefold()] = Generated(ref.name, hidden)
        self.values.pop(ref.name, None)
        self.edits.pop(ref.name, None)
        self.notes.pop(ref.name, None)

    def style(self, sheet: str, first_row: int, first_col: int, last_row: int, last_col: int,
              style: CellStyle) -> None:
        self._gen(sheet).styles.append((first_row, first_col, last_row, last_col, style))

    def links(self, sheet: str, links: Sequence[tuple[int, int, Link]]) -> None:
        self._gen(sheet).links.extend(links)

    def widths(self, sheet: str, widths: Sequence[float]) -> None:
        self._gen(sheet).widths = tuple(widths)

    def freeze(self, sheet: str, cell: str) -> None:
        self._gen(sheet).freeze = cell

    def autofilter(self, sheet: str, ref: str) -> None:
        self._gen(sheet).autofilter = ref

    def chart(self, sheet: str, spec: ChartSpec, titles: Sequence[str]) -> None:
        self._gen(sheet).charts.append((spec, tuple(titles)))

    def conditional(self, sheet: str, rule: ColorScale | CellIs) -> None:
        self._gen(sheet).conditional.append(rule)

    def print_setup(self, sheet: str, setup: PrintSetup) -> None:
        gen = self._gen(sheet)
        gen.print = setup
        titles = print_titles_ref(gen.name, setup.title_rows) if setup.title_rows else None
        self.package.set_sheet_name(gen.name, "_xlnm.Print_Titles", titles)
        self.package.set_sheet_name(gen.name, "_xlnm.Print_Area", print_area_ref(gen.name, setup.area)
                                    if setup.area else None)

    def activate(self, sheet: str) -> None:
        self.package.activate(sheet)

    def finish(self) -> None:
        pass

    # --- the new file ---------------------------------------------------------------------------
    def changed(self) -> bool:
        """Whether writing would change anything (checked after the parts are prepared)."""
        return self.package.changed()

    def prepare(self) -> None:
        """Turn the collected edits into parts; `save_to` then writes the package."""
        self.values.clear()  # the reads are no longer needed: free them before the parts are made
        commit(self)

    def save_to(self, out: BinaryIO) -> None:
        """Write the new package to `out` (after `prepare`)."""
        self.package.write(out)



def _as_read(value: Any) -> Any:
    """What reading the cell back gives once the value is written: a link's text, a formula's result."""
    if isinstance(value, Link):
        return value.text
    if isinstance(value, Formula):
        return value.value
    return value
