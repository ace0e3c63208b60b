"""The one plan walk: apply a command's EditPlan to any surface (file package, Excel, memory).

The walk decides where things go; surfaces only carry it out. Its pieces:

    session    Session: one plan's view of the workbook (sheets, tables, the marks register)
    tables     which column a header is in, which rows a table grows to (ColumnWrite, RowWrite)
    marks      cell marks as a difference against the `xlp_marks` register
    generated  what a generated sheet looks like, where its tab goes, how it prints
"""
from __future__ import annotations

from xlportfolio.core.plan import MARKS_HEADER, MARKS_SHEET, EditPlan, GeneratedSheet
from xlportfolio.errors import XlPortfolioError
from xlportfolio.surface.generated import replace_sheet
from xlportfolio.surface.marks import apply_marks
from xlportfolio.surface.protocol import Surface
from xlportfolio.surface.session import Session
from xlportfolio.surface.tables import write_column, write_rows

MAX_ROWS = 1_048_576  # Excel's last row


def apply_plan(surface: Surface, plan: EditPlan) -> None:
    if plan.marks and not plan.scope:
        raise ValueError("a plan that marks cells must name its command (scope)")
    check_rows(surface.source, plan)
    session = Session(surface)
    mine, others = session.register(plan.scope) if plan.scope else ({}, [])
    for rows in plan.rows:
        write_rows(session, rows)
    for write in plan.columns:
        write_column(session, write)
    register = others + (apply_marks(session, plan.scope, mine, plan.marks) if plan.scope else [])
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
