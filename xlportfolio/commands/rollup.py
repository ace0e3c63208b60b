"""rollup: regenerate the Rollup, Rollup by month and Breakdown sheets from Items and Financials."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from xlportfolio.commands.base import Outcome, Workbook
from xlportfolio.commands.needs import check_workbook
from xlportfolio.commands.verify import ledger_rows
from xlportfolio.core.findings import Report, lead
from xlportfolio.core.findings_sheet import findings_sheet, marks_for
from xlportfolio.core.gates.positions import as_recorded, bypasses, read_ledger
from xlportfolio.core.rollup.dashboard import DASHBOARD_SHEET, dashboard_sheet
from xlportfolio.core.rollup.data import stage_weights
from xlportfolio.core.rollup.portfolio import check_portfolio
from xlportfolio.core.rollup.sheets import rollup
from xlportfolio.files.workbook import open_book
from xlportfolio.schema import CAPACITY, CHECKS_TABLE, DEPENDENCIES, FINANCIALS, ITEMS, STAGE_WEIGHTS, STAGES

# What rollup reads: the hierarchy, its money, and how much each stage's value counts.
BOOK_TABLES = [ITEMS, FINANCIALS, STAGE_WEIGHTS.table, DEPENDENCIES, CAPACITY, CHECKS_TABLE]


@dataclass
class RollupResult:
    report: Report
    written: Path | None
    items: int  # rows on the Rollup sheet
    upper: int  # items with rows on Rollup by month
    months: list[dt.date]
    values: bool  # True: plain numbers were written (a snapshot), not formulas

    @property
    def headline(self) -> str:
        span = (f"{self.months[0]:%Y-%m} to {self.months[-1]:%Y-%m}" if self.months else "no months")
        return (f"{self.items} items rolled up, {self.upper} of them by month ({len(self.months)} months, {span}); "
                + self.report.tally)


def rollup_on(wb: Workbook, *, values: bool = False, as_of: dt.date | None = None) -> RollupResult:
    """Roll up an open workbook (file or live). `as_of` is accepted like every command's, but a
    rollup adds up what the tables hold, whatever the day."""
    check_workbook(wb, "rollup")
    book = wb.read(BOOK_TABLES)
    as_of = as_of or dt.date.today()
    # An item whose Stage or State was typed over counts where the ledger says it stands: the Rollup
    # sheet copies the ledger's stage, so its stage weights and counts (formulas over that copy) agree;
    # the Dashboard lists such items and corrects its figures by stage and state with that list.
    ledger = read_ledger(ledger_rows(wb))
    disagreements = ledger_disagreements_of(book, ledger)
    items = book.tables[ITEMS.name]
    recorded = replace(book, tables=book.tables | {ITEMS.name: replace(items, frame=as_recorded(items, ledger))})
    outcome = rollup(recorded if disagreements else book, values=values)
    # One Findings story for the command: the rollup's own findings and the portfolio checks
    # (dependencies, capacity, financials) share the command's marks and Findings rows.
    report = lead(Report.of([*outcome.report.findings, *check_portfolio(book, as_of).findings, *disagreements]), book)
    plan = outcome.plan
    plan.marks = marks_for(report)
    plan.sheets = [s for s in plan.sheets if s.name != "Findings"]
    # Only usable stage weights reach the Dashboard: the others are findings on their cells.
    plan.sheets.append(dashboard_sheet(book, as_of, values=values, stage_weights=stage_weights(book),
                                       recorded=recorded.tables[ITEMS.name].frame if disagreements else None))
    plan.sheets.append(findings_sheet(report, "rollup", "every number is usable and dependencies, capacity "
                                      "and financials are consistent"))
    plan.activate = DASHBOARD_SHEET  # a controller opening the workbook after a rollup lands on it
    wb.apply(plan)
    return RollupResult(report, None, outcome.items, outcome.upper, outcome.months, values)


def ledger_disagreements_of(book, ledger) -> list:
    stages = tuple(book.lists.get("Stage") or STAGES)
    return bypasses(book.tables[ITEMS.name], ledger, stages, counted=" on the Rollup sheet")


def rollup_file(path: str | Path, *, output: str | Path | None = None, values: bool = False,
                as_of: dt.date | None = None) -> RollupResult:
    """Rewrite BOOK's rollup sheets in place (or into `output`).

    Cells are live formulas over the Items, Financials and Stage weights tables; `values=True`
    writes the numbers alone (a frozen snapshot).
    """
    with open_book(path, output=output) as wb:
        result = rollup_on(wb, values=values, as_of=as_of)
        result.written = wb.save()
    return result


def run(wb: Workbook) -> Outcome:
    """The ribbon's Refresh rollups button."""
    result = rollup_on(wb)
    r = result.report
    return Outcome(f"{result.headline}. The Rollup, Rollup by month, Breakdown and Dashboard sheets are live formulas"
                   + ("; problems are listed on the Findings sheet." if r.findings else "."),
                   1 if r.errors else 0, r)
