"""The one plan walk: apply a command's EditPlan to any surface (file package, Excel, memory).

This module decides where things go (which column a header is in, which rows a table grows
to, what a generated sheet looks like, which marks to restore); surfaces only carry it out.

Marks are applied as a difference against the `xlp_marks` register, never by reading fills
back (xlwings' remote engine cannot): a cell this command marked last time and does not mark
now gets back what the register says it held; a cell marked again keeps its recorded prior
state and only gets its new note; a newly marked cell's prior state is read from the surface
and recorded.
"""
from __future__ import annotations

import math
from dataclasses import replace
from functools import cached_property
from typing import Any

from xlportfolio.core.book import column_letter, split_cell
from xlportfolio.core.formats import fit_widths
from xlportfolio.core.plan import (
    MARKS_HEADER,
    MARKS_SHEET,
    NOTE_AUTHOR,
    TAB_ORDER,
    Block,
    CellMark,
    ColumnWrite,
    EditPlan,
    Formula,
    GeneratedSheet,
    Link,
    PrintSetup,
    RowWrite,
)
from xlportfolio.core.values import is_blank
from xlportfolio.errors import XlPortfolioError
from xlportfolio.schema import TABLES_BY_NAME
from xlportfolio.surface.protocol import Cell, CellStyle, Prior, Surface, TableInfo
from xlportfolio.surface.read import header_of

HEADER = CellStyle(bold=True, font_color="FFFFFF", fill="1F4E78")
TITLE = CellStyle(bold=True, font_color="1F4E78", font_size=12)
WRAP = CellStyle(wrap=True, top=True)


MAX_ROWS = 1_048_576  # Excel's last row


def apply_plan(surface: Surface, plan: EditPlan) -> None:
    if plan.marks and not plan.scope:
        raise ValueError("a plan that marks cells must name its command (scope)")
    check_rows(surface.source, plan)
    session = Session(surface)
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
    if plan.activate and session.sheet(plan.activate) is not None:
        surface.activate(session.sheet(plan.activate))
    surface.finish()


def check_rows(source: str, plan: EditPlan) -> None:
    """Refuse, before anything is written, a plan that needs a row past Excel's last one."""
    needs = [(max(w.rows, default=0), f"table {w.table}", w.sheet) for w in plan.rows]
    needs += [(max(w.values, default=0), f"table {w.table}", w.sheet) for w in plan.columns]
    for sheet in plan.sheets:
        last = max([1 + len(sheet.rows), *(b.last_row for b in sheet.blocks)])
        needs.append((last, f"the {sheet.name} sheet", sheet.name))
    row, what, where = max(needs, default=(0, "", ""))
    if row > MAX_ROWS:
        raise XlPortfolioError(source, f"{what} would need row {row:,} of sheet '{where}', past Excel's last row "
                               f"({MAX_ROWS:,}); nothing was changed. Split the input into smaller files and run "
                               "the command on each.")


class Session:
    """One plan's view of the workbook: sheets and tables found once, tables it grows tracked.

    A surface may not see the plan's own writes when read again (xlwings' remote engine works
    on a snapshot), so what the plan changed is tracked here, not read back.
    """

    def __init__(self, surface: Surface):
        self.surface = surface
        self.targets: dict[str, TableTarget] = {}

    @cached_property
    def _sheets(self) -> dict[str, str]:
        return {name.casefold(): name for name in self.surface.sheet_names()}

    def sheet(self, name: str) -> str | None:
        """The sheet's name as the workbook spells it (Excel's sheet names ignore case)."""
        return self._sheets.get(name.casefold())

    @cached_property
    def tables(self) -> dict[str, TableInfo]:
        found: dict[str, TableInfo] = {}
        for info in self.surface.tables():
            found.setdefault(info.name.casefold(), info)
        return found

    def target(self, table: str, sheet: str) -> TableTarget:
        if table not in self.targets:
            self.targets[table] = TableTarget(self, table, sheet)
        return self.targets[table]

    @cached_property
    def _register(self) -> list[tuple]:
        """The `xlp_marks` register's rows as they were before the plan changed anything."""
        sheet = self.sheet(MARKS_SHEET)
        if sheet is None:
            return []
        last_row, _ = self.surface.extent(sheet)
        rows = self.surface.rows(sheet, 2, 1, last_row, len(MARKS_HEADER))
        return [tuple(row) for _, row in rows if not (is_blank(row[0]) and is_blank(row[2]))]

    @cached_property
    def marked(self) -> dict[tuple[str, str], str]:
        """Every command's marked cells: (sheet, cell) -> the fill the mark replaced."""
        return {(_text(r[1]), _text(r[2])): _text(r[3]) for r in self._register if is_coord(_text(r[2]))}

    def register(self, scope: str) -> tuple[dict[tuple[str, str], Prior], list[tuple]]:
        """This command's marks (cell -> prior fill, note, author) and the other commands' rows."""
        mine, others = {}, []
        for row in self._register:
            if _text(row[0]) != scope:
                others.append(row)
                continue
            command, where, coord, fill, note, author = (_text(v) for v in row)
            if where and is_coord(coord):  # a register row someone edited into nonsense is dropped
                mine[(where, coord)] = (fill, note, author)
        return mine, others


def _text(value: Any) -> str:
    if type(value) is str:
        return value if value.strip() else ""
    return "" if is_blank(value) else str(value)


# --- tables of user sheets -------------------------------------------------------------------

class TableTarget:
    """Where a governed table sits: an Excel Table, or a plain range under headers in row 1."""

    def __init__(self, session: Session, name: str, sheet: str):
        self.session = session
        self.surface = session.surface
        self.schema = TABLES_BY_NAME.get(name)
        self.table = session.tables.get(name.casefold())
        if self.table is not None:
            self.sheet = self.table.sheet
            self.header_row, self.first_col = self.table.first_row, self.table.first_col
            self.last_row, self.last_col = self.table.last_row, self.table.last_col
            header = header_of(self.surface, self.sheet, self.header_row, self.first_col, self.last_col)
        else:
            found = session.sheet(sheet)
            if found is None:
                raise ValueError(f"the plan writes to sheet '{sheet}', which the workbook does not have")
            self.sheet = found
            last_row, last_col = self.surface.extent(found)
            header = header_of(self.surface, found, 1, 1, max(last_col, 1))
            self.header_row, self.first_col = 1, 1
            self.last_col = max((c for c, v in enumerate(header, start=1) if not is_blank(v)), default=1)
            header = header[:self.last_col]
            body = [r for r, _ in self.surface.rows(found, 2, 1, max(last_row, 1), self.last_col)]
            self.last_row = body[-1] if body else 1
        self.headers = {c: "" if is_blank(v) else str(v).strip() for c, v in enumerate(header, start=self.first_col)}
        self.columns: dict[str, int] = {}

    def column(self, header: str) -> int:
        """The column whose header is `header` (case-insensitive), added at the right if missing."""
        for col, text in self.headers.items():
            if text.casefold() == header.casefold():
                return col
        self.last_col += 1
        self.surface.write(self.sheet, self.header_row, self.last_col, [[header]])
        self.headers[self.last_col] = header
        self._resize([header])
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
        """Grow the table down to `row`; new rows look like the rows a person typed.

        A tool mark on the row they copy is not carried: the register says what fill it replaced.
        """
        if row <= self.last_row:
            return
        if self.last_row > self.header_row:
            marked = {split_cell(coord): fill for (where, coord), fill in self.session.marked.items()
                      if where == self.sheet}
            self.surface.copy_formats(self.sheet, self.header_row + 1, self.first_col, self.last_col,
                                      self.last_row + 1, row, marked)
        self.last_row = row
        self._resize([])

    def _resize(self, new_headers: list[str]) -> None:
        if self.table is not None:
            self.table = self.surface.resize_table(self.table, self.last_row, self.last_col, new_headers)
            self.session.tables[self.table.name.casefold()] = self.table


def _write_column(session: Session, write: ColumnWrite) -> None:
    target = session.target(write.table, write.sheet)
    col = target.column(write.header)
    if write.clear_other_rows:  # the whole column block, blanks included, in one write
        first, last = target.header_row + 1, target.last_row
        blocks = [(first, [write.values.get(r) for r in range(first, last + 1)])] if last >= first else []
    else:
        blocks = runs(write.values)
    for first, values in blocks:
        session.surface.write(target.sheet, first, col, [[v] for v in values], write.number_format)


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
            session.surface.write(target.sheet, first, col, [[v] for v in values])


def runs(cells: dict[int, Any]) -> list[tuple[int, list[Any]]]:
    """Consecutive rows as (first row, values), so each run is one call."""
    out: list[tuple[int, list[Any]]] = []
    for row in sorted(cells):
        if out and out[-1][0] + len(out[-1][1]) == row:
            out[-1][1].append(cells[row])
        else:
            out.append((row, [cells[row]]))
    return out


# --- marks -----------------------------------------------------------------------------------

def _apply_marks(session: Session, scope: str, mine: dict[tuple[str, str], Prior],
                 marks: list[CellMark]) -> list[tuple]:
    """Restore what this command no longer marks, mark what it marks now; return register rows."""
    surface = session.surface
    marked = {(m.sheet, f"{m.column}{m.row}"): m for m in marks}
    fills: dict[str, dict[Cell, str]] = {}
    notes: dict[str, dict[Cell, tuple[str, str] | None]] = {}
    for (where, coord), (fill, note, author) in mine.items():
        sheet = session.sheet(where)
        if (where, coord) in marked or sheet is None:
            continue
        cell = split_cell(coord)
        fills.setdefault(sheet, {})[cell] = fill
        notes.setdefault(sheet, {})[cell] = (note, author) if not is_blank(note) else None
    new = {}
    for (where, coord) in marked:
        sheet = session.sheet(where)
        if sheet is not None and (where, coord) not in mine:
            new.setdefault(sheet, []).append(split_cell(coord))
    priors = {sheet: surface.priors(sheet, cells) for sheet, cells in new.items()}
    register = []
    for (where, coord), mark in marked.items():
        sheet = session.sheet(where)
        if sheet is None:
            continue
        cell = split_cell(coord)
        prior = mine.get((where, coord)) or priors[sheet].get(cell)
        if prior is None:
            continue  # someone else's note the surface cannot read: leave the cell as it is
        fills.setdefault(sheet, {})[cell] = mark.fill
        notes.setdefault(sheet, {})[cell] = (mark.note, NOTE_AUTHOR)
        register.append((scope, where, coord, *prior))
    for sheet, cells in fills.items():
        surface.paint(sheet, cells)
    for sheet, cells in notes.items():
        surface.set_notes(sheet, cells)
    return register


# --- generated sheets --------------------------------------------------------------------------

def replace_sheet(session: Session, spec: GeneratedSheet, scope: str | None = None) -> None:
    """Rewrite a generated sheet whole, in place (its tab keeps its place), or add it at the end.

    On a shared sheet the rows other commands wrote (column A names the command) are kept, with
    their links rebuilt from the Sheet and Cell columns (not every surface can read links back).
    """
    surface = session.surface
    existing = session.sheet(spec.name)
    if spec.shared and existing is not None:
        spec = replace(spec, rows=_leading(spec.header, spec.rows + _rows_of_others(surface, existing, scope,
                                                                                     spec.header)))
    name = existing or spec.name
    if existing is None:
        surface.fresh_sheet(name, spec.hidden, _place(session, name))
        session._sheets[name.casefold()] = name
    else:
        surface.fresh_sheet(name, spec.hidden)
    if spec.header or spec.rows:
        _table(surface, name, 1, 1, spec.header, spec.rows, spec.formats)
    widths = fit_widths(spec)
    if widths:
        surface.widths(name, widths)
    if spec.rows and spec.widths:  # long text in the last column wraps, read from the top
        last = len(spec.widths)
        surface.style(name, 2, last, len(spec.rows) + 1, last, WRAP)
    for block in spec.blocks:
        _block(surface, name, block)
    if spec.freeze:
        surface.freeze(name, spec.freeze)
    if spec.header and spec.rows:
        surface.autofilter(name, f"A1:{column_letter(len(spec.header))}{len(spec.rows) + 1}")
    for rule in spec.conditional:
        surface.conditional(name, rule)
    for look in spec.looks:
        (top, left), (bottom, right) = (split_cell(c) for c in (look.ref.split(":") * 2)[:2])
        surface.style(name, top, left, bottom, right, CellStyle(fill=look.fill, number_format=look.number_format,
                                                                      font_color=look.font_color))
    for chart in spec.charts:
        surface.chart(name, chart, [_text(_value_at(spec, s.first, s.column)) for s in chart.series])
    if not spec.hidden:
        surface.print_setup(name, PrintSetup(print_titles(spec), breaks=spec.page_breaks, area=print_area(spec)))


def _place(session: Session, name: str) -> str | None:
    """The tab a new generated sheet goes before: the first later one in TAB_ORDER already in the
    workbook, so the user's sheets keep their order and the Dashboard leads the tool's tabs."""
    order = [n.casefold() for n in TAB_ORDER]
    if name.casefold() not in order:
        return None
    later = order[order.index(name.casefold()) + 1:]
    return next((session.sheet(n) for n in later if session.sheet(n) is not None), None)


DEFAULT_WIDTH = 8.43  # characters: Excel's column width where none is set
POINTS_PER_CM = 72 / 2.54
ROW_POINTS = 15  # the default row height


def print_area(spec: GeneratedSheet) -> str | None:
    """The cells and charts of the sheet, from A1: what its printed pages show."""
    tables = [(1, 1, spec.header, spec.rows)] + [(b.header_row, b.column, b.header, b.rows) for b in spec.blocks]
    last_row = last_col = 0
    for top, left, header, rows in tables:
        width = max([len(header), *(len(r) for r in rows)])
        if width:
            last_row = max(last_row, top + len(rows))  # the header's row comes first, blank or not
            last_col = max(last_col, left + width - 1)
    for b in spec.blocks:
        if b.title:
            last_row, last_col = max(last_row, b.row), max(last_col, b.column)
    for chart in spec.charts:
        row, col = split_cell(chart.anchor)
        last_row = max(last_row, row + math.ceil(chart.height_cm * POINTS_PER_CM / ROW_POINTS))
        last_col = max(last_col, _column_reached(spec.widths, col, chart.width_cm * POINTS_PER_CM))
    return f"A1:{column_letter(last_col)}{last_row}" if last_row and last_col else None


def _column_reached(widths: tuple[float, ...], col: int, points: float) -> int:
    """The column in which something `points` wide, starting at column `col`, ends."""
    while True:
        chars = widths[col - 1] if col <= len(widths) else DEFAULT_WIDTH
        points -= int(chars * 7 + 5) * 0.75  # Excel: 7 pixels a character and 5 of padding; 3/4 point a pixel
        if points <= 0:
            return col
        col += 1


def print_titles(spec: GeneratedSheet) -> tuple[int, int] | None:
    """The rows printed atop every page: as asked, else the rows above the frozen pane."""
    if spec.print_titles is not None:
        return spec.print_titles
    if spec.freeze:
        row, _ = split_cell(spec.freeze)
        return (1, row - 1) if row > 1 else None
    return None


def _table(surface: Surface, sheet: str, row: int, col: int, header: tuple, rows: tuple, formats: tuple) -> None:
    """A header and its rows as one write, then the header's look, links and number formats."""
    surface.write(sheet, row, col, [header, *rows])  # rows of any length; a surface pads if it must
    if header:
        surface.style(sheet, row, col, row, col + len(header) - 1, HEADER)
    links = [(r, c, v) for r, values in enumerate(rows, start=row + 1)
             for c, v in enumerate(values, start=col) if type(v) is Link]
    if links:
        surface.links(sheet, links)
    for c, fmt in enumerate(formats):
        if fmt:
            numeric = {r: fmt for r, values in enumerate(rows, start=row + 1)
                       if c < len(values) and is_numeric(values[c])}
            for first, run in runs(numeric):
                surface.style(sheet, first, col + c, first + len(run) - 1, col + c, CellStyle(number_format=fmt))


def _block(surface: Surface, sheet: str, block: Block) -> None:
    if block.title:
        surface.write(sheet, block.row, block.column, [[block.title]])
        surface.style(sheet, block.row, block.column, block.row, block.column, TITLE)
    _table(surface, sheet, block.header_row, block.column, block.header, block.rows, block.formats)


def _value_at(spec: GeneratedSheet, row: int, col: int) -> Any:
    """What the plan puts in a cell of a generated sheet (a chart's series names its header cell)."""
    tables = [(1, 1, spec.header, spec.rows)] + [(b.header_row, b.column, b.header, b.rows) for b in spec.blocks]
    for top, left, header, rows in tables:
        r, c = row - top, col - left
        if 0 <= c and r == 0 and c < len(header):
            return header[c]
        if 0 < r <= len(rows) and 0 <= c < len(rows[r - 1]):
            return rows[r - 1][c]
    return None


def _rows_of_others(surface: Surface, sheet: str, scope: str | None, header: tuple) -> tuple[tuple, ...]:
    """Rows another command wrote on a shared sheet; a Sheet/Cell pair becomes a link again.

    Columns are matched by their header, so rows an earlier version wrote under fewer columns
    land under the same headers (and blank under the new ones).
    """
    last_row, last_col = surface.extent(sheet)
    keys = [str(h).casefold() for h in header]
    where = keys.index("sheet") if "sheet" in keys else None
    cell = keys.index("cell") if "cell" in keys else None
    width = max(len(header), last_col)
    found = [str(h).casefold() if not is_blank(h) else "" for h in next(iter(surface.rows(sheet, 1, 1, 1, width)),
                                                                        (None, ()))[1]]
    order = None if found[:len(keys)] == keys or not any(found) else [found.index(k) if k in found else None for k in keys]
    kept = []
    for _, row in surface.rows(sheet, 2, 1, last_row, width if order else len(header)):
        if order:
            row = tuple(row[i] if i is not None and i < len(row) else None for i in order)
        if row[0] == scope or is_blank(row[0]):
            continue
        if where is not None and cell is not None and is_coord(row[cell]) and not is_blank(row[where]):
            row = list(row)
            row[cell] = Link(str(row[cell]), str(row[where]), str(row[cell]))
        kept.append(tuple(row))
    return tuple(kept)


_SEVERITY_ORDER = {"error": 0, "warning": 1}


def _leading(header: tuple, rows: tuple[tuple, ...]) -> tuple[tuple, ...]:
    """A shared sheet with a Severity column lists every command's errors before the warnings."""
    keys = [str(h).casefold() for h in header]
    if "severity" not in keys:
        return rows
    at = keys.index("severity")
    return tuple(sorted(rows, key=lambda r: _SEVERITY_ORDER.get(str(r[at]) if at < len(r) else "", 2)))


def is_coord(value: Any) -> bool:
    if not isinstance(value, str) or not value[:1].isalpha():
        return False
    letters = value.rstrip("0123456789")
    digits = value[len(letters):]
    return letters.isalpha() and letters.isupper() and len(letters) <= 3 and digits.isdigit() and digits[0] != "0"


def is_numeric(value: Any) -> bool:
    """A number, or a formula whose result is one: number formats apply to these only."""
    if isinstance(value, Formula):
        value = value.value
    return isinstance(value, (int, float)) and not isinstance(value, bool)
