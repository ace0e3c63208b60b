"""Generated sheets (Findings, Rollup, Dashboard ...) as the plan walk lays them out on any surface:
rewritten whole in place or added in their tab order, tables with their header look, links and
number formats, blocks, charts, and the page setup their printed pages get. On a shared sheet
(Findings) the rows other commands wrote are kept.
"""
from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from xlportfolio.core.book import column_letter, split_cell
from xlportfolio.core.formats import fit_widths
from xlportfolio.core.plan import TAB_ORDER, Block, Formula, GeneratedSheet, Link, PrintSetup
from xlportfolio.core.values import is_blank
from xlportfolio.surface.protocol import CellStyle, Surface
from xlportfolio.surface.session import Session, cell_text, is_coord
from xlportfolio.surface.tables import runs

HEADER = CellStyle(bold=True, font_color="FFFFFF", fill="1F4E78")
TITLE = CellStyle(bold=True, font_color="1F4E78", font_size=12)
WRAP = CellStyle(wrap=True, top=True)


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
        session.added(name)
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
        surface.chart(name, chart, [cell_text(_value_at(spec, s.first, s.column)) for s in chart.series])
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



def is_numeric(value: Any) -> bool:
    """A number, or a formula whose result is one: number formats apply to these only."""
    if isinstance(value, Formula):
        value = value.value
    return isinstance(value, (int, float)) and not isinstance(value, bool)
