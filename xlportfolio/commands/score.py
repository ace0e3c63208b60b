"""score: score, rank and explain intake requests and items from the Scoring sheet."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from xlportfolio.commands.base import Outcome, Workbook
from xlportfolio.commands.needs import check_workbook
from xlportfolio.core.findings import Report, lead
from xlportfolio.core.findings_sheet import findings_sheet, marks_for
from xlportfolio.core.plan import ColumnWrite, EditPlan
from xlportfolio.core.prioritise.score import Criterion, ahp_warning, ahp_weights, read_criteria, score, with_weights
from xlportfolio.core.values import is_number
from xlportfolio.errors import TemplateError
from xlportfolio.files.workbook import open_book
from xlportfolio.schema import INTAKE, ITEMS, SCORING

# What an item calls a request's column: its value is the estimated value, its due date the end date.
ITEM_ALIASES = {"expected_revenue": "estimated_value", "due_date": "end_date"}


@dataclass
class ScoreOutcome:
    report: Report
    scored: dict[str, int]  # table -> rows scored
    top: dict[str, list[tuple[str, float, str]]]  # table -> (ID, score, why) of the best five
    consistency: float | None
    skipped: dict[str, list[str]]
    written: Path | None


def score_file(path: str | Path, *, output: str | Path | None = None, as_of: dt.date | None = None,
               method: str = "weighted", ahp: bool = False) -> ScoreOutcome:
    with open_book(path, output=output) as wb:
        outcome = score_on(wb, as_of=as_of, method=method, ahp=ahp)
        outcome.written = wb.save()
    return outcome


def run(wb: Workbook) -> Outcome:
    """The ribbon's Score button: the weighted score with the Scoring sheet's weights."""
    result = score_on(wb)
    counts = ", ".join(f"{n} {table}" for table, n in result.scored.items()) or "nothing"
    details = [f"{table} #{i}: {rid} {value:.4g} ({why})" for table, top in result.top.items()
               for i, (rid, value, why) in enumerate(top[:3], start=1)]
    return Outcome(f"Scored {counts}; Score, Rank and Why are written beside each row.",
                   1 if result.report.errors else 0, result.report, details)


def score_on(wb: Workbook, *, as_of: dt.date | None = None, method: str = "weighted",
             ahp: bool = False) -> ScoreOutcome:
    check_workbook(wb, "score")
    book = wb.read([INTAKE, ITEMS, SCORING.table])
    criteria, findings = read_criteria(book.table(SCORING.table.name))
    consistency = None
    if ahp:
        grid = wb.table_grid("AHP")
        if grid is None:
            raise TemplateError(wb.source, "--ahp needs an Excel table named AHP (criteria down the first column "
                                "and across the header row); the portfolio template has one on the Scoring sheet.")
        try:
            weights, consistency = ahp_weights(read_ahp(grid, wb.source))
        except ValueError as exc:  # not square, not reciprocal, not positive: the table is the problem
            raise TemplateError(wb.source, f"the AHP table cannot be used: {exc}") from None
        criteria = with_weights(criteria, weights)
        findings += [w for w in [ahp_warning(consistency)] if w]
    plan = EditPlan(scope="score")
    scored, top, skipped = {}, {}, {}
    for schema, key in ((INTAKE, "request_id"), (ITEMS, "item_id")):
        table = book.table(schema.name)
        if table is None or table.frame.empty:
            continue
        own = [criterion_for(c, table.frame) for c in criteria]
        result = score(table.frame, own, method=method, as_of=as_of or dt.date.today(), lists=book.lists, key=key)
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
    wb.apply(plan)
    return ScoreOutcome(report, scored, top, consistency, skipped, None)


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


def read_ahp(grid, source: str) -> pd.DataFrame:
    """The AHP table's pairwise matrix; a blank or formula cell counts as the reciprocal of its mirror.

    `grid` is the table's cells as read (header row first) with where they sit: (sheet, ref, rows).
    """
    sheet, ref, rows = grid
    first_row = int("".join(ch for ch in ref.split(":")[0] if ch.isdigit()))
    names = [str(n) for n in rows[0][1:]]
    if len(rows) - 1 != len(names):
        raise TemplateError(source, f"sheet '{sheet}', AHP table {ref}: it compares {len(rows) - 1} "
                            f"criteria down and {len(names)} across; list the same criteria both ways.")
    matrix = pd.DataFrame(index=names, columns=names, dtype=float)
    for i, row in enumerate(rows[1:]):
        for j, value in enumerate(row[1:]):
            mirror = rows[j + 1][i + 1]
            if is_number(value):
                matrix.iat[i, j] = value
            elif is_number(mirror) and mirror:
                matrix.iat[i, j] = 1 / mirror
            else:
                raise TemplateError(source, f"sheet '{sheet}', AHP table row {first_row + i + 1}: "
                                    f"'{value}' is not a number; type how much more '{names[i]}' matters "
                                    f"than '{names[j]}' (1 equal to 9 extremely).")
    matrix.index = [str(r[0]) for r in rows[1:]]
    return matrix
