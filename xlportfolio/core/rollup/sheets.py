"""The rollup command's core: totals for every level of the hierarchy, live and traceable.

Three generated sheets, each a note in row 1, a header in row 2 and data from row 3, each built
by its own module:

- **Rollup** (totals): every item in tree order, each row the item together with everything
  below it, every amount one SUMIFS over the items' own amounts.
- **Rollup by month** (by_month): plan, forecast and actual per month for the upper levels.
- **Breakdown** (breakdown): own amounts of all items grouped by function, legal entity and category.

What they share, and the engine's own numbers behind every formula, are in engine.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from xlportfolio.core.book import Book
from xlportfolio.core.codes import define, finding
from xlportfolio.core.findings import Report, Severity, lead
from xlportfolio.core.findings_sheet import findings_sheet, marks_for
from xlportfolio.core.formats import money_format
from xlportfolio.core.plan import EditPlan
from xlportfolio.core.rollup.breakdown import breakdown_sheet
from xlportfolio.core.rollup.by_month import month_sheet
from xlportfolio.core.rollup.data import CODES as DATA_CODES
from xlportfolio.core.rollup.data import read_financials, read_weights
from xlportfolio.core.rollup.engine import Run, column_of, own_amounts
from xlportfolio.core.rollup.totals import rollup_sheet
from xlportfolio.core.rollup.tree import CODES as TREE_CODES
from xlportfolio.core.rollup.tree import build_tree, text_key
from xlportfolio.core.settings import read_settings
from xlportfolio.schema import ITEMS, LISTS_BY_NAME

NO_WEIGHT = define(
    "rollup-no-weight", Severity.WARNING,
    "{why}, so the weighted value of this item's own financials is 0; {fix}.")
CODES = (*TREE_CODES, *DATA_CODES, NO_WEIGHT)  # every finding code rollup may report

UPPER_LEVELS = 4  # Organization, Portfolio, Program, Project get a row per month


@dataclass
class RollupOutcome:
    report: Report
    plan: EditPlan
    items: int  # rows on the Rollup sheet
    upper: int  # items with rows on Rollup by month
    months: list[dt.date]


def rollup(book: Book, *, values: bool = False) -> RollupOutcome:
    """Build the Rollup, Rollup by month and Breakdown sheets from Items and Financials.

    `values=True` writes plain numbers (a snapshot) instead of formulas. The caller makes sure
    there is an Items table.
    """
    items = book.tables[ITEMS.name]
    tree = build_tree(items)
    lists = book.lists
    flows = _pair(lists, "FlowKind")
    recurrences = _pair(lists, "Recurrence")
    fin = read_financials(book, tree, flows, recurrences)
    weights = read_weights(book)
    frame = items.frame.reindex(tree.rows)
    run = Run(items, frame, tree, fin, weights, flows, recurrences,
              tuple(lists.get("Stage") or LISTS_BY_NAME["Stage"].values),
              tuple(lists.get("Status") or LISTS_BY_NAME["Status"].values), lists, values,
              money_format(read_settings(book).currency))
    own = own_amounts(run)
    findings = [*tree.findings, *fin.findings, *weights.findings, *_weightless(run)]
    levels = tuple(lists.get("Level") or LISTS_BY_NAME["Level"].values)
    wanted = {text_key(v) for v in levels[:UPPER_LEVELS]}
    upper = [i for i, level in enumerate(column_of(frame, "level")) if text_key(level) in wanted]
    report = lead(Report.of(findings), book)
    sheets = [rollup_sheet(run, own), month_sheet(run, upper), breakdown_sheet(run, own),
              findings_sheet(report, "rollup", "every number the rollup reads is usable")]
    plan = EditPlan(marks=marks_for(report), sheets=sheets, scope="rollup")
    return RollupOutcome(report, plan, len(tree), len(upper), fin.months)


def _pair(lists: dict[str, tuple[str, ...]], name: str) -> tuple[str, str]:
    values = tuple(lists.get(name) or ()) + LISTS_BY_NAME[name].values
    return values[0], values[1]


def _weightless(run: Run) -> list:
    """Items with own financials whose stage has no weight."""
    fin = run.fin
    if not fin.usable or "stage" not in run.frame:
        return []
    has_rows = np.zeros(len(run.tree), dtype=bool)
    has_rows[fin.item[(fin.item >= 0) & (fin.flow >= 0) & (fin.recurrence >= 0)]] = True
    out = []
    for i, stage in enumerate(column_of(run.frame, "stage")):
        key = text_key(stage)
        if not has_rows[i] or (key is not None and key in run.weights.by_stage):
            continue
        if key is None:
            why, fix = "The item has no Stage", "choose its stage"
        else:
            why, fix = (f"Stage '{stage}' has no row on the Stage weights sheet",
                        "add the stage there or correct the item's Stage")
        out.append(finding(NO_WEIGHT, run.items, run.tree.rows[i], "stage", stage, why=why, fix=fix))
    return out

