"""Apply an edit plan to an openpyxl workbook; this module holds no business rules."""
from __future__ import annotations

from copy import copy
from dataclasses import replace
from typing import Any

from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from ..core.plan import (
    MARKS_HEADER,
    MARKS_SHEET,
    NOTE_AUTHOR,
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
from ..core.values import is_blank
from ..schema import TABLES_BY_NAME
from .reader import find_table, last_data_row, last_header_column

HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=12, color="1F4E78")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
LINK_FONT = Font(color="0563C1", underline="single")


def apply_plan(wb: Workbook, plan: EditPlan) -> None:
    if plan.marks and not plan.scope:
        raise ValueError("a plan that marks cells must name its command (scope)")
    register = _restore_marks(wb, plan.scope) if plan.scope else []
    for rows in plan.rows:
        _write_rows(wb, rows)
    for write in plan.columns:
        _write_column(wb, write)
    register += [(plan.scope, *_mark(wb, mark)) for mark in plan.marks]
    for sheet in plan.sheets:
        replace_sheet(wb, sheet, plan.scope)
    if plan.scope:
        replace_sheet(wb, GeneratedSheet(MARKS_SHEET, MARKS_HEADER, tuple(register), hidden=True))


def set_text_safe(cell: Any, value: Any) -> None:
    """Write a value; text that starts with '=' stays text and never becomes a formula."""
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


class TableTarget:
    """Where a governed table sits in a sheet: an Excel Table, or a plain range under row 1."""

    def __init__(self, wb: Workbook, name: str, sheet: str):
        self.ws, self.table = find_table(wb, name) or (wb[sheet], None)
        self.schema = TABLES_BY_NAME.get(name)
        if self.table is None:
            self.first_col, self.header_row, self.last_col = 1, 1, last_header_column(self.ws)
            self.last_row = last_data_row(self.ws, self.first_col, self.last_col)
        else:
            self.first_col, self.header_row, self.last_col, self.last_row = range_boundaries(self.table.ref)

    def column(self, header: str) -> int:
        """The column whose header is `header` (case-insensitive), added at the right if missing."""
        for col in range(self.first_col, self.last_col + 1):
            cell = self.ws._cells.get((self.header_row, col))
            if cell is not None and str(cell.value or "").strip().casefold() == header.casefold():
                return col
        self.last_col += 1
        self.ws.cell(self.header_row, self.last_col, header)
        if self.table is not None:
            from openpyxl.worksheet.table import TableColumn

            self.table.tableColumns.append(TableColumn(id=len(self.table.tableColumns) + 1, name=header))
            self._set_ref()
        return self.last_col

    def column_of(self, name: str) -> int:
        """The column a schema column name stands for, matched by label or name."""
        for col in range(self.first_col, self.last_col + 1):
            cell = self.ws._cells.get((self.header_row, col))
            match = self.schema.match_header(cell.value) if cell is not None and self.schema else None
            if match is not None and match.name == name:
                return col
        return self.column(self.schema.column(name).label if self.schema else name)

    def reach(self, row: int) -> None:
        """Grow the table down to `row`; new rows copy the formats of the first data row."""
        if row <= self.last_row:
            return
        model = self.header_row + 1
        for r in range(self.last_row + 1, row + 1):
            for c in range(self.first_col, self.last_col + 1):
                source = self.ws._cells.get((model, c))
                if source is not None and source.has_style and r != model:
                    self.ws.cell(r, c)._style = copy(source._style)
        self.last_row = row
        if self.table is not None:
            self._set_ref()

    def _set_ref(self) -> None:
        self.table.ref = (f"{get_column_letter(self.first_col)}{self.header_row}:"
                          f"{get_column_letter(self.last_col)}{self.last_row}")
        if self.table.autoFilter is not None:
            self.table.autoFilter.ref = self.table.ref


def _write_column(wb: Workbook, write: ColumnWrite) -> None:
    target = TableTarget(wb, write.table, write.sheet)
    col = target.column(write.header)
    ws = target.ws
    data_rows = range(target.header_row + 1, target.last_row + 1) if write.clear_other_rows else write.values
    for row in data_rows:
        value = write.values.get(row)
        if value is None and (row, col) not in ws._cells:
            continue  # don't create empty cells in a long pre-sized table
        cell = ws.cell(row, col)
        set_text_safe(cell, value)
        if write.number_format:
            cell.number_format = write.number_format


def _write_rows(wb: Workbook, write: RowWrite) -> None:
    if not write.rows:
        return
    target = TableTarget(wb, write.table, write.sheet)
    target.reach(max(write.rows))
    columns: dict[str, int] = {}
    for row, values in sorted(write.rows.items()):
        for name, value in values.items():
            if name not in columns:
                columns[name] = target.column_of(name)
            set_text_safe(target.ws.cell(row, columns[name]), value)


def _mark(wb: Workbook, mark: CellMark) -> tuple[str, str, str, str, str]:
    """Colour and annotate one cell; return what it held before, for the register."""
    cell = wb[mark.sheet][f"{mark.column}{mark.row}"]
    prior_fill = _fill_rgb(cell)
    prior = cell.comment
    cell.fill = PatternFill("solid", fgColor=mark.fill)
    cell.comment = _note(mark.note)
    return (mark.sheet, cell.coordinate, prior_fill,
            prior.text if prior else "", (prior.author or "") if prior else "")


def _note(text: str) -> Comment:
    comment = Comment(text, NOTE_AUTHOR)
    comment.width, comment.height = 320, 40 + 18 * (text.count("\n") + len(text) // 50)
    return comment


def _fill_rgb(cell: Any) -> str:
    fill = cell.fill
    if fill is None or fill.fill_type != "solid":
        return ""
    rgb = getattr(fill.fgColor, "rgb", None)
    return rgb if isinstance(rgb, str) else ""


def _restore_marks(wb: Workbook, scope: str) -> list[tuple]:
    """Undo the command's previous marks from the register, and return the other commands' rows.

    Nothing depends on reading fills back, which xlwings' remote engine cannot do.
    """
    if MARKS_SHEET not in wb.sheetnames:
        return []
    others = []
    for row in wb[MARKS_SHEET].iter_rows(min_row=2, max_col=len(MARKS_HEADER), values_only=True):
        command, sheet, coord, fill, note, author = row
        if command != scope:
            others.append(row)
        elif sheet in wb.sheetnames and coord:
            cell = wb[sheet][coord]
            cell.fill = PatternFill("solid", fgColor=fill) if fill else PatternFill(fill_type=None)
            cell.comment = Comment(note, author or None) if not is_blank(note) else None
    return others


def replace_sheet(wb: Workbook, spec: GeneratedSheet, scope: str | None = None) -> Worksheet:
    """Rewrite a generated sheet whole, keeping its place among the tabs.

    On a shared sheet the rows other commands wrote (column A names the command) are kept.
    """
    index = None
    if spec.name in wb.sheetnames:
        index = wb.sheetnames.index(spec.name)
        if spec.shared:
            spec = replace(spec, rows=spec.rows + _rows_of_others(wb[spec.name], scope, len(spec.header)))
        wb.remove(wb[spec.name])
    ws = wb.create_sheet(spec.name, index)
    if spec.header:
        _write_table(ws, 1, 1, spec.header, spec.rows, spec.formats)
    for block in spec.blocks:
        _write_block(ws, block)
    for c, width in enumerate(spec.widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    if spec.rows and spec.widths:
        last = get_column_letter(len(spec.widths))
        ws.column_dimensions[last].width = spec.widths[-1]
        for (cell,) in ws.iter_rows(min_row=2, min_col=len(spec.widths), max_col=len(spec.widths)):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = spec.freeze
    if len(spec.header) and spec.rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(spec.header))}{len(spec.rows) + 1}"
    if spec.hidden:
        ws.sheet_state = "hidden"
    for chart in spec.charts:
        ws.add_chart(native_chart(ws, chart), chart.anchor)
    for rule in spec.conditional:
        _conditional(ws, rule)
    if _has_formulas(spec):
        # openpyxl stores no results for formulas; Excel and LibreOffice then compute them on open.
        wb.calculation.fullCalcOnLoad = True
    return ws


def _write_table(ws: Worksheet, row: int, col: int, header: tuple, rows: tuple, formats: tuple) -> None:
    for c, text in enumerate(header, start=col):
        cell = ws.cell(row, c, text)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for r, values in enumerate(rows, start=row + 1):
        for i, value in enumerate(values):
            _write_value(ws.cell(r, col + i), value, formats[i] if i < len(formats) else None)


def _write_block(ws: Worksheet, block: Block) -> None:
    if block.title:
        ws.cell(block.row, block.column, block.title).font = TITLE_FONT
    _write_table(ws, block.header_row, block.column, block.header, block.rows, block.formats)


def _write_value(cell: Any, value: Any, number_format: str | None) -> None:
    if isinstance(value, Link):
        cell.value = value.text
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=value.location, display=value.text)
        cell.font = LINK_FONT
        return
    if isinstance(value, Formula):
        cell.value = value.text  # a formula on purpose: the number stays traceable to its source
        numeric = isinstance(value.value, (int, float))
    else:
        set_text_safe(cell, value)
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    if number_format and numeric:
        cell.number_format = number_format


def _has_formulas(spec: GeneratedSheet) -> bool:
    tables = [spec.rows, *(b.rows for b in spec.blocks)]
    return any(isinstance(v, Formula) for rows in tables for row in rows for v in row)


def _conditional(ws: Worksheet, rule: ColorScale | CellIs) -> None:
    from openpyxl.formatting.rule import CellIsRule, ColorScaleRule

    if isinstance(rule, ColorScale):
        ws.conditional_formatting.add(rule.ref, ColorScaleRule(start_type="min", start_color=rule.low,
                                                               end_type="max", end_color=rule.high))
    else:
        operand = f'"{rule.value}"' if isinstance(rule.value, str) else str(rule.value)
        ws.conditional_formatting.add(rule.ref, CellIsRule(operator="equal", formula=[operand],
                                                           fill=PatternFill("solid", fgColor=rule.fill)))


def _rows_of_others(ws: Worksheet, scope: str | None, width: int) -> tuple[tuple, ...]:
    """Rows another command wrote on a shared sheet, hyperlinks kept as links."""
    kept = []
    for cells in ws.iter_rows(min_row=2, max_col=width):
        if cells[0].value in (None, scope):
            continue
        kept.append(tuple(_as_link(c) if c.hyperlink is not None and c.hyperlink.location else c.value
                          for c in cells))
    return tuple(kept)


def _as_link(cell: Any) -> Link:
    sheet, _, coord = cell.hyperlink.location.rpartition("!")
    return Link(str(cell.value), sheet.strip("'"), coord)


def native_chart(ws: Worksheet, spec: ChartSpec) -> Any:
    """An openpyxl chart object from a plan's chart spec."""
    from openpyxl.chart import BarChart, LineChart, Reference, ScatterChart, Series

    def ref(span, skip_header=False):
        return Reference(ws, min_col=span.column, min_row=span.first + skip_header, max_row=span.last)

    if spec.kind == "scatter":
        chart = ScatterChart(scatterStyle="lineMarker")
        for span in spec.series:
            series = Series(ref(span, True), ref(spec.categories, True), title=str(ws.cell(span.first, span.column).value))
            series.marker.symbol = "circle"
            chart.series.append(series)
    else:
        chart = LineChart() if spec.kind == "line" else BarChart()
        if spec.kind in ("bar", "column"):
            chart.type = "bar" if spec.kind == "bar" else "col"
        for span in spec.series:
            chart.add_data(ref(span), titles_from_data=True)
        chart.set_categories(ref(spec.categories, True))
    chart.title = spec.title
    if len(spec.series) == 1:
        chart.legend = None  # the title already names the only series
    chart.x_axis.title = spec.x_title or None
    chart.y_axis.title = spec.y_title or None
    chart.y_axis.numFmt = spec.number_format
    if spec.kind == "scatter":
        chart.x_axis.numFmt = spec.x_number_format
    # openpyxl leaves axes' delete flag unset, and recent Excel then hides them.
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.width, chart.height = spec.width_cm, spec.height_cm
    return chart
