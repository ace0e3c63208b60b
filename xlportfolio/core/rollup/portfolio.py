"""Portfolio checks as one report, and the plan that marks their cells and lists them on Findings."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

from xlportfolio.core.book import Book
from xlportfolio.core.checks import Context, run_checks
from xlportfolio.core.checks.portfolio import RowsFinding
from xlportfolio.core.findings import Report
from xlportfolio.core.findings_sheet import findings_sheet, marks_for
from xlportfolio.core.intake.validate import read_switches
from xlportfolio.core.plan import EditPlan
from xlportfolio.schema import CAPACITY, DEPENDENCIES, FINANCIALS, SETTINGS

PORTFOLIO_TABLES = (DEPENDENCIES.name, CAPACITY.name, FINANCIALS.name, SETTINGS.table.name)


def check_portfolio(book: Book, as_of: dt.date, disabled: frozenset[str] = frozenset()) -> Report:
    """Run the checks of the Dependencies, Capacity, Financials and Settings tables (those the workbook has).

    `disabled` names checks to skip, on top of those the workbook's Checks table switches off; a
    switch that cannot be read is a finding of its own.
    """
    off, switches = read_switches(book)
    context = Context(as_of=as_of, disabled=disabled | off)
    return Report.of([*(f for name in PORTFOLIO_TABLES for f in run_checks(book, context, name)), *switches])


def portfolio_marks(report: Report, scope: str = "rollup") -> EditPlan:
    """Fill and annotate every offending cell (each row of a cycle) and list the findings.

    The plan replaces only `scope`'s earlier marks and its own rows on the shared Findings sheet.
    """
    spread = Report(tuple(replace(f, row=row) for f in report.findings
                          for row in (f.rows if isinstance(f, RowsFinding) and f.rows else (f.row,))))
    return EditPlan(marks=marks_for(spread),
                    sheets=[findings_sheet(report, scope, "dependencies, capacity and financials are consistent")],
                    scope=scope)
