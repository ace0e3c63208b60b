"""The score command's plan: Score, Rank and Why beside every request and item, and the Findings sheet."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace

import pandas as pd

from xlportfolio.core.book import Book
from xlportfolio.core.findings import Finding, Report, lead
from xlportfolio.core.findings_sheet import findings_sheet, marks_for
from xlportfolio.core.plan import ColumnWrite, EditPlan
from xlportfolio.core.prioritise.score import Criterion, score
from xlportfolio.schema import INTAKE, ITEMS

# What an item calls a request's column: its value is the estimated value, its due date the end date.
ITEM_ALIASES = {"expected_revenue": "estimated_value", "due_date": "end_date"}


@dataclass
class ScorePlan:
    plan: EditPlan
    report: Report
    scored: dict[str, int]  # table -> rows scored
    top: dict[str, list[tuple[str, float, str]]]  # table -> (ID, score, why) of the best five
    skipped: dict[str, list[str]]


def score_plan(book: Book, criteria: list[Criterion], findings: list[Finding], *, method: str = "weighted",
               as_of: dt.date) -> ScorePlan:
    """Score the Intake and Items tables of `book` with `criteria`; `findings` are those found reading them."""
    plan = EditPlan(scope="score")
    scored, top, skipped = {}, {}, {}
    for schema, key in ((INTAKE, "request_id"), (ITEMS, "item_id")):
        table = book.table(schema.name)
        if table is None or table.frame.empty:
            continue
        own = [criterion_for(c, table.frame) for c in criteria]
        result = score(table.frame, own, method=method, as_of=as_of, lists=book.lists, key=key)
        fmt = "General" if method.lower() == "wsjf" else None  # WSJF (best = 100) keeps 3 significant digits
        for name, series in (("score", result.scores), ("rank", result.ranks), ("why", result.why)):
            values = {int(r): _plain(v) for r, v in series.items()}
            plan.columns.append(ColumnWrite(schema.name, table.sheet, table.header(name), values,
                                            number_format=fmt if name == "score" else None))
        scored[schema.name] = len(table.frame)
        best = result.ranks.sort_values().index[:5]
        top[schema.name] = [(str(table.frame.at[r, key]), result.scores[r], result.why[r]) for r in best]
        skipped[schema.name] = [c.name for c in result.skipped]
    report = lead(Report.of(findings), book)
    plan.marks = marks_for(report)
    plan.sheets.append(findings_sheet(report, "score", "every criterion is usable"))
    return ScorePlan(plan, report, scored, top, skipped)


def criterion_for(criterion: Criterion, frame: pd.DataFrame) -> Criterion:
    alias = ITEM_ALIASES.get(criterion.source)
    unused = criterion.source not in frame or frame[criterion.source].isna().all()
    if alias and unused and alias in frame:
        return replace(criterion, source=alias)
    return criterion


def _plain(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars become plain numbers in the cell
        return value.item()
    return value
