"""rollup: regenerate the Rollup, Rollup by month and Breakdown sheets from Items and Financials."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

from pydantic import ConfigDict, Field

from xlportfolio.commands.base import Figures as BaseFigures
from xlportfolio.commands.base import Options as BaseOptions
from xlportfolio.commands.base import Outcome, Workbook
from xlportfolio.commands.needs import check_workbook
from xlportfolio.commands.verify import ledger_rows
from xlportfolio.core.findings import Report, lead
from xlportfolio.core.findings_sheet import findings_sheet, marks_for
from xlportfolio.core.gates.positions import as_recorded, bypasses, read_ledger
from xlportfolio.core.rollup.dashboard.layout import DASHBOARD_SHEET, dashboard_sheet
from xlportfolio.core.rollup.data import stage_weights
from xlportfolio.core.rollup.portfolio import check_portfolio
from xlportfolio.core.rollup.sheets import rollup
from xlportfolio.schema import CAPACITY, CHECKS_TABLE, DEPENDENCIES, FINANCIALS, ITEMS, STAGE_WEIGHTS, STAGES

# What rollup reads: the hierarchy, its money, and how much each stage's value counts.
BOOK_TABLES = [ITEMS, FINANCIALS, STAGE_WEIGHTS.table, DEPENDENCIES, CAPACITY, CHECKS_TABLE]


class Options(BaseOptions):
    model_config = ConfigDict(title="RollupOptions")

    values: bool = Field(False, description="Write plain numbers (a frozen snapshot) instead of formulas.")


class Figures(BaseFigures):
    model_config = ConfigDict(title="RollupFigures")

    items: int = Field(description="Rows on the Rollup sheet.")
    upper: int = Field(description="Items with rows on Rollup by month.")
    months: list[dt.date] = Field(description="The months of Rollup by month.")
    values: bool = Field(description="True: plain numbers were written (a snapshot), not formulas.")

    @property
    def headline(self) -> str:
        span = (f"{self.months[0]:%Y-%m} to {self.months[-1]:%Y-%m}" if self.months else "no months")
        return f"{self.items} items rolled up, {self.upper} of them by month ({len(self.months)} months, {span})"


def run(wb: Workbook, options: Options) -> Outcome[Figures]:
    """Regenerate the rollup sheets, the portfolio checks and the Dashboard. `as_of` is accepted like
    every command's, but a rollup adds up what the tables hold, whatever the day. Cells are live
    formulas over the Items, Financials and Stage weights tables; `values` writes the numbers alone."""
    check_workbook(wb, "rollup")
    book = wb.read(BOOK_TABLES)
    as_of, values = options.as_of or dt.date.today(), options.values
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
    figures = Figures(items=outcome.items, upper=outcome.upper, months=outcome.months, values=values)
    return Outcome.of("rollup", f"{figures.headline}; {report.tally}. The Rollup, Rollup by month, Breakdown and "
                      "Dashboard sheets are " + ("plain numbers" if values else "live formulas")
                      + ("; problems are listed on the Findings sheet." if report.findings else "."),
                      1 if report.errors else 0, report, figures=figures)


def ledger_disagreements_of(book, ledger) -> list:
    stages = tuple(book.lists.get("Stage") or STAGES)
    return bypasses(book.tables[ITEMS.name], ledger, stages, counted=" on the Rollup sheet")


