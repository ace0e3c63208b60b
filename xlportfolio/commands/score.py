"""score: score, rank and explain intake requests and items from the Scoring sheet."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from xlportfolio.commands.base import Figures as BaseFigures
from xlportfolio.commands.base import Options as BaseOptions
from xlportfolio.commands.base import Outcome, Workbook
from xlportfolio.commands.needs import check_workbook
from xlportfolio.core.prioritise.ahp import read_ahp
from xlportfolio.core.prioritise.score import ahp_warning, ahp_weights, read_criteria, with_weights
from xlportfolio.core.prioritise.score_plan import score_plan
from xlportfolio.errors import TemplateError
from xlportfolio.schema import INTAKE, ITEMS, SCORING

AHP_CONSISTENT = 0.10  # Saaty's limit: a higher consistency ratio means contradictory pairwise judgements


class Options(BaseOptions):
    model_config = ConfigDict(title="ScoreOptions")

    method: Literal["weighted", "wsjf"] = Field("weighted", description="weighted (0-100) or wsjf.")
    ahp: bool = Field(False, description="Take the weights from the AHP pairwise table.")

    @field_validator("method", mode="before")
    @classmethod
    def _any_case(cls, value):
        return value.lower() if isinstance(value, str) else value  # WSJF as people write it


class Ranked(BaseModel):
    id: str
    score: float
    why: str = Field(description="What the score is made of, largest share first.")


class Figures(BaseFigures):
    model_config = ConfigDict(title="ScoreFigures")

    method: str
    scored: dict[str, int] = Field(description="Rows scored, by table (Intake, Items).")
    top: dict[str, list[Ranked]] = Field(description="The best five of each table.")
    consistency: float | None = Field(description="The AHP table's consistency ratio (with ahp); above 0.10 "
                                      "the pairwise judgements contradict each other.")
    skipped: dict[str, list[str]] = Field(description="Criteria a table has no column for, by table.")


def run(wb: Workbook, options: Options) -> Outcome[Figures]:
    """Score, rank and explain requests and items with the Scoring sheet's criteria."""
    check_workbook(wb, "score")
    book = wb.read([INTAKE, ITEMS, SCORING.table])
    criteria, findings = read_criteria(book.table(SCORING.table.name))
    consistency = None
    if options.ahp:
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
    scoring = score_plan(book, criteria, findings, method=options.method, as_of=options.as_of or dt.date.today())
    wb.apply(scoring.plan)
    report = scoring.report
    figures = Figures(method=options.method, scored=scoring.scored, consistency=consistency, skipped=scoring.skipped,
                      top={table: [Ranked(id=str(rid), score=float(value), why=str(why)) for rid, value, why in top]
                           for table, top in scoring.top.items()})
    counts = ", ".join(f"{n} {table}" for table, n in figures.scored.items()) or "nothing"
    details = []
    if consistency is not None:
        details.append(f"AHP consistency ratio {consistency:.3f} ("
                       + ("consistent)" if consistency <= AHP_CONSISTENT else "inconsistent, above 0.10)"))
    details += [f"{table} #{i}: {r.id} {r.score:.4g} ({r.why})" for table, top in figures.top.items()
                for i, r in enumerate(top[:3], start=1)]
    details += [f"{table}: not scored on {', '.join(names)} (no such column)"
                for table, names in figures.skipped.items() if names]
    return Outcome.of("score", f"Scored {counts}; Score, Rank and Why are written beside each row.",
                      1 if report.errors else 0, report, details, figures)

