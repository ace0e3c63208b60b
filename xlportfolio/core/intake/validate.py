"""The validate command's core: intake findings and the per-row status."""
from __future__ import annotations

import datetime as dt
from functools import cache

from xlportfolio.core.book import Book
from xlportfolio.core.checks import CHECKS, Context, run_checks
from xlportfolio.core.config import CheckSwitch, read_rows
from xlportfolio.core.findings import Finding, Report, Severity, lead
from xlportfolio.core.findings_sheet import findings_sheet, marks_for
from xlportfolio.core.plan import ColumnWrite, EditPlan
from xlportfolio.schema import CHECKS_TABLE, INTAKE


def validate_intake(book: Book, as_of: dt.date | None = None,
                    disabled: frozenset[str] = frozenset()) -> tuple[Report, EditPlan]:
    """Check the Intake table; return the findings and the plan that writes them back."""
    off, switches = read_switches(book)
    context = Context(as_of=as_of or dt.date.today(), disabled=disabled | off)
    report = Report.of([*run_checks(book, context, INTAKE.name), *switches])
    status = _status_column(book, report)  # row by row, before repeats become one finding
    report = lead(report, book)
    plan = EditPlan(
        columns=[status],
        marks=marks_for(report),
        sheets=[findings_sheet(report, "validate", "every request is valid")],
        scope="validate",
    )
    return report, plan


def read_switches(book: Book) -> tuple[frozenset[str], list[Finding]]:
    """The checks the workbook's Checks table sets to No, and a finding for each switch that cannot be read."""
    table = book.table(CHECKS_TABLE.name)
    if table is None or not {"check", "enabled"} <= set(table.frame.columns):
        return frozenset(), []
    read = read_rows(table, CheckSwitch, {"checks": frozenset(CHECKS)})
    return frozenset(s.check for s in read.rows if not s.enabled), read.findings


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
