"""Write the standard workbooks (intake template, governed portfolio) from the schema."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.table import TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from xlportfolio.core.formats import COMPUTED_FILL, INPUT_FILL, LEGEND, money_format
from xlportfolio.schema import (
    CHECKS_TABLE,
    CONFIG_TABLES,
    DATA_TABLES,
    INTAKE,
    LISTS,
    LISTS_BY_NAME,
    NUMBER_FORMATS,
    SCORING,
    SETTINGS,
    Column,
    ColumnType,
    Table,
)

TEMPLATE_VERSION = "1.1"
# Intake template versions a PMO may still receive, with the Intake columns each one lacks;
# the reader matches columns by header, so an older form is read as the current one.
TEMPLATE_HISTORY = {
    "1.0": ("regulation_ref", "accept", "intake_status", "item_id", "origin"),
    "1.1": (),
}
# Fixed so that a regenerated template differs from the committed copy only where it should.
CREATED = dt.datetime(2026, 1, 1)

INPUT_STYLE = "xlp Input"
COMPUTED_STYLE = "xlp Computed"
TABLE_STYLE = "TableStyleMedium2"
DEFAULT_WIDTHS = {ColumnType.DATE: 12, ColumnType.MONTH: 10, ColumnType.MONEY: 14,
                  ColumnType.CHOICE: 16, ColumnType.TEXT: 22}


@dataclass(frozen=True)
class Kind:
    id: str
    title: str
    tables: tuple[Table, ...]
    # Sheet protection keeps people out of the computed columns; those cells stay unlocked,
    # because Excel refuses every write to a locked cell of a protected sheet, the tool's
    # too, and xlwings has no protection API common to its engines to lift it for a run.
    # A data validation that accepts nothing stops typing there instead (see _guard).
    protect: bool
    blank_rows: int  # pre-sized empty rows: a protected sheet cannot grow a table


INTAKE_KIND = Kind("intake", "Intake template", (INTAKE,), protect=True, blank_rows=200)
PORTFOLIO_KIND = Kind("portfolio", "Governed portfolio workbook", DATA_TABLES, protect=False, blank_rows=1)
KINDS = {k.id: k for k in (INTAKE_KIND, PORTFOLIO_KIND)}


def build_workbook(kind: Kind, data: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
                   password: str | None = None) -> Workbook:
    """A new workbook of `kind`; `data` fills tables with rows keyed by column name."""
    data = data or {}
    wb = Workbook()
    _add_styles(wb)
    instructions = wb.active
    instructions.title = "Instructions"
    for table in kind.tables:
        _data_sheet(wb, table, list(data.get(table.name, ())), kind, password)
    if kind is PORTFOLIO_KIND:
        for config in CONFIG_TABLES:
            rows = [dict(zip((c.name for c in config.table.columns), r)) for r in config.rows]
            _data_sheet(wb, config.table, rows, kind, password)
        _data_sheet(wb, CHECKS_TABLE, check_rows(), kind, password)
        _ahp_table(wb[SCORING.table.sheet])
        _currency_dropdown(wb[SETTINGS.table.sheet])
    _lists_sheet(wb)
    _instructions(instructions, kind)
    _properties(wb, kind)
    if kind.protect:  # a business unit opens the template straight onto the form it fills
        wb.active = wb.sheetnames.index(kind.tables[0].sheet)
    return wb


def check_rows() -> list[dict[str, str]]:
    """The Checks table starts with every registered check switched on."""
    from xlportfolio.core.checks import CHECKS

    return [{"check": c.name, "enabled": "Yes", "codes": ", ".join(c.codes)} for c in CHECKS.values()]


def _ahp_table(ws: Worksheet) -> None:
    """Pairwise comparisons for `score --ahp`, beside the criteria: all equal until a PMO edits them.

    Cell (row A, column B) says how much more A matters than B (1 equal ... 9 extremely);
    the cell (B, A) holds its reciprocal, so the formula keeps the matrix consistent.
    """
    names = [row[0] for row in SCORING.rows]
    first = len(SCORING.table.columns) + 3
    ws.cell(1, first, "AHP: how much more the row matters than the column")
    for i, name in enumerate(["Criterion", *names]):
        ws.cell(2, first + i, name)
    for r, name in enumerate(names, start=3):
        ws.cell(r, first, name)
        for c in range(len(names)):
            cell = ws.cell(r, first + 1 + c)
            if c == r - 3:
                cell.value = 1
            elif c < r - 3:  # below the diagonal: the reciprocal of the mirrored cell
                mirror = f"{get_column_letter(first + 1 + r - 3)}{c + 3}"
                cell.value = f"=1/{mirror}"
                cell.style = COMPUTED_STYLE
            else:
                cell.value = 1
                cell.style = INPUT_STYLE
    last = f"{get_column_letter(first + len(names))}{len(names) + 2}"
    ws.add_table(ExcelTable(displayName="AHP", ref=f"{get_column_letter(first)}2:{last}",
                            tableStyleInfo=TableStyleInfo(name="TableStyleLight9", showRowStripes=True)))
    ws.column_dimensions[get_column_letter(first)].width = 18


def _add_styles(wb: Workbook) -> None:
    thin = PatternFill("solid", fgColor=INPUT_FILL)  # the pale yellow accountants read as "type here"
    wb.add_named_style(NamedStyle(INPUT_STYLE, fill=thin, protection=Protection(locked=False)))
    wb.add_named_style(NamedStyle(COMPUTED_STYLE, fill=PatternFill("solid", fgColor=COMPUTED_FILL),
                                  font=Font(italic=True, color="404040"),
                                  protection=Protection(locked=True)))


def _data_sheet(wb: Workbook, table: Table, rows: list[Mapping[str, Any]], kind: Kind,
                password: str | None) -> None:
    ws = wb.create_sheet(table.sheet)
    ws.append([c.label for c in table.columns])
    for r, record in enumerate(rows, start=2):
        for c, col in enumerate(table.columns, start=1):
            value = record.get(col.name)
            if value is not None:
                set_text_safe(ws.cell(r, c), value)  # text that looks like a formula stays text
    last = max(len(rows), kind.blank_rows) + 1
    for idx, col in enumerate(table.columns, start=1):
        _format_column(ws, idx, col, last, kind)
    ref = f"A1:{get_column_letter(len(table.columns))}{last}"
    ws.add_table(ExcelTable(displayName=table.name, ref=ref, tableStyleInfo=TableStyleInfo(
        name=TABLE_STYLE, showRowStripes=True)))
    _dropdowns(ws, table, last)
    if kind.protect:
        _guard_computed(ws, table, last)
    for cell in ws[1]:
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "B2"
    if kind.protect:
        _protect(ws, password)


def _format_column(ws: Worksheet, idx: int, col: Column, last: int, kind: Kind) -> None:
    letter = get_column_letter(idx)
    ws.column_dimensions[letter].width = col.width or DEFAULT_WIDTHS.get(col.type, 14)
    style = COMPUTED_STYLE if col.computed else INPUT_STYLE
    # Typed amounts in accounting style without a sign: an Intake row names its own currency, and the
    # Settings table's currency may change after the template is made; generated sheets show it.
    fmt = money_format("") if col.type is ColumnType.MONEY else NUMBER_FORMATS.get(col.type)
    writable = col.computed and kind.protect  # see Kind.protect
    for row in range(2, last + 1):
        cell = ws.cell(row, idx)
        cell.style = style
        if fmt:
            cell.number_format = fmt
        if writable:
            cell.protection = Protection(locked=False)


def _currency_dropdown(ws: Worksheet) -> None:
    """The Currency setting's Value cell offers the Currency list, as every currency cell does."""
    row = 2 + [r[0] for r in SETTINGS.rows].index("Currency")
    value = 1 + [c.name for c in SETTINGS.table.columns].index("value")
    dv = _validation_for(Column("currency", "Currency", ColumnType.CHOICE, "The workbook's currency.",
                                choices="Currency"))
    dv.add(f"{get_column_letter(value)}{row}")
    ws.add_data_validation(dv)


def _dropdowns(ws: Worksheet, table: Table, last: int) -> None:
    """Dropdowns for lists, and gentle type checks for dates and amounts, on every data row."""
    for idx, col in enumerate(table.columns, start=1):
        if col.computed:
            continue
        rng = f"{get_column_letter(idx)}2:{get_column_letter(idx)}{last}"
        dv = _validation_for(col)
        if dv is not None:
            dv.add(rng)
            ws.add_data_validation(dv)


def _guard_computed(ws: Worksheet, table: Table, last: int) -> None:
    """Typing into a computed cell is refused with a message saying which command fills it.

    A data validation applies only to what a person types, never to what a program writes, so
    the commands (file or live, any engine) still write these unlocked cells. Its limits, which
    sheet protection would not have: a paste replaces the cell's validation along with its value,
    and Delete clears a cell unchecked; the next run of the command writes the column again.
    """
    for idx, col in enumerate(table.columns, start=1):
        if not col.computed:
            continue
        letter = get_column_letter(idx)
        dv = DataValidation(type="custom", formula1="FALSE", allow_blank=False, showErrorMessage=True,
                            errorStyle="stop", errorTitle=f"{col.label} is computed"[:32],
                            error=f"{col.description} Type in the pale yellow cells instead."[:255])
        dv.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(dv)


def _validation_for(col: Column) -> DataValidation | None:
    common = dict(allow_blank=True, showErrorMessage=True, showInputMessage=bool(col.description),
                  promptTitle=col.label[:32], prompt=col.description[:255])
    if col.type is ColumnType.CHOICE:
        lst = LISTS_BY_NAME[col.choices]
        return DataValidation(type="list", formula1=lst.range_name, errorTitle="Not in the list",
                              error=f"Choose a value from the {lst.label} list (Lists sheet).", **common)
    if col.type.is_date:
        return DataValidation(type="date", operator="between", formula1="DATE(1990,1,1)",
                              formula2="DATE(2100,12,31)", errorTitle="Not a date",
                              error="Type a date such as 2026-03-31.", **common)
    if col.type.is_numeric:
        return DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0",
                              errorTitle="Not an amount", error="Type a number of zero or more.",
                              **common)
    return None


def _protect(ws: Worksheet, password: str | None) -> None:
    """Protect the sheet; people may still sort, filter, resize and format, and the commands may
    colour cells and add notes (formatting cells and editing objects stay allowed).

    The workbook's structure is left unprotected: the commands add the Findings and xlp_marks
    sheets, which Excel refuses on a book whose structure is protected.
    """
    p = ws.protection
    p.sheet = True
    p.formatColumns = p.formatRows = p.formatCells = False
    p.sort = p.autoFilter = False
    if password:
        p.password = password


def _lists_sheet(wb: Workbook) -> None:
    ws = wb.create_sheet("Lists")
    for n, lst in enumerate(LISTS):
        col = 1 + 2 * n  # one empty column between lists keeps the tables apart
        letter = get_column_letter(col)
        ws.cell(1, col, lst.label)
        for r, value in enumerate(lst.values, start=2):
            ws.cell(r, col, value)
        ref = f"{letter}1:{letter}{len(lst.values) + 1}"
        ws.add_table(ExcelTable(displayName=lst.table_name, ref=ref,
                                tableStyleInfo=TableStyleInfo(name="TableStyleLight9", showRowStripes=True)))
        ws.column_dimensions[letter].width = max(14, max(len(v) for v in lst.values) + 2)
        ws.column_dimensions[get_column_letter(col + 1)].width = 3
        # A structured reference grows with the table when the PMO adds a value.
        wb.defined_names[lst.range_name] = DefinedName(lst.range_name, attr_text=f"{lst.table_name}[{lst.label}]")
    ws.freeze_panes = "A2"


def _instructions(ws: Worksheet, kind: Kind) -> None:
    ws["A1"] = f"xlportfolio {kind.title} (template {kind.id} v{TEMPLATE_VERSION})"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = ("Type into the pale yellow cells; grey cells are filled in by xlportfolio commands. "
                "Dropdown values come from the Lists sheet. Every column is described below.")
    _legend(ws, 1, 6)
    if kind.protect:
        ws["A3"] = (f"The sheet is protected and its grey cells refuse typing; {kind.blank_rows} rows are "
                    "ready for requests. To add more, unprotect it (Review > Unprotect Sheet). Leave the "
                    "workbook's structure unprotected: the commands add a Findings sheet.")
    row = 5
    config = (*(c.table for c in CONFIG_TABLES), CHECKS_TABLE) if kind is PORTFOLIO_KIND else ()
    for table in kind.tables + config:
        row = _describe_table(ws, table, row) + 1
    for letter, width in zip("ABCDE", (24, 10, 12, 30, 80)):
        ws.column_dimensions[letter].width = width


def _legend(ws: Worksheet, row: int, col: int) -> None:
    """What each fill means, each line in its own colour, beside the sheet's title."""
    ws.cell(row, col, "What the fills mean").font = Font(bold=True)
    for n, (rgb, text) in enumerate(LEGEND, start=1):
        cell = ws.cell(row + n, col, text)
        cell.fill = PatternFill("solid", fgColor=rgb)
    ws.column_dimensions[get_column_letter(col)].width = max(len(text) for _, text in LEGEND) + 2


def _describe_table(ws: Worksheet, table: Table, row: int) -> int:
    ws.cell(row, 1, f"Table {table.name} (sheet {table.sheet})").font = Font(bold=True, size=12)
    ws.cell(row + 1, 1, table.description)
    row += 2
    for c, text in enumerate(("Column", "Required", "Type", "Allowed values", "Description"), 1):
        ws.cell(row, c, text).font = Font(bold=True)
    for col in table.columns:
        row += 1
        allowed = ", ".join(LISTS_BY_NAME[col.choices].values) if col.choices else ""
        kind = "computed" if col.computed else str(col.type)
        for c, value in enumerate((col.label, "yes" if col.required else "", kind, allowed,
                                   col.description), 1):
            ws.cell(row, c, value).alignment = Alignment(wrap_text=True, vertical="top")
    return row + 1


def _properties(wb: Workbook, kind: Kind) -> None:
    props = wb.properties
    props.title = f"xlportfolio {kind.title}"
    props.creator = "xlportfolio"
    props.identifier = f"xlportfolio.{kind.id}"
    props.version = TEMPLATE_VERSION
    props.created = CREATED
    props.keywords = "xlportfolio"
    wb.custom_doc_props.append(StringProperty(name="xlportfolio.template", value=kind.id))
    wb.custom_doc_props.append(StringProperty(name="xlportfolio.template_version", value=TEMPLATE_VERSION))


def set_text_safe(cell: Any, value: Any) -> None:
    """Write a value; text that starts with '=' stays text and never becomes a formula."""
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
