"""score: score, rank and explain intake requests and items from the Scoring sheet."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from xlportfolio.commands.base import Outcome, Workbook
from xlportfolio.commands.needs import check_workbook
from xlportfolio.core.findings import Report
from xlportfolio.core.prioritise.ahp import read_ahp
from xlportfolio.core.prioritise.score import ahp_warning, ahp_weights, read_criteria, with_weights
from xlportfolio.core.prioritise.score_plan import score_plan
from xlportfolio.errors import TemplateError
from xlportfolio.files.workbook import open_book
from xlportfolio.schema import INTAKE, ITEMS, SCORING


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
    scoring = score_plan(book, criteria, findings, method=method, as_of=as_of or dt.date.today())
    wb.apply(scoring.plan)
    return ScoreOutcome(scoring.report, scoring.scored, scoring.top, consistency, scoring.skipped, None)

