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

import re
from collections.abc import Iterator, Sequence
from typing import Any

from xlportfolio.core.plan import CellIs, ChartSpec, ColorScale, Formula, Link, PrintSetup
from xlportfolio.core.values import ERROR_CODES, CellError, Uncalculated, is_blank
from xlportfolio.live.actions import NoteIndex, cell_action, remote_book, values_action
from xlportfolio.surface.protocol import Cell, CellStyle, Prior, TableInfo

POINTS_PER_CM = 72 / 2.54
CHART_TYPES = {"line": "line", "column": "column_clustered", "bar": "bar_clustered",
               "scatter": "xy_scatter_lines"}  # openpyxl's scatter style is lineMarker
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
# Text Excel reads as a date without a leading digit: "Jan 26", "March 2026", "Sep-5".
_MONTH_DATE = re.compile(rf"^({_MONTHS})[a-z]*\.?([\s,/.-]+\d{{1,4}}){{0,2}}$", re.IGNORECASE)
_QUOTE_FIRST = frozenset("=+-@'#(.$€£¥%")
_MONTH_STARTS = frozenset(_MONTHS.split("|"))  # the regex only for text that starts like a month


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
        convert = _converter()
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
        return {cell: _prior(target.range(cell), notes.get(cell)) for cell in cells}

    def set_notes(self, sheet: str, notes: dict[Cell, tuple[str, str] | None]) -> None:
        index = self._sheet_notes(sheet)
        texts = ((cell, "" if note is None else note[0]) for cell, note in notes.items())
        if self.remote is not None:
            index.write(self._sheet(sheet).index - 1, texts)
            return
        target = self._sheet(sheet)
        for cell, text in texts:
            index[cell] = _put_note(target.range(cell), index.get(cell), text)

    def _sheet_notes(self, name: str) -> Any:
        """The sheet's notes by cell, read once: no write looks a cell's note up among all of them."""
        if name not in self._notes:
            sheet = self._sheet(name)
            self._notes[name] = NoteIndex(self.remote, sheet.impl) if self.remote is not None else _book_notes(sheet)
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
            _wipe(sheet)
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
        if self.remote is not None:
            return  # xlwings' remote engine has no page layout call
        try:
            page = self._sheet(sheet).api.PageSetup
            page.Orientation = 2 if setup.landscape else 1  # xlLandscape, xlPortrait
            page.Zoom = False  # the fit-to-pages settings count only without a zoom
            page.FitToPagesWide = setup.fit_width
            page.FitToPagesTall = setup.fit_height or False
            first, last = setup.title_rows or (0, 0)
            page.PrintTitleRows = f"${first}:${last}" if setup.title_rows else ""
            page.PrintArea = setup.area or ""
            for section, text in footer_sections(setup.footer).items():
                setattr(page, f"{section}Footer", text)
            target = self._sheet(sheet).api
            target.ResetAllPageBreaks()  # the breaks of the sheet's last run
            for row in setup.breaks:
                target.HPageBreaks.Add(Before=target.Range(f"A{row}"))
        except Exception:  # noqa: BLE001 - macOS' AppleScript object model has other names: Excel's defaults stay
            pass

    def activate(self, sheet: str) -> None:
        pass  # an open workbook stays on the sheet the person is on

    def finish(self) -> None:
        # Desktop Excel activates a sheet it adds; the person stays where they were.
        if self.added:
            self.active.activate()
            self.added = False


def footer_sections(footer: str) -> dict[str, str]:
    """An Excel footer code ("&L&F&C&A&R&D") as its Left, Center and Right texts."""
    parts = re.split(r"&([LCR])", footer)
    names = {"L": "Left", "C": "Center", "R": "Right"}
    return {names[code]: text for code, text in zip(parts[1::2], parts[2::2])}


# --- reading values ----------------------------------------------------------------------------

def table_bounds(table: Any) -> tuple[int, int, int, int]:
    """(first row, first column, last row, last column) of a table, totals row left out."""
    rng = table.range
    rows, cols = rng.shape
    last_row = rng.row + rows - 1 - (1 if table.show_totals else 0)
    return rng.row, rng.column, last_row, rng.column + cols - 1


def read_block(sheet: Any, first_row: int, first_col: int, last_row: int, last_col: int) -> list[list[Any]]:
    """The cell values of a block in one read, as the file reader sees them."""
    values = sheet.range((first_row, first_col), (last_row, last_col)).options(ndim=2, err_to_str=True).value
    return [[cell_value(v) for v in row] for row in values]


def cell_value(value: Any) -> Any:
    """One value as read through xlwings, made to match the file reader's.

    Desktop Excel hands every number over as a float: whole numbers become ints again, so an ID
    typed as 1001 or a ledger's Seq reads (and hashes) the same from a file and from Excel.
    """
    if isinstance(value, str):  # most cells: tested first
        if value in ERROR_CODES:
            return CellError(value)
        return None if value == "" else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# --- writing values ----------------------------------------------------------------------------

def needs_quote(text: str) -> bool:
    """Whether Excel could read `text` as anything but that text.

    Every engine writes a value as if it were typed (COM `Range.Value`, AppleScript, Office.js
    `range.values`): "=..." becomes a formula, "00123" the number 123, "2026-06-30" a date,
    "TRUE" a boolean. Such text gets the leading apostrophe all of them honour, as the file
    engine writes text as text. Generous on purpose: quoting text that would have stayed text
    costs nothing visible, a missed case changes the data. (The apostrophe also keeps xlwings'
    Office.js client from turning an ISO timestamp, a ledger's When, into a localised date.)
    """
    s = text.strip()
    if not s:
        return False
    return (s[0] in _QUOTE_FIRST or s[0].isdigit() or text[0] == "'"
            or s.casefold() in ("true", "false")
            or s[:3].casefold() in _MONTH_STARTS and bool(_MONTH_DATE.match(s)))


def to_excel(value: Any) -> Any:
    """A plan value as it goes into a `.value` write."""
    if isinstance(value, Formula):
        return value.text  # a live formula on purpose: it is how a number traces to its source
    if isinstance(value, Link):
        value = value.text  # the hyperlink is added to the cell on its own
    elif isinstance(value, (CellError, Uncalculated)):
        value = str(value)
    if isinstance(value, str) and needs_quote(value):
        return "'" + value
    return value


def _converter() -> Any:
    """`to_excel` for one write, each distinct text checked once (Findings repeat their texts)."""
    texts: dict[str, str] = {}

    def convert(value: Any) -> Any:
        if type(value) is str:
            found = texts.get(value)
            if found is None:
                found = texts[value] = to_excel(value)
            return found
        return to_excel(value)
    return convert


def is_numeric(value: Any) -> bool:
    if isinstance(value, Formula):
        value = value.value
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def hex_color(rgb: Any) -> str | None:
    """'FFC7CE' (or an ARGB '00FFC7CE') as '#FFC7CE'; blank means no fill."""
    text = "" if is_blank(rgb) else str(rgb).strip()
    return f"#{text[-6:].upper()}" if text else None


def color_runs(fills: dict[int, str | None]) -> list[tuple[int, int, str | None]]:
    """Fills down one column as (first row, last row, colour) runs of equal colours: one call each."""
    rows = sorted(fills)
    out, start = [], 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i] != rows[i - 1] + 1 or fills[rows[i]] != fills[rows[start]]:
            out.append((rows[start], rows[i - 1], fills[rows[start]]))
            start = i
    return out


# --- notes -------------------------------------------------------------------------------------

def _prior(cell: Any, note: Any | None) -> Prior | None:
    """What a cell held before its first mark, as far as the engine can read it."""
    try:
        rgb = cell.color
    except NotImplementedError:
        rgb = None
    fill = "{:02X}{:02X}{:02X}".format(*rgb) if rgb else ""
    if note is None:
        return fill, "", ""
    try:
        text = note.text
    except NotImplementedError:
        return None
    try:
        author = note.author or ""
    except NotImplementedError:
        author = ""
    return fill, text, author


def _book_notes(sheet: Any) -> Any:
    """A desktop sheet's notes by (row, column), from one walk of its notes; before xlwings 0.37.5
    (no `Note.location`) each cell's note is asked for instead, a direct call on desktop engines."""
    notes = {}
    try:
        for note in sheet.notes:
            cell = note.location
            notes[(cell.row, cell.column)] = note
    except NotImplementedError:  # an engine without notes has none to keep
        pass
    except AttributeError:
        return _CellNotes(sheet)
    return notes


class _CellNotes(dict):
    """Notes looked up cell by cell, remembered once looked up or written."""

    def __init__(self, sheet: Any):
        super().__init__()
        self.sheet = sheet

    def __missing__(self, cell: Cell) -> Any | None:
        try:
            note = self.sheet.range(cell).note
        except NotImplementedError:
            note = None
        self[cell] = note
        return note

    def get(self, cell: Cell, default: Any = None) -> Any | None:
        return self[cell]


def _put_note(cell: Any, note: Any | None, text: str) -> Any | None:
    """Give a cell (whose current note is `note`) the note `text`, or none when it is blank;
    return the cell's note now."""
    try:
        if is_blank(text):
            if note is not None:
                note.delete()
            return None
        if note is not None:
            note.text = text
            return note
        return cell.add_note(text)
    except NotImplementedError:  # an engine without notes: the fill and the Findings sheet remain
        return note


# --- generated sheets --------------------------------------------------------------------------

def _wipe(sheet: Any) -> None:
    """Empty a generated sheet: values, formats, hyperlinks, conditional formats, charts."""
    sheet.clear()
    sheet.cells.conditional_formats.clear()
    charts = sheet.charts
    for i in reversed(range(len(charts))):
        charts[i].delete()


def native_chart(sheet: Any, spec: ChartSpec) -> Any:
    """A native Excel chart from a plan's chart spec, through xlwings' chart API."""
    # One block holds every series with its header row: set_source_data takes one range.
    first = (min(s.first for s in spec.series), min(s.column for s in spec.series))
    last = (max(s.last for s in spec.series), max(s.column for s in spec.series))
    chart = sheet.charts.add(
        width=spec.width_cm * POINTS_PER_CM, height=spec.height_cm * POINTS_PER_CM,
        chart_type="xy_scatter" if spec.kind == "scatter" and spec.points else CHART_TYPES.get(spec.kind, "column_clustered"),
        source=sheet.range(first, last),
        plot_by="columns", anchor=sheet.range(spec.anchor))
    cats = spec.categories
    chart.set_x_axis_values(sheet.range((cats.first + 1, cats.column), (cats.last, cats.column)))
    chart.title = spec.title
    if len(spec.series) == 1:
        chart.legend.visible = False  # the title already names the only series
    chart.value_axis.number_format = spec.number_format
    if spec.y_title:
        chart.value_axis.title = spec.y_title
    if spec.x_title:
        chart.category_axis.title = spec.x_title
    if spec.kind == "scatter":
        chart.category_axis.number_format = spec.x_number_format
    return chart

