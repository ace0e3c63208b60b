"""validate: check the Intake table and write the findings into the workbook."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from xlportfolio.commands.base import Outcome, Workbook
from xlportfolio.commands.needs import check_workbook
from xlportfolio.core.book import Book
from xlportfolio.core.findings import Report
from xlportfolio.core.intake.validate import validate_intake
from xlportfolio.errors import TemplateError
from xlportfolio.files.workbook import open_book
from xlportfolio.schema import CHECKS_TABLE, INTAKE, INTAKE_RULES, ITEMS, PEOPLE

# What validate reads: the requests, and what they are checked against.
BOOK_TABLES = [INTAKE, ITEMS, PEOPLE, INTAKE_RULES.table, CHECKS_TABLE]


@dataclass
class ValidateResult:
    report: Report
    written: Path | None
    rows: int


def read_for_validation(wb: Workbook) -> Book:
    """The tables validate needs, with formula results resolved; no Intake table aborts."""
    book = wb.read(BOOK_TABLES)
    if INTAKE.name not in book.tables:
        raise TemplateError(wb.source, "there is no Intake table (an Excel Table named 'Intake', "
                            "or a sheet 'Intake' with headers in row 1). Start from the intake "
                            "template: xlportfolio new intake TEMPLATE.xlsx")
    return book


def validate_on(wb: Workbook, *, as_of: dt.date | None = None) -> ValidateResult:
    check_workbook(wb, "validate")
    book = read_for_validation(wb)
    report, plan = validate_intake(book, as_of=as_of)
    wb.apply(plan)
    return ValidateResult(report, None, len(book.tables[INTAKE.name].frame))


def validate_file(path: str | Path, *, output: str | Path | None = None,
                  as_of: dt.date | None = None) -> ValidateResult:
    """Validate BOOK's Intake table and save the marks in place (or to `output`)."""
    with open_book(path, output=output) as wb:
        result = validate_on(wb, as_of=as_of)
        result.written = wb.save()
    return result


def run(wb: Workbook) -> Outcome:
    """The ribbon's Validate button."""
    result = validate_on(wb)
    r = result.report
    return Outcome(f"{result.rows} requests checked: {r.tally}. "
                   "Problems are marked on the cells and listed on the Findings sheet.",
                   1 if r.errors else 0, r)
