"""Apply an edit plan to a workbook open in Excel through xlwings; no business rules here.

The result is what `files.writer.apply_plan` makes of the same plan, reached only through the
part of xlwings' Book API that its desktop engines (Windows COM, macOS) and its remote engine
(xlwings Server, driving Office.js) all implement: one code path for desktop Excel and a server.
Writes are batched: a column block, a run of rows or a whole generated sheet is one `.value`
write of a 2-D list; fills go per run of equal cells, notes and hyperlinks per cell.

Restoring marks never reads formats, which the remote engine cannot do: the `xlp_marks`
register (same rows as the file writer's) says what each cell held. Where that, or a missing
engine feature, changes the result, it degrades as follows:
- what a cell held before its first mark is read where the engine can (desktop: fill, note and
  its author); the remote engine reads neither, so such a cell is recorded as having had no
  fill and restoring it later clears the fill (a prior the register already holds, e.g. from a
  file run, is carried over and restored);
- a cell with a note that is not the tool's own is left untouched on the remote engine rather
  than lose that note; its finding stays on the Findings sheet. Restored notes get the current
  Excel user as author (xlwings cannot set one);
- a generated sheet is cleared in place rather than deleted and re-added, so formulas on other
  sheets that point at it keep working (Excel would turn them into #REF!); it keeps frozen
  panes and filters it had, and a new one gets none (freezing panes is remote-only in xlwings);
- hyperlinks cannot be read back remotely: on a shared sheet the other commands' rows are
  re-linked from their Sheet and Cell columns (the Findings layout); other links become text;
- charts go through xlwings' chart API (all engines); series that are not side by side are
  drawn from the block that spans them, as xlwings cannot pick a chart's series one by one;
- column widths are given in characters to desktop engines and converted to points for the
  remote one (its unit), assuming the default font;
- a protected sheet: Excel refuses writes to its locked cells (the intake template locks its
  computed columns, e.g. Validation), and xlwings has no protection API common to its engines,
  so the command stops with Excel's message; unprotect the sheet first;
- new table rows take the formats of the table's last row (autofill), not its first.
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import cached_property
from typing import Any

from openpyxl.utils import column_index_from_string, get_column_letter

from ..core.plan import (
    MARKS_HEADER,
    MARKS_SHEET,
    Block,
    CellIs,
    CellMark,
    ChartSpec,
    ColorScale,
    ColumnWrite,
    EditPlan,
    Formula,
    GeneratedSheet,
    Link,
    RowWrite,
)
from ..core.values import CellError, Uncalculated, is_blank
from ..schema import TABLES_BY_NAME
from .reader import TableIndex, read_block, sheet_named, table_bounds, used_block

HEADER_FILL = "#1F4E78"
HEADER_FONT = "#FFFFFF"
POINTS_PER_CM = 72 / 2.54
CHART_TYPES = {"line": "line", "column": "column_clustered", "bar": "bar_clustered",
               "scatter": "xy_scatter_lines"}  # openpyxl's scatter style is lineMarker


def apply_plan(book: Any, plan: EditPlan) -> None:
    if plan.marks and not plan.scope:
        raise ValueError("a plan that marks cells must name its command (scope)")
    session = Session(book)
    mine, others = session.register(plan.scope) if plan.scope else ({}, [])
    for rows in plan.rows:
        _write_rows(session, rows)
    for write in plan.columns:
        _write_column(session, write)
    register = others + (_apply_marks(session, plan.scope, mine, plan.marks) if plan.scope else [])
    for sheet in plan.sheets:
        replace_sheet(session, sheet, plan.scope)
    if plan.scope:
        replace_sheet(session, GeneratedSheet(MARKS_SHEET, MARKS_HEADER, tuple(register), hidden=True))
    session.finish()


# --- values ----------------------------------------------------------------------------------

_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
# Text Excel reads as a date without a leading digit: "Jan 26", "March 2026", "Sep-5".
_MONTH_DATE = re.compile(rf"^({_MONTHS})[a-z]*\.?([\s,/.-]+\d{{1,4}}){{0,2}}$", re.IGNORECASE)
_QUOTE_FIRST = frozenset("=+-@'#(.$€£¥%")


def needs_quote(text: str) -> bool:
    """Whether Excel could read `text` as anything but that text.

    Every engine writes a value as if it were typed (COM `Range.Value`, AppleScript, Office.js
    `range.values`): "=..." becomes a formula, "00123" the number 123, "2026-06-30" a date,
    "TRUE" a boolean. Such text gets the leading apostrophe all of them honour, as the file
    writer forces data type "s". Generous on purpose: quoting text that would have stayed text
    costs nothing visible, a missed case changes the data. (The apostrophe also keeps xlwings'
    Office.js client from turning an ISO timestamp, a ledger's When, into a localised date.)
    """
    s = text.strip()
    if not s:
        return False
    return (s[0] in _QUOTE_FIRST or s[0].isdigit() or text[0] == "'"
            or s.casefold() in ("true", "false") or bool(_MONTH_DATE.match(s)))


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


def is_numeric(value: Any) -> bool:
    """A number, or a formula whose result is one: number formats apply to these only."""
    if isinstance(value, Formula):
        value = value.value
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def runs(cells: dict[int, Any]) -> list[tuple[int, list[Any]]]:
    """Consecutive rows as (first row, values), so each run is one call."""
    out: list[tuple[int, list[Any]]] = []
    for row in sorted(cells):
        if out and out[-1][0] + len(out[-1][1]) == row:
            out[-1][1].append(cells[row])
        else:
            out.append((row, [cells[row]]))
    return out


def hex_color(rgb: Any) -> str | None:
    """'FFC7CE' (or openpyxl's ARGB '00FFC7CE') as '#FFC7CE'; blank means no fill."""
    text = "" if is_blank(rgb) else str(rgb).strip()
    return f"#{text[-6:].upper()}" if text else None


def write_column(sheet: Any, first_row: int, col: int, values: list[Any]) -> Any:
    """Write consecutive cells of one column in a single call; return the range."""
    rng = sheet.range((first_row, col), (first_row + len(values) - 1, col))
    rng.value = [[to_excel(v)] for v in values]
    return rng


def paint(sheet: Any, col: int, fills: dict[int, str | None]) -> None:
    """Set fills down one column, one call per run of equal colours."""
    rows = sorted(fills)
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i] != rows[i - 1] + 1 or fills[rows[i]] != fills[rows[start]]:
            sheet.range((rows[start], col), (rows[i - 1], col)).color = fills[rows[start]]
            start = i


# --- where things are ------------------------------------------------------------------------

class Session:
    """One plan's view of the book: tables found once, and what this plan changed so far.

    The remote engine's snapshot does not see the plan's own writes, so a table the plan grows
    or a column it adds is tracked here, not read back.
    """

    def __init__(self, book: Any):
        self.book = book
        self.targets: dict[str, TableTarget] = {}
        self.active = book.sheets.active
        self.added = False
        self._sheets: dict[str, Any] = {}  # case-folded name -> sheet, None for none
        self._noteless: dict[str, bool] = {}

    @cached_property
    def index(self) -> TableIndex:
        return TableIndex(self.book)  # only plans that write into tables pay for the walk

    def sheet(self, name: str) -> Any | None:
        if name.casefold() not in self._sheets:
            self._sheets[name.casefold()] = sheet_named(self.book, name)
        return self._sheets[name.casefold()]

    def target(self, table: str, sheet: str) -> TableTarget:
        if table not in self.targets:
            self.targets[table] = TableTarget(self, table, sheet)
        return self.targets[table]

    @cached_property
    def _register(self) -> list[tuple]:
        """The `xlp_marks` register's rows as read before the plan changed anything."""
        sheet = self.sheet(MARKS_SHEET)
        if sheet is None:
            return []
        rows = read_block(sheet, 1, 1, used_block(sheet)[0], len(MARKS_HEADER))[1:]
        return [tuple(row) for row in rows if not (is_blank(row[0]) and is_blank(row[2]))]

    @cached_property
    def marked(self) -> dict[tuple[str, str], str]:
        """Every command's marked cells: (sheet, cell) -> the fill the mark replaced."""
        return {(str(r[1]), str(r[2])): "" if is_blank(r[3]) else str(r[3]) for r in self._register}

    def register(self, scope: str) -> tuple[dict[tuple[str, str], tuple[str, str, str]], list[tuple]]:
        """This command's marks from the register (cell -> prior fill, note, author), and the rest."""
        mine, others = {}, []
        for row in self._register:
            _, where, coord, fill, note, author = ("" if is_blank(v) else str(v) for v in row)
            if row[0] != scope:
                others.append(row)
            elif where and coord:
                mine[(where, coord)] = (fill, note, author)
        return mine, others

    def width(self, characters: float) -> float:
        """A column width (in characters, as plans and openpyxl give it) in the engine's unit.

        Desktop engines take characters; xlwings Server and Lite take points. A character of the
        default font (Calibri 11) is 7 pixels plus 5 of padding per column, a pixel 0.75 points.
        """
        if self.book.app.engine.name in ("remote", "officejs"):
            return round((characters * 7 + 5) * 0.75, 2)
        return characters

    def had_no_notes(self, name: str) -> bool:
        """Whether the sheet held no note at all before this plan: then no cell needs a lookup."""
        if name.casefold() not in self._noteless:
            try:
                self._noteless[name.casefold()] = next(iter(self.sheet(name).notes), None) is None
            except NotImplementedError:
                self._noteless[name.casefold()] = True
        return self._noteless[name.casefold()]

    def add_sheet(self, name: str) -> Any:
        self.added = True
        self._sheets[name.casefold()] = self.book.sheets.add(name, after=self.book.sheets[-1])
        return self._sheets[name.casefold()]

    def finish(self) -> None:
        # Desktop Excel activates a sheet it adds; the person stays where they were.
        if self.added:
            self.active.activate()


class TableTarget:
    """Where a governed table sits in a sheet: an Excel Table, or a plain range under row 1."""

    def __init__(self, session: Session, name: str, sheet: str):
        found = session.index.find(name)
        self.schema = TABLES_BY_NAME.get(name)
        self.session = session
        if found:
            self.sheet, self.table = found
            self.header_row, self.first_col, self.last_row, self.last_col = table_bounds(self.table)
            header = read_block(self.sheet, self.header_row, self.first_col, self.header_row, self.last_col)[0]
        else:
            self.sheet, self.table = session.sheet(sheet), None
            if self.sheet is None:
                raise ValueError(f"the plan writes to sheet '{sheet}', which the workbook does not have")
            rows = read_block(self.sheet, 1, 1, *used_block(self.sheet))
            self.header_row, self.first_col = 1, 1
            self.last_col = max((c for c, v in enumerate(rows[0], start=1) if not is_blank(v)), default=1)
            self.last_row = max((r for r, row in enumerate(rows, start=1)
                                 if any(not is_blank(v) for v in row[:self.last_col])), default=1)
            header = rows[0][:self.last_col]
        self.headers = {c: "" if is_blank(v) else str(v).strip() for c, v in enumerate(header, start=self.first_col)}
        self.columns: dict[str, int] = {}

    def column(self, header: str) -> int:
        """The column whose header is `header` (case-insensitive), added at the right if missing."""
        for col, text in self.headers.items():
            if text.casefold() == header.casefold():
                return col
        self.last_col += 1
        self.sheet.range((self.header_row, self.last_col)).value = to_excel(header)
        self.headers[self.last_col] = header
        self._resize()
        return self.last_col

    def column_of(self, name: str) -> int:
        """The column a schema column name stands for, matched by label or name."""
        if name not in self.columns:
            col = None
            for c, text in self.headers.items():
                match = self.schema.match_header(text) if self.schema else None
                if match is not None and match.name == name:
                    col = c
                    break
            self.columns[name] = col or self.column(self.schema.column(name).label if self.schema else name)
        return self.columns[name]

    def reach(self, row: int) -> None:
        """Grow the table down to `row`; new rows take the formats of the table's last row.

        The file writer copies the first data row; filling formats down from the last one is
        what all engines can do without touching the rows in between. A tool mark on that row
        is not carried: the copied cells get the fill the register says was there before it.
        """
        if row <= self.last_row:
            return
        model = self.last_row
        if model > self.header_row:
            first, last = (model, self.first_col), (model, self.last_col)
            self.sheet.range(first, last).autofill(self.sheet.range(first, (row, self.last_col)), "fill_formats")
            for col in range(self.first_col, self.last_col + 1):
                prior = self.session.marked.get((self.sheet.name, f"{get_column_letter(col)}{model}"))
                if prior is not None:
                    self.sheet.range((model + 1, col), (row, col)).color = hex_color(prior)
        self.last_row = row
        self._resize()

    def _resize(self) -> None:
        if self.table is not None:
            self.table.resize(self.sheet.range((self.header_row, self.first_col), (self.last_row, self.last_col)))


def _write_column(session: Session, write: ColumnWrite) -> None:
    target = session.target(write.table, write.sheet)
    col = target.column(write.header)
    if write.clear_other_rows:  # the whole column block, blanks included, in one write
        first, last = target.header_row + 1, target.last_row
        blocks = [(first, [write.values.get(r) for r in range(first, last + 1)])] if last >= first else []
    else:
        blocks = runs(write.values)
    for first, values in blocks:
        rng = write_column(target.sheet, first, col, values)
        if write.number_format:
            rng.number_format = write.number_format


def _write_rows(session: Session, write: RowWrite) -> None:
    if not write.rows:
        return
    target = session.target(write.table, write.sheet)
    target.reach(max(write.rows))
    by_column: dict[int, dict[int, Any]] = {}
    for row, values in write.rows.items():
        for name, value in values.items():
            by_column.setdefault(target.column_of(name), {})[row] = value
    for col, cells in by_column.items():
        for first, values in runs(cells):
            write_column(target.sheet, first, col, values)


# --- marks -----------------------------------------------------------------------------------

def _apply_marks(session: Session, scope: str, mine: dict[tuple[str, str], tuple[str, str, str]],
                 marks: list[CellMark]) -> list[tuple]:
    """Restore the cells this command marked last time, mark the new ones; return register rows.

    Works as a difference: a cell marked again keeps its recorded prior state and only gets
    its note text. Restoring reads nothing: the register says what each cell held. Each cell's
    note is looked up once (the remote engine scans the sheet's notes on every lookup).
    """
    marked = {(m.sheet, f"{m.column}{m.row}"): m for m in marks}
    fills: dict[tuple[str, int], dict[int, str | None]] = {}  # (sheet, column) -> row -> fill
    for (where, coord), (fill, note, _author) in mine.items():
        sheet = session.sheet(where)
        if (where, coord) in marked or sheet is None:
            continue
        col, row = _cell(coord)
        fills.setdefault((where, col), {})[row] = hex_color(fill)
        cell = sheet.range(coord)
        _put_note(cell, _note(cell), note)
    register = []
    for (where, coord), mark in marked.items():
        sheet = session.sheet(where)
        if sheet is None:
            continue
        cell = sheet.range(coord)
        note = None if session.had_no_notes(where) else _note(cell)
        prior = mine.get((where, coord)) or _prior(cell, note)
        if prior is None:
            continue  # someone else's note the engine cannot read: leave the cell as it is
        fills.setdefault((where, column_index_from_string(mark.column)), {})[mark.row] = hex_color(mark.fill)
        _put_note(cell, note, mark.note)
        register.append((scope, where, coord, *prior))
    for (where, col), column in fills.items():
        paint(session.sheet(where), col, column)
    return register


def _cell(coord: str) -> tuple[int, int]:
    letters = coord.rstrip("0123456789")
    return column_index_from_string(letters), int(coord[len(letters):])


def _prior(cell: Any, note: Any | None) -> tuple[str, str, str] | None:
    """What a cell held before its first mark, as far as the engine can read it.

    Desktop engines read fill and note; the remote engine reads neither (a fill counts as
    none), so a cell with a note it cannot read gives None: marking it would lose that note.
    """
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


def _note(cell: Any) -> Any | None:
    try:
        return cell.note
    except NotImplementedError:  # a client without notes (ExcelApi < 1.18) has none to keep
        return None


def _put_note(cell: Any, note: Any | None, text: str) -> None:
    """Give a cell (whose current note is `note`) the note `text`, or none when it is blank."""
    try:
        if is_blank(text):
            if note is not None:
                note.delete()
        elif note is not None:
            note.text = text
        else:
            cell.add_note(text)
    except NotImplementedError:
        pass  # notes need ExcelApi 1.18 in Office.js; the fill and the Findings sheet remain


# --- generated sheets ------------------------------------------------------------------------

def replace_sheet(session: Session, spec: GeneratedSheet, scope: str | None = None) -> Any:
    """Rewrite a generated sheet whole, in place (its tab keeps its place), or add it at the end.

    On a shared sheet the rows other commands wrote (column A names the command) are kept.
    """
    sheet = session.sheet(spec.name)
    if sheet is None:
        sheet = session.add_sheet(spec.name)
    else:
        if spec.shared:
            spec = replace(spec, rows=spec.rows + _rows_of_others(sheet, scope, spec.header))
        _wipe(sheet)
    if spec.header or spec.rows:
        _table(sheet, 1, 1, spec.header, spec.rows, spec.formats)
    for c, width in enumerate(spec.widths, start=1):
        sheet.range((1, c)).column_width = session.width(width)
    if spec.rows and spec.widths:  # long text in the last column wraps, read from the top
        last = sheet.range((2, len(spec.widths)), (len(spec.rows) + 1, len(spec.widths)))
        last.wrap_text = True
        try:
            last.vertical_alignment = "top"
        except NotImplementedError:  # remote clients other than Office.js
            pass
    for block in spec.blocks:
        _block(sheet, block)
    for rule in spec.conditional:
        _conditional(sheet, rule)
    for chart in spec.charts:
        native_chart(sheet, chart)
    if sheet.visible == spec.hidden:
        sheet.visible = not spec.hidden
    return sheet


def _wipe(sheet: Any) -> None:
    """Empty a generated sheet: values, formats, hyperlinks, conditional formats, charts."""
    sheet.clear()
    sheet.cells.conditional_formats.clear()
    charts = sheet.charts
    for i in reversed(range(len(charts))):
        charts[i].delete()


def _table(sheet: Any, row: int, col: int, header: tuple, rows: tuple, formats: tuple) -> None:
    """A header and its rows as one write, then header style, links and number formats."""
    width = max([len(header), *(len(r) for r in rows)])
    grid = [[to_excel(v) for v in header] + [None] * (width - len(header))]
    grid += [[to_excel(v) for v in r] + [None] * (width - len(r)) for r in rows]
    sheet.range((row, col)).value = grid
    if header:
        head = sheet.range((row, col), (row, col + len(header) - 1))
        head.color = HEADER_FILL
        head.font.bold = True
        head.font.color = HEADER_FONT
    for r, values in enumerate(rows, start=row + 1):
        for c, value in enumerate(values, start=col):
            if isinstance(value, Link):
                sheet.range((r, c)).add_hyperlink(f"#{value.location}", value.text, f"{value.sheet}!{value.cell}")
    for c, fmt in enumerate(formats):
        if fmt:
            numeric = {r: fmt for r, values in enumerate(rows, start=row + 1)
                       if c < len(values) and is_numeric(values[c])}
            for first, run in runs(numeric):
                sheet.range((first, col + c), (first + len(run) - 1, col + c)).number_format = fmt


def _block(sheet: Any, block: Block) -> None:
    if block.title:
        title = sheet.range((block.row, block.column))
        title.value = to_excel(block.title)
        title.font.bold = True
    _table(sheet, block.header_row, block.column, block.header, block.rows, block.formats)


def _conditional(sheet: Any, rule: ColorScale | CellIs) -> None:
    formats = sheet.range(rule.ref).conditional_formats
    if isinstance(rule, ColorScale):
        formats.add_color_scale([hex_color(rule.low), hex_color(rule.high)])
    else:
        value = rule.value
        formula = str(value) if is_numeric(value) else '"' + str(value).replace('"', '""') + '"'
        formats.add_cell_value("equal_to", formula, fill_color=hex_color(rule.fill))


def _rows_of_others(sheet: Any, scope: str | None, header: tuple) -> tuple[tuple, ...]:
    """Rows another command wrote on a shared sheet, read in one go.

    Hyperlinks cannot be read back by every engine; where the sheet has Sheet and Cell columns
    (the Findings layout), the Cell value becomes a link to that cell again.
    """
    last_row, _ = used_block(sheet)
    if last_row < 2:
        return ()
    keys = [str(h).casefold() for h in header]
    where = keys.index("sheet") if "sheet" in keys else None
    cell = keys.index("cell") if "cell" in keys else None
    kept = []
    for row in read_block(sheet, 2, 1, last_row, len(header)):
        if is_blank(row[0]) or row[0] == scope:
            continue
        if where is not None and cell is not None and _is_coord(row[cell]) and not is_blank(row[where]):
            row[cell] = Link(str(row[cell]), str(row[where]), str(row[cell]))
        kept.append(tuple(row))
    return tuple(kept)


def _is_coord(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[A-Z]{1,3}[1-9][0-9]*", value) is not None


# --- charts ----------------------------------------------------------------------------------

def native_chart(sheet: Any, spec: ChartSpec) -> Any:
    """A native Excel chart from a plan's chart spec, through xlwings' chart API."""
    # One block holds every series with its header row: set_source_data takes one range.
    first = (min(s.first for s in spec.series), min(s.column for s in spec.series))
    last = (max(s.last for s in spec.series), max(s.column for s in spec.series))
    chart = sheet.charts.add(
        width=spec.width_cm * POINTS_PER_CM, height=spec.height_cm * POINTS_PER_CM,
        chart_type=CHART_TYPES.get(spec.kind, "column_clustered"), source=sheet.range(first, last),
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
