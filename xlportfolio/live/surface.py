"""The surface protocol over a workbook open in Excel, through xlwings' Book API.

Only the part of the API that xlwings' desktop engines (Windows COM, macOS) and its remote
engine (xlwings Server, driving Office.js) all implement is used, so one code path serves
desktop Excel and a server. Reads are one `.value` per block, never cell by cell; writes are
batched: a block is one `.value` write of a 2-D list, fills go per run of equal cells down a
column, notes and hyperlinks per cell. A sheet's notes are read once into an index by cell, so
no note is looked up among all of them. On the remote engine the writes of values, fills, notes
and hyperlinks queue the very actions xlwings' calls would queue, built directly
(`xlportfolio.live.actions`): xlwings' own calls scan every note of the sheet per note and copy
the whole sheet per value write, which made a click cost the square of its findings.

What the remote engine cannot do, and how this degrades:
- error values (#N/A, ...) arrive as their text, so a text cell that literally reads "#N/A" is
  taken for the error too; formulas arrive as their results (never `Uncalculated`);
- merged header cells cannot be read synchronously, so a merged header shows as a blank header
  cell, which aborts with the same "a header cell is blank" message;
- fills and notes cannot be read: a cell marked for the first time is recorded as having had no
  fill (fixing it clears the template's input colour), and a cell with a note that is not the
  tool's own is left unmarked rather than lose that note (its finding stays on Findings);
  restored notes get the current Excel user as author (xlwings cannot set one);
- a generated sheet is cleared in place rather than deleted and re-added, so formulas on other
  sheets that point at it keep working; it keeps frozen panes and filters it had, and a new one
  gets none (xlwings has no freeze or filter call common to its engines);
- charts take one source range, so series that are not side by side are drawn from the block
  that spans them; column widths go to desktop engines in characters and to the remote one in
  points, assuming the default font;
- a protected sheet: Excel refuses writes to its locked cells, and xlwings has no protection
  API common to its engines, so the command stops with Excel's message;
- new table rows take the formats of the row above them (autofill), not of the first data row;
  document properties are out of reach: properties live in workbook names only;
- page setup (landscape, one page wide, print titles, footer) goes through Excel's own object
  model on Windows only (xlwings has no call for it); elsewhere a generated sheet prints with
  Excel's defaults. An open workbook stays on the sheet the person is on.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from xlportfolio.core.plan import CellIs, ChartSpec, ColorScale, Link, PrintSetup
from xlportfolio.core.values import is_blank
from xlportfolio.live.actions import NoteIndex, cell_action, remote_book, values_action
from xlportfolio.live.generated import native_chart, page_setup, wipe
from xlportfolio.live.notes import book_notes, prior_of, put_note
from xlportfolio.live.values import color_runs, converter, hex_color, is_numeric, read_block, table_bounds
from xlportfolio.surface.protocol import Cell, CellStyle, Prior, TableInfo


class LiveSurface:
    def __init__(self, book: Any):
        self.book = book
        self.source = book.name
        self.active = book.sheets.active
        self.added = False
        self._sheets: dict[str, Any] = {}
        self._tables: dict[str, Any] | None = None
        self.remote = remote_book(book)  # None on desktop Excel
        self._notes: dict[str, Any] = {}  # sheet -> its notes, read once (NoteIndex, or cell -> Note)

    # --- where things are -------------------------------------------------------------------------
    def _sheet(self, name: str) -> Any | None:
        key = name.casefold()
        if key not in self._sheets:
            self._sheets[key] = next((s for s in self.book.sheets if s.name.casefold() == key), None)
        return self._sheets[key]

    def _table(self, name: str) -> Any | None:
        """The xlwings table object; the sheets are walked once (desktop engines pay per object)."""
        if self._tables is None:
            self._tables = {}
            for sheet in self.book.sheets:
                for table in sheet.tables:
                    self._tables.setdefault(table.name.casefold(), (sheet, table))
        found = self._tables.get(name.casefold())
        return found[1] if found else None

    # --- reading --------------------------------------------------------------------------------
    def sheet_names(self) -> list[str]:
        return [s.name for s in self.book.sheets]

    def tables(self) -> list[TableInfo]:
        self._table("")
        return [TableInfo(table.name, sheet.name, *table_bounds(table)) for sheet, table in self._tables.values()]

    def block(self, sheet: str, first_row: int, first_col: int, last_row: int, last_col: int) -> list[list[Any]]:
        if last_row < first_row or last_col < first_col:
            return []
        return read_block(self._sheet(sheet), first_row, first_col, last_row, last_col)

    def rows(self, sheet: str, first_row: int, first_col: int, last_row: int,
             last_col: int) -> Iterator[tuple[int, list[Any]]]:
        for r, values in enumerate(self.block(sheet, first_row, first_col, last_row, last_col), start=first_row):
            if any(not is_blank(v) for v in values):
                yield r, values

    def extent(self, sheet: str) -> tuple[int, int]:
        last = self._sheet(sheet).used_range.last_cell
        return last.row, last.column

    def merged(self, sheet: str) -> list[tuple[int, int, int, int]]:
        return []

    def name_text(self, name: str) -> str | None:
        found = self._name(name)
        return found.refers_to.lstrip("=") if found is not None and found.refers_to else None

    def set_name_text(self, name: str, text: str) -> None:
        found = self._name(name)
        if found is not None:
            found.refers_to = "=" + text
        else:
            self.book.names.add(name, "=" + text)

    def _name(self, key: str) -> Any | None:
        return next((n for n in self.book.names if n.name.casefold() == key.casefold()), None)

    def doc_property(self, name: str) -> str | None:
        return None

    def set_doc_property(self, name: str, value: str) -> None:
        pass

    # --- cells ----------------------------------------------------------------------------------
    def write(self, sheet: str, row: int, col: int, rows: Sequence[Sequence[Any]],
              number_format: str | None = None) -> None:
        if not rows:
            return
        target = self._sheet(sheet)
        width = max(len(r) for r in rows)
        convert = converter()
        grid = [[convert(v) for v in r] + [None] * (width - len(r)) for r in rows]
        rng = target.range((row, col), (row + len(rows) - 1, col + width - 1))
        if self.remote is not None:  # the action `.value = grid` queues, without xlwings' copies of the sheet
            self.remote.json()["actions"].append(values_action(grid, target.index - 1, row, col))
        else:
            rng.value = grid
        if number_format:
            rng.number_format = number_format

    def paint(self, sheet: str, fills: dict[Cell, str]) -> None:
        by_column: dict[int, dict[int, str | None]] = {}
        for (r, c), fill in fills.items():
            by_column.setdefault(c, {})[r] = hex_color(fill)
        target = self._sheet(sheet)
        if self.remote is not None:  # the actions `.color = ...` would queue, without a Range each
            actions, position = self.remote.json()["actions"], target.index - 1
            for col, column in by_column.items():
                for first, last, fill in color_runs(column):
                    actions.append(cell_action("setRangeColor", [fill], position, first, col, last - first + 1))
            return
        for col, column in by_column.items():
            for first, last, fill in color_runs(column):
                target.range((first, col), (last, col)).color = fill

    def priors(self, sheet: str, cells: Sequence[Cell]) -> dict[Cell, Prior | None]:
        """What the cells held: their fill, and their note looked up in the sheet's notes read once."""
        notes = self._sheet_notes(sheet)
        if self.remote is not None:  # fills and note texts cannot be read: a noted cell is left alone
            return {cell: None if cell in notes else ("", "", "") for cell in cells}
        target = self._sheet(sheet)
        return {cell: prior_of(target.range(cell), notes.get(cell)) for cell in cells}

    def set_notes(self, sheet: str, notes: dict[Cell, tuple[str, str] | None]) -> None:
        index = self._sheet_notes(sheet)
        texts = ((cell, "" if note is None else note[0]) for cell, note in notes.items())
        if self.remote is not None:
            index.write(self._sheet(sheet).index - 1, texts)
            return
        target = self._sheet(sheet)
        for cell, text in texts:
            index[cell] = put_note(target.range(cell), index.get(cell), text)

    def _sheet_notes(self, name: str) -> Any:
        """The sheet's notes by cell, read once: no write looks a cell's note up among all of them."""
        if name not in self._notes:
            sheet = self._sheet(name)
            self._notes[name] = NoteIndex(self.remote, sheet.impl) if self.remote is not None else book_notes(sheet)
        return self._notes[name]

    # --- tables ---------------------------------------------------------------------------------
    def resize_table(self, table: TableInfo, last_row: int, last_col: int, new_headers: Sequence[str]) -> TableInfo:
        found = self._table(table.name)
        sheet = self._sheet(table.sheet)
        found.resize(sheet.range((table.first_row, table.first_col), (last_row, last_col)))
        return TableInfo(table.name, table.sheet, table.first_row, table.first_col, last_row, last_col)

    def copy_formats(self, sheet: str, model_row: int, first_col: int, last_col: int, first_row: int,
                     last_row: int, marked: dict[Cell, str]) -> None:
        """Fill formats down from the row above the new rows: what every engine can do."""
        target = self._sheet(sheet)
        above = first_row - 1
        first, last = (above, first_col), (above, last_col)
        target.range(first, last).autofill(target.range(first, (last_row, last_col)), "fill_formats")
        for col in range(first_col, last_col + 1):
            prior = marked.get((above, col))
            if prior is not None:
                target.range((first_row, col), (last_row, col)).color = hex_color(prior)

    # --- generated sheets -----------------------------------------------------------------------
    def fresh_sheet(self, name: str, hidden: bool, before: str | None = None) -> None:
        sheet = self._sheet(name)
        if sheet is None:
            self.added = True
            follower = self._sheet(before) if before else None
            if follower is None:
                sheet = self.book.sheets.add(name, after=self.book.sheets[-1])
            else:
                # `after` the tab to its left: the remote engine's `before` lands one tab too early
                at = follower.index
                sheet = (self.book.sheets.add(name, after=self.book.sheets[at - 2]) if at > 1
                         else self.book.sheets.add(name, before=follower))
            self._sheets[name.casefold()] = sheet
        else:
            wipe(sheet)
        if sheet.visible == hidden:
            sheet.visible = not hidden

    def style(self, sheet: str, first_row: int, first_col: int, last_row: int, last_col: int,
              style: CellStyle) -> None:
        rng = self._sheet(sheet).range((first_row, first_col), (last_row, last_col))
        if style.fill is not None:
            rng.color = hex_color(style.fill)
        if style.bold is not None:
            rng.font.bold = style.bold
        if style.font_color is not None:
            rng.font.color = hex_color(style.font_color)
        if style.wrap is not None:
            rng.wrap_text = style.wrap
        if style.top:
            try:
                rng.vertical_alignment = "top"
            except NotImplementedError:  # remote clients other than Office.js
                pass
        if style.number_format is not None:
            rng.number_format = style.number_format

    def links(self, sheet: str, links: Sequence[tuple[int, int, Link]]) -> None:
        target = self._sheet(sheet)
        if self.remote is not None:  # the actions `add_hyperlink` would queue, without a Range each
            actions, position = self.remote.json()["actions"], target.index - 1
            actions.extend(cell_action("addHyperlink", [f"#{link.location}", link.text, f"{link.sheet}!{link.cell}"],
                                       position, r, c) for r, c, link in links)
            return
        for r, c, link in links:
            target.range((r, c)).add_hyperlink(f"#{link.location}", link.text, f"{link.sheet}!{link.cell}")

    def widths(self, sheet: str, widths: Sequence[float]) -> None:
        target = self._sheet(sheet)
        for c, width in enumerate(widths, start=1):
            target.range((1, c)).column_width = self._width(width)

    def _width(self, characters: float) -> float:
        """A column width in characters in the engine's unit: desktop engines take characters;
        xlwings Server and Lite take points (7 pixels a character plus 5, a pixel 0.75 points)."""
        if self.book.app.engine.name in ("remote", "officejs"):
            return round((characters * 7 + 5) * 0.75, 2)
        return characters

    def freeze(self, sheet: str, cell: str) -> None:
        pass  # freezing panes is remote-only in xlwings

    def autofilter(self, sheet: str, ref: str) -> None:
        pass  # xlwings has no filter call common to its engines

    def chart(self, sheet: str, spec: ChartSpec, titles: Sequence[str]) -> None:
        native_chart(self._sheet(sheet), spec)

    def conditional(self, sheet: str, rule: ColorScale | CellIs) -> None:
        formats = self._sheet(sheet).range(rule.ref).conditional_formats
        if isinstance(rule, ColorScale):
            formats.add_color_scale([hex_color(rule.low), hex_color(rule.high)])
        else:
            value = rule.value
            formula = str(value) if is_numeric(value) else '"' + str(value).replace('"', '""') + '"'
            formats.add_cell_value("equal_to", formula, fill_color=hex_color(rule.fill))

    def print_setup(self, sheet: str, setup: PrintSetup) -> None:
        if self.remote is None:  # xlwings' remote engine has no page layout call
            page_setup(self._sheet(sheet), setup)

    def activate(self, sheet: str) -> None:
        pass  # an open workbook stays on the sheet the person is on

    def finish(self) -> None:
        # Desktop Excel activates a sheet it adds; the person stays where they were.
        if self.added:
            self.active.activate()
            self.added = False
