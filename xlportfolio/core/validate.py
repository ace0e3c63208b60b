"""The validate command's core: intake findings, the per-row status and the Findings sheet."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import cache

from ..schema import INTAKE
from .book import Book
from .checks import Context, run_checks
from .findings import Finding, Report, Severity, lead
from .formats import legend
from .plan import ERROR_FILL, WARNING_FILL, CellMark, ColumnWrite, EditPlan, GeneratedSheet, Link
from .values import read_once, show

FINDINGS_SHEET = "Findings"
FINDINGS_HEADER = ("Command", "Severity", "Code", "Sheet", "Cell", "Column", "Value", "Item", "Rows", "What to do")
FINDINGS_WIDTHS = (11, 10, 22, 12, 10, 18, 24, 28, 7, 90)


def validate_intake(book: Book, as_of: dt.date | None = None,
                    disabled: frozenset[str] = frozenset()) -> tuple[Report, EditPlan]:
    """Check the Intake table; return the findings and the plan that writes them back."""
    context = Context(as_of=as_of or dt.date.today(), disabled=disabled | switched_off(book))
    report = Report.of(run_checks(book, context, INTAKE.name))
    status = _status_column(book, report)  # row by row, before repeats become one finding
    report = lead(report, book)
    plan = EditPlan(
        columns=[status],
        marks=marks_for(report),
        sheets=[findings_sheet(report, "validate", "every request is valid")],
        scope="validate",
    )
    return report, plan


def switched_off(book: Book) -> frozenset[str]:
    """Checks the workbook's Checks table sets to No."""
    table = book.table("Checks")
    if table is None or not {"check", "enabled"} <= set(table.frame.columns):
        return frozenset()
    return frozenset(str(name).strip() for name, on in zip(table.frame["check"], table.frame["enabled"])
                     if name and str(on or "").strip().casefold() == "no")


@cache  # the same few counts recur on thousands of rows
def row_status(errors: int, warnings: int) -> str:
    """'OK', '2 errors', '1 error, 3 warnings'."""
    if not errors and not warnings:
        return "OK"
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return ", ".join(parts)


def _status_column(book: Book, report: Report) -> ColumnWrite:
    intake = book.tables[INTAKE.name]
    errors, warnings = report.per_row(intake.sheet, Severity.ERROR), report.per_row(intake.sheet, Severity.WARNING)
    values = {row: row_status(errors.get(row, 0), warnings.get(row, 0)) for row in map(int, intake.frame.index)}
    return ColumnWrite(INTAKE.name, intake.sheet, intake.header("validation"), values)


def marks_for(report: Report) -> list[CellMark]:
    """One mark per offending cell; several findings on a cell share one note.

    Pass the report `lead` made: a finding that stands for an item's repeated rows marks its first
    cell only, and its note names the others, so thousands of rows do not each carry a note.
    """
    by_cell: dict[tuple[str, int, str], list[Finding]] = defaultdict(list)
    for f in report.findings:
        if f.row is not None and f.column:
            by_cell[(f.sheet, f.row, f.column)].append(f)
    marks = []
    for (sheet, row, column), found in by_cell.items():
        worst = Severity.ERROR in [f.severity for f in found]
        note = "\n".join([f"{_LABEL[f.severity]}: {f.message}" for f in found])
        marks.append(CellMark(sheet, row, column, ERROR_FILL if worst else WARNING_FILL, note))
    return marks


_LABEL = {s: s.upper() for s in Severity}  # how a note names a severity: ERROR, WARNING


def findings_sheet(report: Report, command: str, all_clear: str) -> GeneratedSheet:
    """Every finding of one command with a link to its cell; errors first, then in sheet order.

    The sheet is shared: each command replaces its own rows and keeps the others' (the walk puts
    every command's errors before the warnings); column A names the command for the autofilter.
    """
    ordered = report.leading
    shown = read_once([f.value for f in ordered], _shown)  # findings by the thousand share a few values
    rows = tuple(
        (
            command,
            str(f.severity),
            f.code,
            f.sheet,
            Link(cell, f.sheet, cell) if (cell := f.cell) else "",
            f.header or "",
            value,
            f.item or "",
            f.count if f.row is not None else "",
            f.message,
        )
        for f, value in zip(ordered, shown)
    )
    if not rows:
        rows = ((command, "", "", "", "", "", "", "", "", f"No findings: {all_clear}."),)
    key, looks = legend(1, len(FINDINGS_HEADER) + 2)  # right of the table, in the frozen header row
    return GeneratedSheet(FINDINGS_SHEET, FINDINGS_HEADER, rows, FINDINGS_WIDTHS, shared=True,
                          blocks=(key,), looks=looks)


def _shown(value: object) -> str:
    return show(value) if value is not None else ""
