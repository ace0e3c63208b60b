"""validate: check the Intake table and write the findings into the workbook."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..core.book import Book
from ..core.findings import Report
from ..core.validate import validate_intake
from ..errors import TemplateError
from ..files.reader import read_book, resolve_formulas
from ..files.workbook import OpenedBook, open_book
from ..files.writer import apply_plan
from ..schema import CHECKS_TABLE, INTAKE, INTAKE_RULES, ITEMS, PEOPLE

# What validate reads: the requests, and what they are checked against.
BOOK_TABLES = [INTAKE, ITEMS, PEOPLE, INTAKE_RULES.table, CHECKS_TABLE]


@dataclass
class ValidateResult:
    report: Report
    written: Path
    rows: int


def read_for_validation(opened: OpenedBook) -> Book:
    """The tables validate needs, with formula results resolved; no Intake table aborts."""
    book = read_book(opened.wb, str(opened.path), BOOK_TABLES)
    if INTAKE.name not in book.tables:
        raise TemplateError(opened.path, "there is no Intake table (an Excel Table named 'Intake', "
                            "or a sheet 'Intake' with headers in row 1). Start from the intake "
                            "template: xlportfolio new intake TEMPLATE.xlsx")
    resolve_formulas(str(opened.path), book)
    return book


def validate_file(path: str | Path, *, output: str | Path | None = None,
                  as_of: dt.date | None = None) -> ValidateResult:
    """Validate BOOK's Intake table and save the marks in place (or to `output`)."""
    opened = open_book(path, output=output)
    book = read_for_validation(opened)
    report, plan = validate_intake(book, as_of=as_of)
    apply_plan(opened.wb, plan)
    target = opened.save()
    return ValidateResult(report, target, len(book.tables[INTAKE.name].frame))
