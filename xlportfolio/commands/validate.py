"""validate: check the Intake table and write the findings into the workbook."""
from __future__ import annotations

from pydantic import ConfigDict, Field

from xlportfolio.commands.base import Figures as BaseFigures
from xlportfolio.commands.base import Options as BaseOptions
from xlportfolio.commands.base import Outcome, Workbook
from xlportfolio.commands.needs import check_workbook
from xlportfolio.core.book import Book
from xlportfolio.core.intake.validate import validate_intake
from xlportfolio.errors import TemplateError
from xlportfolio.schema import CHECKS_TABLE, INTAKE, INTAKE_RULES, ITEMS, PEOPLE

# What validate reads: the requests, and what they are checked against.
BOOK_TABLES = [INTAKE, ITEMS, PEOPLE, INTAKE_RULES.table, CHECKS_TABLE]


class Options(BaseOptions):
    """validate takes the day due dates are judged against, nothing else."""

    model_config = ConfigDict(title="ValidateOptions")


class Figures(BaseFigures):
    model_config = ConfigDict(title="ValidateFigures")

    rows: int = Field(description="Intake rows checked.")


def read_for_validation(wb: Workbook) -> Book:
    """The tables validate needs, with formula results resolved; no Intake table aborts."""
    book = wb.read(BOOK_TABLES)
    if INTAKE.name not in book.tables:
        raise TemplateError(wb.source, "there is no Intake table (an Excel Table named 'Intake', "
                            "or a sheet 'Intake' with headers in row 1). Start from the intake "
                            "template: xlportfolio new intake TEMPLATE.xlsx")
    return book


def run(wb: Workbook, options: Options) -> Outcome[Figures]:
    """Check the Intake table; mark every problem on its cell, in the status column and on the Findings sheet."""
    check_workbook(wb, "validate")
    book = read_for_validation(wb)
    report, plan = validate_intake(book, as_of=options.as_of)
    wb.apply(plan)
    rows = len(book.tables[INTAKE.name].frame)
    return Outcome.of("validate", f"{rows} requests checked: {report.tally}. "
                      "Problems are marked on the cells and listed on the Findings sheet.",
                      1 if report.errors else 0, report, figures=Figures(rows=rows))
